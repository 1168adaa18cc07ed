"""The push section of the benchmark (issue 12): its prices, its targets (item 11), its report
section and its command line (infra/bench/pricing.py, targets.py, report_push.py, push.py,
__main__.py). The browsers themselves run only in ``make bench ARGS="--only push"``."""

from __future__ import annotations

import copy

import pytest

from infra.bench import push
from infra.bench.__main__ import DEFAULT, ON_REQUEST, _args
from infra.bench.pricing import PRICES, agent_day_cost, ws_message_units
from infra.bench.report import render
from infra.bench.targets import FAIL, NOT_RUN, PASS, PUSH, evaluate


def _summary(p50: float, p95: float, n: int = 20) -> dict:
    return {"n": n, "p50": p50, "p95": p95, "max": p95}


def _cpu() -> dict:
    return {"wall_s": 60.0, "cpus": 2, "cpu_s": {"this process (stack + bench)": 10.0, "Chromium (the 12 pages)": 40.0,
                                                 "whole machine (busy)": 60.0, "others on the machine": 10.0}}


def _idle(rest: int, messages: int, per_hour: float, **extra: object) -> dict:
    return {"pages": 12, "window_s": 60.0, "rest_requests": rest, "ws_messages": messages, "ws_billed_units": messages,
            "requests_by_path": {}, "frames_by_type": {}, "rest_per_agent_hour": rest * 5.0,
            "ws_units_per_agent_hour": messages * 5.0, "sockets_opened": 12, "requests_per_agent_hour": per_hour,
            **extra}


def _push(shown_p50: float = 0.4, shown_p95: float = 0.8, gone_p95: float = 0.7, live_per_hour: float = 14.2) -> dict:
    sched = push._scheduled_per_hour({"PING_AFTER_MS": 300.0, "RENEW_AFTER_MS": 6600.0}, notices_on_open=True)
    live = _idle(0, 0, live_per_hour, still_live_at_end=12, scheduled_per_agent_hour=sched)
    fallback = _idle(96, 0, 480.0)
    latency = {
        "agents": 12, "leads": 20, "post_to_every_page_s": _summary(shown_p50, shown_p95),
        "post_to_each_page_s": _summary(0.3, 0.7, 240), "click_to_gone_everywhere_s": _summary(0.5, gone_p95),
        "click_to_gone_each_page_s": _summary(0.4, 0.6, 220), "playwright_click_to_click_event_s": _summary(0.05, 0.09),
        "offer_stages_median_s": {"open_wave task started (moto)": 0.2, "every page shows it": 0.4},
        "end_stages_median_s": {"claim handler started": 0.03, "every other page has dropped it": 0.5},
        "claims_clicked": 20, "other_requests_by_pages": {"GET /v1/me": 20},
        "frames": {"by_type_per_agent_per_lead": {"in:offer": 1.0, "in:offer_end": 1.0},
                   "messages_per_agent_per_lead": 2.0, "billed_units_per_agent_per_lead": 2.0,
                   "largest_frame_bytes": 439},
        "sockets_per_page": 1, "cpu_during_leads": _cpu(), "load_average_1min": {"before": 1.5, "after": 3.0}}
    idle = {"window_s": 60.0, "spa_clock_s": {}, "push": live, "fallback": fallback, "cpu": _cpu()}
    return {"title": "Push to agents' apps (issue 12)", "org": "push", "polling_today_per_agent_hour": 2640.0,
            "latency": latency, "idle": idle, "cost_per_agent_day_usd": push._costs(idle, latency)}


def _rows(result: dict) -> list:
    return [r for r in evaluate({"prices_usd": PRICES, "sections": ["push"], "push": result}) if r.item == PUSH]


def test_websocket_messages_are_billed_in_32_kb_units():
    assert ws_message_units([0, 439, 32 * 1024, 32 * 1024 + 1]) == 1 + 1 + 1 + 2
    assert PRICES["api_gateway_websocket_per_million_messages"] == 1.00
    assert PRICES["api_gateway_websocket_per_million_connection_minutes"] == 0.25


def test_an_agent_day_of_polling_and_of_a_live_socket():
    # 2,640 REST requests an hour for 8 hours at $3.50 per million
    assert agent_day_cost(rest_per_hour=2640)["total"] == pytest.approx(0.07392)
    live = agent_day_cost(messages_per_hour=12, connected=True)
    assert live["connection_minutes"] == pytest.approx(480 * 0.25 / 1e6)
    assert live["ws_messages"] == pytest.approx(96 / 1e6)
    assert live["rest"] == 0


def test_the_live_apps_slow_clock_is_added_per_hour():
    sched = push._scheduled_per_hour({"PING_AFTER_MS": 300.0, "RENEW_AFTER_MS": 6600.0}, notices_on_open=True)
    assert sched["pings"] == 12
    assert sched["renewal_messages"] == pytest.approx(3 * 3600 / 6600, abs=1e-3)
    assert sched["renewal_rest"] == pytest.approx(3600 / 6600, abs=1e-3)


def test_push_targets_pass_within_their_limits_and_fail_beyond():
    assert {r.status for r in _rows(_push())} == {PASS}
    failed = {r.figure for r in _rows(_push(shown_p50=0.6, shown_p95=1.2, gone_p95=1.1, live_per_hour=200))
              if r.status == FAIL}
    assert len(failed) == 4
    assert "POST -> offer on all 12 pages, p50 (MACHINE-DEPENDENT)" in failed
    assert any(f.startswith("idle requests per agent-hour") for f in failed)


def test_push_rows_only_when_the_section_was_asked_for():
    assert not [r for r in evaluate({"prices_usd": PRICES}) if r.item == PUSH]
    rows = [r for r in evaluate({"prices_usd": PRICES, "sections": ["push"]}) if r.item == PUSH]
    assert rows and {r.status for r in rows} == {NOT_RUN}


def test_the_report_prints_the_push_section_and_its_targets():
    result = _push()
    text = render({"command": "python -m infra.bench --only push", "push": result, "sections": ["push"],
                   "targets": [r.as_dict() for r in _rows(copy.deepcopy(result))]})
    assert "Push to agents' apps (issue 12)" in text
    assert "polling before issue 12 (offers 1.5 s, notices 15 s)" in text
    assert "# 11: issue 12, push" in text
    assert "0.5%" in text  # 14.2 of 2,640


def test_push_runs_only_when_named_with_its_quick_defaults():
    assert "push" in ON_REQUEST and "push" not in DEFAULT
    full, quick = _args(["--only", "push"]), _args(["--only", "push", "--quick"])
    assert full.only == ("push",)
    assert (full.push_leads, full.idle_seconds) == (push.LEADS, push.IDLE_SECONDS)
    assert (quick.push_leads, quick.idle_seconds) == (push.QUICK_LEADS, push.QUICK_IDLE_SECONDS)
