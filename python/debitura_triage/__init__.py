"""What to do when Debitura's referral-partner APIs say no.

The decisions of debitura-triage, compiled from its YAML rules, for Python:

>>> import debitura_triage as t
>>> d = t.diagnose(status=422, type="MissingPowerOfAttorney", operation="create-case")
>>> d["retry"]
'after-user-action'

``diagnose`` answers a question (status, error type, operation, ...), each
keyword a field of the query, named as the core names it;
``diagnose_response`` reads a response's status, raw body and ``Retry-After``;
``check_webhook`` checks a delivery's signature and names the mistake;
``rules``, ``rule``, ``backoff_delay`` and ``host`` give the catalog. Every answer is a
fresh dict keyed by the core's field names (typed as ``TypedDict`` in the
stubs); ``retry`` compares equal to a ``Retry`` member.

The decisions are also carried out: ``Call`` is the core's call machine,
``RetryBudget`` bounds resends across a process, and the drivers run every
request through them: ``debitura_triage.transport`` (httpx, sync and async)
and ``debitura_triage.sdk`` (Debitura's own Python SDK), with
``OAuthTokens`` for the Customer API's bearer tokens and ``CallFailed`` for
a call the core stopped.
"""

from enum import Enum
from typing import TYPE_CHECKING


class Retry(str, Enum):
    """Whether and how to retry the call that failed; compares equal to its name."""

    NEVER = "never"
    """Do not send the request again: it cannot succeed as it is."""
    AFTER_USER_ACTION = "after-user-action"
    """Send it again only after a person has done what the solution says."""
    TOKEN_REFRESH = "token-refresh"
    """Get a new bearer token and send the request again once."""
    BACKOFF = "backoff"
    """Send it again after a wait, within the rule's ``backoff`` bounds."""

    def __str__(self) -> str:
        return self.value


from ._native import (  # noqa: E402
    ENVIRONMENTS,
    MAX_SCAN,
    OPERATIONS,
    Call,
    RetryBudget,
    __version__,
    backoff_delay,
    check_webhook,
    diagnose,
    diagnose_response,
    host,
    rule,
    rules,
)
from .calls import BUDGET, CallFailed, OAuthTokens  # noqa: E402

if TYPE_CHECKING:  # the answers' types, declared in the stubs
    from ._native import Backoff as Backoff
    from ._native import Diagnosis as Diagnosis
    from ._native import Finding as Finding
    from ._native import ResponseDiagnosis as ResponseDiagnosis
    from ._native import Rule as Rule
    from ._native import WebhookCheck as WebhookCheck

__all__ = [
    "BUDGET",
    "Call",
    "CallFailed",
    "ENVIRONMENTS",
    "MAX_SCAN",
    "OAuthTokens",
    "OPERATIONS",
    "Retry",
    "RetryBudget",
    "__version__",
    "backoff_delay",
    "check_webhook",
    "diagnose",
    "diagnose_response",
    "host",
    "rule",
    "rules",
]
