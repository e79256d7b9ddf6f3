"""The browser tests' server: daphne serving workbench.asgi (HTTP and the /ws/ sockets) in a
thread of the test process, on a spare port, as `make run` serves the pages.

In a thread, not a process, like Django's own live server: a test's settings and the test
database reach it, and a test may change a setting for the server as for itself. Twisted's
reactor starts once per process, so this server lives for the whole test session."""

from __future__ import annotations

import asyncio
import threading
import time

from asgiref.sync import sync_to_async
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connection, connections
from django.test.utils import modify_settings

HOST = "localhost"


class AsgiLiveServer:
    """What pytest-django's live_server offers the tests: `url`, and the settings a test enables
    while it runs (the server's host among ALLOWED_HOSTS)."""

    def __init__(self) -> None:
        # Imported here: daphne.server installs Twisted's asyncio reactor on import.
        from daphne.endpoints import build_endpoint_description_strings
        from daphne.server import Server

        from workbench.asgi import application

        self._ready = threading.Event()
        self.server = Server(
            application=ASGIStaticFilesHandler(application),  # type: ignore[arg-type]
            endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
            signal_handlers=False,
            verbosity=0,
            ready_callable=None,
        )
        self.thread = threading.Thread(target=self.server.run, name="daphne", daemon=True)
        self.thread.start()
        self._wait_listening()
        self.port: int = self.server.listening_addresses[0][1]
        self.url = f"http://{HOST}:{self.port}"
        self._live_server_modified_settings = modify_settings(
            ALLOWED_HOSTS={"append": [HOST, "127.0.0.1"]}
        )

    def _wait_listening(self) -> None:
        for _ in range(200):
            if getattr(self.server, "listening_addresses", None):
                return
            time.sleep(0.05)
        raise RuntimeError("daphne did not start listening within 10 s")

    def stop(self) -> None:
        from twisted.internet import reactor

        # The server's database connections live in asgiref's one thread for sync code: close
        # them there, or the test database cannot be dropped at the end of the session.
        loop = reactor._asyncioEventloop
        closing = sync_to_async(connections.close_all, thread_sensitive=True)()
        asyncio.run_coroutine_threadsafe(closing, loop).result(timeout=10)
        reactor.callFromThread(reactor.stop)  # type: ignore[misc]
        self.thread.join(timeout=10)
        # A request cut short when a browser closed may have left its thread's connection
        # open: end the server's sessions on the test database, never this thread's own.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )

    def __repr__(self) -> str:
        return f"<AsgiLiveServer {self.url}>"
