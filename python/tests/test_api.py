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
    # The fields are the functions' own keywords: a misspelt one is
    # Python's own error, naming it.
    with pytest.raises(TypeError, match="unexpected keyword argument 'operaton'"):
        t.diagnose(status=422, operaton="create-case")
    with pytest.raises(TypeError, match="unexpected keyword argument 'operaton'"):
        t.diagnose_response(422, b"", operaton="create-case")
    with pytest.raises(TypeError, match="`status` takes a number"):
        t.diagnose(status="422")
    with pytest.raises(TypeError, match="`idempotency_key` takes true or false"):
        t.diagnose(idempotency_key="yes")
    with pytest.raises(TypeError):
        t.diagnose(status=[422])
    with pytest.raises(TypeError, match="a body is bytes, str, bytearray, memoryview or None"):
        t.diagnose_response(422, 12345)
    with pytest.raises(TypeError, match="headers are a mapping"):
        t.diagnose_response(429, b"", headers=["Retry-After: 5"])
    with pytest.raises(TypeError, match="a Retry-After is text"):
        t.diagnose_response(429, b"", retry_after=[5])
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


def test_a_body_is_taken_as_clients_hold_it():
    raw = b'{"businessErrors":[{"type":"CreditorBlocked","message":"blocked"}]}'
    want = t.diagnose_response(422, raw, operation="create-case")
    assert want["rule"] is not None
    for body in (raw.decode(), bytearray(raw), memoryview(raw)):
        assert t.diagnose_response(422, body, operation="create-case") == want
    assert t.diagnose_response(503, None)["body"] == "empty"


def test_headers_a_retry_after_and_the_request_as_clients_hold_them():
    rate = b'{"error":"rate_limit_exceeded","retryAfter":2}'
    for headers in ({"Retry-After": "7"}, {"retry-after": b"7"}):
        got = t.diagnose_response(429, rate, headers=headers)
        assert got["retry_after_secs"] == 7.0
    assert t.diagnose_response(429, rate, retry_after=None)["retry_after_secs"] == 2.0
    assert t.diagnose_response(429, rate, retry_after=9.0)["retry_after_secs"] == 9.0
    assert t.diagnose_response(429, rate, retry_after=b"9")["retry_after_secs"] == 9.0
    # The method and URL tell the operation, and with it whether a resend is safe.
    by_url = t.diagnose_response(
        503,
        b"",
        method="post",
        url="https://testcustomer-api.debitura.com/v1/webhooks",
        auth="bearer",
    )
    by_name = t.diagnose_response(
        503, b"", operation="manage-webhooks", method="POST", environment="test", auth="bearer"
    )
    assert by_url["rule"] == by_name["rule"] == "outcome-unknown-server-error"


def test_the_call_machine_refuses_bad_settings_with_the_cores_words():
    with pytest.raises(ValueError, match="did you mean `create-case`"):
        t.Call("POST", "/x", budget=t.BUDGET, now=0, operation="create-cse")
    with pytest.raises(ValueError, match="window must be from 1 s to 60 s"):
        t.RetryBudget(0.2, 10, 61)
    with pytest.raises(ValueError, match="at least one instance"):
        t.RetryBudget.for_instances(0)
    assert t.RetryBudget.for_instances(4).reserve_per_second == 3


def test_a_call_says_what_comes_next_and_keeps_its_key():
    budget = t.RetryBudget()
    call = t.Call("post", "https://testcustomer-api.debitura.com/v1/cases", budget=budget,
                  now=100.0, tenant=True, deadline=160.0)
    assert call.needs_token and call.operation == "create-case" and call.deadline == 160.0
    key = call.key_to_add
    assert key is not None and len(key) == 36
    step = call.answered(429, '{"retryAfter":30}', now=100.5)
    assert step["resend"] and step["after"] >= 30 and step["reason"] is None
    step = call.answered(429, '{"retryAfter":3000}', now=131.0)
    assert (step["resend"], step["reason"]) == (False, "wait-too-long")
    assert step["answer"]["retry_after_secs"] == 3000 and step["attempts"] == 2
    assert call.key_to_add == key
    assert call.token_failed(now=170.0) == "deadline"
    assert t.Call.failed(400) and not t.Call.failed(302)
