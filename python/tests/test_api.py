"""The package's own promises: typed immutable answers, short reprs, clear
errors naming the nearest valid names, and hostile input that never breaks it."""

import pytest

import debitura_triage as t


def test_the_readme_question():
    d = t.diagnose(status=422, type="MissingPowerOfAttorney", operation="create-case")
    assert d.rule == "missing-power-of-attorney"
    assert d.retry is t.Retry.AFTER_USER_ACTION
    assert d.retry == "after-user-action" and str(d.retry) == "after-user-action"
    assert d.matched and d.title and d.cause and d.solution
    assert d.docs_url.endswith("#missing-power-of-attorney")
    assert repr(d) == "Diagnosis(rule='missing-power-of-attorney', retry='after-user-action')"


def test_a_backoff_answer_carries_its_bounds():
    d = t.diagnose(status=503, operation="get-case")
    assert d.retry is t.Retry.BACKOFF
    b = d.backoff
    assert b.attempts >= 2 and 0 < b.base_delay_ms <= b.max_delay_ms
    assert b.delay(1) == b.base_delay_ms / 1000
    assert b.delay(b.attempts) is None
    assert b == t.rule(d.rule).backoff
    assert repr(b).startswith("Backoff(attempts=")


def test_several_candidates_are_named():
    d = t.diagnose(status=409)
    assert d.rule is None and not d.matched
    if d.several:
        assert all(isinstance(i, str) for i in d.several)
        assert "several=" in repr(d)


def test_answers_are_immutable():
    d = t.diagnose(status=401, operation="create-case")
    with pytest.raises(AttributeError):
        d.rule = "something-else"
    with pytest.raises(TypeError):
        d.several[0] = "x"  # a tuple
    r = t.diagnose_response(429, b'{"retryAfter": 3}', "create-case")
    with pytest.raises(AttributeError):
        r.retry_after = 0


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
    assert unsaid.rule is None
    assert set(unsaid.several) == {"upstream-unavailable", "outcome-unknown-server-error"}
    assert unsaid.retry is t.Retry.AFTER_USER_ACTION
    keyed = t.diagnose(status=503, operation="create-case", idempotency_key=True)
    assert keyed.retry is t.Retry.BACKOFF
    # Nor is the credential: a key is never cured by a new token.
    assert t.diagnose(status=401, operation="create-case").retry is t.Retry.NEVER
    assert t.diagnose(status=401, operation="create-case", auth="bearer").retry is t.Retry.TOKEN_REFRESH
    key = t.diagnose_response(401, b"", "create-case", auth="api-key")
    assert key.rule == "customer-api-key-rejected"


def test_bad_arguments_are_value_or_type_errors():
    with pytest.raises(ValueError, match="HTTP status"):
        t.diagnose(status=42)
    with pytest.raises(ValueError, match="HTTP status"):
        t.diagnose_response(1000, b"")
    with pytest.raises(TypeError):
        t.diagnose(422)  # keyword-only
    with pytest.raises(TypeError):
        t.diagnose(status=422, kind="x")
    with pytest.raises(TypeError):
        t.diagnose_response(422, "a str is not bytes")
    with pytest.raises(ValueError, match="did you mean"):
        t.rule("missing-power-of-atorney")


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
        r = t.diagnose_response(503, body, "get-case", retry_after="\x1b[2J\u202e")
        assert str(r.retry) in {"never", "after-user-action", "token-refresh", "backoff"}
        text = repr(r) + "".join(repr(f) for f in r.findings)
        assert "\x1b" not in text and "\u202e" not in text
    # A body past the scanning bound is read up to it, and says so.
    many = t.diagnose_response(422, bodies[3])
    assert many.body_note is not None
    assert len(many.findings) >= 1 and many.errors_not_kept > 0


def test_retry_after_as_seconds_header_or_date():
    r = t.diagnose_response(429, b"{}", "create-case", 7)
    assert r.retry_after == 7
    r = t.diagnose_response(429, b"{}", "create-case", "Sun, 01 Nov 2026 00:01:30 GMT", now=1_793_491_200)
    assert r.retry_after == 90
    r = t.diagnose_response(429, b"{}", "create-case", "not a delay")
    assert r.retry_after is None


def test_a_webhook_check_never_shows_the_secret():
    secret = "c2VjcmV0IGJ5dGVzIGZvciB0aGUgcHl0aG9uIHRlc3Rz"
    v = t.check_webhook(secret, "t=1,v1=00", b"{}", now=1)
    assert not v.valid and v.mistake and v.rule and v.diagnosis.rule == v.rule
    assert secret not in repr(v)
    with pytest.raises(ValueError, match="at most 8"):
        t.check_webhook([secret] * 9, "t=1,v1=00", b"{}")


def test_the_catalog():
    rules = t.rules()
    assert len(rules) > 100 and isinstance(rules, tuple)
    ids = [r.id for r in rules]
    assert len(set(ids)) == len(ids)
    poa = t.rule("missing-power-of-attorney")
    assert poa.id in ids and poa.retry is t.Retry.AFTER_USER_ACTION
    assert repr(poa) == "Rule(id='missing-power-of-attorney', retry='after-user-action')"
    assert "create-case" in t.OPERATIONS and "production" in t.ENVIRONMENTS
