# Type stubs of the extension module. The answers are plain dicts keyed by
# the core's field names (`debitura_triage::Answer` and its kin);
# tests/test_stubs.py checks that these declarations name exactly the keys
# the module returns.
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, TypedDict, Union

RetryName = Literal["never", "after-user-action", "token-refresh", "backoff"]
# A query by field name, as `diagnose` takes it.
Query = Dict[str, Union[str, int, bool]]

# A body as clients hold it.
BodyLike = Union[bytes, str, bytearray, memoryview, None]
# A Retry-After as the header gives it.
RetryAfterLike = Union[str, bytes, int, float, None]
HeadersLike = Union[Mapping[Any, Any], List[Tuple[Any, Any]], None]

MAX_SCAN: int
OPERATIONS: Tuple[str, ...]
ENVIRONMENTS: Tuple[str, ...]
__version__: str

class Backoff(TypedDict):
    """The bounds of a rule that backs off."""

    attempts: int
    base_delay_ms: int
    max_delay_ms: int
    jitter_percent: int
    honour_retry_after: bool

class Diagnosis(TypedDict):
    """What a failure means and what to do."""

    rule: Optional[str]
    matched: bool
    several: List[str]
    or_none: bool
    telling: List[str]
    section: Optional[str]
    title: Optional[str]
    cause: str
    solution: str
    retry: RetryName
    backoff: Optional[Backoff]
    docs_url: Optional[str]

class Finding(TypedDict):
    """One error a response body reported, and how it alone is answered."""

    source: str
    type: Optional[str]
    message: Optional[str]
    field: Optional[str]
    solution_url: Optional[str]
    rule: Optional[str]
    retry: RetryName
    decisive: bool

class FailureAnswer(Diagnosis):
    """The core's answer to a failed send: what a response means, or what
    no response means (then `url` and `retry_after_secs` are None and
    `findings` empty)."""

    url: Optional[str]
    retry_after_secs: Optional[float]
    findings: List[Finding]

class ResponseDiagnosis(FailureAnswer):
    """What a response means: the answer for the error that decided, and
    what the body said."""

    body: str
    body_note: Optional[str]
    findings_not_kept: int
    decided_by: Optional[int]
    decision: str

class WebhookCheck(TypedDict):
    """The verdict on one webhook delivery."""

    valid: bool
    mistake: Optional[str]
    rule: Optional[str]
    diagnosis: Optional[Diagnosis]

class AsOnPage(TypedDict):
    cause: Optional[str]
    solution: Optional[str]

class Source(TypedDict):
    file: str
    line: int

class When(TypedDict):
    status: List[int]
    type: List[Optional[str]]
    message: List[Optional[str]]
    operation: List[str]
    event: List[str]
    symptom: List[str]
    after_token_refresh: Optional[bool]
    safe_to_resend: Optional[bool]
    environment: List[str]
    auth: List[str]

class Rule(TypedDict):
    """One rule of the catalog, as `debitura-triage rules --json` gives it."""

    rule: str
    section: str
    title: str
    cause: str
    solution: str
    as_on_page: Optional[AsOnPage]
    retry: RetryName
    backoff: Optional[Backoff]
    docs_url: str
    source: Source
    notes: Optional[str]
    see_also: List[str]
    when: When
    examples: List[Query]
    counter_examples: List[Query]

def diagnose(
    *,
    status: Optional[int] = None,
    type: Optional[str] = None,
    message: Optional[str] = None,
    operation: Optional[str] = None,
    event: Optional[str] = None,
    symptom: Optional[str] = None,
    after_token_refresh: Optional[bool] = None,
    environment: Optional[str] = None,
    auth: Optional[str] = None,
    method: Optional[str] = None,
    idempotency_key: Optional[bool] = None,
) -> Diagnosis: ...
def diagnose_response(
    status: int,
    body: BodyLike = None,
    *,
    retry_after: RetryAfterLike = None,
    headers: HeadersLike = None,
    url: Optional[str] = None,
    now: Optional[int] = None,
    operation: Optional[str] = None,
    method: Optional[str] = None,
    idempotency_key: Optional[bool] = None,
    auth: Optional[str] = None,
    after_token_refresh: Optional[bool] = None,
    environment: Optional[str] = None,
) -> ResponseDiagnosis: ...
def check_webhook(
    secret: Union[str, Sequence[str]],
    header: str,
    body: bytes,
    *,
    now: Optional[int] = None,
    tolerance: Optional[Tuple[int, int]] = None,
    computed: Optional[str] = None,
) -> WebhookCheck: ...
def rules() -> List[Rule]: ...
def rule(id: str) -> Rule: ...
def backoff_delay(id: str, resend: int) -> Optional[float]: ...
def host(operation: str, environment: str) -> Optional[str]: ...

class Step(TypedDict):
    """What a driver does after a failed send: resend after `after` seconds
    (with a fresh token when `fresh_token`), or stop for `reason`."""

    resend: bool
    after: float
    fresh_token: bool
    reason: Optional[str]
    attempts: int
    answer: FailureAnswer

class RetryBudget:
    """Bounds the resends of every call that shares it, per API host."""

    def __init__(
        self, ratio: float = 0.2, reserve_per_second: int = 10, window_secs: int = 10
    ) -> None: ...
    @staticmethod
    def for_instances(instances: int) -> "RetryBudget": ...
    @property
    def ratio(self) -> float: ...
    @property
    def reserve_per_second(self) -> int: ...
    @property
    def window_secs(self) -> float: ...

class Call:
    """One call in progress, as the core's call machine sees it."""

    def __init__(
        self,
        method: str,
        url: str,
        budget: RetryBudget,
        now: float,
        headers: HeadersLike = None,
        operation: Optional[str] = None,
        tenant: bool = False,
        replayable: bool = True,
        no_resend: bool = False,
        deadline: Optional[float] = None,
    ) -> None: ...
    @staticmethod
    def failed(status: int) -> bool: ...
    @property
    def needs_token(self) -> bool: ...
    @property
    def key_to_add(self) -> Optional[str]: ...
    @property
    def operation(self) -> Optional[str]: ...
    @property
    def deadline(self) -> Optional[float]: ...
    @property
    def attempts(self) -> int: ...
    def answered(
        self,
        status: int,
        body: BodyLike,
        *,
        now: float,
        headers: HeadersLike = None,
        retry_after: RetryAfterLike = None,
        complete: bool = True,
    ) -> Step: ...
    def not_sent(self, *, now: float) -> Step: ...
    def no_answer(self, *, now: float) -> Step: ...
    def token_failed(self, *, now: float) -> str: ...
