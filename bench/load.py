"""A bounded load on the HTTP API, over loopback, against a real server (issue 15).

    make bench-load                                   # the recommended serving, 20 clients, 30 s
    make bench-load COMPARE=1                         # every serving configuration, back to back
    .venv/bin/python bench/load.py --server sync:3 --db keep --duration 30 --clients 20
    .venv/bin/python bench/load.py --prepare          # then start a server on what it names,
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000   # and load it

The mix is fixed, request by request (each block of 100 requests holds exactly these):

    60%  GET  /api/v1/articles/{id}/               the article with 100 claims
    20%  GET  /api/v1/claims/{id}/                 one of its claims
    10%  POST /api/v1/claims/{id}/assessments/     a verdict; each client is a reviewer of its own
                                                   and assesses the claims in its own order (one
                                                   assessment per reviewer and claim), then, once
                                                   it has assessed them all, PATCHes its own ones
    10%  GET  /api/v1/queues/to_assess/?workspace= and GET /api/v1/queues/, in turn

Every client signs its requests with its reviewer's token (`Authorization: Token ...`, the key
POST /api/v1/auth/token/ returns; the seed creates them, so that no password hashing runs in the
server before the load) and keeps one HTTP/1.1 connection, kept alive where the server allows
it. Reads replay the ETag they got last time in If-None-Match (--no-etag: never): a 304 is
counted apart from the 200s. Anything else than a 2xx or a 304 is an error, and so is a request
that gets no answer.

Data: a database of its own. The seed (a workspace, an editor, 64 reviewers with tokens, the
article with its 100 claims, made through the services as the API would; blind review off) is
built once in `<DATABASE_URL db>_load_seed` and copied (CREATE DATABASE ... TEMPLATE) to
`<db>_load` before every run, so that each configuration starts from the same rows. Redis
database 12 (emptied before each run and at the end) stands for production's REDIS_URL; no Celery
worker runs: the tasks the writes queue wait in it.

The server: by default this script starts it, from this directory (gunicorn reads
gunicorn.conf.py), with the production settings (DEBUG off, SECRET_KEY, BEHIND_TLS_PROXY with
X-Forwarded-Proto: https on every request; STATIC_MANIFEST off, as the API names no static file),
from a short name:

    sync:N          gunicorn workbench.wsgi, N sync workers
    gthread:NxT     gunicorn workbench.wsgi, N workers of T threads
    asgi:N          gunicorn workbench.asgi:application, N workers of gunicorn's own ASGI worker
    daphne:1        daphne workbench.asgi:application (one process: daphne cannot share a port)
    uvicorn:N       uvicorn workbench.asgi:application --workers N (when uvicorn is installed)

and --db new (a connection per request, DATABASE_CONN_MAX_AGE=0), keep (DATABASE_CONN_MAX_AGE=60)
or pool (psycopg's pool through bench/load_pool_settings.py, when psycopg_pool can be imported:
e.g. `pip install --target /tmp/wb_pool psycopg-pool` and PYTHONPATH=/tmp/wb_pool).

It prints throughput, p50/p95/p99 latency (overall and per kind), errors, 304s, PostgreSQL's
connections to the database (sampled every 50 ms from pg_stat_activity: the most busy at once,
their mean, the most open), and CPU: this process's own (getrusage), the server's processes', all
of PostgreSQL's, and the machine's (other work running on it shows there).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from benchdb import ensure_database, use_own_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REVIEWERS = 64  # the most clients a run may have: each writes as a reviewer of its own
CLAIMS = 100
SEED_NAME = "Load desk (seed 1)"  # a change to the seed gets a new name: the seed is rebuilt
REDIS_DB = 12
KINDS = ("article", "claim", "assess", "queue")
MIX = {"article": 60, "claim": 20, "assess": 10, "queue": 10}
# The serving configurations `--compare` runs, back to back, in this order (name, --db).
COMPARE = (
    ("sync:3", "new"),  # what production ran before this bench
    ("sync:4", "new"),
    ("sync:2", "keep"),
    ("sync:3", "keep"),
    ("sync:4", "keep"),
    ("sync:5", "keep"),
    ("gthread:2x4", "keep"),
    ("gthread:4x2", "keep"),
    # ASGI runs each request's view in a thread of its own, so kept connections pile up (one per
    # thread, 98 open and a run of 503s when tried): ASGI gets a connection per request or the pool.
    ("asgi:3", "new"),
    ("daphne:1", "new"),
    ("sync:4", "pool"),
    ("gthread:4x2", "pool"),
    ("asgi:3", "pool"),
)
RECOMMENDED = ("sync:4", "keep")


def sentence(i: int) -> str:
    """The article's i-th sentence: every one different, so that no two claims look alike."""
    return (
        f"En {2000 + i % 25}, le taux de chômage du département {i + 1} a baissé de "
        f"{i % 9 + 1},{i % 7} point au trimestre {i % 4 + 1}, selon l'Insee. "
    )


# --- The seed, built once in a template database ---------------------------------------------------


def seed() -> dict[str, Any]:
    """The rows the load needs, made through the services as the API would make them."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from annotations.models import Article, Claim, Role, Workspace
    from annotations.services.articles import article_create
    from annotations.services.claims import claim_create
    from annotations.services.workspaces import member_add, workspace_create

    editor, _ = User.objects.get_or_create(username="load-editor")
    reviewers = [
        User.objects.get_or_create(username=f"load-reviewer-{i:02}")[0] for i in range(REVIEWERS)
    ]
    workspace = Workspace.objects.filter(name=SEED_NAME).first()
    if workspace is None:
        workspace = workspace_create(user=editor, name=SEED_NAME)
        for reviewer in reviewers:
            member_add(
                actor=editor, workspace=workspace, username=reviewer.username, role=Role.REVIEWER
            )
        text = "".join(sentence(i) for i in range(CLAIMS + 10))
        article = article_create(
            user=editor, workspace=workspace, text=text, title="Article with 100 claims"
        )
        offset = 0
        for i in range(CLAIMS):
            length = len(sentence(i))
            claim_create(
                user=reviewers[i % REVIEWERS],
                article=article,
                start=offset,
                end=offset + length - 1,  # the sentence without its trailing space
            )
            offset += length
    article = Article.objects.get(workspace=workspace, title="Article with 100 claims")
    claims = list(Claim.objects.filter(article=article).order_by("pk").values_list("pk", flat=True))
    assert len(claims) == CLAIMS, f"the seed has {len(claims)} claims, not {CLAIMS}"
    tokens = [Token.objects.get_or_create(user=user)[0].key for user in reviewers]
    return {"workspace": workspace.pk, "article": article.pk, "claims": claims, "tokens": tokens}


def admin_url(url: str) -> str:
    return url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"


def prepare(seed_url: str) -> dict[str, Any]:
    """Migrate and seed the template database (once), and give back what the clients need."""
    ensure_database(seed_url)
    os.environ["MEMBER_ADD_RATE"] = "100000/hour"  # the seed adds 64 members at once
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    data = seed()
    connections.close_all()  # a template must have no sessions
    return data


def fresh_copy(seed_url: str, run_url: str) -> None:
    """The run's database: a copy of the seed's, whatever the previous run wrote."""
    seed_name, run_name = seed_url.rsplit("/", 1)[1], run_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url(seed_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{run_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{run_name}" TEMPLATE "{seed_name}"')


def empty_redis(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


# --- The server ------------------------------------------------------------------------------------


def server_command(name: str, db: str, port: int) -> list[str]:
    kind, _, size = name.partition(":")
    bind = f"127.0.0.1:{port}"
    gunicorn = [str(BIN / "gunicorn"), "--bind", bind, "--timeout", "120"]
    if db == "pool":
        # gunicorn.conf.py checks the database in the master, before it forks: with a pool, that
        # check's pool (and its connection) would be inherited by every worker and shared between
        # them. Without the file each worker checks on its own, after the fork.
        gunicorn += ["--config", "/dev/null"]
    if kind == "sync":
        return [*gunicorn, "--workers", size, "workbench.wsgi"]
    if kind == "gthread":
        workers, _, threads = size.partition("x")
        return [*gunicorn, "--workers", workers, "--threads", threads, "workbench.wsgi"]
    if kind == "asgi":
        return [
            *gunicorn,
            "--workers",
            size,
            "--worker-class",
            "asgi",
            "workbench.asgi:application",
        ]
    if kind == "daphne" and size == "1":
        daphne = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "-v", "0"]
        return [*daphne, "workbench.asgi:application"]
    if kind == "uvicorn":
        uvicorn = [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", str(port)]
        return [*uvicorn, "--workers", size, "--no-access-log", "workbench.asgi:application"]
    raise SystemExit(f"unknown server {name!r}: sync:N, gthread:NxT, asgi:N, daphne:1, uvicorn:N")


def server_env(name: str, run_url: str, redis_url: str, db: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "DATABASE_URL": run_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BEHIND_TLS_PROXY": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("MEMBER_ADD_RATE", None)
    if db == "new":
        env |= {"DATABASE_CONN_MAX_AGE": "0"}
    elif db == "keep":
        env |= {"DATABASE_CONN_MAX_AGE": "60"}
    elif db == "pool":  # a connection per thread serving requests (ASGI: a thread per request)
        kind = name.partition(":")[0]
        threads = {"sync": "1", "gthread": name.partition("x")[2]}.get(kind, "4")
        env |= {
            "DATABASE_CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "load_pool_settings",
            "LOAD_POOL_SIZE": threads,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT / "bench"), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    else:
        raise SystemExit(f"--db is new, keep or pool, not {db!r}")
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_served(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}):\n{log.read_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
            conn.request("GET", "/livez", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /livez within 60 s:\n{log.read_text()}")


@contextlib.contextmanager
def served(name: str, db: str, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Start the server, wait for /livez, yield (its address, its process group); stop it."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench_load_server_{port}.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            server_command(name, db, port),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its workers are counted and stopped
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_served(url, server, log)
        yield url, server.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        with contextlib.suppress(ProcessLookupError):  # a worker left behind by its master
            os.killpg(server.pid, signal.SIGKILL)
        lines = log.read_text(errors="replace").splitlines()
        errors = [ln for ln in lines if "Traceback" in ln or " ERROR " in ln or "[ERROR]" in ln]
        if errors:
            print(f"  (the server logged {len(errors)} errors: {log})")
        else:
            log.unlink(missing_ok=True)


# --- CPU and the database's connections, sampled ------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the processes of a process group (the server's)."""
    total = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit() and (fields := _stat(pid)) and fields[2] == str(pgid):
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process, ended backends included (through the postmaster's
    counts of its reaped children), for all of its databases."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            fields = _stat(pid)
            if fields is None:
                continue
            total += int(fields[11]) + int(fields[12])
            if Path(f"/proc/{fields[1]}/comm").read_text().strip() != "postgres":
                total += int(fields[13]) + int(fields[14])  # the postmaster: its ended children
    return total / TICK


def database_stats(url: str) -> tuple[int, float]:
    """(sessions opened, milliseconds its sessions spent running statements) so far, for the run's
    database alone: PostgreSQL's own counts (pg_stat_database), whatever else the machine runs."""
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions, active_time FROM pg_stat_database WHERE datname = %s",
            (url.rsplit("/", 1)[1],),
        ).fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


def machine_cpu() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


class ConnectionSampler(threading.Thread):
    """Counts the database's client connections every 50 ms: busy (not idle) and open."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.name_ = url.rsplit("/", 1)[1]
        self.admin = admin_url(url)
        self.samples: list[tuple[int, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            while not self.stop.wait(0.05):
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE state <> 'idle'), count(*) FROM pg_stat_activity"
                    " WHERE datname = %s AND backend_type = 'client backend'",
                    (self.name_,),
                ).fetchone()
                assert row is not None
                self.samples.append((int(row[0]), int(row[1])))


# --- The clients -----------------------------------------------------------------------------------


@dataclass
class Plan:
    workspace: int
    article: int
    claims: list[int]
    tokens: list[str]


@dataclass
class Client:
    """One person: a reviewer with a token, one connection, the ETags of what they read."""

    index: int
    token: str
    host: str
    port: int
    claims: list[int]
    etags: bool
    to_assess: list[int] = field(default_factory=list)
    mine: dict[int, tuple[int, int]] = field(default_factory=dict)  # claim: (assessment, version)
    seen: dict[str, str] = field(default_factory=dict)
    results: list[tuple[str, int, float]] = field(default_factory=list)
    conn: http.client.HTTPConnection | None = None
    rng: random.Random = field(default_factory=random.Random)
    queue_turn: int = 0
    started: float = 0.0  # when the request under way was sent

    def __post_init__(self) -> None:
        self.rng = random.Random(self.index)
        self.to_assess = self.claims[:]
        self.rng.shuffle(self.to_assess)

    def send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        extra: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        headers = {
            "Authorization": f"Token {self.token}",
            "X-Forwarded-Proto": "https",
            "Accept": "application/json",
            **(extra or {}),
        }
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: sent again on a new one,
                # once, as browsers do. A new connection that fails is an error.
                self.conn.close()
                self.conn = None
                if reused and attempt == 1:
                    continue
                raise
            if response.will_close:
                self.conn.close()
                self.conn = None
            return response.status, data, response
        raise AssertionError("unreachable")

    def read(self, kind: str, path: str) -> None:
        extra = {"If-None-Match": self.seen[path]} if self.etags and path in self.seen else {}
        status, _, response = self.send("GET", path, extra=extra)
        etag = response.getheader("ETag")
        if self.etags and etag and status == 200:
            self.seen[path] = etag
        self.results_add(kind, status)

    def assess(self) -> None:
        verdict = "true" if self.rng.random() < 0.8 else "false"
        if self.to_assess:
            claim = self.to_assess.pop()
            status, data, _ = self.send(
                "POST", f"/api/v1/claims/{claim}/assessments/", {"verdict": verdict}
            )
            if status == 201:
                body = json.loads(data)
                self.mine[claim] = (body["id"], body["version"])
        else:  # every claim assessed: change one of my verdicts instead
            claim = self.rng.choice(sorted(self.mine))
            assessment, version = self.mine[claim]
            status, data, _ = self.send(
                "PATCH",
                f"/api/v1/assessments/{assessment}/",
                {"verdict": verdict},
                extra={"If-Match": f'"{version}"'},
            )
            if status == 200:
                self.mine[claim] = (assessment, json.loads(data)["version"])
        self.results_add("assess", status)

    def results_add(self, kind: str, status: int) -> None:
        self.results.append((kind, status, time.perf_counter() - self.started))

    def one(self, kind: str, plan: Plan) -> None:
        self.started = time.perf_counter()
        try:
            if kind == "article":
                self.read(kind, f"/api/v1/articles/{plan.article}/")
            elif kind == "claim":
                self.read(kind, f"/api/v1/claims/{self.rng.choice(plan.claims)}/")
            elif kind == "assess":
                self.assess()
            else:
                self.queue_turn += 1
                path = (
                    f"/api/v1/queues/to_assess/?workspace={plan.workspace}"
                    if self.queue_turn % 2
                    else "/api/v1/queues/"
                )
                self.read(kind, path)
        except (OSError, http.client.HTTPException):
            self.results_add(kind, 0)  # no answer


def schedule() -> list[str]:
    """The kinds of 100 consecutive requests: exactly the mix, in a fixed shuffled order."""
    kinds = [kind for kind, share in MIX.items() for _ in range(share)]
    random.Random(15).shuffle(kinds)
    return kinds


def drive(clients: list[Client], plan: Plan, requests: int, seconds: float) -> float:
    """Run the clients until `requests` were sent or `seconds` passed; the wall time taken."""
    order = schedule()
    counter = itertools.count()
    started = time.perf_counter()
    deadline = started + seconds

    def loop(client: Client) -> None:
        while time.perf_counter() < deadline:
            n = next(counter)  # one atomic step under the GIL: each number goes to one client
            if n >= requests:
                return
            client.one(order[n % len(order)], plan)

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


# --- One run ---------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def run_load(args: argparse.Namespace, plan: Plan, url: str, pgid: int | None) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    clients = [
        Client(i, plan.tokens[i], parts.hostname or "", parts.port or 80, plan.claims, args.etag)
        for i in range(args.clients)
    ]
    if args.warmup > 0:  # every worker loads its code and opens its first connection
        drive(clients, plan, 10**9, args.warmup)
        for c in clients:
            c.results.clear()
    sampler = ConnectionSampler(args.run_url)
    sampler.start()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    server_before = group_cpu(pgid) if pgid else 0.0
    pg_before = postgres_cpu()
    db_before = database_stats(args.run_url)
    machine_before = machine_cpu()
    wall = drive(clients, plan, args.requests, args.duration)
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    server_after = group_cpu(pgid) if pgid else 0.0
    pg_after = postgres_cpu()
    machine_after = machine_cpu()
    sampler.stop.set()
    sampler.join()
    for c in clients:
        if c.conn is not None:
            c.conn.close()
    time.sleep(1.5)  # PostgreSQL sends a session's counts at most once a second
    db_after = database_stats(args.run_url)

    results = [r for c in clients for r in c.results]
    ok = [r for r in results if 200 <= r[1] < 300]
    not_modified = [r for r in results if r[1] == 304]
    errors = [r for r in results if not (200 <= r[1] < 300 or r[1] == 304)]
    codes: dict[str, int] = {}
    for r in errors:
        codes[str(r[1])] = codes.get(str(r[1]), 0) + 1
    latencies = sorted(r[2] for r in results)
    own = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    busy = [s[0] for s in sampler.samples] or [0]
    opened = [s[1] for s in sampler.samples] or [0]
    per_kind = {}
    for kind in KINDS:
        times = sorted(r[2] for r in results if r[0] == kind)
        per_kind[kind] = {
            "n": len(times),
            "p50_ms": percentile(times, 50) * 1000,
            "p95_ms": percentile(times, 95) * 1000,
        }
    return {
        "requests": len(results),
        "seconds": wall,
        "rps": len(results) / wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "ok": len(ok),
        "not_modified": len(not_modified),
        "errors": len(errors),
        "error_codes": codes,
        "db_busy_max": max(busy),
        "db_busy_mean": sum(busy) / len(busy),
        "db_open_max": max(opened),
        "load_cpu_s": own,
        "load_cpu_pct": 100 * own / wall,
        "server_cpu_pct": 100 * (server_after - server_before) / wall if pgid else None,
        "server_cpu_ms_per_request": (
            1000 * (server_after - server_before) / max(1, len(results)) if pgid else None
        ),
        "db_sessions": db_after[0] - db_before[0],
        "db_active_ms_per_request": (db_after[1] - db_before[1]) / max(1, len(results)),
        "postgres_cpu_pct": 100 * (pg_after - pg_before) / wall,
        "machine_cpu_pct": 100
        * (machine_after[0] - machine_before[0])
        / max(1e-9, machine_after[1] - machine_before[1])
        * (os.cpu_count() or 1),
        "per_kind": per_kind,
    }


def describe(name: str, db: str, r: dict[str, Any]) -> None:
    print(
        f"{name} (db {db}): {r['requests']} requests in {r['seconds']:.1f} s = "
        f"{r['rps']:.1f} req/s; p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
        f"p99 {r['p99_ms']:.0f} ms"
    )
    codes = ", ".join(f"{k}: {v}" for k, v in sorted(r["error_codes"].items()))
    print(
        f"  {r['ok']} 2xx, {r['not_modified']} 304, {r['errors']} errors"
        + (f" ({codes}; 0 = no answer)" if codes else "")
    )
    print(
        f"  database connections: busy at most {r['db_busy_max']} (mean {r['db_busy_mean']:.1f}), "
        f"open at most {r['db_open_max']}, {r['db_sessions']} opened; statements ran "
        f"{r['db_active_ms_per_request']:.1f} ms per request"
    )
    server = "not measured"
    if r["server_cpu_pct"] is not None:
        server = f"{r['server_cpu_pct']:.0f}% ({r['server_cpu_ms_per_request']:.0f} ms per request)"
    print(
        f"  CPU (100% = one core): load generator {r['load_cpu_pct']:.0f}% "
        f"({r['load_cpu_s']:.1f} s), server {server}, PostgreSQL {r['postgres_cpu_pct']:.0f}%, "
        f"whole machine {r['machine_cpu_pct']:.0f}% of {os.cpu_count()}00%"
    )
    print(
        "  per kind: "
        + "; ".join(
            f"{k} {v['n']} p50 {v['p50_ms']:.0f} p95 {v['p95_ms']:.0f} ms"
            for k, v in r["per_kind"].items()
        )
    )


def table(rows: list[tuple[str, str, dict[str, Any]]]) -> None:
    print(
        f"\n{'server':<12} {'db':<5} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} "
        f"{'304':>5} {'busy':>4} {'open':>4} {'sess':>5} {'db/r':>5} {'load%':>5} {'srv%':>5} "
        f"{'srv/r':>5} {'pg%':>4} {'mach%':>5}"
    )
    for name, db, r in rows:
        server = per = "-"
        if r["server_cpu_pct"] is not None:
            server = f"{r['server_cpu_pct']:.0f}"
            per = f"{r['server_cpu_ms_per_request']:.0f}"
        print(
            f"{name:<12} {db:<5} {r['rps']:>6.1f} {r['p50_ms']:>6.0f} {r['p95_ms']:>6.0f} "
            f"{r['p99_ms']:>6.0f} {r['errors']:>4} {r['not_modified']:>5} {r['db_busy_max']:>4} "
            f"{r['db_open_max']:>4} {r['db_sessions']:>5} {r['db_active_ms_per_request']:>5.1f} "
            f"{r['load_cpu_pct']:>5.0f} {server:>5} {per:>5} {r['postgres_cpu_pct']:>4.0f} "
            f"{r['machine_cpu_pct']:>5.0f}"
        )
    print(
        "(latencies in ms; busy/open: the database's connections at most, sess: sessions opened,"
        " db/r: ms its statements ran per request; CPU in % of one core: load generator, server,"
        " the server's ms per request, all of PostgreSQL, the whole machine)"
    )


def pool_available() -> bool:
    done = subprocess.run(
        [sys.executable, "-c", "import psycopg_pool"], check=False, capture_output=True
    )
    return done.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100_000, help="stop after this many")
    parser.add_argument("--duration", type=float, default=30.0, help="or after this many seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load not counted")
    parser.add_argument("--server", default=RECOMMENDED[0], help="what to start (see above)")
    parser.add_argument("--db", default=RECOMMENDED[1], choices=("new", "keep", "pool"))
    parser.add_argument("--prepare", action="store_true", help="only copy the seed, for --url")
    parser.add_argument("--url", help="load a server started on the database --prepare made")
    parser.add_argument("--compare", action="store_true", help="every serving configuration")
    parser.add_argument("--no-etag", dest="etag", action="store_false", help="no If-None-Match")
    parser.add_argument("--json", type=Path, help="append each run's figures to this file")
    parser.add_argument("--table", type=Path, help="only print the table of a --json file")
    args = parser.parse_args()
    if args.table:
        records = [json.loads(line) for line in args.table.read_text().splitlines() if line]
        table([(r["server"], r["db"], r) for r in records])
        return
    if not 1 <= args.clients <= REVIEWERS:
        raise SystemExit(f"--clients is 1 to {REVIEWERS}")

    seed_url = use_own_database("load_seed")
    args.run_url = seed_url.removesuffix("_seed")
    redis_url = os.environ.get("LOAD_REDIS_URL", f"redis://127.0.0.1:6379/{REDIS_DB}")
    data = prepare(seed_url)
    plan = Plan(data["workspace"], data["article"], data["claims"], data["tokens"])
    print(
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {os.cpu_count()} cores; "
        f"{args.clients} clients, {args.duration:g} s (or {args.requests} requests) after "
        f"{args.warmup:g} s of warm-up; database {args.run_url.rsplit('/', 1)[1]}, {redis_url}"
    )
    if args.prepare:
        fresh_copy(seed_url, args.run_url)
        empty_redis(redis_url)
        print(f"ready: serve DATABASE_URL={args.run_url} REDIS_URL={redis_url}, then --url")
        return
    if args.url:  # the server was started on the copy --prepare made (a copy made now would
        # drop the database under its open connections)
        result = run_load(args, plan, args.url, None)
        describe(args.url, "as served", result)
        return

    configurations = list(COMPARE) if args.compare else [(args.server, args.db)]
    rows = []
    for name, db in configurations:
        if db == "pool" and not pool_available():
            print(f"{name} (db pool): skipped, psycopg_pool is not installed")
            continue
        if name.startswith("uvicorn") and not shutil.which(str(BIN / "uvicorn")):
            print(f"{name}: skipped, uvicorn is not installed")
            continue
        fresh_copy(seed_url, args.run_url)
        empty_redis(redis_url)
        with served(name, db, server_env(name, args.run_url, redis_url, db)) as (url, pgid):
            result = run_load(args, plan, url, pgid)
        describe(name, db, result)
        rows.append((name, db, result))
        if args.json:
            with args.json.open("a") as out:
                record = {"at": datetime.now().astimezone().isoformat(), "server": name, "db": db}
                out.write(json.dumps(record | result) + "\n")
    empty_redis(redis_url)  # the tasks the writes queued, never run
    if len(rows) > 1:
        table(rows)


if __name__ == "__main__":
    main()
