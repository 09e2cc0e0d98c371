"""Debitura's Python SDK (``debitura-debt-collection``), driven by the core.

``install`` puts the core's call machine (``debitura_triage.calls``) under an
SDK ``ApiClient``, in one line::

    from debitura_debt_collection import ApiClient, CasesApi, Configuration
    from debitura_triage import sdk
    from debitura_triage.calls import OAuthTokens

    client = ApiClient(Configuration(host="https://testcustomer-api.debitura.com/v1"))
    sdk.install(client, tokens=OAuthTokens(api_key), tenant="acme-42")
    CasesApi(client).cases_post(...)

Every request the SDK makes then gets the tenant's bearer token and, on a
write that takes one, an ``Idempotency-Key`` (the same on every copy), and
after a failure the machine decides: send again after its wait (with a
fresh token when it says so), or stop. urllib3's own retries are turned off
underneath, so that one loop decides. A success comes back to the SDK as it
came; a failure is raised by the SDK as its own exception (``ApiException``
or its subclass for the status, ``status=0`` for no response), whose
``triage`` attribute is the ``CallFailed`` with the core's answer: ``rule``,
``retry``, ``url`` to show, ``retry_after`` and ``reason``.
"""

import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import urllib3

from . import calls
from .calls import BUDGET, MAX_MINT_BODY, Body, Call, CallFailed, Mint, Op, Read, RetryBudget, Send
from .calls import Sent, Sleep, Tokens

#: urllib3's errors of a request that never left: no connection could be
#: made (refused, timed out, name not resolved) or none was free.
NOT_SENT = (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.EmptyPoolError)


def install(
    api_client: Any,
    *,
    tokens: Tokens = None,
    tenant: Optional[str] = None,
    budget: Optional[RetryBudget] = None,
    deadline: Optional[float] = None,
) -> None:
    """Drives every request of ``api_client`` through the core: ``tokens``
    gives the bearer tokens of ``tenant`` (an ``OAuthTokens``, or a function
    ``(tenant, stale) -> token``); ``budget`` bounds resends across the
    process (``calls.BUDGET`` by default); ``deadline`` (seconds) bounds
    each call, every attempt, wait and mint included."""
    from debitura_debt_collection.exceptions import ApiException

    rest = api_client.rest_client
    if isinstance(rest, _Rest):
        raise ValueError("this ApiClient already carries out debitura-triage's decisions")
    # One loop decides: urllib3 resends nothing underneath it.
    rest.pool_manager.connection_pool_kw["retries"] = False
    rest.pool_manager.clear()
    api_client.rest_client = _Rest(
        rest, ApiException, tokens=tokens, tenant=tenant, budget=budget or BUDGET, deadline=deadline
    )
    deserialize = api_client.response_deserialize

    def response_deserialize(response_data: Any, response_types_map: Any = None) -> Any:
        try:
            return deserialize(response_data, response_types_map)
        except ApiException as e:
            setattr(e, "triage", getattr(response_data, "triage", None))
            raise

    api_client.response_deserialize = response_deserialize


def _raw(response: Any) -> Any:
    """urllib3's response inside the SDK's ``RESTResponse``, or itself."""
    return getattr(response, "response", response)


class _Rest:
    """The SDK's REST client, each request run through the machine."""

    def __init__(
        self,
        rest: Any,
        api_exception: Any,
        *,
        tokens: Tokens,
        tenant: Optional[str],
        budget: RetryBudget,
        deadline: Optional[float],
        clock: Callable[[], float] = time.monotonic,
    ):
        self._rest = rest
        self._api_exception: Any = api_exception
        self._tokens = tokens
        self._tenant = tenant
        self._budget = budget
        self._deadline = deadline
        self._clock = clock
        self.pool_manager = rest.pool_manager

    def request(
        self,
        method: str,
        url: str,
        headers: Optional[Dict[str, str]] = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: Any = None,
    ) -> Any:
        headers = dict(headers or {})

        def send(extra: Dict[str, str], left: Optional[float]) -> Any:
            timeout = _request_timeout if left is None else min(_timeout(_request_timeout), left)
            return self._rest.request(
                method,
                url,
                headers={**headers, **extra},
                body=body,
                post_params=post_params,
                _request_timeout=timeout,
            )

        read: List[Any] = []
        try:
            return self._run(method, url, headers, send, read)
        except CallFailed as failed:
            if failed.status is not None and read:
                response = read[-1]
                response.data = failed.body
                response.triage = failed
                return response  # the SDK raises its own exception for the status
            error = self._api_exception(status=0, reason=str(failed))
            error.triage = failed
            raise error from failed

    def _run(
        self,
        method: str,
        url: str,
        headers: Dict[str, str],
        send: Callable[[Dict[str, str], Optional[float]], Any],
        read: List[Any],
        deadline_at: Optional[float] = None,
        tenant: bool = True,
    ) -> Any:
        who = self._tenant if tenant else None
        now = self._clock()
        at = calls.deadline_at(now, self._deadline, deadline_at)
        call = Call(method, url, self._budget, now, headers, None, who is not None, True, False, at)

        def io(op: Op) -> Any:
            if isinstance(op, Send):
                deadline = call.deadline
                left = None if deadline is None else calls.remaining(deadline, self._clock)
                return self._send(send, op.headers, left)
            if isinstance(op, Read):
                read.append(op.response)
                return _read(op.response, op.limit)
            if isinstance(op, Sleep):
                time.sleep(op.seconds)
                return None
            if isinstance(op, Mint):
                return calls.token(self._tokens, op, self._mint)
            raise TypeError(op)

        return calls.run(call, who, self._clock, io)

    def _send(
        self,
        send: Callable[[Dict[str, str], Optional[float]], Any],
        extra: Dict[str, str],
        left: Optional[float],
    ) -> Sent:
        try:
            response = send(extra, left)
        except urllib3.exceptions.LocationValueError:
            raise  # not a failure of the API: the URL cannot be sent at all
        except urllib3.exceptions.HTTPError as e:
            cause = e.reason if isinstance(e, urllib3.exceptions.MaxRetryError) else e
            return Sent(sent=not isinstance(cause, NOT_SENT), error=e)
        except self._api_exception as e:
            # The SDK reports a TLS failure, which happens before anything is
            # sent, as status 0; any other status-0 error is the caller's.
            if getattr(e, "status", None) == 0 and str(getattr(e, "reason", "")).startswith(
                "SSLError"
            ):
                return Sent(sent=False, error=e)
            raise
        raw = getattr(response, "response", response)  # as _raw, without the call
        return Sent(raw.status, raw.headers, response)

    def _mint(self, mint: calls.MintRequest, deadline_at: Optional[float]) -> Tuple[int, bytes]:
        method, url, headers, body = mint

        def send(extra: Dict[str, str], left: Optional[float]) -> Any:
            return self.pool_manager.request(
                method,
                url,
                body=body,
                headers={**headers, **extra},
                timeout=urllib3.Timeout(total=left) if left is not None else None,
                preload_content=False,
                retries=False,
            )

        response = self._run(method, url, headers, send, [], deadline_at, tenant=False)
        got = _read(response, MAX_MINT_BODY)
        if not got.complete:
            raise ValueError("the token response was cut short or is longer than 16 KiB")
        return _raw(response).status, got.data


def _timeout(value: Any) -> float:
    """The SDK's ``_request_timeout`` as one number of seconds (its total, or
    its read part), infinite when none."""
    if isinstance(value, (int, float)) and value:
        return float(value)
    if isinstance(value, tuple) and len(value) == 2 and value[1]:
        return float(value[1])
    return float("inf")


def _read(response: Any, limit: int) -> Body:
    """At most ``limit`` bytes of the body, decoded as urllib3 decodes it a
    piece at a time; the connection goes back to the pool."""
    raw = _raw(response)
    data = bytearray()
    body = Body(b"", False)
    try:
        for chunk in raw.stream(8192, decode_content=True):
            room = limit - len(data)
            data += chunk[:room]
            if len(chunk) > room:
                body = Body(bytes(data), False)
                return body
        body = Body(bytes(data), True)
        return body
    except urllib3.exceptions.HTTPError as e:
        body = Body(bytes(data), False, e)
        return body
    finally:
        if body.complete:
            raw.release_conn()
        else:
            raw.close()  # unread bytes must not reach the next request


__all__ = ["install"]
