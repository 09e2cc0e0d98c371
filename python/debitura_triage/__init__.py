"""What to do when Debitura's referral-partner APIs say no.

The decisions of debitura-triage, compiled from its YAML rules, for Python:

>>> import debitura_triage as t
>>> d = t.diagnose(status=422, type="MissingPowerOfAttorney", operation="create-case")
>>> str(d.retry)
'after-user-action'

``diagnose`` answers a question (status, error type, operation, ...);
``diagnose_response`` reads a response's status, raw body and ``Retry-After``;
``check_webhook`` checks a delivery's signature and names the mistake;
``rules`` and ``rule`` give the catalog. Every answer is immutable.
"""

from enum import Enum


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


from ._native import (  # noqa: E402  (Retry must exist before the native answers use it)
    ENVIRONMENTS,
    OPERATIONS,
    Backoff,
    Diagnosis,
    Finding,
    ResponseDiagnosis,
    Rule,
    WebhookCheck,
    __version__,
    check_webhook,
    diagnose,
    diagnose_response,
    rule,
    rules,
)

__all__ = [
    "ENVIRONMENTS",
    "OPERATIONS",
    "Backoff",
    "Diagnosis",
    "Finding",
    "ResponseDiagnosis",
    "Retry",
    "Rule",
    "WebhookCheck",
    "__version__",
    "check_webhook",
    "diagnose",
    "diagnose_response",
    "rule",
    "rules",
]
