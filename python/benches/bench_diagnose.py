"""How fast the package answers, against what a Python user would write instead.

The alternatives are a dict from (status, error type) to an answer, holding the
answer for every pair the conformance suite asks about; a function a user
would write around it, taking the same keywords and returning a fresh copy of
the whole answer, as the package does; and for a response body,
``json.loads`` and the same dict. Both are checked to give the same
answers on the whole sample before anything is timed (the dict, unlike the
package, knows nothing of operations, messages or bodies it was not filled
for). Run: ``python benches/bench_diagnose.py`` with the wheel installed.
"""

import json
import pathlib
import statistics
import timeit
from typing import Callable, Dict, List, Optional, Tuple

import debitura_triage as t

ROOT = pathlib.Path(__file__).resolve().parents[2]
cases = json.loads((ROOT / "conformance" / "queries.json").read_text())["cases"]

# Questions a service asks: a status and an error type, nothing else. The
# dict holds each pair's answer, as a user would fill a table once at start.
pairs = {(c["query"]["status"], c["query"]["type"]) for c in cases if {"status", "type"} <= set(c["query"])}
table: Dict[Tuple[int, str], Tuple[Optional[str], str]] = {}
for status, kind in pairs:
    d = t.diagnose(status=status, type=kind)
    table[(status, kind)] = (d["rule"], d["retry"])
sample = sorted(table)
assert len(sample) > 50, len(sample)


def by_package() -> None:
    for status, kind in sample:
        d = t.diagnose(status=status, type=kind)
        d["rule"], d["retry"]


def by_dict() -> None:
    for key in sample:
        table.get(key, (None, "never"))


# The whole answer of each pair, as the package gives it.
answers: Dict[Tuple[Optional[int], Optional[str]], "t.Diagnosis"] = {(s, k): t.diagnose(status=s, type=k) for s, k in sample}


def answer_of(status: Optional[int] = None, type: Optional[str] = None) -> "Optional[t.Diagnosis]":
    hit = answers.get((status, type))
    return None if hit is None else hit.copy()


def by_function() -> None:
    for status, kind in sample:
        d = answer_of(status=status, type=kind)
        assert d is not None
        d["rule"], d["retry"]


for status, kind in sample:
    d = t.diagnose(status=status, type=kind)
    assert (d["rule"], d["retry"]) == table[(status, kind)], (status, kind)

body = (ROOT / "tests" / "fixtures" / "bodies" / "dual-write-no-partner.json").read_bytes()


def response_by_package() -> None:
    r = t.diagnose_response(422, body, operation="create-case")
    r["rule"], r["retry"]


def response_by_dict() -> None:
    parsed = json.loads(body)
    kind = parsed["businessErrors"][0]["type"]
    table.get((422, kind), (None, "never"))


r = t.diagnose_response(422, body, operation="create-case")
assert (r["rule"], r["retry"]) == table[(422, json.loads(body)["businessErrors"][0]["type"])]


def per_call(*ways: Callable[[], None], calls: int) -> List[float]:
    """Nanoseconds a call of each way: the medians of 15 rounds of about
    20 000 calls each, the ways taking turns within a round so that a busy
    neighbour slows them alike."""
    number = max(20_000 // calls, 1)
    runs: List[List[float]] = [[] for _ in ways]
    for _ in range(15):
        for fn, out in zip(ways, runs):
            out.append(timeit.timeit(fn, number=number) / (number * calls) * 1e9)
    return [statistics.median(r) for r in runs]


for status, kind in sample:
    assert answer_of(status=status, type=kind) == t.diagnose(status=status, type=kind)

package, plain, function = per_call(by_package, by_dict, by_function, calls=len(sample))
print(f"diagnose(status=, type=): {package:.0f} ns a call; dict lookup: {plain:.0f} ns, ratio {package / plain:.1f}x; "
      f"a function returning a copy of the answer: {function:.0f} ns, ratio {package / function:.1f}x "
      f"(target: within 3x; {len(sample)} questions, same answers)")
package, plain = per_call(response_by_package, response_by_dict, calls=1)
print(f"diagnose_response(422, body): {package:.0f} ns a call; json.loads and dict lookup: {plain:.0f} ns; "
      f"the package is {plain / package:.2f}x faster (target: at least 2x)")
