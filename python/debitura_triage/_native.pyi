# Type stubs of the extension module. The answers are plain dicts keyed by
# the core's field names (`debitura_triage::Answer` and its kin);
# tests/test_stubs.py checks that these declarations name exactly the keys
# the module returns.
from typing import Dict, List, Literal, Optional, Sequence, Tuple, TypedDict, Union

RetryName = Literal["never", "after-user-action", "token-refresh", "backoff"]
# A query by field name, as `diagnose` takes it.
Query = Dict[str, Union[str, int, bool]]

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

class ResponseDiagnosis(Diagnosis):
    """What a response means: the answer for the error that decided, and
    what the body said."""

    url: Optional[str]
    retry_after_secs: Optional[float]
    body: str
    body_note: Optional[str]
    findings: List[Finding]
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
    body: bytes,
    *,
    retry_after: Union[str, int, None] = None,
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
