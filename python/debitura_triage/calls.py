"""Carrying out the core's decisions: one loop that every driver runs.

The core's call machine (``_native.Call``) decides everything: whether to
get a token first, which ``Idempotency-Key`` to add, and after each failed
send whether to send again, after how long, with a fresh token or not, or
why to stop. ``steps`` walks a call through the machine and yields what the
driver must do (``Send``, ``Read``, ``Sleep``, ``Mint``); a driver only does
the I/O each one names and sends back what came of it. ``run`` and
``run_async`` are the loops that do so for a driver's ``io`` function; they
make a first send that needs nothing before it themselves, and walk the
steps only after a failure, so that a success costs no more than the send.

The drivers are ``debitura_triage.transport`` (httpx, sync and async) and
``debitura_triage.sdk`` (Debitura's Python SDK, on urllib3).
"""

import json
import threading
import time
from typing import (
    Any,
    Awaitable,
    Callable,
    Dict,
    Generator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)

from ._native import MAX_SCAN, Call, RetryBudget, diagnose, host

#: The budget every driver draws on unless given another: one per process,
#: one account per API host. Its reserve is this instance's.
BUDGET = RetryBudget()

#: A mint's method, URL, headers and body.
MintRequest = Tuple[str, str, Dict[str, str], bytes]

#: The longest token response read; a real one is a few hundred bytes.
MAX_MINT_BODY = 16 * 1024

#: A token is replaced this long before it expires (or after half its life,
#: for one that lives under two minutes), so that it does not expire in flight.
RENEW_MARGIN = 60.0


class CallFailed(Exception):
    """A call the core stopped: what failed, what the catalog says about it,
    and why nothing more was tried.

    ``answer`` is the core's answer to the last failure (the keys of
    ``diagnose_response``'s); ``rule``, ``retry``, ``url`` (to show a person)
    and ``retry_after`` (the server's delay in seconds, kept to reschedule)
    come from it. ``reason`` says why the call stopped (``policy``,
    ``attempts-used-up``, ``wait-too-long``, ``budget-spent``, ``deadline``,
    ``token-unavailable``, ...), ``attempts`` how many sends were made.
    ``status``, ``headers`` and ``body`` (as read, at most ``MAX_SCAN``
    bytes) are the last response's, when there was one. ``mint`` is the
    token mint's own ``CallFailed`` when no token could be had. The message
    holds no text from the response, so it can be logged as it is.
    """

    def __init__(
        self,
        step: Mapping[str, Any],
        *,
        operation: Optional[str] = None,
        status: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
        body: bytes = b"",
        mint: Optional["CallFailed"] = None,
    ):
        answer = step["answer"]
        self.answer: Dict[str, Any] = answer
        self.rule: Optional[str] = answer["rule"]
        self.retry: str = answer["retry"]
        self.url: Optional[str] = answer["url"]
        self.retry_after: Optional[float] = answer["retry_after_secs"]
        self.reason: str = step["reason"]
        self.attempts: int = step["attempts"]
        self.operation = operation
        self.status = status
        self.headers = headers
        self.body = body
        self.mint = mint
        what = f"{status}" if status is not None else "no response"
        super().__init__(
            f"{operation or 'request'}: {what} {self.rule or '(unrecognised)'}: "
            f"{answer['solution']} [{self.reason}]"
        )


TokenFunction = Callable[[str, Optional[str]], Union[str, Awaitable[str]]]


class OAuthTokens:
    """Mints Customer API bearer tokens with ``POST /oauth/token`` on the
    Referral Partner API (``XApiKey`` header, body ``{"externalTenantId": ...}``),
    caches each tenant's token until a minute before its ``expiresIn`` runs
    out, and mints at most one at a time per tenant: callers that need a
    tenant's token at once wait for the same mint. A mint is a call like any
    other: it goes through the core's machine with the driver's budget, so a
    ``503`` is backed off, and a failure is its own ``CallFailed``.

    ``environment`` is ``"test"`` or ``"production"``; ``base_url`` mints
    somewhere else (a proxy, a gateway, a local fake). The key is a secret:
    ``repr`` does not show it.
    """

    def __init__(
        self,
        api_key: str,
        *,
        environment: str = "test",
        base_url: Optional[str] = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if base_url is None:
            base_url = f"https://{host('mint-token', environment)}"
        self.endpoint = base_url.rstrip("/") + "/oauth/token"
        self._key = api_key
        self._clock = clock
        self._cache: Dict[str, Tuple[str, float]] = {}
        self._locks: Dict[str, threading.Lock] = {}
        self._async_locks: Dict[Tuple[str, int], Any] = {}
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"OAuthTokens(endpoint={self.endpoint!r})"

    def lock(self, tenant: str) -> threading.Lock:
        """The lock that makes a tenant's mints one at a time (threads)."""
        with self._guard:
            return self._locks.setdefault(tenant, threading.Lock())

    def async_lock(self, tenant: str) -> Any:
        """The same, for the tasks of the running event loop (a lock belongs
        to one loop)."""
        import asyncio

        key = (tenant, id(asyncio.get_running_loop()))
        with self._guard:
            return self._async_locks.setdefault(key, asyncio.Lock())

    def cached(self, tenant: str, stale: Optional[str]) -> Optional[str]:
        """The tenant's cached token, unless it is due for renewal or is the
        one just refused."""
        hit = self._cache.get(tenant)
        if hit is None or hit[0] == stale or self._clock() >= hit[1]:
            return None
        return hit[0]

    def request(self, tenant: str) -> MintRequest:
        """The mint's method, URL, headers and body."""
        body = json.dumps({"externalTenantId": tenant}).encode()
        headers = {"XApiKey": self._key, "Content-Type": "application/json"}
        return "POST", self.endpoint, headers, body

    def store(self, tenant: str, status: int, body: bytes) -> str:
        """Reads a mint's answer, caches its token and returns it; a
        ``ValueError`` says what is wrong with an answer that has none."""
        if not 200 <= status < 300:
            raise ValueError(f"the token mint answered {status}")
        try:
            parsed = json.loads(body)
        except ValueError as e:
            raise ValueError(f"the token response is not JSON: {e}") from None
        token = parsed.get("accessToken") if isinstance(parsed, dict) else None
        if not isinstance(token, str) or not token or "\n" in token or "\r" in token:
            raise ValueError("the token response has no usable `accessToken`")
        lifetime = parsed.get("expiresIn")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) else 0.0
        margin = min(RENEW_MARGIN, lifetime / 2)
        self._cache[tenant] = (token, self._clock() + max(lifetime - margin, 0.0))
        return token


Tokens = Union[OAuthTokens, TokenFunction, None]


class Send(NamedTuple):
    """Send the request with these headers added (or replaced); return a
    ``Sent``. The headers are the loop's own: read them, do not keep or
    change them."""

    headers: Dict[str, str]


class Sent(NamedTuple):
    """What came of a send: a response (its status, its headers as a
    mapping, and the response object: ``Sent(status, headers, response)``),
    or no response, ``sent`` saying whether the request left (a refused
    connection: no), with the error."""

    status: Optional[int] = None
    headers: Optional[Mapping[str, str]] = None
    response: Any = None
    sent: bool = True
    error: Optional[BaseException] = None


class Read(NamedTuple):
    """Read at most ``limit`` bytes of a failed response's body, and close
    it; return a ``Body``."""

    response: Any
    limit: int


class Body(NamedTuple):
    """A body as read: its bytes, whether that is all of it, and the error
    that cut it short, if any."""

    data: bytes
    complete: bool
    error: Optional[BaseException] = None


class Sleep(NamedTuple):
    """Wait this many seconds."""

    seconds: float


class Mint(NamedTuple):
    """Get a bearer token for ``tenant`` other than ``stale``; return the
    token, or the exception that says why there is none."""

    tenant: str
    stale: Optional[str]
    deadline: Optional[float]


Op = Union[Send, Read, Sleep, Mint]

#: A send with nothing added.
_PLAIN = Send({})


def _no_answer(call: Call) -> Dict[str, Any]:
    """The answer a token failure carries when nothing was diagnosed yet."""
    answer = dict(diagnose(), url=None, retry_after_secs=None, findings=[])
    return {"answer": answer, "attempts": call.attempts}


def _first(call: Call, tenant: Optional[str]) -> Optional[Send]:
    """The first send, when nothing has to be had before it; ``None`` when
    the tenant's token must be got first."""
    if tenant is not None and call.needs_token:
        return None
    key = call.key_to_add
    return _PLAIN if key is None else Send({"Idempotency-Key": key})


def steps(
    call: Call,
    tenant: Optional[str] = None,
    clock: Callable[[], float] = time.monotonic,
    sent: Optional["Sent"] = None,
) -> Generator[Op, Any, Any]:
    """Walks ``call`` through the machine: yields each thing to do and
    returns the response that ended it, or raises ``CallFailed``. ``sent``
    is what came of the first send when the driver made it already (as
    ``_first`` gave it)."""
    key = call.key_to_add
    extra: Dict[str, str] = {} if key is None else {"Idempotency-Key": key}
    send = Send(extra)  # its headers change in place with the token
    token: Optional[str] = None
    last: Optional[Mapping[str, Any]] = None  # no failure yet
    if sent is None:
        if tenant is not None and _first(call, tenant) is None:
            token = yield from _token(call, tenant, None, last, clock)
            extra["Authorization"] = f"Bearer {token}"
        sent = yield send
    while True:
        status = sent.status
        if status is not None and not Call.failed(status):
            return sent.response
        failure: Dict[str, Any] = {"operation": call.operation}
        cause = sent.error
        if sent.response is not None and status is not None:
            body: Body = yield Read(sent.response, MAX_SCAN)
            cause = body.error or cause
            step = call.answered(
                status,
                body.data,
                headers=sent.headers,
                complete=body.complete,
                now=clock(),
            )
            failure.update(status=status, headers=sent.headers, body=body.data)
        elif sent.sent:
            step = call.no_answer(now=clock())
        else:
            step = call.not_sent(now=clock())
        if not step["resend"]:
            raise CallFailed(step, **failure) from cause
        if step["after"] > 0:
            yield Sleep(step["after"])
        if step["fresh_token"] and tenant is not None:
            token = yield from _token(call, tenant, token, step, clock)
            extra["Authorization"] = f"Bearer {token}"
        last = step
        sent = yield send


def _token(
    call: Call,
    tenant: str,
    stale: Optional[str],
    last: Optional[Mapping[str, Any]],
    clock: Callable[[], float],
) -> Generator[Op, Any, str]:
    got = yield Mint(tenant, stale, call.deadline)
    if isinstance(got, str):
        return got
    step = dict(last or _no_answer(call), reason=call.token_failed(now=clock()), attempts=call.attempts)
    if isinstance(got, CallFailed):
        # The mint's own answer, carried as the call's.
        mint_step = {"answer": got.answer, "reason": step["reason"], "attempts": call.attempts}
        raise CallFailed(
            mint_step,
            operation=got.operation,
            status=got.status,
            headers=got.headers,
            body=got.body,
            mint=got,
        ) from got
    raise CallFailed(step, operation=call.operation) from got


def run(
    call: Call, tenant: Optional[str], clock: Callable[[], float], io: Callable[[Op], Any]
) -> Any:
    """Carries out ``call`` with a blocking ``io``, which does what each
    ``Op`` says and returns what came of it; returns the response that ended
    the call, or raises ``CallFailed``."""
    sent = None
    first = _first(call, tenant)
    if first is not None:
        sent = io(first)
        if sent.status is not None and not Call.failed(sent.status):
            return sent.response  # a success: no more to walk
    gen = steps(call, tenant, clock, sent)
    value: Any = None
    while True:
        try:
            op = gen.send(value)
        except StopIteration as done:
            return done.value
        value = io(op)


async def run_async(
    call: Call,
    tenant: Optional[str],
    clock: Callable[[], float],
    io: Callable[[Op], Awaitable[Any]],
) -> Any:
    """``run`` with an async ``io``."""
    sent = None
    first = _first(call, tenant)
    if first is not None:
        sent = await io(first)
        if sent.status is not None and not Call.failed(sent.status):
            return sent.response
    gen = steps(call, tenant, clock, sent)
    value: Any = None
    while True:
        try:
            op = gen.send(value)
        except StopIteration as done:
            return done.value
        value = await io(op)


def remaining(deadline: Optional[float], clock: Callable[[], float]) -> Optional[float]:
    """Seconds left before ``deadline`` (at least a millisecond), or ``None``."""
    if deadline is None:
        return None
    return max(deadline - clock(), 0.001)


def deadline_at(now: float, deadline: Optional[float], at: Optional[float]) -> Optional[float]:
    """When a call started at ``now`` must be over: ``deadline`` seconds
    away, or at ``at`` on the clock, whichever comes first."""
    if deadline is None:
        return at
    return now + deadline if at is None else min(at, now + deadline)


def token(
    tokens: Tokens, op: Mint, mint: Callable[[MintRequest, Optional[float]], Tuple[int, bytes]]
) -> Union[str, BaseException]:
    """A token for ``op`` from ``tokens`` (blocking), or the exception that
    says why there is none. ``mint(request, deadline_at)`` sends an
    ``OAuthTokens`` mint through the driver and returns its status and body."""
    try:
        if isinstance(tokens, OAuthTokens):
            with tokens.lock(op.tenant):
                hit = tokens.cached(op.tenant, op.stale)
                if hit is not None:
                    return hit
                return tokens.store(op.tenant, *mint(tokens.request(op.tenant), op.deadline))
        if tokens is None:
            raise LookupError("no token source is configured")
        got = tokens(op.tenant, op.stale)
        if not isinstance(got, str):
            raise TypeError("a token function returns the token as str")
        return got
    except Exception as e:  # every failure is the call's typed error
        return e


async def token_async(
    tokens: Tokens,
    op: Mint,
    mint: Callable[[MintRequest, Optional[float]], Awaitable[Tuple[int, bytes]]],
) -> Union[str, BaseException]:
    """``token`` for an event loop: the token function may be async."""
    try:
        if isinstance(tokens, OAuthTokens):
            async with tokens.async_lock(op.tenant):
                hit = tokens.cached(op.tenant, op.stale)
                if hit is not None:
                    return hit
                status, body = await mint(tokens.request(op.tenant), op.deadline)
                return tokens.store(op.tenant, status, body)
        if tokens is None:
            raise LookupError("no token source is configured")
        got = tokens(op.tenant, op.stale)
        if not isinstance(got, str):
            got = await got
        if not isinstance(got, str):
            raise TypeError("a token function returns the token as str")
        return got
    except Exception as e:  # every failure is the call's typed error
        return e


__all__ = [
    "BUDGET",
    "Body",
    "Call",
    "CallFailed",
    "MAX_MINT_BODY",
    "Mint",
    "OAuthTokens",
    "MintRequest",
    "Read",
    "RetryBudget",
    "Send",
    "Sent",
    "Sleep",
    "remaining",
    "run",
    "run_async",
    "deadline_at",
    "steps",
    "token",
    "token_async",
]
