"""The httpx example against a real HTTP server on 127.0.0.1, started here."""

import json
import pathlib
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import httpx_client  # noqa: E402

BODIES = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "bodies"


class Server:
    """Answers each request with the next scripted reply and records what came."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.seen = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.seen.append(dict(self.headers))
                status, headers, body = owner.replies.pop(0)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(replies):
        s = Server(replies)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.close()


def tokens():
    minted = []

    def token(fresh):
        if fresh or not minted:
            minted.append(f"token-{len(minted) + 1}")
        return minted[-1]

    return token, minted


def test_a_401_is_sent_once_more_with_a_fresh_token_and_the_same_key(serve):
    s = serve([(401, {}, b""), (201, {}, b'{"id": "c-1"}')])
    token, minted = tokens()
    with httpx.Client(base_url=s.url) as client:
        r = httpx_client.send(client, "POST", "/cases", "create-case", token, json={})
    assert r.status_code == 201
    assert [h["Authorization"] for h in s.seen] == ["Bearer token-1", "Bearer token-2"]
    keys = {h["Idempotency-Key"] for h in s.seen}
    assert len(keys) == 1 and minted == ["token-1", "token-2"]


def test_a_second_401_after_the_refresh_is_not_sent_again(serve):
    s = serve([(401, {}, b""), (401, {}, b"")])
    token, _ = tokens()
    with httpx.Client(base_url=s.url) as client, pytest.raises(httpx_client.Failed):
        httpx_client.send(client, "POST", "/cases", "create-case", token, json={})
    assert len(s.seen) == 2


def test_a_429_waits_the_servers_delay_and_keeps_the_key(serve):
    limited = (BODIES / "rate-limit.json").read_bytes()
    s = serve([(429, {"Retry-After": "2"}, limited), (201, {}, b"{}")])
    waits = []
    with httpx.Client(base_url=s.url) as client:
        r = httpx_client.send(client, "POST", "/cases", "create-case", tokens()[0], json={}, sleep=waits.append)
    assert r.status_code == 201 and len(s.seen) == 2
    assert waits and waits[0] >= 2
    assert s.seen[0]["Idempotency-Key"] == s.seen[1]["Idempotency-Key"]


def test_a_missing_power_of_attorney_stops_with_the_signing_url(serve):
    handoff = (BODIES / "signing-handoff-poa.json").read_bytes()
    s = serve([(422, {"Content-Type": "application/json"}, handoff)])
    with httpx.Client(base_url=s.url) as client, pytest.raises(httpx_client.NeedsUser) as stop:
        httpx_client.send(client, "POST", "/cases", "create-case", tokens()[0], json={})
    assert len(s.seen) == 1
    # The combined signing link is the one to show, not the error's own.
    assert stop.value.url == json.loads(handoff)["signingHandoff"]["combinedSigningUrl"]
    assert stop.value.answer["rule"] == "missing-power-of-attorney"


def test_a_429_asking_for_longer_than_the_longest_wait_stops_to_reschedule(serve):
    limited = json.dumps({"error": "rate_limit_exceeded", "retryAfter": 1800}).encode()
    s = serve([(429, {"Content-Type": "application/json"}, limited), (201, {}, b"{}")])
    waits = []
    with httpx.Client(base_url=s.url) as client, pytest.raises(httpx_client.Reschedule) as stop:
        httpx_client.send(client, "POST", "/cases", "create-case", tokens()[0], json={}, sleep=waits.append)
    # No resend, no wait cut short: the delay is handed back whole.
    assert len(s.seen) == 1 and waits == []
    assert stop.value.delay == 1800
    assert stop.value.answer["rule"] == "rate-limited"


def test_a_503_on_a_write_sent_with_its_key_is_resent_with_the_same_key(serve):
    s = serve([(503, {}, b""), (201, {}, b"{}")])
    waits = []
    with httpx.Client(base_url=s.url) as client:
        r = httpx_client.send(client, "POST", "/cases", "create-case", tokens()[0], json={}, sleep=waits.append)
    assert r.status_code == 201 and len(s.seen) == 2 and len(waits) == 1
    assert s.seen[0]["Idempotency-Key"] == s.seen[1]["Idempotency-Key"]


def test_a_503_on_a_write_that_takes_no_key_is_sent_once(serve):
    s = serve([(503, {}, b""), (201, {}, b"{}")])
    with httpx.Client(base_url=s.url) as client, pytest.raises(httpx_client.NeedsUser) as stop:
        httpx_client.send(client, "POST", "/cases/c-1/files", "upload-case-file", tokens()[0], json={})
    assert len(s.seen) == 1
    assert stop.value.answer["rule"] == "outcome-unknown-server-error"
