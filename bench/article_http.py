"""Reading one article with 1,000 spans over HTTP: the workbench beside doccano 1.8.4 (issue 15).

    bash bench/doccano_venv.sh                  # once: doccano 1.8.4 in /tmp/doccano-venv
    make bench-article-http                     # or: .venv/bin/python bench/article_http.py

Target: the workbench's read takes at most 0.8 times doccano's, measured side by side in one run.

Data, not timed:

- the workbench (its own database, `wb_http` on DATABASE_URL's server): bench/article_read.py's
  seed, run in a subprocess by this Python: an article of 1,000 French sentences (84,980
  characters), each a claim with one highlight by the reviewer who reads it;
- doccano (`doccano_http`, dropped and created each run, in the scratch environment,
  bench/doccano_http_stage.py): the same text as one example of a SequenceLabeling project,
  the same 1,000 (start, end) pairs as spans of one span type by an annotator of the project.

Each tool is then served by gunicorn with one sync worker on a free loopback port, production
settings (workbench: DEBUG off, SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, BEHIND_TLS_PROXY with
X-Forwarded-Proto: https, kept database connections (DATABASE_CONN_MAX_AGE=60), Redis database
10; doccano: config.settings.production, DEBUG off, its default kept connections (500 s)). Both
are read with `Authorization: Token ...` (the workbench's token from POST /api/v1/auth/token/,
doccano's made by the stage) by one http.client connection, kept alive where the server allows
it (gunicorn's sync worker closes it after each answer: every request then opens a loopback
connection, for both tools alike), no compression asked, every body read in full:

- workbench: GET /api/v1/articles/{id}/ (the text and every claim, compact form);
- doccano: what its annotation page needs for the same document: GET
  /v1/projects/{p}/examples/{e} (the text) then GET /v1/projects/{p}/examples/{e}/spans (every
  span of the annotator; unpaginated); doccano's time is the sum of the two.

After a warm-up, the reads alternate (workbench, doccano's pair, workbench, ...) so that a load
passing on the machine hits both alike; both servers are up but only one request is in flight
at any time, on the same cores. Printed: median and p95 of the whole request and of the time to
the answer's headers (the server's work; the rest is the body's transfer and reading), body
bytes, then the workbench's read answered 304 with If-None-Match (its ETag; doccano sends none),
and the ratio workbench / doccano. Exit 2 when the scratch environment is missing, 1 when a
read does not carry the 1,000 spans.

The driving process uses the standard library only; the workbench's seed runs in a subprocess
of this Python (the project's venv), doccano's under the scratch environment's Python.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
TMP = Path(tempfile.gettempdir())
DEFAULT_VENV = os.environ.get("DOCCANO_VENV", str(TMP / "doccano-venv"))
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
SPANS = 1_000
TARGET = 0.8
PASSWORD = "http-bench-password"  # noqa: S105 (the bench database's own reviewer)
SECRET_KEY = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
STAGE_PREFIX = "ARTICLE_HTTP "
DOCCANO_PREFIX = "DOCCANO_HTTP "
FORWARDED = {"X-Forwarded-Proto": "https"}


def server_of(url: str) -> str:
    """`postgres://user@host:port` of a database URL (its database name dropped)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- The workbench's seed (a subprocess of the project's Python) --------------------------------


def stage_seed(url: str, out: Path) -> dict[str, Any]:
    """bench/article_read.py's seed in `url`'s database; its 1,000-claim article to `out`."""
    sys.path.insert(0, str(HERE))
    import article_read  # sets the benchmark settings (and its own database, replaced below)
    from benchdb import ensure_database

    os.environ["DATABASE_URL"] = url
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    data = article_read.seed()
    reviewer, article = data["reviewer"], data["many"]
    reviewer.set_password(PASSWORD)
    reviewer.save(update_fields=["password"])
    spans = [
        [start, end]
        for start, end in article.claims.order_by("start", "id").values_list("start", "end")
    ]
    out.write_text(json.dumps({"text": article.text, "spans": spans}), encoding="utf-8")
    # The same text again, without a claim, to create spans on (a new one each run: the spans
    # made by an earlier run stay where they were made).
    from annotations.models import Article

    empty = Article.objects.create(
        workspace=article.workspace,
        title=f"Creations {time.time():.0f}",
        language="fr",
        text=article.text,
        checksum=article.checksum,
        extraction_status="done",
        created_by=article.created_by,
    )
    # Statistics as autovacuum keeps them on a database in use (the seed's rows are fresh).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "article": article.pk,
        "empty": empty.pk,
        "username": reviewer.username,
        "spans": len(spans),
    }


# --- Servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_args(port: int) -> list[str]:
    """One sync worker on loopback: one client reads, one request at a time."""
    return ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"]


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path


def start(name: str, command: list[str], cwd: Path, env: dict[str, str], port: int) -> Server:
    log = TMP / f"bench_article_http_{name}_{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own: its workers are stopped with it
        )
    return Server(name, process, port, log)


def stop(server: Server) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
    with contextlib.suppress(ProcessLookupError):  # a worker its master left behind
        os.killpg(server.process.pid, signal.SIGKILL)


def wait_for(server: Server, path: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(
                f"article_http: {server.name}'s server stopped (exit {server.process.returncode}):"
                f"\n{server.log.read_text(errors='replace')[-4000:]}"
            )
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            status = response.status
            if status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(
        f"article_http: {server.name} did not answer {path} with 200 within 90 s "
        f"(last: {status}):\n{server.log.read_text(errors='replace')[-4000:]}"
    )


@contextlib.contextmanager
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        yield started
    finally:
        for server in started:
            stop(server)
        for server in started:
            text = server.log.read_text(errors="replace")
            if "Traceback" in text or "[ERROR]" in text:
                print(f"  ({server.name}'s server logged errors: {server.log})")
            else:
                server.log.unlink(missing_ok=True)


# --- Timing ---------------------------------------------------------------------------------------


@dataclass
class Timings:
    total: list[float] = field(default_factory=list)  # ms, request sent to body read
    headers: list[float] = field(default_factory=list)  # ms, request sent to headers read
    size: int = 0
    status: int = 0


@dataclass
class Answer:
    headers_ms: float  # request sent to headers read
    total_ms: float  # request sent to body read
    status: int
    body: bytes
    etag: str


class Client:
    """One HTTP/1.1 connection to a server, reopened whenever the server closed it."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.auth = {"Authorization": f"Token {token}", **FORWARDED}
        self.reconnects = 0

    def get(self, path: str, extra: dict[str, str] | None = None) -> Answer:
        """GET `path`, its body read in full, timed."""
        return self._send("GET", path, None, {**self.auth, **(extra or {})})

    def post(self, path: str, payload: dict[str, Any]) -> Answer:
        """POST `payload` as JSON to `path`, its answer read in full, timed."""
        headers = {**self.auth, "Content-Type": "application/json"}
        return self._send("POST", path, json.dumps(payload).encode(), headers)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        if self.conn.sock is None:
            self.reconnects += 1
        started = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        at_headers = time.perf_counter()
        answer = response.read()
        done = time.perf_counter()
        if response.will_close:
            self.conn.close()
        return Answer(
            (at_headers - started) * 1000,
            (done - started) * 1000,
            response.status,
            answer,
            response.getheader("ETag") or "",
        )

    def close(self) -> None:
        self.conn.close()


def record(timings: Timings, answer: Answer) -> bytes:
    timings.headers.append(answer.headers_ms)
    timings.total.append(answer.total_ms)
    timings.status = answer.status
    timings.size = len(answer.body)
    return answer.body


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def token_of(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request(
        "POST",
        "/api/v1/auth/token/",
        body=body,
        headers={"Content-Type": "application/json", **FORWARDED},
    )
    response = conn.getresponse()
    answer = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"article_http: POST /api/v1/auth/token/ answered {response.status}")
    return str(json.loads(answer)["token"])


# --- The run --------------------------------------------------------------------------------------


def time_creations(
    workbench: tuple[Client, int], doccano: tuple[Client, str, int], spans: list[list[int]]
) -> tuple[Timings, Timings, list[str]]:
    """Create the same spans in both tools, alternating: on the workbench's article without
    claims (POST /api/v1/claims/) and doccano's example without spans (its spans route, with its
    span type). Returns both timings and what was not answered 201."""
    wb_client, article = workbench
    doc_client, doc_path, label = doccano
    wb_create, doc_create = Timings(), Timings()
    refused: list[str] = []
    for start_at, end_at in spans:
        made = wb_client.post(
            "/api/v1/claims/", {"article": article, "start": start_at, "end": end_at}
        )
        record(wb_create, made)
        if made.status != 201:
            refused.append(f"workbench {made.status} {made.body[:200]!r}")
        made = doc_client.post(
            doc_path, {"label": label, "start_offset": start_at, "end_offset": end_at}
        )
        record(doc_create, made)
        if made.status != 201:
            refused.append(f"doccano {made.status} {made.body[:200]!r}")
    return wb_create, doc_create, refused


def run_stage(command: list[str], env: dict[str, str], prefix: str, what: str) -> dict[str, Any]:
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(prefix):
            answer: dict[str, Any] = json.loads(line[len(prefix) :])
            return answer
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
    raise SystemExit(f"article_http: {what} failed (exit {proc.returncode})")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--stage"]:
        print(STAGE_PREFIX + json.dumps(stage_seed(argv[1], Path(argv[2]))), flush=True)
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=50, help="timed reads each (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed reads first (default 5)")
    parser.add_argument(
        "--creates", type=int, default=200, help="spans created each, timed (default 200)"
    )
    parser.add_argument(
        "--pg",
        default=server_of(os.environ.get("DATABASE_URL", DEFAULT_PG + "/workbench")),
        help="PostgreSQL server (default: DATABASE_URL's, else %(default)s); databases "
        "wb_http (seeded once, kept) and doccano_http (dropped and created each run)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--venv", default=DEFAULT_VENV, help="doccano's (default %(default)s)")
    opts = parser.parse_args(argv)

    doccano_python = Path(opts.venv) / "bin" / "python"
    doccano_gunicorn = Path(opts.venv) / "bin" / "gunicorn"
    if not doccano_python.exists() or not doccano_gunicorn.exists():
        print(
            f"article_http: no scratch environment with doccano at {opts.venv}; create it with\n"
            f"    bash bench/doccano_venv.sh {opts.venv}",
            file=sys.stderr,
        )
        return 2
    backend = subprocess.run(
        [str(doccano_python), "-c", "import backend, os; print(os.path.dirname(backend.__file__))"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not backend:
        print(f"article_http: doccano is not installed in {opts.venv}", file=sys.stderr)
        return 2

    wb_url = f"{opts.pg}/wb_http"
    doccano_url = f"{opts.pg}/doccano_http?sslmode=disable"  # dj-database-url asks SSL otherwise
    article_file = TMP / "bench_article_http.json"
    print("seeding (not timed) ...", flush=True)
    seeded = run_stage(
        [sys.executable, str(Path(__file__).resolve()), "--stage", wb_url, str(article_file)],
        {**os.environ, "DATABASE_URL": wb_url},
        STAGE_PREFIX,
        "the workbench's seed",
    )
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL")
    }
    doccano_env = {
        **clean_env,
        "DATABASE_URL": doccano_url,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "False",
        "PYTHONHASHSEED": "0",
    }
    built = run_stage(
        [str(doccano_python), str(HERE / "doccano_http_stage.py"), str(article_file)],
        doccano_env,
        DOCCANO_PREFIX,
        "doccano's setup",
    )
    if seeded["spans"] != SPANS or built["spans"] != SPANS:
        print(f"article_http: spans seeded {seeded}, {built}", file=sys.stderr)
        return 1

    wb_env = {
        **clean_env,
        "DJANGO_SETTINGS_MODULE": "workbench.settings",
        "DATABASE_URL": wb_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": opts.redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "1",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
    bin_dir = Path(sys.executable).parent
    wb_path = f"/api/v1/articles/{seeded['article']}/"
    p, e = built["project"], built["example"]
    doc_paths = (f"/v1/projects/{p}/examples/{e}", f"/v1/projects/{p}/examples/{e}/spans")

    with servers() as started:
        port = free_port()
        wb = start(
            "workbench",
            [str(bin_dir / "gunicorn"), *gunicorn_args(port), "workbench.wsgi"],
            ROOT,
            wb_env,
            port,
        )
        started.append(wb)
        port = free_port()
        doc = start(
            "doccano",
            [str(doccano_gunicorn), *gunicorn_args(port), "--chdir", backend, "config.wsgi"],
            Path(backend),
            {**doccano_env, "DJANGO_SETTINGS_MODULE": "config.settings.production"},
            port,
        )
        started.append(doc)
        wait_for(wb, "/livez", FORWARDED)
        token = token_of(wb.port, seeded["username"])
        wait_for(doc, doc_paths[0], {"Authorization": f"Token {built['token']}", **FORWARDED})

        wb_client, doc_client = Client(wb.port, token), Client(doc.port, built["token"])
        wb_read, doc_example, doc_spans = Timings(), Timings(), Timings()
        for _ in range(opts.warmup):
            wb_client.get(wb_path)
            for path in doc_paths:
                doc_client.get(path)
        wb_body = example_body = spans_body = b""
        for _ in range(opts.runs):
            wb_body = record(wb_read, wb_client.get(wb_path))
            example_body = record(doc_example, doc_client.get(doc_paths[0]))
            spans_body = record(doc_spans, doc_client.get(doc_paths[1]))
        etag = wb_client.get(wb_path).etag
        wb_304 = Timings()
        if etag:
            for _ in range(opts.runs):
                record(wb_304, wb_client.get(wb_path, {"If-None-Match": etag}))
        spans_to_make = json.loads(article_file.read_text(encoding="utf-8"))["spans"]
        wb_create, doc_create, refused = time_creations(
            (wb_client, seeded["empty"]),
            (doc_client, f"/v1/projects/{p}/examples/{built['empty']}/spans", built["label"]),
            spans_to_make[: opts.creates],
        )
        reconnects = (wb_client.reconnects, doc_client.reconnects)
        wb_client.close()
        doc_client.close()

    # A refused read (no "claims") is reported below with its status.
    claims = len(json.loads(wb_body).get("claims", []))
    spans = len(json.loads(spans_body))
    text_ok = json.loads(example_body)["text"] == json.loads(wb_body).get("text")
    if refused or claims != SPANS or spans != SPANS or not text_ok or wb_read.status != 200:
        print(
            f"article_http: the reads carry {claims} claims and {spans} spans "
            f"(same text: {text_ok}; statuses {wb_read.status}, {doc_spans.status}); "
            f"{len(refused)} creations refused {refused[:4]}",
            file=sys.stderr,
        )
        return 1

    doc_total = [a + b for a, b in zip(doc_example.total, doc_spans.total, strict=True)]
    doc_headers = [a + b for a, b in zip(doc_example.headers, doc_spans.headers, strict=True)]
    both = Timings(doc_total, doc_headers, doc_example.size + doc_spans.size, doc_spans.status)
    rows = [
        ("workbench", "GET /api/v1/articles/{id}/", wb_read),
        ("doccano", "GET /v1/projects/{p}/examples/{e}", doc_example),
        ("doccano", "GET /v1/projects/{p}/examples/{e}/spans", doc_spans),
        ("doccano", "both (sum per iteration)", both),
    ]
    if wb_304.total:
        rows.append(("workbench", "GET /api/v1/articles/{id}/ If-None-Match", wb_304))
    rows += [
        ("workbench", "POST /api/v1/claims/", wb_create),
        ("doccano", "POST /v1/projects/{p}/examples/{e}/spans", doc_create),
    ]
    now = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    print(
        f"\n{now}: one article, {len(json.loads(wb_body)['text']):,} characters, {SPANS:,} spans; "
        f"workbench and doccano {built['version']}, each gunicorn with 1 sync worker, "
        f"PostgreSQL; {opts.runs} runs after {opts.warmup} warm-up, alternating"
    )
    print(
        f"{'tool':<10} {'request(s)':<42} {'code':>4} {'median ms':>9} {'p95 ms':>8} "
        f"{'headers ms':>10} {'bytes':>9}"
    )
    for tool, what, t in rows:
        print(
            f"{tool:<10} {what:<42} {t.status:>4} {statistics.median(t.total):>9.1f} "
            f"{p95(t.total):>8.1f} {statistics.median(t.headers):>10.1f} {t.size:>9,}"
        )
    ratio = statistics.median(wb_read.total) / statistics.median(doc_total)
    verdict = "met" if ratio <= TARGET else "not met"
    made_ratio = statistics.median(wb_create.total) / statistics.median(doc_create.total)
    made_verdict = "met" if made_ratio <= 1 else "not met"
    print(
        f"creating a span, workbench / doccano (medians of {len(wb_create.total)}): "
        f"{made_ratio:.2f}x (target at most 1: {made_verdict})"
    )
    print(
        f"workbench / doccano (medians): {ratio:.2f}x (target at most {TARGET}: {verdict})\n"
        "headers ms: median time to the answer's headers (the server's work; the rest of the "
        "median is the body's transfer and reading).\n"
        f"Both servers ran on the same {os.cpu_count()} cores, one request at a time, one after "
        f"the other (the connection was reopened {reconnects[0]} and {reconnects[1]} times: "
        "gunicorn's sync worker closes it after each answer); no compression."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
