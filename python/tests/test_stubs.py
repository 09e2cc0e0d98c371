"""The type stubs are what editors and mypy see: a right use passes, a wrong one fails."""

import pathlib

import pytest

mypy_api = pytest.importorskip("mypy.api")

RIGHT = """
import debitura_triage as t
d: t.Diagnosis = t.diagnose(status=422, type="MissingPowerOfAttorney", operation="create-case")
retry: t.Retry = d.retry
name: str = retry.value
b = d.backoff
wait = b.delay(1) if b is not None else None
r = t.diagnose_response(429, b"{}", "create-case", "5")
seconds = r.retry_after
ok: bool = t.check_webhook(["a", "b"], "t=1,v1=00", b"{}", now=1).valid
ids = [x.id for x in t.rules()]
"""

WRONG = """
import debitura_triage as t
t.diagnose(status="422")
t.diagnose_response(429, "not bytes")
t.diagnose(422)
t.rule(5)
d = t.diagnose()
d.no_such_field
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
