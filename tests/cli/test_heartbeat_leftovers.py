"""The state file of ``serve``: a copy left by a killed ``serve`` is removed by the next write."""

from __future__ import annotations

from pathlib import Path

from automations.cli import heartbeat

from ..registers.test_temp_leftovers import killed_at_swap


def test_a_killed_serve_leaves_no_copy_beside_the_journal(tmp_path: Path) -> None:
    state = tmp_path / "serve-etat.json"
    beat = "Heartbeat(pid=1, started_at='2026-11-23T07:30:00+11:00', updated_at='2026-11-23T07:30:00+11:00')"
    killed_at_swap(f"from pathlib import Path\nfrom automations.cli.heartbeat import Heartbeat, write\n"
                   f"write(Path({str(state)!r}), {beat})")
    assert len(list(tmp_path.iterdir())) == 1 and not state.exists()  # the killed serve's copy only

    heartbeat.write(state, heartbeat.Heartbeat(pid=2, started_at="2026-11-23T07:31:00+11:00",
                                               updated_at="2026-11-23T07:31:00+11:00"))
    assert [p.name for p in tmp_path.iterdir()] == ["serve-etat.json"]
    assert heartbeat.read(state).pid == 2  # type: ignore[union-attr]
