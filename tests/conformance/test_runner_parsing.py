"""scripts/conformance.py reads a run's outcome from unittest's output: recorded outputs of real
``runtests.py -v2`` runs (Django 5.2's runner) show that no failure can hide, subtests included."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECORDED = Path(__file__).with_name("recorded")


@pytest.fixture(scope="module")
def conformance():
    spec = importlib.util.spec_from_file_location("conformance", ROOT / "scripts/conformance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded(name: str) -> str:
    return (RECORDED / name).read_text()


def test_every_failing_subtest_and_error_is_counted(conformance):
    result = conformance.parse_output(recorded("runtests-subtests-failing.txt"), 1)
    counts = result["counts"]
    # The run's own summary: FAILED (failures=3, errors=2, skipped=1, expected failures=1,
    # unexpected successes=1).
    assert (counts["FAIL"], counts["ERROR"], counts["unexpected-success"]) == (3, 2, 1)
    assert (counts["ok"], counts["skip"], counts["xfail"]) == (1, 1, 1)
    assert not result["crashed"], result["problems"]
    outcomes = result["outcomes"]
    assert outcomes["dj_sample_tests.Sample.test_subtests (i=1)"] == "FAIL"
    assert outcomes["dj_sample_tests.Sample.test_subtests (i=2)"] == "FAIL"
    assert outcomes["dj_sample_tests.Sample.test_subtest_error [named]"] == "ERROR"
    # The parent line of failing subtests is not a test outcome of its own.
    assert "dj_sample_tests.Sample.test_subtests" not in outcomes
    assert result["tail"]


def test_a_clean_run_is_clean(conformance):
    result = conformance.parse_output(recorded("runtests-basic-ok.txt"), 0)
    assert result["tests"] == 82
    assert result["counts"]["ok"] + result["counts"]["skip"] == 82
    assert not result["crashed"] and result["tail"] == ""


def test_an_exit_status_nothing_explains_is_an_error(conformance):
    result = conformance.parse_output(recorded("runtests-basic-ok.txt"), 1)
    assert result["crashed"] and result["counts"]["ERROR"] == 1
    assert "exit status 1" in result["problems"][0]


def test_a_run_cut_short_is_an_error(conformance):
    output = recorded("runtests-basic-ok.txt")
    cut = output[: output.index("Ran 82 tests")] + "\nTIMEOUT after 10 s"
    result = conformance.parse_output(cut, None)
    assert result["crashed"] and result["counts"]["ERROR"] == 1


def test_a_summary_that_disagrees_with_the_report_is_an_error(conformance):
    output = recorded("runtests-subtests-failing.txt").replace("failures=3", "failures=4")
    result = conformance.parse_output(output, 1)
    assert result["crashed"]
    assert any("FAIL" in problem for problem in result["problems"])


def test_a_warning_between_a_test_and_its_outcome_is_read_through(conformance):
    output = recorded("runtests-basic-ok.txt").replace(
        "... ok\n", "... Exception ignored in: <socket>\nResourceWarning: unclosed\nok\n", 1
    )
    result = conformance.parse_output(output, 0)
    assert not result["crashed"], result["problems"]
    assert result["counts"]["ok"] + result["counts"]["skip"] == 82
