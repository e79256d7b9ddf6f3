"""What the API tests share: a small web server standing in for news sites."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PAGE = """<!doctype html><html lang="fr"><head><title>Les loyers flambent à Lyon</title>
<meta name="author" content="Camille Martin"><meta property="og:site_name" content="Le Progrès du Rhône">
<meta property="article:published_time" content="2026-10-02T08:00:00+02:00"></head>
<body><nav>Accueil | Politique</nav><article><h1>Les loyers flambent à Lyon</h1>
<p>Les loyers ont augmenté de 12 % en deux ans à Lyon, selon l'Observatoire des loyers.</p>
<p>« C'est la plus forte hausse de France », affirme le maire. Le gouvernement promet une loi d'ici 2027.</p>
<script>document.write('piège')</script></article><footer>© 2026</footer></body></html>"""


class PageHandler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b"missing"))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[str]:
    """The address of a server answering PageHandler.routes (a test may change them)."""
    PageHandler.routes = {
        "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()),
        "/moved": (302, {"Location": "/article"}, b""),
        "/huge": (200, {"Content-Type": "text/html"}, b"<p>" + b"x" * 300_000 + b"</p>"),
        "/image": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
