"""Fetching an article from a URL without letting the server be turned against its own network.

No Django imports: the settings come in as arguments. The rules:
- only http and https, on their usual or explicit ports;
- every address the host name resolves to must be public (no loopback, private, link-local,
  multicast or reserved ranges) unless private addresses are explicitly allowed, and the connection
  is made to the address that was checked, so a DNS answer cannot change between check and use;
- each redirect hop is checked the same way, and their number is bounded;
- the body is read in chunks and abandoned past a byte limit; connect and read have timeouts.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import urllib3
import urllib3.connection

USER_AGENT = "FactCheckWorkbench/0.1 (+article import)"
_TRACKING_PREFIXES = ("utm_", "mc_", "fbclid", "gclid", "ocid")


class FetchError(Exception):
    """The page could not be fetched. str() says why in English (the article's fetch_error, the
    logs); `code` and `params` say it for a message in the reader's language, which the layer that
    shows it translates (annotations.services.sources.url_problem): this module stays free of
    Django."""

    def __init__(self, message: str, *, code: str = "", **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


class UnsafeURL(FetchError):
    """The URL is not one the workbench may fetch, link to or publish. Its codes: malformed
    (params: reason), scheme, no_host, credentials, port, private (host, address)."""


# The English sentences of UnsafeURL, by code. They fit every use of an address (an article to
# fetch, a source link, a desk's review), not only fetching; the translated ones are in
# annotations.services.sources.url_problem.
URL_MESSAGES = {
    "malformed": "This address is malformed: %(reason)s.",
    "scheme": "Give an http or https address.",
    "no_host": "This address has no host name.",
    "credentials": "An address with a user name or password is refused.",
    "port": "This address's port is out of range.",
    "private": "The host %(host)s resolves to a non-public address (%(address)s).",
}


def _unsafe(code: str, **params: object) -> UnsafeURL:
    return UnsafeURL(URL_MESSAGES[code], code=code, **params)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    html: str
    content_type: str


def check_url_syntax(url: str) -> str:
    """Return the URL stripped, or raise UnsafeURL naming what is wrong with it."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _unsafe("malformed", reason=str(exc)) from exc
    if parts.scheme not in ("http", "https"):
        raise _unsafe("scheme")
    if not parts.hostname:
        raise _unsafe("no_host")
    if parts.username or parts.password:
        raise _unsafe("credentials")
    if port is not None and not 0 < port < 65536:
        raise _unsafe("port")
    return url


# IPv6 prefixes that carry an IPv4 address a gateway connects to (NAT64's well-known prefix).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        # An IPv4 address inside an IPv6 one (mapped, 6to4, Teredo, NAT64) is where the
        # connection really goes: that one must be public too.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            if ip.ipv4_mapped is not None:
                ip = embedded
            elif not (embedded.is_global and not embedded.is_multicast):
                return False
    return ip.is_global and not ip.is_multicast


def resolve_checked(host: str, port: int, *, allow_private: bool) -> str:
    """Resolve host and return one address that is safe to connect to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("cannot resolve host %(host)r", code="resolve", host=host) from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError("cannot resolve host %(host)r", code="resolve", host=host)
    if not allow_private:
        # Refuse when any answer is private: an attacker's name may mix public and private records.
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise _unsafe("private", host=host, address=blocked[0])
    return addresses[0]


def _checked_pool(
    url: str, *, timeout: float, allow_private: bool
) -> tuple[urllib3.HTTPConnectionPool, str, str]:
    """A one-connection pool to the checked address of the URL's host (the connection goes to
    the address that was checked, TLS still verifies the host name), the request's path and its
    Host header."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(host, port, allow_private=allow_private)
    pool_cls = (
        urllib3.HTTPSConnectionPool if parts.scheme == "https" else urllib3.HTTPConnectionPool
    )
    tls = {"server_hostname": host, "assert_hostname": host} if parts.scheme == "https" else {}
    pool = pool_cls(
        address,
        port=port,
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        retries=False,
        maxsize=1,
        **tls,  # type: ignore[arg-type]
    )
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    return pool, path, host_header


def _send(
    pool: urllib3.HTTPConnectionPool, method: str, path: str, *, url: str, **options: Any
) -> urllib3.BaseHTTPResponse:
    """One request on the checked pool, redirects not followed, the body left to stream; a
    failure to get an answer is a FetchError naming the address (the pool closed)."""
    try:
        return pool.urlopen(method, path, redirect=False, preload_content=False, **options)
    except urllib3.exceptions.HTTPError as exc:
        pool.close()
        raise FetchError(
            "could not reach %(url)s: %(error)s",
            code="connect",
            url=url,
            error=exc.__class__.__name__,
        ) from exc


@dataclass(frozen=True, slots=True)
class PostAnswer:
    status: int
    excerpt: str


def post_json(
    url: str,
    body: bytes,
    *,
    headers: dict[str, str],
    timeout: float,
    allow_private: bool,
    excerpt_bytes: int = 500,
) -> PostAnswer:
    """POST a JSON body to a checked address (as for fetching: public addresses only unless
    `allow_private`) and return the answer's status and the start of its body. Redirects are not
    followed: a 3xx is the answer. `timeout` bounds the whole exchange, not each read: a target
    that answers a byte at a time is cut off when it runs out. Raises FetchError (or UnsafeURL)
    when no answer came in time."""
    current = check_url_syntax(url)
    parts = urlsplit(current)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_checked(host, port, allow_private=allow_private)
    connection: urllib3.connection.HTTPConnection
    if parts.scheme == "https":
        connection = urllib3.connection.HTTPSConnection(
            address, port, timeout=timeout, server_hostname=host, assert_hostname=host
        )
    else:
        connection = urllib3.connection.HTTPConnection(address, port, timeout=timeout)
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    host_header = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        host_header = f"{host_header}:{parts.port}"

    def cut_off() -> None:
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "User-Agent": USER_AGENT,
                **headers,
                "Host": host_header,
                "Content-Type": "application/json",
            },
        )
        response = connection.getresponse()
        try:
            start = response.read(excerpt_bytes)
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError):
            start = b""
        return PostAnswer(status=response.status, excerpt=start.decode("utf-8", errors="replace"))
    except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, ValueError) as exc:
        raise FetchError(
            "no answer from %(url)s within %(seconds)s s: %(error)s",
            code="connect",
            url=current,
            seconds=timeout,
            error=exc.__class__.__name__,
        ) from exc
    finally:
        watchdog.cancel()
        connection.close()


@contextlib.contextmanager
def _following(
    url: str, *, accept: str, timeout: float, max_redirects: int, allow_private: bool
) -> Iterator[tuple[Any, str]]:
    """The final answer to a GET of url (each redirect hop checked like the first) and its URL;
    an error status is a FetchError."""
    current = check_url_syntax(url)
    for _hop in range(max_redirects + 1):
        pool, path, host_header = _checked_pool(
            current, timeout=timeout, allow_private=allow_private
        )
        response = _send(
            pool,
            "GET",
            path,
            url=current,
            headers={"Host": host_header, "User-Agent": USER_AGENT, "Accept": accept},
            decode_content=True,
        )
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(
                        "redirect without a Location from %(url)s", code="no_location", url=current
                    )
                current = check_url_syntax(urljoin(current, location))
                continue
            if response.status >= 400:
                raise FetchError(
                    "the server answered HTTP %(status)s",
                    code="http_status",
                    status=response.status,
                )
            yield response, current
            return
        finally:
            response.release_conn()
            pool.close()
    raise FetchError("more than %(max)s redirects", code="too_many_redirects", max=max_redirects)


def _chunks(response: Any, *, url: str, max_bytes: int) -> Iterator[bytes]:
    """The body in chunks, abandoned past max_bytes."""
    size = 0
    try:
        for chunk in response.stream(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    "the page is larger than %(max)s bytes", code="too_large", max=max_bytes
                )
            yield chunk
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(
            "could not read %(url)s: %(error)s",
            code="read",
            url=url,
            error=exc.__class__.__name__,
        ) from exc


def fetch_html(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    allow_private: bool,
) -> FetchedPage:
    with _following(
        url,
        accept="text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        timeout=timeout,
        max_redirects=max_redirects,
        allow_private=allow_private,
    ) as (response, current):
        content_type = response.headers.get("Content-Type", "")
        if content_type and not content_type.startswith(
            ("text/html", "application/xhtml", "text/plain")
        ):
            raise FetchError(
                "not an article page (content type %(type)s)",
                code="content_type",
                type=content_type,
            )
        body = b"".join(_chunks(response, url=current, max_bytes=max_bytes))
        charset = _charset(content_type) or "utf-8"
        try:
            html = body.decode(charset, errors="replace")
        except LookupError:
            html = body.decode("utf-8", errors="replace")
        return FetchedPage(url=current, html=html, content_type=content_type)


def fetch_file(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    allow_private: bool,
    deadline: float,
) -> IO[bytes]:
    """Any file at url, spooled to a temporary file (memory stays flat), rewound. `timeout`
    bounds each wait; `deadline` (seconds) the whole download, so a server that sends a byte
    now and then cannot hold a worker."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the caller closes it)
    ends = time.monotonic() + deadline
    try:
        with _following(
            url,
            accept="application/json,application/x-ndjson,application/ld+json,*/*;q=0.5",
            timeout=timeout,
            max_redirects=max_redirects,
            allow_private=allow_private,
        ) as (response, current):
            for chunk in _chunks(response, url=current, max_bytes=max_bytes):
                spool.write(chunk)
                if time.monotonic() > ends:
                    raise FetchError(
                        "the download took longer than %(max)s seconds", code="slow", max=deadline
                    )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"'")
    return None


def normalise_url(url: str) -> str:
    """The key a source is deduplicated on: same page, same key.

    Lower-cased scheme and host, default port dropped, fragment and tracking parameters removed,
    remaining query parameters sorted, a lone trailing slash on the path dropped.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(
        sorted(
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.lower().startswith(_TRACKING_PREFIXES)
        )
    )
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    # http and https of the same page are the same source.
    return urlunsplit(("", host, path, query, "")).lstrip("/")
