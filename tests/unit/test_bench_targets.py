"""Issue 8's targets table, the ratios it reads, the cold-start parsing and the command line
(infra/bench/targets.py, report.py, scale.py, pages.py, coldstart.py, __main__.py)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from infra.bench import pages, scale
from infra.bench.__main__ import _args, _sections
from infra.bench.coldstart import FLOORS, PROBE, is_library, parse_cumulative_us, probe_source
from infra.bench.pricing import PRICES
from infra.bench.report import render, targets_table
from infra.bench.targets import FAIL, NOT_RUN, PASS, at_most, counts, dollars, evaluate


def test_at_most_is_inclusive_and_not_run_without_a_value():
    assert at_most(1, "x", 2.0, 2).status == PASS
    assert at_most(1, "x", 2.001, 2).status == FAIL
    assert at_most(2, "503s", 0, 0).status == PASS
    row = at_most(1, "x", None, 2, unit="x")
    assert (row.status, row.measured, row.target) == (NOT_RUN, "-", "<= 2x")
    assert dollars(6, "lead", 0.0149, 0.15).measured == "$0.0149"


def _kind(rru: float, total: float = 0.005, lead_wru: float = 2, transitions: float = 0, **extra):
    costs = {f"{c}_usd_per_1000": 0.001 for c in ("dynamodb", "lambda", "api_gateway", "sqs", "step_functions")}
    costs["total_usd_per_1000"] = total
    return {"read_units_per_lead": rru, "lead_item_write_units_in_ingest": lead_wru,
            "costs_per_1000_leads": costs, "transitions": {"aws_per_lead": transitions}, **extra}


def _scale(small_rru: float, large_rru: float) -> dict:
    def size(rru: float, item_bytes: int, calls: int) -> dict:
        return {"none": _kind(1), "round_robin": _kind(rru), "direct": _kind(rru),
                "waves": _kind(rru, total=0.14, transitions=5),
                "distribute_all": _kind(rru, winning_claim={"dynamodb_calls_max": calls},
                                        item_bytes={"max": item_bytes})}
    sizes = {"10": size(small_rru, 1500, 3), "1000": size(large_rru, 3900, 3)}
    return {"sizes": sizes, "smallest": "10", "largest": "1000",
            "read_ratio_largest_over_smallest": scale.ratios(sizes)}


def _results(large_rru: float = 3.0) -> dict:
    return {
        "prices_usd": PRICES,
        "scale": _scale(2.0, large_rru),
        "contention": {"leads": 2000, "failed_conditional_writes_per_lead": 0.1, "refused_503": 0,
                       "ingest_handler_ms_machine_dependent": {"p50": 40.0, "p99": 100.0}},
        "race": {"winning_claim": {"dynamodb_calls_max": 3},
                 "handler_ms_machine_dependent": {"claim_p99_over_get_me_p99": 1.5, "claim": {"p99": 60.0},
                                                  "get_me_same_burst": {"p99": 40.0}}},
        "pages": {"smallest": "100", "largest": "10000", "sizes": {},
                  "ratio_largest_over_smallest": {"exceptions": 1.0, "fresh": 1.2, "sweep": 1.0}},
        "coldstart": {"baseline": {"median_ms": 250.0},
                      "handlers": [{"module": "IngestFunction (functions/ingest/app.py)", "median_ms": 300.0,
                                    "ratio_to_boto3": 1.2, "error": None}]},
    }


def test_every_item_passes_when_every_figure_is_within_its_target():
    rows = evaluate(_results())
    assert {r.item for r in rows} == set(range(1, 9))
    assert [r for r in rows if r.status != PASS] == []
    assert counts(rows) == {PASS: len(rows), FAIL: 0, NOT_RUN: 0}


def test_reads_growing_with_the_org_fail_item_one():
    rows = [r for r in evaluate(_results(large_rru=60.0)) if r.item == 1]
    assert {r.status for r in rows} == {FAIL}
    assert rows[0].measured == "30x (2 -> 60 RRU)" and rows[0].target == "<= 2x"
    assert rows[0].figure == "reads per round_robin lead, 1,000 / 10 agents"


def test_each_figure_fails_on_its_own():
    r = _results()
    r["contention"]["refused_503"] = 1
    r["race"]["winning_claim"]["dynamodb_calls_max"] = 7
    r["scale"]["sizes"]["1000"]["distribute_all"]["item_bytes"]["max"] = 20_000
    r["scale"]["sizes"]["10"]["waves"]["transitions"]["aws_per_lead"] = 8
    r["scale"]["sizes"]["1000"]["round_robin"]["lead_item_write_units_in_ingest"] = 6
    r["coldstart"]["handlers"][0]["ratio_to_boto3"] = 3.1
    failed = {(row.item, row.figure) for row in evaluate(r) if row.status == FAIL}
    assert (2, "503 answers in 2,000 leads") in failed
    assert (3, "DynamoDB calls of a winning claim, most at any org size") in failed
    assert (4, "Distribute All prospect item offered to 1,000 agents") in failed
    assert (6, "state transitions, two-wave lead to the fresh bucket") in failed
    assert (6, "round_robin: write units of the prospect item in the ingest") in failed
    assert (7, "import IngestFunction (functions/ingest/app.py)") in failed
    assert len(failed) == 6


def test_sections_not_run_are_reported_as_such_and_wrong_prices_fail():
    rows = evaluate({"prices_usd": {**PRICES, "dynamodb_per_million_wru": 1.25}})
    assert [r.status for r in rows if r.item == 8] == [FAIL, NOT_RUN]
    assert {r.status for r in rows if r.item != 8} == {NOT_RUN}


def test_a_list_page_that_does_not_answer_fails_even_with_flat_reads():
    r = _results()
    r["pages"]["sizes"] = {"10000": {"fresh": {"statuses": [502]}}, "100": {"fresh": {"statuses": [200]}}}
    row = next(row for row in evaluate(r) if row.figure.startswith("reads per GET /v1/fresh"))
    assert row.status == FAIL and row.measured.endswith("answered 502")


def test_a_handler_that_does_not_import_fails():
    r = _results()
    r["coldstart"]["handlers"][0].update(ratio_to_boto3=None, median_ms=None, error="ImportError: x")
    row = next(row for row in evaluate(r) if row.item == 7)
    assert row.status == FAIL and "import failed" in row.measured


def test_the_targets_table_prints_every_row_with_target_and_result():
    rows = evaluate(_results(large_rru=60.0))
    text = "\n".join(targets_table(rows))
    assert text.startswith(f"Targets (issue 8): {len(rows) - 4} PASS, 4 FAIL, 0 NOT RUN")
    for row in rows:
        line = next(line for line in text.splitlines() if row.figure in line)
        assert row.target in line and line.rstrip().endswith(row.status)


def test_ratios_are_largest_over_smallest():
    by_size = {"100": {"round_robin": {"read_units_per_lead": 2.5}}, "10": {"round_robin": {"read_units_per_lead": 2}},
               "1000": {"round_robin": {"read_units_per_lead": 5}}}
    assert scale.ratios(by_size)["round_robin"] == 2.5
    assert scale.ratios({"10": {}}) == {}
    lists = {"100": {"exceptions": {"read_units_per_request": 4}, "fresh": {"read_units_per_request": 0},
                     "sweep": {"read_units_leads_table": 1}},
             "10000": {"exceptions": {"read_units_per_request": 6}, "fresh": {"read_units_per_request": 3},
                       "sweep": {"read_units_leads_table": 1}}}
    assert pages.ratios(lists) == {"exceptions": 1.5, "fresh": None, "sweep": 1.0}


IMPORTTIME = """import time: self [us] | cumulative | imported package
import time:       310 |        310 |   _json
import time:       525 |      36869 |     app
import time:      5261 |     246978 | boto3
import time:       335 |      35016 |   boto3.session
import time:      2000 |     123456 | app
"""


def test_cold_start_reads_the_top_level_cumulative_time():
    assert parse_cumulative_us(IMPORTTIME, "boto3") == 246978
    assert parse_cumulative_us(IMPORTTIME, "app") == 123456  # not the nested "app"
    assert parse_cumulative_us(IMPORTTIME, "missing") is None


def test_the_libraries_alone_probe_leaves_out_leadwave_and_the_functions_own_modules(tmp_path):
    code, layer = tmp_path / "functions" / "claim", tmp_path / "shared" / "leadwave"
    own = (code, layer)
    assert is_library("pydantic.main", "/venv/site-packages/pydantic/main.py", own)
    assert is_library("_json", None, own)  # built into the interpreter
    assert not is_library("leadwave.models", str(layer / "models.py"), own)
    assert not is_library("admin", str(code / "admin.py"), own)
    assert not is_library("__main__", None, own) and not is_library(PROBE, None, own)
    (tmp_path / f"{PROBE}.py").write_text(probe_source(["json", "no_such_module_xyz", "email.utils"]))
    # a name that cannot be imported is passed over; the collector is on again afterwards
    check = f"import gc, sys, {PROBE}; assert 'email.utils' in sys.modules and gc.isenabled()"
    assert subprocess.run([sys.executable, "-c", check], cwd=tmp_path, check=False).returncode == 0


def test_the_cold_start_section_shows_each_handler_beside_its_libraries_and_the_designs_floors():
    handler = {"module": "ClaimFunction (functions/claim/app.py)", "median_ms": 300.0, "ratio_to_boto3": 1.5,
               "libraries_median_ms": 260.0, "libraries_ratio_to_boto3": 1.3, "leadwave_ms": 40.0,
               "runs_ms": [300.0], "error": None}
    coldstart = {"title": "Cold start", "python": "3.11.7", "baseline": {"median_ms": 200.0, "runs_ms": [200.0]},
                 "handlers": [handler], "floors": [{"module": "API handler", "median_ms": 250.0,
                                                    "ratio_to_boto3": 1.25, "runs_ms": [250.0], "error": None}]}
    text = render({"command": "python -m infra.bench --only coldstart", "coldstart": coldstart,
                   "sections": ["coldstart"], "targets": []})
    line = next(row for row in text.splitlines() if "ClaimFunction" in row)
    assert line.split()[2:8] == ["300.0", "1.5", "260.0", "1.3", "40.0", "300.0"]  # the last: its runs
    assert "API handler: median 250.0 ms, 1.25x boto3" in text


def test_the_floors_import_what_their_kind_must_and_one_leaves_out_only_pydantic():
    api, queue, bare = FLOORS["API handler"], FLOORS["queue handler"], FLOORS["API handler without pydantic"]
    for source in (api, queue, bare):
        compile(source, "floor", "exec")
        assert source.index("gc.disable()") < source.index("import boto3") < source.index("gc.freeze()")
    assert "APIGatewayRestResolver" in api and "BatchProcessor" in queue and "BatchProcessor" not in api
    assert "pydantic" in api and "pydantic" in queue
    assert [line for line in api.splitlines() if line not in bare.splitlines()] == ["from pydantic import BaseModel"]
    assert set(bare.splitlines()) <= set(api.splitlines())

def test_sections_and_quick_defaults():
    assert _sections("scale") == ("scale",)
    assert _sections("fresh") == ("waves", "fresh")  # the fresh claims take the waves leads
    assert _sections("flows,coldstart") == ("coldstart", "ingest", "race", "waves", "fresh")
    with pytest.raises(argparse.ArgumentTypeError):
        _sections("nope")
    full, quick = _args([]), _args(["--quick", "--only", "pages"])
    assert (full.rr_leads, full.page_sizes, full.sizes, full.coldstart_runs) == (2000, (100, 10_000),
                                                                                   (10, 100, 1000), 7)
    assert (quick.rr_leads, quick.page_sizes, quick.only) == (400, (100, 1000), ("pages",))
    assert _args(["--rr-leads", "50", "--sizes", "1000,10"]).sizes == (10, 1000)
