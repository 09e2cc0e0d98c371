"""The type stubs are what editors and mypy see: a right use passes, a wrong
one fails, and each answer's declaration names exactly the keys the module
returns."""

import ast
import pathlib

import pytest

import debitura_triage as t

mypy_api = pytest.importorskip("mypy.api")

STUBS = pathlib.Path(t.__file__).with_name("_native.pyi")

RIGHT = """
import debitura_triage as t
d: t.Diagnosis = t.diagnose(status=422, type="MissingPowerOfAttorney", operation="create-case")
retry: str = d["retry"]
b = d["backoff"]
wait = t.backoff_delay(d["rule"], 1) if b is not None and d["rule"] is not None else None
r = t.diagnose_response(429, b"{}", operation="create-case", retry_after="5")
seconds = r["retry_after_secs"]
ok: bool = t.check_webhook(["a", "b"], "t=1,v1=00", b"{}", now=1)["valid"]
ids = [x["rule"] for x in t.rules()]
"""

WRONG = """
import debitura_triage as t
t.diagnose(status="422")
t.diagnose_response(429, 12345)
t.diagnose(422)
t.rule(5)
d = t.diagnose()
d["no_such_field"]
"""


def check(tmp_path: pathlib.Path, source: str):
    path = tmp_path / "use.py"
    path.write_text(source)
    out, err, status = mypy_api.run(["--strict", "--no-incremental", str(path)])
    return out + err, status


def test_a_right_use_type_checks(tmp_path):
    out, status = check(tmp_path, RIGHT)
    assert status == 0, out


def test_each_wrong_use_is_caught(tmp_path):
    out, status = check(tmp_path, WRONG)
    assert status == 1
    for line in (3, 4, 5, 6, 8):
        assert f"use.py:{line}:" in out, out


def declared() -> dict:
    """Each TypedDict of the stubs with its keys, its bases' included."""
    tree = ast.parse(STUBS.read_text())
    keys: dict = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            own = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign)]
            inherited = [k for base in node.bases if isinstance(base, ast.Name) for k in keys.get(base.id, [])]
            keys[node.name] = inherited + own
    return keys


def test_the_stubs_declare_exactly_the_keys_returned():
    keys = declared()
    d = t.diagnose(status=503, operation="get-case")
    r = t.diagnose_response(422, b'{"businessErrors":[{"type":"MissingPowerOfAttorney"}]}')
    v = t.check_webhook("c2VjcmV0", "t=1,v1=00", b"{}", now=1)
    rule = t.rule("missing-power-of-attorney")
    call = t.Call("GET", "https://testcustomer-api.debitura.com/v1/me", budget=t.RetryBudget(), now=0)
    lost = call.no_answer(now=0)
    answered = call.answered(503, b"", now=0)
    for name, answer in [
        ("Step", lost),
        ("FailureAnswer", lost["answer"]),
        ("ResponseDiagnosis", answered["answer"]),
        ("Diagnosis", d),
        ("Backoff", d["backoff"]),
        ("ResponseDiagnosis", r),
        ("Finding", r["findings"][0]),
        ("WebhookCheck", v),
        ("Rule", rule),
        ("Source", rule["source"]),
        ("When", rule["when"]),
    ]:
        assert sorted(keys[name]) == sorted(answer), name
