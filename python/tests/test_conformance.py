"""The whole conformance suite, run through the installed package."""

import base64

import jsonschema
import pytest

import debitura_triage as t
from conftest import RAN, load

FILES = ["queries.json", "responses.json", "webhooks.json", "calls.json"]


@pytest.mark.parametrize("name", FILES)
def test_each_file_follows_the_schema(schema, name):
    data = load(name)
    definition = data["$schema"].split("#", 1)[1]
    validator = jsonschema.Draft202012Validator({**schema, "$ref": "#" + definition})
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert data["count"] == len(data["cases"])


def same(answer, want):
    """The answer agrees with the suite on every key the suite gives."""
    return {key: answer.get(key, "(missing)") for key in want} == want


def test_every_query_case():
    cases = load("queries.json")["cases"]
    assert len(cases) > 10_000
    for case in cases:
        assert same(t.diagnose(**case["query"]), case["answer"]), case["query"]
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
        assert same(r, case["answer"]), case["name"]
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
        assert ("valid" if v["valid"] else v["mistake"]) == case["verdict"], case["name"]
        assert v["rule"] == case["rule"], case["name"]
    RAN["webhooks"] = len(cases)
