"""The whole conformance suite, run through the installed package."""

import base64

import jsonschema
import pytest

import debitura_triage as t
from conftest import RAN, load

FILES = ["queries.json", "responses.json", "webhooks.json"]


def backoff(b):
    if b is None:
        return None
    return {
        "attempts": b.attempts,
        "base_delay_ms": b.base_delay_ms,
        "max_delay_ms": b.max_delay_ms,
        "jitter_percent": b.jitter_percent,
        "honour_retry_after": b.honour_retry_after,
    }


@pytest.mark.parametrize("name", FILES)
def test_each_file_follows_the_schema(schema, name):
    data = load(name)
    definition = data["$schema"].split("#", 1)[1]
    validator = jsonschema.Draft202012Validator({**schema, "$ref": "#" + definition})
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert data["count"] == len(data["cases"])


def test_every_query_case():
    cases = load("queries.json")["cases"]
    assert len(cases) > 10_000
    for case in cases:
        q = case["query"]
        want = case["answer"]
        d = t.diagnose(**q)
        got = {"rule": d.rule, "retry": str(d.retry), "backoff": backoff(d.backoff)}
        if d.several:
            got["several"] = list(d.several)
            got["or_none"] = d.or_none
        assert got == want, q
    RAN["queries"] = len(cases)


def test_every_response_case():
    cases = load("responses.json")["cases"]
    for case in cases:
        body = case["body"].encode() if "body" in case else base64.b64decode(case["body_base64"])
        r = t.diagnose_response(
            case["status"],
            body,
            retry_after=case.get("retry_after"),
            now=case.get("now"),
            **case["context"],
        )
        want = case["answer"]
        got = {
            "rule": r.rule,
            "matched": r.diagnosis.matched,
            "retry": str(r.retry),
            "backoff": backoff(r.backoff),
            "body": r.body,
            "errors": [
                {
                    "source": f.source,
                    "type": f.type,
                    "message": f.message,
                    "field": f.field,
                    "solution_url": f.solution_url,
                    "rule": f.rule,
                    "retry": str(f.retry),
                    "decisive": f.decisive,
                }
                for f in r.findings
            ],
            "decided_by": r.decided_by,
            "decision": r.decision,
        }
        if r.diagnosis.several:
            got["several"] = list(r.diagnosis.several)
            got["or_none"] = r.diagnosis.or_none
        if r.url is not None:
            got["url"] = r.url
        if r.retry_after is not None:
            got["retry_after_secs"] = r.retry_after
        if r.body_note is not None:
            got["body_note"] = r.body_note
        if r.errors_not_kept:
            got["errors_not_kept"] = r.errors_not_kept
        assert got == want, case["name"]
    RAN["responses"] = len(cases)


def test_every_webhook_vector():
    cases = load("webhooks.json")["cases"]
    for case in cases:
        tolerance = (case["tolerance"]["past"], case["tolerance"]["future"])
        v = t.check_webhook(
            case["secrets"],
            case["header"],
            case["body"].encode(),
            now=case["now"],
            tolerance=tolerance,
            computed=case["computed"],
        )
        assert ("valid" if v.valid else v.mistake) == case["verdict"], case["name"]
        assert v.rule == case["rule"], case["name"]
    RAN["webhooks"] = len(cases)
