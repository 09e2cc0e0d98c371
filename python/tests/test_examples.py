"""The examples, each against a fake Debitura on 127.0.0.1 started here: the
httpx client and Debitura's own SDK with the core installed under it."""

import json
import pathlib
import sys

import pytest
from scripted import Fake

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import httpx_client  # noqa: E402
import sdk_client  # noqa: E402

from debitura_triage import CallFailed  # noqa: E402

TOKEN = {"status": 200, "headers": {}, "body": '{"accessToken":"t-1","expiresIn":1800}'}
ME = {"status": 200, "headers": {"content-type": "application/json"},
      "body": json.dumps({"id": "cr-1", "companyName": "Acme ApS", "country": "DK"})}
HANDOFF = json.dumps({
    "businessErrors": [{"type": "MissingPowerOfAttorney", "message": "sign first"}],
    "signingHandoff": {"combinedSigningUrl": "https://app.debitura.com/sign?x=\u202e1"},
})


def status(code: int) -> dict:
    return {"status": code, "headers": {}, "body": ""}


def test_the_httpx_example_refreshes_a_refused_token_and_keeps_its_key():
    api, mint = Fake([status(401), {**status(201), "body": '{"id":"c-1"}'}]), Fake([TOKEN])
    with httpx_client.client("key", "acme-42", base_url=api.base, mint_url=mint.base) as http:
        assert httpx_client.create_case(http, {"creditorReference": "INV-1"}) == {"id": "c-1"}
    keys = {r.key for r in api.received}
    assert len(api.received) == 2 and len(keys) == 1 and None not in keys
    assert mint.count() == 2


def test_the_httpx_example_shows_the_signing_url_escaped(capsys):
    api, mint = Fake([{"status": 422, "headers": {}, "body": HANDOFF}]), Fake([TOKEN])
    with httpx_client.client("key", "acme-42", base_url=api.base, mint_url=mint.base) as http:
        with pytest.raises(CallFailed) as e:
            httpx_client.create_case(http, {"creditorReference": "INV-1"})
    assert e.value.rule == "missing-power-of-attorney" and e.value.reason == "policy"
    shown = capsys.readouterr().out
    assert "\\u202e1" in shown and "\u202e" not in shown, shown


def test_the_sdk_gives_the_same_result_with_the_core_installed():
    plain = Fake([ME])
    from debitura_debt_collection import ApiClient, Configuration, MeApi

    bare = MeApi(ApiClient(Configuration(host=plain.base + "/v1"))).me_get()
    api, mint = Fake([status(401), ME]), Fake([TOKEN])
    driven = sdk_client.who_am_i(sdk_client.me_api("key", "acme-42", host=api.base + "/v1",
                                                   mint_url=mint.base))
    assert driven == bare and driven.company_name == "Acme ApS"
    assert [r.path for r in api.received] == ["/v1/me", "/v1/me"]


def test_the_sdk_raises_its_own_exception_carrying_the_answer(capsys):
    from debitura_debt_collection.exceptions import ServiceException

    api, mint = Fake([status(503)]), Fake([TOKEN])
    with pytest.raises(ServiceException) as e:
        sdk_client.who_am_i(sdk_client.me_api("key", "acme-42", host=api.base + "/v1",
                                              mint_url=mint.base))
    triage = e.value.triage
    assert (triage.rule, triage.reason, triage.status) == (
        "upstream-unavailable", "attempts-used-up", 503)
    assert len(api.received) == triage.attempts == 3
    assert "upstream-unavailable" in capsys.readouterr().out


def test_under_the_sdk_only_the_core_resends():
    # A read whose connection closes every time: the core sends it as often
    # as its rule allows; urllib3's own retries would multiply that.
    from debitura_debt_collection.exceptions import ApiException

    import debitura_triage as t

    api, mint = Fake([{"connection": "closed"}]), Fake([TOKEN])
    with pytest.raises(ApiException) as e:
        sdk_client.me_api("key", "acme-42", host=api.base + "/v1", mint_url=mint.base).me_get()
    bounds = t.rule("no-response")["backoff"]
    assert e.value.status == 0 and e.value.triage.reason == "attempts-used-up"
    assert len(api.received) == bounds["attempts"] == e.value.triage.attempts


def test_one_token_source_serves_tasks_of_several_event_loops():
    import asyncio

    import httpx

    from debitura_triage import OAuthTokens
    from debitura_triage.transport import AsyncTransport

    api, mint = Fake([{**status(200), "body": "{}"}]), Fake([TOKEN])
    tokens = OAuthTokens("key", base_url=mint.base)

    async def ten() -> list:
        transport = AsyncTransport(tokens=tokens, tenant="acme-42")
        async with httpx.AsyncClient(transport=transport) as client:
            calls = (client.get(api.base + "/v1/me") for _ in range(10))
            return [r.status_code for r in await asyncio.gather(*calls)]

    assert asyncio.run(ten()) == [200] * 10
    assert asyncio.run(ten()) == [200] * 10
    assert mint.count() == 1, "one mint, cached for the second loop"


def test_a_url_that_cannot_be_sent_is_the_callers_error_not_a_failure_to_resend():
    import urllib3

    from debitura_debt_collection.api_client import ApiClient
    from debitura_debt_collection.configuration import Configuration

    from debitura_triage import sdk

    client = ApiClient(Configuration(host="http://127.0.0.1:9/v1"))
    sdk.install(client)
    with pytest.raises(urllib3.exceptions.LocationValueError):
        client.rest_client.request("GET", "http://[::1:bad/v1/me")


def test_a_token_function_that_fails_stops_the_call_before_it_is_sent():
    import httpx

    from debitura_triage.transport import Transport

    def no_token(tenant, stale):
        raise RuntimeError("the vault is sealed")

    api = Fake([status(200)])
    with httpx.Client(transport=Transport(tokens=no_token, tenant="acme-42")) as http:
        with pytest.raises(CallFailed) as e:
            http.get(api.base + "/v1/me")
    assert (e.value.reason, e.value.attempts, e.value.rule) == ("token-unavailable", 0, None)
    assert isinstance(e.value.__cause__, RuntimeError) and not api.received
