"""How long the annotation page takes to be ready in Chromium on an article of 1,000 claims.

    make bench-page-ready     # or: DATABASE_URL=postgres://... .venv/bin/python bench/page_ready.py

Uses the articles of bench/article_read.py (run it first: it builds them in `<DATABASE_URL db>_reads`),
serves the workbench with `manage.py runserver` (DEBUG off, static files served by it) on a free
loopback port, signs the reviewer in with Debian's Chromium (Playwright), and times, from the
navigation's start, until every claim of the article is drawn in the text: a first visit (nothing
cached) and a reload (the browser revalidates what it holds: the article's read is a 304).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchdb import use_own_database

use_own_database("reads")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench-page-ready"  # noqa: S105 (the bench database's own reviewer)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 (a loopback http URL)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url} within {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import User

    from annotations.models import Article

    reviewer = User.objects.filter(username="reads-reviewer").first()
    article = Article.objects.filter(title="A thousand claims").first()
    if reviewer is None or article is None:
        raise SystemExit("no bench articles: run bench/article_read.py first")
    reviewer.set_password(PASSWORD)
    reviewer.save(update_fields=["password"])
    claims = article.claims.count()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1", "SITE_URL": base}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{base}/livez", 60)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("[name=username]", reviewer.username)
            page.fill("[name=password]", PASSWORD)
            page.click("[type=submit]")
            page.wait_for_load_state()
            # A function, not a string: the page's Content-Security-Policy forbids eval.
            ready = "n => document.querySelectorAll('#doc [data-claims]').length >= n"

            def visit(reload: bool) -> float:
                started = time.perf_counter()
                if reload:
                    page.reload()
                else:
                    page.goto(f"{base}/articles/{article.pk}/")
                page.wait_for_function(ready, arg=claims, timeout=60_000)
                return (time.perf_counter() - started) * 1000

            first, again = [], []
            for _ in range(args.runs):
                # A first visit: the browser's cache emptied through the DevTools protocol.
                session = context.new_cdp_session(page)
                session.send("Network.clearBrowserCache")
                session.detach()
                page.goto("about:blank")
                first.append(visit(reload=False))
                again.append(visit(reload=True))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"annotation page of an article with {claims:,} claims, Chromium, median of {args.runs}")
    print(f"first visit (nothing cached)           {statistics.median(first):8.0f} ms")
    print(f"reload (the article's read is a 304)   {statistics.median(again):8.0f} ms")


if __name__ == "__main__":
    main()
