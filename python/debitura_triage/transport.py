"""httpx transports that carry out the core's decisions.

``Transport`` (for ``httpx.Client``) and ``AsyncTransport`` (for
``httpx.AsyncClient``) wrap the transport a client already has and run each
request through the core's call machine (``debitura_triage.calls``): they
add the tenant's bearer token and an ``Idempotency-Key`` where the machine
says so, send, and after a failure read the body (bounded) and do what the
machine says: send again after its wait, with the same key and a fresh
token when it says so, or raise ``CallFailed``. A success passes through
untouched. They decide nothing themselves.

>>> import httpx
>>> from debitura_triage.transport import Transport
>>> from debitura_triage.calls import OAuthTokens
>>> client = httpx.Client(transport=Transport(tokens=OAuthTokens("key"), tenant="acme-42"))

A request may carry, in its ``extensions``: ``"debitura.tenant"`` (the
tenant it acts for, over the transport's), ``"debitura.operation"`` (for a
path the core does not know), ``"debitura.deadline"`` (seconds, over the
transport's) and ``"debitura.no_resend"`` (``True``: never sent twice).
"""

import asyncio
import time
import zlib
from functools import partial
from typing import Any, Callable, Coroutine, Dict, Iterable, Optional, Tuple

import httpx

from . import calls
from .calls import (
    BUDGET,
    Call,
    MAX_MINT_BODY,
    Body,
    Mint,
    Op,
    Read,
    RetryBudget,
    Send,
    Sent,
    Sleep,
    Tokens,
)

TENANT = "debitura.tenant"
OPERATION = "debitura.operation"
DEADLINE = "debitura.deadline"
NO_RESEND = "debitura.no_resend"

#: Errors of a request that never left: no connection could be made (refused,
#: no route, name not resolved, TLS refused) or none was free in the pool.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class _Decoder:
    """Undoes a gzip or deflate ``Content-Encoding`` without ever holding more
    than the bound: a small compressed body cannot grow past it."""

    def __init__(self, encoding: str):
        encoding = encoding.strip().lower()
        self._zlib: Optional[Any] = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()

    def decode(self, chunk: bytes, room: int) -> Tuple[bytes, bool]:
        """At most ``room + 1`` bytes of ``chunk`` decoded, and whether more
        was left."""
        if self._zlib is None:
            return chunk[: room + 1], len(chunk) > room + 1
        try:
            out = self._zlib.decompress(chunk, room + 1)
        except zlib.error:
            return b"", True
        return out, bool(self._zlib.unconsumed_tail)


def _take(data: bytearray, chunk: bytes, limit: int, more: bool) -> bool:
    """Adds ``chunk`` up to ``limit``; true when the body goes on past it."""
    room = limit - len(data)
    data += chunk[:room]
    return more or len(chunk) > room


def _timeouts(request: httpx.Request, left: Optional[float]) -> None:
    """Bounds each of the request's timeouts by the time left."""
    timeout = dict(request.extensions.get("timeout") or {})
    for name in ("connect", "read", "write", "pool"):
        own = timeout.get(name)
        timeout[name] = left if own is None else min(own, left)
    request.extensions["timeout"] = timeout


class _Driver:
    """What both transports share: the settings and the call's start."""

    def __init__(
        self,
        *,
        tokens: Tokens,
        tenant: Optional[str],
        budget: Optional[RetryBudget],
        deadline: Optional[float],
        clock: Callable[[], float],
    ):
        self.tokens = tokens
        self.tenant = tenant
        self.budget = budget or BUDGET
        self.deadline = deadline
        self.clock = clock

    def start(
        self, request: httpx.Request, deadline_at: Optional[float] = None
    ) -> Tuple[Call, Optional[str]]:
        ext = request.extensions
        tenant = ext.get(TENANT, self.tenant)
        now = self.clock()
        deadline = ext.get(DEADLINE, self.deadline)
        if deadline is not None:
            deadline_at = calls.deadline_at(now, deadline, deadline_at)
        # By position: the quickest way across.
        call = Call(
            request.method,
            str(request.url),
            self.budget,
            now,
            request.headers.raw,  # the pairs as sent: quicker to read than the mapping
            ext.get(OPERATION),
            tenant is not None,
            isinstance(request.stream, httpx.ByteStream),  # a body that can be sent again
            bool(ext.get(NO_RESEND)),
            deadline_at,
        )
        return call, tenant

    def prepare(self, request: httpx.Request, op: Send, call: Call) -> None:
        headers = op.headers
        if headers:
            for name, value in headers.items():
                request.headers[name] = value
        deadline = call.deadline
        if deadline is not None:
            _timeouts(request, calls.remaining(deadline, self.clock))


def _lost(error: httpx.TransportError) -> Sent:
    if isinstance(error, httpx.UnsupportedProtocol):
        raise error  # not a failure of the API: the URL cannot be sent at all
    return Sent(sent=not isinstance(error, NOT_SENT), error=error)


def _mint_request(mint: calls.MintRequest) -> httpx.Request:
    method, url, headers, body = mint
    # A mint acts for no tenant: it is how a tenant's token is had.
    return httpx.Request(method, url, headers=headers, content=body, extensions={TENANT: None})


class Transport(httpx.BaseTransport):
    """Wraps ``transport`` (by default a new ``httpx.HTTPTransport()``):
    ``tokens`` gives the bearer tokens of ``tenant`` (an ``OAuthTokens``, or a
    function ``(tenant, stale) -> token``), ``budget`` bounds resends across
    the process (``calls.BUDGET`` by default), ``deadline`` (seconds) bounds
    each call, every attempt, wait and mint included."""

    def __init__(
        self,
        transport: Optional[httpx.BaseTransport] = None,
        *,
        tokens: Tokens = None,
        tenant: Optional[str] = None,
        budget: Optional[RetryBudget] = None,
        deadline: Optional[float] = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._inner = transport or httpx.HTTPTransport()
        self._driver = _Driver(
            tokens=tokens, tenant=tenant, budget=budget, deadline=deadline, clock=clock
        )
        self._sleep = sleep

    def handle_request(
        self, request: httpx.Request, deadline_at: Optional[float] = None
    ) -> httpx.Response:
        """Sends ``request`` as the machine says; ``deadline_at`` (on the
        transport's clock) bounds it further, as the call a mint serves."""
        call, tenant = self._driver.start(request, deadline_at)
        io = partial(self._io, request, call)
        response: httpx.Response = calls.run(call, tenant, self._driver.clock, io)
        return response

    def _io(self, request: httpx.Request, call: Call, op: Op) -> Any:
        if isinstance(op, Send):
            self._driver.prepare(request, op, call)
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError as e:
                return _lost(e)
            return Sent(response.status_code, response.headers, response)
        if isinstance(op, Read):
            return self._read(op.response, op.limit)
        if isinstance(op, Sleep):
            self._sleep(op.seconds)
            return None
        if isinstance(op, Mint):
            return calls.token(self._driver.tokens, op, self._mint)
        raise TypeError(op)

    def _read(self, response: httpx.Response, limit: int) -> Body:
        data = bytearray()
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        stream: Any = response.stream
        try:
            for raw in stream:
                chunk, more = decoder.decode(raw, limit - len(data))
                if _take(data, chunk, limit, more):
                    return Body(bytes(data), False)
            return Body(bytes(data), True)
        except httpx.TransportError as e:
            return Body(bytes(data), False, e)
        finally:
            response.close()

    def _mint(self, mint: calls.MintRequest, deadline_at: Optional[float]) -> Tuple[int, bytes]:
        response = self.handle_request(_mint_request(mint), deadline_at)
        body = self._read(response, MAX_MINT_BODY)
        if not body.complete:
            raise ValueError("the token response was cut short or is longer than 16 KiB")
        return response.status_code, body.data

    def close(self) -> None:
        self._inner.close()


class AsyncTransport(httpx.AsyncBaseTransport):
    """``Transport`` for ``httpx.AsyncClient``: wraps ``transport`` (by
    default a new ``httpx.AsyncHTTPTransport()``); a token function may be
    async."""

    def __init__(
        self,
        transport: Optional[httpx.AsyncBaseTransport] = None,
        *,
        tokens: Tokens = None,
        tenant: Optional[str] = None,
        budget: Optional[RetryBudget] = None,
        deadline: Optional[float] = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._inner = transport or httpx.AsyncHTTPTransport()
        self._driver = _Driver(
            tokens=tokens, tenant=tenant, budget=budget, deadline=deadline, clock=clock
        )

    def handle_async_request(
        self, request: httpx.Request, deadline_at: Optional[float] = None
    ) -> Coroutine[Any, Any, httpx.Response]:
        """Sends ``request`` as the machine says; ``deadline_at`` (on the
        transport's clock) bounds it further, as the call a mint serves. It
        returns the loop's own coroutine, with none around it."""
        call, tenant = self._driver.start(request, deadline_at)
        io = partial(self._io, request, call)
        return calls.run_async(call, tenant, self._driver.clock, io)

    async def _io(self, request: httpx.Request, call: Call, op: Op) -> Any:
        if isinstance(op, Send):
            self._driver.prepare(request, op, call)
            try:
                response = await self._inner.handle_async_request(request)
            except httpx.TransportError as e:
                return _lost(e)
            return Sent(response.status_code, response.headers, response)
        if isinstance(op, Read):
            return await self._read(op.response, op.limit)
        if isinstance(op, Sleep):
            await asyncio.sleep(op.seconds)
            return None
        if isinstance(op, Mint):
            return await calls.token_async(self._driver.tokens, op, self._mint)
        raise TypeError(op)

    async def _read(self, response: httpx.Response, limit: int) -> Body:
        data = bytearray()
        decoder = _Decoder(response.headers.get("content-encoding", ""))
        stream: Any = response.stream
        try:
            async for raw in stream:
                chunk, more = decoder.decode(raw, limit - len(data))
                if _take(data, chunk, limit, more):
                    return Body(bytes(data), False)
            return Body(bytes(data), True)
        except httpx.TransportError as e:
            return Body(bytes(data), False, e)
        finally:
            await response.aclose()

    async def _mint(
        self, mint: calls.MintRequest, deadline_at: Optional[float]
    ) -> Tuple[int, bytes]:
        response = await self.handle_async_request(_mint_request(mint), deadline_at)
        body = await self._read(response, MAX_MINT_BODY)
        if not body.complete:
            raise ValueError("the token response was cut short or is longer than 16 KiB")
        return response.status_code, body.data

    async def aclose(self) -> None:
        await self._inner.aclose()


__all__ = ["AsyncTransport", "DEADLINE", "NO_RESEND", "OPERATION", "TENANT", "Transport"]


