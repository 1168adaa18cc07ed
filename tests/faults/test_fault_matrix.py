"""Every write of the ingest, queue, wave and claim paths, failed one at a time: throttled,
refused by its condition, or followed by the Lambda dying. The writes are those a clean run of
the path makes (recorded first, so a new write gets its rows without editing this file). After
the fault, the real caller's retry and the system's own recovery: no lead is lost and none has
two owners."""

from __future__ import annotations

from typing import Any

import pytest

from tests.faults.conftest import MATRIX
from tests.faults.harness import matrix_row
from tests.faults.inject import FAULTS, Fault, Write
from tests.faults.paths import PATHS, Path

pytestmark = pytest.mark.stack
CLEAN: dict[str, list[Write]] = {}


def run(make_world: Any, path: Path, fault: Fault | None) -> tuple[dict[str, Any], list[Write]]:
    w = make_world()
    ctx = path.setup(w)
    with w.injector.recording(fault) as writes:
        first = path.act(w, ctx)
    again = path.retry(w, ctx, first)
    w.finish(**path.finish)
    notes = ["fault did not fire"] if fault is not None and not fault.fired else []
    row = matrix_row(w, path.name, fault.kind if fault else "none", fault.label if fault else "-", first, again,
                     handed_over=path.handed_over, notes=notes)
    return row, list(writes)


def clean_writes(make_world: Any, path: Path) -> list[Write]:
    if path.name not in CLEAN:
        row, writes = run(make_world, path, None)
        assert not row["bad"], row
        MATRIX.append(row)
        seen: dict[tuple[str, int], Write] = {}
        for wr in writes:
            seen.setdefault((wr.signature, wr.occurrence), wr)
        CLEAN[path.name] = list(seen.values())
    return CLEAN[path.name]


@pytest.mark.parametrize("name, kind", [(name, kind) for name, path in PATHS.items() for kind in FAULTS
                                         if kind in path.faults])
def test_no_lead_lost_and_one_owner_after_each_write_fails(worlds, name, kind):
    path = PATHS[name]
    writes = clean_writes(worlds, path)
    assert writes, f"{name} made no write on a clean run"
    faults = [fault for wr in writes for fault in wr.faults(kind)]
    if not faults:
        pytest.skip(f"no write of {name} can take {kind}")
    rows = []
    for fault in faults:
        row, _ = run(worlds, path, fault)
        rows.append(row)
        MATRIX.append(row)
    bad = [r for r in rows if r["bad"]]
    assert not bad, "\n".join(f"{r['at write']}: {r['first answer']} / {r['retry']} -> {r['ends']}: {r['notes']}"
                              for r in bad)
