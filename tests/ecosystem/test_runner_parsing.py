"""scripts/ecosystem.py reads per-test outcomes from its suites' output: check it on recorded runs."""

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SCRIPT = HERE.parent.parent / "scripts" / "ecosystem.py"


@pytest.fixture(scope="module")
def ecosystem():
    spec = importlib.util.spec_from_file_location("ecosystem_runner", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def recorded(name):
    return (HERE / "recorded" / name).read_text()


def test_unittest_verbose_output(ecosystem):
    outcomes, finished = ecosystem.parse_unittest(recorded("unittest-v2.txt"))
    assert finished
    assert outcomes == {
        "tests.tests.BulkCreateTests.test": "ok",
        "tests.tests.BulkCreateTests.test_multiple": "ok",
        "tests.tests.OrderedModelAdminTest.test_move_bottom": "FAIL",
        "tests.tests.OrderedModelAdminTest.test_broken": "ERROR",
        "tests.tests.OtherTest.test_old_db": "skip",
        "tests.tests.OtherTest.test_known_bug": "xfail",
        # Printed text between " ... " and the outcome: the outcome on the next line counts.
        "tests.tests.OtherTest.test_chatty": "ok",
        # A docstring line between the test's name and " ... ".
        "tests.tests.OtherTest.test_docstring": "ok",
    }


def test_unittest_run_without_summary_is_not_finished(ecosystem):
    outcomes, finished = ecosystem.parse_unittest(recorded("unittest-crashed.txt"))
    assert outcomes == {"tests.tests.BulkCreateTests.test": "ok"}
    assert not finished


def test_pytest_verbose_output(ecosystem):
    outcomes, finished = ecosystem.parse_pytest(recorded("pytest-v.txt"))
    assert finished
    assert outcomes == {
        "tests/test_choices.py::ChoicesTests::test_composability": "ok",
        "tests/test_fields.py::test_param[a b-1]": "FAIL",
        # PASSED in the call, then an error in teardown: the error wins.
        "tests/test_fields.py::TrackerTests::test_teardown": "ERROR",
        "tests/test_models.py::test_sqlite_only": "skip",
        "tests/test_models.py::test_known": "xfail",
        "tests/test_models.py::test_setup": "ERROR",
    }
    counts = ecosystem.count(outcomes)
    assert (counts["ok"], counts["FAIL"], counts["ERROR"], counts["skip"]) == (1, 1, 2, 1)


def test_pytest_killed_by_timeout_keeps_what_ran(ecosystem):
    outcomes, finished = ecosystem.parse_pytest(recorded("pytest-timeout.txt"))
    assert len(outcomes) == 2 and set(outcomes.values()) == {"ok"}
    assert not finished


def test_differences_and_their_causes(ecosystem):
    native = {"outcomes": {"a.t1": "ok", "a.t2": "FAIL", "a.t3": "ok", "a.t4": "skip"}}
    prisma = {"outcomes": {"a.t1": "ok", "a.t2": "FAIL", "a.t3": "ERROR"}}
    assert ecosystem.differences(native, prisma) == [
        ("a.t3", "ok", "ERROR"),
        ("a.t4", "skip", "not run"),
    ]
    assert ecosystem.failing_on_both(native, prisma) == ["a.t2"]
    app = ecosystem.App("x", "1", (), "pytest", (), "", causes=((r"\.t3$", "a known cause"),))
    assert ecosystem.cause_of(app, "a.t3") == "a known cause"
    assert ecosystem.cause_of(app, "a.t4") is None


def test_every_app_is_pinned_and_runnable_by_a_known_runner(ecosystem):
    assert len(ecosystem.APPS) >= 8
    for name, app in ecosystem.APPS.items():
        assert app.runner in ecosystem.PARSERS, name
        assert app.version and all("==" in r for r in app.requires), name
