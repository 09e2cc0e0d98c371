"""Every scenario of ``conformance/calls.json`` through each Python driver of
the core's call machine: the httpx transport (sync and async) and Debitura's
own SDK (``debitura-debt-collection`` from PyPI) with ``sdk.install``, each
against a fake Debitura on 127.0.0.1 answering as the scenario scripts."""

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

import httpx
import pytest
from conftest import RAN, load
from scripted import Fake, Later, free_port

import debitura_triage as t
from debitura_triage import sdk
from debitura_triage.calls import CallFailed, OAuthTokens
from debitura_triage.transport import TENANT, AsyncTransport, Transport

SUITE = load("calls.json")
SCENARIOS = SUITE["cases"]

#: A fake whose first answer is ``refused`` starts listening this long after
#: the call starts: after the first attempt, before the first wait (at least
#: 900 ms) is over.
LISTEN_AFTER = 0.4

DRIVERS = ["httpx", "httpx-async", "sdk"]


def stopped(failed: Optional[CallFailed]) -> Dict[str, Any]:
    if failed is None:
        return {"bare_error": True}
    return {
        "stopped": {
            "rule": failed.rule,
            "retry": failed.retry,
            "reason": failed.reason,
            "url": failed.url,
            "retry_after_secs": failed.retry_after,
        }
    }


def matches(got: Dict[str, Any], want: Dict[str, Any]) -> bool:
    if "stopped" in want:
        return "stopped" in got and all(
            got["stopped"].get(k) == v for k, v in want["stopped"].items()
        )
    return got == want


def budget_of(options: Dict[str, Any]) -> t.RetryBudget:
    b = options.get("budget")
    if b is None:
        return t.RetryBudget()
    return t.RetryBudget(b["ratio"], b["reserve_per_second"], b["window_secs"])


def via_httpx(scenario: Dict[str, Any], base: str, mint: str) -> List[Dict[str, Any]]:
    request, options = scenario["request"], scenario["options"]
    transport = Transport(
        tokens=OAuthTokens("test-key", base_url=mint),
        budget=budget_of(options),
        deadline=(options["deadline_ms"] / 1000) if "deadline_ms" in options else None,
    )
    with httpx.Client(transport=transport, timeout=10) as client:

        def one(_: int) -> Dict[str, Any]:
            ext = {TENANT: request["tenant"]} if "tenant" in request else {}
            try:
                r = client.request(
                    request["method"],
                    base + request["path"],
                    content=request["body"].encode(),
                    headers=request.get("headers", {}),
                    extensions=ext,
                )
                return {"status": r.status_code}
            except CallFailed as e:
                return stopped(e)

        calls = options.get("calls", 1)
        with ThreadPoolExecutor(max_workers=calls) as pool:
            return list(pool.map(one, range(calls)))


def via_httpx_async(scenario: Dict[str, Any], base: str, mint: str) -> List[Dict[str, Any]]:
    request, options = scenario["request"], scenario["options"]

    async def main() -> List[Dict[str, Any]]:
        transport = AsyncTransport(
            tokens=OAuthTokens("test-key", base_url=mint),
            budget=budget_of(options),
            deadline=(options["deadline_ms"] / 1000) if "deadline_ms" in options else None,
        )
        limits = httpx.Limits(max_connections=1000)
        async with httpx.AsyncClient(transport=transport, timeout=10, limits=limits) as client:

            async def one() -> Dict[str, Any]:
                ext = {TENANT: request["tenant"]} if "tenant" in request else {}
                try:
                    r = await client.request(
                        request["method"],
                        base + request["path"],
                        content=request["body"].encode(),
                        headers=request.get("headers", {}),
                        extensions=ext,
                    )
                    return {"status": r.status_code}
                except CallFailed as e:
                    return stopped(e)

            return list(await asyncio.gather(*(one() for _ in range(options.get("calls", 1)))))

    return asyncio.run(main())


def via_sdk(scenario: Dict[str, Any], base: str, mint: str) -> List[Dict[str, Any]]:
    from debitura_debt_collection import ApiClient, Configuration
    from debitura_debt_collection.exceptions import ApiException

    request, options = scenario["request"], scenario["options"]
    configuration = Configuration(host=base)
    configuration.connection_pool_maxsize = 250
    client = ApiClient(configuration)
    sdk.install(
        client,
        tokens=OAuthTokens("test-key", base_url=mint),
        tenant=request.get("tenant"),
        budget=budget_of(options),
        deadline=(options["deadline_ms"] / 1000) if "deadline_ms" in options else None,
    )

    def one(_: int) -> Dict[str, Any]:
        # The pipeline every generated method runs.
        params = client.param_serialize(
            method=request["method"],
            resource_path=request["path"],
            header_params=dict(request.get("headers", {})),
            body=json.loads(request["body"]),
        )
        try:
            response = client.call_api(*params)
            response.read()
            result = client.response_deserialize(response, {"200": "object", "201": "object"})
            return {"status": result.status_code}
        except ApiException as e:
            return stopped(getattr(e, "triage", None))

    calls = options.get("calls", 1)
    with ThreadPoolExecutor(max_workers=calls) as pool:
        return list(pool.map(one, range(calls)))


RUN: Dict[str, Callable[[Dict[str, Any], str, str], List[Dict[str, Any]]]] = {
    "httpx": via_httpx,
    "httpx-async": via_httpx_async,
    "sdk": via_sdk,
}


def check(scenario: Dict[str, Any], received: List[Any], mints: int, ended, started) -> None:
    expect = scenario["expect"]
    path = scenario["request"]["path"]
    mine = [r for r in received if r.path == path]
    if "requests" in expect:
        assert len(mine) == expect["requests"], mine
    else:
        assert expect["requests_at_least"] <= len(mine) <= expect["requests_at_most"], len(mine)
    assert mints == expect["mints"]
    keys = [r.key for r in mine]
    if expect["key"] == "none":
        assert all(k is None for k in keys), keys
    elif expect["key"] == "added":
        assert keys and keys[0] is not None and len(set(keys)) == 1, keys
    else:
        assert all(k == expect["key"] for k in keys), keys
    if mine:
        waited = mine[-1].at - started
        assert waited >= expect["least_wait_ms"] / 1000, waited
    if "outcome" in expect:
        for got in ended:
            assert matches(got, expect["outcome"]), (got, expect["outcome"])
    else:
        for got in ended:
            assert any(matches(got, o) for o in expect["outcomes"]), got
        assert any(matches(got, expect["some"]) for got in ended), ended


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(driver: str, scenario: Dict[str, Any]) -> None:
    answers = scenario["answers"]
    mint = Fake(scenario["mint"])
    refused = 0
    while refused < len(answers) and answers[refused].get("connection") == "refused":
        refused += 1
    started = time.monotonic()
    if refused:
        port = free_port()
        later = Later(answers, refused, port, LISTEN_AFTER)
        base = f"http://127.0.0.1:{port}"
        ended = RUN[driver](scenario, base, mint.base)
        api = later.wait()
    else:
        api = Fake(answers)
        ended = RUN[driver](scenario, api.base, mint.base)
    try:
        check(scenario, list(api.received), mint.count(), ended, started)
    finally:
        api.close()
        mint.close()
    key = f"calls.json via {driver}"
    RAN[key] = RAN.get(key, 0) + 1


def test_the_suite_is_whole() -> None:
    assert SUITE["count"] == len(SCENARIOS) > 0
