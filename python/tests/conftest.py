"""Shared fixtures: the conformance suite, read from the repository."""

import json
import pathlib

import pytest

SUITE = pathlib.Path(__file__).resolve().parents[2] / "conformance"

# Cases run per suite file, reported at the end of the session.
RAN: dict = {}


def load(name: str) -> dict:
    return json.loads((SUITE / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def schema() -> dict:
    return load("schema.json")


def pytest_terminal_summary(terminalreporter):
    if RAN:
        total = sum(RAN.values())
        parts = ", ".join(f"{name}: {count}" for name, count in sorted(RAN.items()))
        terminalreporter.write_line(f"conformance cases run: {total} ({parts})")
