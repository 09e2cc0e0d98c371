"""A fake Debitura on 127.0.0.1 that answers as a scenario of
``conformance/calls.json`` scripts: it reads each request whole, records its
method, path, ``Idempotency-Key`` and arrival time, and answers with the
script's next entry (the last repeating): a response, or a connection
closed without an answer. Each connection is served by a thread of its own.
"""

import socket
import threading
import time
from typing import Any, Dict, List, NamedTuple, Optional


#: How many more bytes a stalled body declares than it sends.
STALLED_MORE = 1024


class Received(NamedTuple):
    method: str
    path: str
    key: Optional[str]
    at: float


def _reply(entry: Dict[str, Any]) -> Optional[bytes]:
    if entry.get("connection") == "closed":
        return None
    body = entry.get("body", "").encode()
    head = f"HTTP/1.1 {entry['status']} Scripted\r\n"
    for name, value in entry.get("headers", {}).items():
        head += f"{name}: {value}\r\n"
    length = len(body) + (STALLED_MORE if entry.get("stall") else 0)
    head += f"content-length: {length}\r\nconnection: close\r\n\r\n"
    return head.encode() + body


def _read_request(conn: socket.socket) -> Optional[Received]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        chunk = conn.recv(4096)
        if not chunk:
            return None
        rest += chunk
    return Received(method, path, headers.get("idempotency-key"), time.monotonic())


class Fake:
    """Serves ``script`` from entry ``skip`` on, on ``port`` (a free one by
    default)."""

    def __init__(self, script: List[Dict[str, Any]], skip: int = 0, port: int = 0):
        self.script = script
        self.skip = skip
        self.received: List[Received] = []
        self._lock = threading.Lock()
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen(512)
        self.port = self._socket.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = _read_request(conn)
            except OSError:
                return
            if request is None:
                return
            with self._lock:
                n = len(self.received)
                self.received.append(request)
            entry = self.script[min(n + self.skip, len(self.script) - 1)] if self.script else {}
            reply = _reply(entry) if entry else None
            if reply is not None:
                try:
                    conn.sendall(reply)
                    if entry.get("stall"):
                        # Held until the client gives up and closes its end.
                        while conn.recv(64):
                            pass
                except OSError:
                    pass

    def count(self) -> int:
        with self._lock:
            return len(self.received)

    def close(self) -> None:
        self._socket.close()


def free_port() -> int:
    """A port nothing listens on, for now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Later:
    """A fake that starts listening on ``port`` after ``delay`` seconds."""

    def __init__(self, script: List[Dict[str, Any]], skip: int, port: int, delay: float):
        self.fake: Optional[Fake] = None
        self._thread = threading.Thread(target=self._start, args=(script, skip, port, delay))
        self._thread.start()

    def _start(self, script: List[Dict[str, Any]], skip: int, port: int, delay: float) -> None:
        time.sleep(delay)
        self.fake = Fake(script, skip, port)

    def wait(self) -> Fake:
        self._thread.join()
        assert self.fake is not None
        return self.fake
