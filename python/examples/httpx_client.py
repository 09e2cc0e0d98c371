"""Carrying out debitura-triage's decisions with httpx.

``send`` makes one call to Debitura and does what the answer says, and no
more: it sends again once after a token refresh, waits the server's delay
before a resend that is safe, keeps the same ``Idempotency-Key`` on every
copy of a write, and stops with the URL to show when a person must act (a
signing or approval link). It tells the package what it sent (the method,
the bearer token, whether a key went with it): nothing it leaves out is
assumed. A server's delay longer than the rule's longest wait is never cut
short: the call stops with ``Reschedule`` and the delay, to be sent again
later.
"""

import time
import uuid
from typing import Any, Callable, Dict, Optional

import httpx

import debitura_triage as t


class NeedsUser(Exception):
    """A person must act before the call can succeed; ``url`` is the link to show."""

    def __init__(self, answer: "t.ResponseDiagnosis"):
        super().__init__(answer["solution"])
        self.answer = answer
        self.url = answer["url"]


class Reschedule(Exception):
    """The server asked to wait longer than the rule's longest wait: send the
    call again after ``delay`` seconds, from a job queue, not by holding it."""

    def __init__(self, answer: "t.ResponseDiagnosis", delay: float):
        super().__init__(f"{answer['rule']}: send again in {delay:g} s")
        self.answer = answer
        self.delay = delay


class Failed(Exception):
    """The call failed for good; ``answer`` says why."""

    def __init__(self, answer: "t.ResponseDiagnosis"):
        super().__init__(f"{answer['rule'] or 'unrecognised'}: {answer['cause']}")
        self.answer = answer


def send(
    client: httpx.Client,
    method: str,
    url: str,
    operation: str,
    token: Callable[[bool], str],
    json: Optional[Dict[str, Any]] = None,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """Sends the call; ``token(fresh)`` gives a bearer token, a new one when ``fresh``."""
    headers = {"Authorization": f"Bearer {token(False)}"}
    if method.upper() == "POST":
        # One key for every copy of this write, so Debitura acts on it once.
        headers["Idempotency-Key"] = str(uuid.uuid4())
    refreshed = False
    resends = 0
    while True:
        response = client.request(method, url, json=json, headers=headers)
        if response.is_success and response.status_code != 202:
            return response
        answer = t.diagnose_response(
            response.status_code,
            response.content,
            retry_after=response.headers.get("Retry-After"),
            operation=operation,
            method=method,
            idempotency_key="Idempotency-Key" in headers,
            auth="bearer",
            after_token_refresh=refreshed,
        )
        retry, rule, bounds = t.Retry(answer["retry"]), answer["rule"], answer["backoff"]
        if retry is t.Retry.TOKEN_REFRESH and not refreshed:
            refreshed = True
            headers["Authorization"] = f"Bearer {token(True)}"
            continue
        if retry is t.Retry.BACKOFF and rule is not None and bounds is not None:
            resends += 1
            wait = t.backoff_delay(rule, resends)
            if wait is not None:
                delay = answer["retry_after_secs"]
                if delay is not None and bounds["honour_retry_after"]:
                    wait = max(wait, delay)
                if wait > bounds["max_delay_ms"] / 1000:
                    # Shortening the server's delay would only be refused again.
                    raise Reschedule(answer, wait)
                sleep(wait)
                continue
        if retry is t.Retry.AFTER_USER_ACTION:
            raise NeedsUser(answer)
        if response.is_success:
            return response
        raise Failed(answer)


if __name__ == "__main__":
    import sys

    base = sys.argv[1] if len(sys.argv) > 1 else "https://sandbox.debitura.com/api"
    with httpx.Client(base_url=base, timeout=10) as client:
        try:
            send(client, "POST", "/cases", "create-case", lambda fresh: "token", json={})
        except NeedsUser as e:
            print(f"ask the user: {e} {e.url or ''}")
        except Failed as e:
            print(f"failed: {e}")
