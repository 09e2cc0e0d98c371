"""The package's own promises: answers keyed as the core names them, clear
errors naming the nearest valid names, and hostile input that never breaks it."""

import pytest

import debitura_triage as t


def test_the_readme_question():
    d = t.diagnose(status=422, type="MissingPowerOfAttorney", operation="create-case")
    assert d["rule"] == "missing-power-of-attorney"
    assert d["retry"] == t.Retry.AFTER_USER_ACTION == "after-user-action"
    assert d["matched"] and d["title"] and d["cause"] and d["solution"]
    assert d["docs_url"].endswith("#missing-power-of-attorney")
    assert d["several"] == [] and d["telling"] == [] and d["or_none"] is False


def test_a_backoff_answer_carries_its_bounds():
    d = t.diagnose(status=503, operation="get-case")
    assert d["retry"] == t.Retry.BACKOFF
    b = d["backoff"]
    assert b["attempts"] >= 2 and 0 < b["base_delay_ms"] <= b["max_delay_ms"]
    assert t.backoff_delay(d["rule"], 1) == b["base_delay_ms"] / 1000
    assert t.backoff_delay(d["rule"], b["attempts"]) is None
    assert b == t.rule(d["rule"])["backoff"]
    assert t.backoff_delay("missing-power-of-attorney", 1) is None


def test_several_candidates_are_named_with_the_fields_that_tell_them_apart():
    d = t.diagnose(status=401, operation="create-case")
    assert d["rule"] is None and not d["matched"]
    assert d["several"] == ["bearer-token-expired", "customer-api-key-rejected"]
    assert d["telling"] == ["auth"]
    assert "--" not in d["solution"]


def test_each_answer_is_a_fresh_value():
    d = t.diagnose(status=401, operation="create-case")
    d["rule"] = "something-else"
    assert t.diagnose(status=401, operation="create-case")["rule"] is None


@pytest.mark.parametrize(
    "kwargs, nearest",
    [
        ({"operation": "create-cse"}, "create-case"),
        ({"operation": "createcase"}, "create-case"),
        ({"environment": "prod"}, "production"),
        ({"auth": "bearr"}, "bearer"),
    ],
)
def test_bad_names_raise_value_error_with_the_nearest(kwargs, nearest):
    with pytest.raises(ValueError, match=nearest):
        t.diagnose(**kwargs)


def test_nothing_left_out_is_assumed():
    # The key is not assumed: left out, both answers are named and the
    # cautious one is followed.
    unsaid = t.diagnose(status=503, operation="create-case")
    assert unsaid["rule"] is None
    assert set(unsaid["several"]) == {"upstream-unavailable", "outcome-unknown-server-error"}
    assert unsaid["telling"] == ["idempotency_key", "method"]
    assert unsaid["retry"] == t.Retry.AFTER_USER_ACTION
    keyed = t.diagnose(status=503, operation="create-case", idempotency_key=True)
    assert keyed["retry"] == t.Retry.BACKOFF
    # Nor is the credential: a key is never cured by a new token.
    assert t.diagnose(status=401, operation="create-case")["retry"] == t.Retry.NEVER
    assert t.diagnose(status=401, operation="create-case", auth="bearer")["retry"] == t.Retry.TOKEN_REFRESH
    key = t.diagnose_response(401, b"", operation="create-case", auth="api-key")
    assert key["rule"] == "customer-api-key-rejected"
    # `None` is "not known", as a keyword left out.
    assert t.diagnose(status=503, operation="create-case", idempotency_key=None) == unsaid


def test_bad_arguments_are_value_or_type_errors():
    with pytest.raises(ValueError, match="HTTP status"):
        t.diagnose(status=42)
    with pytest.raises(ValueError, match="HTTP status"):
        t.diagnose(status=422.5)
    with pytest.raises(ValueError, match="HTTP status"):
        t.diagnose_response(1000, b"")
    with pytest.raises(TypeError):
        t.diagnose(422)  # keyword-only
    with pytest.raises(TypeError, match="did you mean `operation`"):
        t.diagnose(status=422, operaton="create-case")
    with pytest.raises(TypeError, match="`status` takes a number"):
        t.diagnose(status="422")
    with pytest.raises(TypeError, match="`idempotency_key` takes true or false"):
        t.diagnose(idempotency_key="yes")
    with pytest.raises(TypeError):
        t.diagnose(status=[422])
    with pytest.raises(TypeError):
        t.diagnose_response(422, "a str is not bytes")
    with pytest.raises(ValueError, match="did you mean"):
        t.rule("missing-power-of-atorney")
    assert t.diagnose(status=999)["rule"] is None
    with pytest.raises(ValueError, match="HTTP status"):
        t.diagnose(status=10**400)


def test_hostile_bodies_get_an_answer():
    bodies = [
        b"",
        b"\xff\xfe\x00",
        b"{" * 100_000,
        b'{"businessErrors": [' + b'{"type": "X"},' * 10_000 + b"]}",
        b'{"retryAfter": 1e308}',
        b'{"type": "\\u202e\\u0000\x1b[31m"}',
        b"x" * (10 * 1024 * 1024),
    ]
    for body in bodies:
        r = t.diagnose_response(503, body, operation="get-case", retry_after="\x1b[2J\u202e")
        assert r["retry"] in {"never", "after-user-action", "token-refresh", "backoff"}
        assert r["retry_after_secs"] is None or r["retry_after_secs"] <= 86_400
    # A body past the scanning bound is read up to it, and says so.
    many = t.diagnose_response(422, bodies[3])
    assert many["body_note"] is not None
    assert len(many["findings"]) >= 1 and many["findings_not_kept"] > 0


def test_retry_after_as_seconds_header_or_date():
    r = t.diagnose_response(429, b"{}", operation="create-case", retry_after=7)
    assert r["retry_after_secs"] == 7
    r = t.diagnose_response(
        429, b"{}", operation="create-case", retry_after="Sun, 01 Nov 2026 00:01:30 GMT", now=1_793_491_200
    )
    assert r["retry_after_secs"] == 90
    r = t.diagnose_response(429, b"{}", operation="create-case", retry_after="not a delay")
    assert r["retry_after_secs"] is None


def test_a_webhook_check_never_shows_the_secret():
    secret = "c2VjcmV0IGJ5dGVzIGZvciB0aGUgcHl0aG9uIHRlc3Rz"
    v = t.check_webhook(secret, "t=1,v1=00", b"{}", now=1)
    assert not v["valid"] and v["mistake"] and v["rule"] and v["diagnosis"]["rule"] == v["rule"]
    assert secret not in repr(v)
    with pytest.raises(ValueError, match="at most 8"):
        t.check_webhook([secret] * 9, "t=1,v1=00", b"{}")


def test_the_catalog():
    rules = t.rules()
    assert len(rules) > 100
    ids = [r["rule"] for r in rules]
    assert len(set(ids)) == len(ids)
    poa = t.rule("missing-power-of-attorney")
    assert poa["rule"] in ids and poa["retry"] == t.Retry.AFTER_USER_ACTION
    assert poa["source"]["file"].startswith("rules/")
    assert "create-case" in t.OPERATIONS and "production" in t.ENVIRONMENTS
