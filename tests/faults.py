"""Stand-ins for a dependency that has hung: a TCP server that accepts connections and never
answers, and a proxy in front of a real server that can be frozen (it then holds every byte, as
a stopped Redis or PostgreSQL does, while the kernel still accepts connections)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress


def closed_port() -> int:
    """A port nobody listens on (the dependency is down: connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Listener:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = int(self._server.getsockname()[1])
        self._sockets: list[socket.socket] = [self._server]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _address = self._server.accept()
            except OSError:
                return
            self._sockets.append(client)
            self.accepted(client)

    def accepted(self, client: socket.socket) -> None:
        """Held open, never read nor answered."""

    def close(self) -> None:
        self._closed.set()
        for sock in self._sockets:
            # shutdown first: close() alone leaves a socket that another thread is blocked
            # reading from open (no FIN until that read returns), so the real server behind a
            # proxy would keep the session.
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()


class FreezableProxy(_Listener):
    """Forwards to target_port until frozen; then forwards nothing more, either way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.frozen = threading.Event()
        super().__init__()

    def accepted(self, client: socket.socket) -> None:
        if self.frozen.is_set():
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        self._sockets.append(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if self.frozen.is_set():
                self.frozen.wait()
                return  # held: never delivered
            try:
                sink.sendall(data)
            except OSError:
                return


@contextmanager
def hung_server() -> Iterator[int]:
    """The port of a server that accepts connections and never answers."""
    listener = _Listener()
    try:
        yield listener.port
    finally:
        listener.close()


@contextmanager
def freezable_proxy(target_port: int) -> Iterator[FreezableProxy]:
    proxy = FreezableProxy(target_port)
    try:
        yield proxy
    finally:
        proxy.frozen.set()
        proxy.close()
