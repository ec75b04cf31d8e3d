"""Crash safety: a run killed (SIGKILL) at each risky point, then rerun, sends nothing twice, loses nothing
and leaves every workbook whole. ``python -m tests.crash.matrix`` prints the same cases as a table."""

from __future__ import annotations

import pytest

from .harness import Case, Outcome, run_matrix
from .matrix import CASES, table

# one worker takes every case: the module's fixture runs the selected cases together, two at a time
pytestmark = pytest.mark.xdist_group("crash")


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[Case, Outcome]:
    # only the selected cases run, two at a time; the table is printed with -s
    # (other modules name their parameters "case" too: only this module's kill points are taken)
    selected = [item.callspec.params["case"] for item in request.session.items
                if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)]
    results = run_matrix(selected, tmp_path_factory.mktemp("arrets"))
    print("\n" + table(results))
    return {outcome.case: outcome for outcome in results}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_killed_run_then_reruns_end_as_an_uninterrupted_run(case: Case, outcomes: dict[Case, Outcome]) -> None:
    outcome = outcomes[case]
    assert outcome.killed, outcome.other
    assert outcome.duplicates == []
    assert outcome.lost == []
    assert outcome.damaged == []
    assert outcome.other == []
