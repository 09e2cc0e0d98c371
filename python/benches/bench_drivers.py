"""What the drivers cost on the success path, against the bare clients.

Each client sends ``GET /v1/cases/c-1`` and gets 200 from an answer made in
process (httpx's ``MockTransport``; for the SDK, urllib3's pool answering
from memory), so that the only difference between the bare client and the
driven one is the driver's own work: starting a call in the core, asking it
for the headers, and handing back the response. Each way is checked first to
give the same status and body. Run: ``python benches/bench_drivers.py`` with
the wheel installed (and httpx and debitura-debt-collection).
"""

import asyncio
import statistics
import time
from typing import Any, Callable, List, Tuple

import httpx
import urllib3

from debitura_triage import RetryBudget, sdk
from debitura_triage.transport import AsyncTransport, Transport

URL = "https://testcustomer-api.debitura.com/v1/cases/c-1"
BODY = b'{"id":"c-1","lifecycle":"Active"}'
ROUNDS, CALLS = 41, 1000


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=BODY, headers={"content-type": "application/json"})


def per_call(bare: Callable[[], Any], driven: Callable[[], Any]) -> Tuple[float, float, float]:
    """Microseconds a call, bare and driven, and what the driver adds: the
    medians over ``ROUNDS`` rounds of ``CALLS`` calls each way, the two ways
    taking turns so that a busy neighbour slows both alike."""
    times: Tuple[List[float], List[float]] = ([], [])
    for _ in range(ROUNDS):
        for fn, out in zip((bare, driven), times):
            start = time.perf_counter()
            for _ in range(CALLS):
                fn()
            out.append((time.perf_counter() - start) / CALLS * 1e6)
    extra = statistics.median(d - b for b, d in zip(*times))
    return statistics.median(times[0]), statistics.median(times[1]), extra


def report(what: str, measured: Tuple[float, float, float]) -> None:
    bare, driven, extra = measured
    bound = max(0.05 * bare, 10.0)
    verdict = "within" if extra <= bound else "OVER"
    print(
        f"{what}: bare {bare:.1f} us, driven {driven:.1f} us a request: +{extra:.1f} us "
        f"({extra / bare * 100:.1f} %), {verdict} the bound of {bound:.1f} us"
    )


def bench_httpx() -> None:
    budget = RetryBudget()
    bare = httpx.Client(transport=httpx.MockTransport(answer))
    driven = httpx.Client(transport=Transport(httpx.MockTransport(answer), budget=budget))
    for client in (bare, driven):
        r = client.get(URL)
        assert (r.status_code, r.content) == (200, BODY)
    report("httpx", per_call(lambda: bare.get(URL), lambda: driven.get(URL)))


def bench_httpx_async() -> None:
    async def main() -> None:
        budget = RetryBudget()
        bare = httpx.AsyncClient(transport=httpx.MockTransport(answer))
        driven = httpx.AsyncClient(
            transport=AsyncTransport(httpx.MockTransport(answer), budget=budget)
        )
        for client in (bare, driven):
            r = await client.get(URL)
            assert (r.status_code, r.content) == (200, BODY)

        times: Tuple[List[float], List[float]] = ([], [])
        for _ in range(ROUNDS):
            for client, out in zip((bare, driven), times):
                start = time.perf_counter()
                for _ in range(CALLS):
                    await client.get(URL)
                out.append((time.perf_counter() - start) / CALLS * 1e6)
        extra = statistics.median(d - b for b, d in zip(*times))
        report("httpx async", (statistics.median(times[0]), statistics.median(times[1]), extra))

    asyncio.run(main())


class Answering(urllib3.PoolManager):
    """A pool that answers every request with 200 from memory."""

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return urllib3.HTTPResponse(
            body=BODY,
            status=200,
            headers={"content-type": "application/json"},
            preload_content=False,
        )


def bench_sdk() -> None:
    from debitura_debt_collection.api_client import ApiClient
    from debitura_debt_collection.configuration import Configuration

    def client(driven: bool) -> ApiClient:
        c = ApiClient(Configuration(host="https://testcustomer-api.debitura.com/v1"))
        c.rest_client.pool_manager = Answering()
        if driven:
            sdk.install(c, budget=RetryBudget())
        return c

    def get(c: ApiClient) -> Any:
        params = c.param_serialize(method="GET", resource_path="/cases/c-1")
        response = c.call_api(*params)
        response.read()  # type: ignore[no-untyped-call]
        return c.response_deserialize(response, {"200": "object"})

    bare, driven = client(False), client(True)
    for c in (bare, driven):
        r = get(c)
        assert (r.status_code, r.raw_data) == (200, BODY)
    report("SDK", per_call(lambda: get(bare), lambda: get(driven)))


if __name__ == "__main__":
    bench_httpx()
    bench_httpx_async()
    bench_sdk()
