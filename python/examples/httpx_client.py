"""Calling Debitura's Customer API with httpx, the core's decisions carried out.

The lines a partner adds to the client they already have are the
``transport=`` one: every request then gets the tenant's bearer token
(minted with the Referral Partner API key, cached, refreshed once when
refused), an ``Idempotency-Key`` on a write that takes one, and the core's
decision after a failure: sent again after the rule's wait (never sooner
than the server's delay), or stopped with ``CallFailed``. Nothing here
decides; a failure that needs a person carries the URL to show, and one the
server asks to delay longer than the rule waits carries the delay to
reschedule with.
"""

import sys
from typing import Any, Dict, Optional

import httpx

from debitura_triage import CallFailed, OAuthTokens
from debitura_triage.transport import Transport


def client(
    api_key: str,
    tenant: str,
    *,
    base_url: str = "https://testcustomer-api.debitura.com",
    mint_url: Optional[str] = None,
) -> httpx.Client:
    """An httpx client for ``tenant``'s calls, every one through the core."""
    tokens = OAuthTokens(api_key, base_url=mint_url)  # the test environment by default
    transport = Transport(tokens=tokens, tenant=tenant, deadline=60)
    return httpx.Client(base_url=base_url, transport=transport, timeout=10)


def create_case(http: httpx.Client, case: Dict[str, Any]) -> Dict[str, Any]:
    """Creates a case; says what a person or the scheduler must do when the
    core stops the call."""
    try:
        created: Dict[str, Any] = http.post("/v1/cases", json=case).json()
        return created
    except CallFailed as e:
        if e.url is not None:
            print(f"{e.rule}: ask the user to open {ascii(e.url)}")
        elif e.retry_after is not None:
            print(f"{e.rule}: send it again in {e.retry_after:g} s ({e.reason})")
        raise


if __name__ == "__main__":
    key, tenant = sys.argv[1], sys.argv[2]
    with client(key, tenant) as http:
        print(create_case(http, {"creditorReference": "INV-1"}))
