"""Claims: checked, named when false, and recorded for the robustness sweep."""

from __future__ import annotations

import json

import numpy as np
import pytest

from depmap_models import claims


def test_a_true_claim_returns_its_value(monkeypatch):
    monkeypatch.delenv(claims.LOG_VARIABLE, raising=False)
    assert claims.check("ess", 1200.0, 400) == 1200.0
    assert claims.check("in range", np.float64(0.5), 0.0, 1.0) == 0.5
    assert claims.check("bounds are inclusive", 1.01, high=1.01) == 1.01
    assert claims.check("a numpy bool", np.bool_(True))
    assert claims.check("a python bool", True)


@pytest.mark.parametrize(
    ("value", "low", "high", "shown"),
    [(0.1998, 0.2, 0.4, "0.1998"), (1.0143, None, 1.01, "1.0143"), (float("nan"), 0, 1, "nan")],
)
def test_a_false_claim_names_itself_and_its_value(monkeypatch, value, low, high, shown):
    monkeypatch.delenv(claims.LOG_VARIABLE, raising=False)
    with pytest.raises(claims.ClaimError, match=f"'mcse of sd'.*{shown}"):
        claims.check("mcse of sd", value, low, high)
    with pytest.raises(AssertionError):  # a ClaimError is an AssertionError
        claims.check("mcse of sd", value, low, high)


def test_a_false_bool_claim_fails():
    with pytest.raises(claims.ClaimError, match="'all inside' is false"):
        claims.check("all inside", np.array([True, False]).all())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", 1.0, 0), "label"),
        (("x", True, 0), "takes no bounds"),
        (("x", 1.0), "give low, high or both"),
        (("x", 1.0, 2, 1), "low 2.0 is above high 1.0"),
        (("x", "1.0", 0), "value must be a real number"),
        (("x", 1.0, "a"), "low must be a real number"),
    ],
)
def test_bad_input_is_named(args, message):
    with pytest.raises(ValueError, match=message):
        claims.check(*args)


def test_every_claim_is_recorded_when_asked(tmp_path, monkeypatch):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.LOG_VARIABLE, str(log))
    claims.check("ess", 500, 400)
    claims.check("ok", True)
    with pytest.raises(claims.ClaimError):
        claims.check("rhat", 1.02, high=1.01)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["label"] for e in entries] == ["ess", "ok", "rhat"]
    assert entries[0] == {"label": "ess", "value": 500.0, "low": 400.0, "high": None,
                          "passed": True}
    assert entries[2]["passed"] is False and entries[2]["value"] == 1.02
