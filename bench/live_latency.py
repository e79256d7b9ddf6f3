"""Live pages under load: N WebSocket clients on one article while W people write on it.

What it runs, on this machine: a database of its own (PostgreSQL, from DATABASE_URL's server,
created and dropped), daphne serving workbench.asgi on a spare port with the Redis channel layer
(REDIS_URL), N clients connected to /ws/articles/{id}/ with real sessions (spread over 20
reviewers), and W writer threads calling the services as the web processes do (each write a
comment on one of the article's claims: one event in the article's feed). Every client records
when each event reaches it; the delivery latency of an event is that time minus the event's
`at` (written by the service as it saved it: the same clock).

Reported: latency p50, p95 and max over every delivery, deliveries missed, and daphne's resident
memory per connection (its RSS with the clients connected, minus before, over N).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/workbench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/live_latency.py [--clients 200] [--writers 5] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
# daphne's own messages, for when something goes wrong.
LOG = Path(tempfile.gettempdir()) / "bench-live-daphne.log"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _database(url: str) -> tuple[str, str]:
    """A fresh database beside DATABASE_URL's, and the admin address to drop it afterwards."""
    import psycopg
    from psycopg import sql

    server = url.rsplit("/", 1)[0]
    admin = server.replace("postgres://", "postgresql://", 1) + "/postgres"
    name = "wb_bench_live"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{server}/{name}", admin


def _drop(admin: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier("wb_bench_live")
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--daphnes",
        type=int,
        default=1,
        help="daphne processes, the clients spread over them as a balancer would (default 1)",
    )
    parser.add_argument(
        "--every", type=float, default=0.5, help="seconds between one writer's writes"
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ or "REDIS_URL" not in os.environ:
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the bench runs the real stack.")
    url, admin = _database(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-live-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "EMBEDDING_MODEL": "none",
        "COMMENT_RATE": "1000000/minute",
        "MEMBER_ADD_RATE": "1000000/hour",
        # daphne keeps its database connections (as the README advises for it).
        "DATABASE_CONN_MAX_AGE": "60",
    }
    os.environ.update(env)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")
    django.setup()
    ports = [_free_port() for _ in range(args.daphnes)]
    servers = [
        subprocess.Popen(
            [
                str(BIN / "daphne"),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "workbench.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=LOG.open("a"),
        )
        for port in ports
    ]
    try:
        run(args, ports, [server.pid for server in servers])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()  # daphne waits for open sockets' applications to end
                server.wait(timeout=5)
        from django.db import connections

        connections.close_all()
        _drop(admin)


def _clients_process(where: dict[str, Any], ready: Any, stop: Any, results: Path) -> None:
    """`where["count"]` WebSocket clients on the article (`ports`, `article`, `cookies`), each
    recording (seq, event's at, received at) for every event it is sent, until `stop`; then all
    of it, as JSON, into `results`."""
    import websockets

    ports, article, cookies, count = (where[k] for k in ("ports", "article", "cookies", "count"))

    received: list[list[tuple[int, float, float]]] = [[] for _ in range(count)]

    async def client(index: int) -> None:
        async with websockets.connect(
            f"ws://127.0.0.1:{ports[index % len(ports)]}/ws/articles/{article}/",
            origin="http://127.0.0.1",  # type: ignore[arg-type]
            additional_headers={"Cookie": cookies[index % len(cookies)]},
            open_timeout=60,
            max_queue=None,
        ) as socket_:
            async for raw in socket_:
                now = time.time()
                message = json.loads(raw)
                if message["type"] != "events":
                    continue
                for event in message["events"]:
                    at = datetime.fromisoformat(event["at"]).timestamp()
                    received[index].append((event["seq"], at, now))

    async def clients() -> None:
        tasks = []
        for i in range(count):
            tasks.append(asyncio.create_task(client(i)))
            if i % 10 == 9:
                await asyncio.sleep(0.5)  # pages open over a while: 20 a second
        await asyncio.sleep(5)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(clients())
    results.write_text(json.dumps(received))


def run(args: argparse.Namespace, ports: list[int], pids: list[int]) -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from annotations.models import Role
    from annotations.services.articles import article_create
    from annotations.services.claims import claim_create
    from annotations.services.comments import comment_create
    from annotations.services.workspaces import member_add, workspace_create

    editor = User.objects.create_user("editor")
    workspace = workspace_create(user=editor, name="Bench desk", organisation_name="Bench")
    readers = []
    for i in range(20):
        user = User.objects.create_user(f"reader{i}")
        member_add(actor=editor, workspace=workspace, username=user.username, role=Role.REVIEWER)
        readers.append(user)
    writers = []
    for i in range(args.writers):
        user = User.objects.create_user(f"writer{i}")
        member_add(actor=editor, workspace=workspace, username=user.username, role=Role.REVIEWER)
        writers.append(user)
    text = "\n".join(f"Le chômage a reculé de 0,{i} point au trimestre {i}." for i in range(10))
    article = article_create(
        user=editor, workspace=workspace, text=text, title="Bench", language="fr"
    )
    claims = []
    for i in range(10):
        line = text.split("\n")[i]
        start = text.index(line)
        claims.append(
            claim_create(user=editor, article=article, start=start, end=start + len(line)).claim
        )
    cookies = []
    for user in readers:
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")

    for port in ports:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
    idle_kb = sum(_rss_kb(pid) for pid in pids)
    written: list[int] = []
    # The clients live in a process of their own: in this one they would wait for the writers'
    # Python (one interpreter lock) and the delay measured would be partly the bench's own.
    ctx = multiprocessing.get_context("fork")
    ready, stop = ctx.Event(), ctx.Event()
    results = Path(tempfile.mkstemp(prefix="bench-live-", suffix=".json")[1])
    child = ctx.Process(
        target=_clients_process,
        args=(
            {"ports": ports, "article": article.pk, "cookies": cookies, "count": args.clients},
            ready,
            stop,
            results,
        ),
        daemon=True,
    )
    child.start()
    ready.wait(timeout=180)
    connected_kb = sum(_rss_kb(pid) for pid in pids)

    def write(user: User, offset: int) -> None:
        from django.db import connection

        deadline = time.monotonic() + args.seconds
        n = 0
        while time.monotonic() < deadline:
            claim = claims[(offset + n) % len(claims)]
            comment_create(user=user, claim=claim, body=f"note {n} by {user.username}")
            written.append(1)
            n += 1
            time.sleep(args.every)
        connection.close()

    threads = [threading.Thread(target=write, args=(user, i)) for i, user in enumerate(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(3)  # let the last events arrive
    stop.set()
    child.join(timeout=60)
    elapsed = time.monotonic() - started
    received: list[list[list[float]]] = json.loads(results.read_text() or "[]")
    results.unlink(missing_ok=True)

    latencies = [now - at for per in received for _seq, at, now in per]
    delivered = len(latencies)
    expected = len(written) * args.clients
    latencies.sort()

    def p(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    print(
        f"clients {args.clients}, writers {args.writers}, daphne processes {len(pids)}, "
        f"{len(written)} writes in {elapsed:.1f} s"
    )
    print(f"deliveries {delivered} of {expected} ({expected - delivered} missed)")
    if latencies:
        print(
            f"latency ms: p50 {p(0.5):.0f}, p95 {p(0.95):.0f}, max {latencies[-1] * 1000:.0f}, "
            f"mean {statistics.mean(latencies) * 1000:.0f}"
        )
    print(
        f"daphne RSS: idle {idle_kb / 1024:.0f} MB, with the clients {connected_kb / 1024:.0f} MB: "
        f"{(connected_kb - idle_kb) / max(1, args.clients):.0f} KB per connection"
    )


if __name__ == "__main__":
    main()
