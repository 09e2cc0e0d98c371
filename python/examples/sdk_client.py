"""Debitura's own Python SDK, the core's decisions carried out.

The lines a partner adds after making the SDK's ``ApiClient`` are the
``sdk.install`` one: the SDK's calls then get the tenant's bearer token, an
``Idempotency-Key`` on a write that takes one, and the core's decision after
each failure; urllib3's own retries are off underneath. Results are the
SDK's own; a failure is the SDK's own exception, whose ``triage`` is the
core's answer.
"""

import sys
from typing import Any, Optional

from debitura_debt_collection.api.me_api import MeApi
from debitura_debt_collection.api_client import ApiClient
from debitura_debt_collection.configuration import Configuration
from debitura_debt_collection.exceptions import ApiException

from debitura_triage import OAuthTokens, sdk


def me_api(
    api_key: str,
    tenant: str,
    *,
    host: str = "https://testcustomer-api.debitura.com/v1",
    mint_url: Optional[str] = None,
) -> MeApi:
    """The SDK's ``MeApi`` for ``tenant``, every call through the core."""
    client = ApiClient(Configuration(host=host))
    sdk.install(client, tokens=OAuthTokens(api_key, base_url=mint_url), tenant=tenant)
    return MeApi(client)


def who_am_i(api: MeApi) -> Any:
    """The creditor the tenant's token acts for; what the core says when not."""
    try:
        return api.me_get()
    except ApiException as e:
        triage = getattr(e, "triage", None)
        if triage is not None:
            print(f"{triage.rule}: {triage.answer['solution']} [{triage.reason}]")
        raise


if __name__ == "__main__":
    print(who_am_i(me_api(sys.argv[1], sys.argv[2])))
