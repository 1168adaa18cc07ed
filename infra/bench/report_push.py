"""The report's section for push to agents' apps (issue 12): how fast an offer reaches every
agent's page and leaves it, where that time goes, and what an idle app costs against polling."""

from __future__ import annotations

from typing import Any

from infra.bench.report_flows import Section
from infra.bench.tables import num, table, usd

LATENCY_COLUMNS = ["measure (MACHINE-DEPENDENT)", "n", "p50 s", "p95 s", "max s"]
IDLE_COLUMNS = ["app, idle", "pages", "REST req.", "WS msgs", "REST / agent-h", "WS msgs / agent-h",
                "scheduled / agent-h", "requests / agent-h", "of polling", "$ / agent-day"]


def _latency_rows(lat: dict[str, Any], n: int) -> list[list[Any]]:
    def row(label: str, s: dict[str, Any]) -> list[Any]:
        return [label, s["n"], s["p50"], s["p95"], s["max"]]

    return [row(f"POST -> the offer on every page (the last of {n}), per lead", lat["post_to_every_page_s"]),
            row("POST -> the offer on a page, each page", lat["post_to_each_page_s"]),
            row(f"click -> the offer gone from every other page (the last of {n - 1}), per lead",
                lat["click_to_gone_everywhere_s"]),
            row("click -> the offer gone from a page, each other page", lat["click_to_gone_each_page_s"]),
            row("Playwright's click() -> the page's click event (not counted above)",
                lat["playwright_click_to_click_event_s"])]


def _stages(stages: dict[str, Any]) -> str:
    return "; ".join(f"{name} {'-' if s is None else num(s)}" for name, s in stages.items())


def _cpu(c: dict[str, Any]) -> str:
    parts = ", ".join(f"{k} {num(v)}" for k, v in c["cpu_s"].items() if k != "whole machine (busy)")
    return (f"{num(c['cpu_s'].get('whole machine (busy)', 0))} CPU-s busy on the machine in {num(c['wall_s'])} s "
            f"wall ({c['cpus']} CPUs): {parts}")


def _idle_rows(p: dict[str, Any]) -> list[list[Any]]:
    idle, costs, polling = p["idle"], p["cost_per_agent_day_usd"], p["polling_today_per_agent_hour"]
    live, poll = idle["push"], idle["fallback"]
    sched = live["scheduled_per_agent_hour"]
    scheduled = sched["pings"] + sched["renewal_messages"] + sched["renewal_rest"]

    def share(x: float) -> str:
        return f"{x / polling:.1%}"

    return [
        ["polling before issue 12 (offers 1.5 s, notices 15 s)", "-", "-", "-", polling, 0, "-", polling,
         share(polling), usd(costs["polling_today"]["total"])],
        ["fallback: no socket, polls every 15 s", poll["pages"], poll["rest_requests"], poll["ws_messages"],
         poll["rest_per_agent_hour"], poll["ws_units_per_agent_hour"], "-", poll["requests_per_agent_hour"],
         share(poll["requests_per_agent_hour"]), usd(costs["fallback_polling"]["total"])],
        ["push: the live socket (the app as shipped)", live["pages"], live["rest_requests"], live["ws_messages"],
         live["rest_per_agent_hour"], live["ws_units_per_agent_hour"], round(scheduled, 3),
         live["requests_per_agent_hour"], share(live["requests_per_agent_hour"]), usd(costs["push_idle"]["total"])],
    ]


def push(r: dict[str, Any]) -> Section:
    p = r["push"]
    lat, idle, costs = p["latency"], p["idle"], p["cost_per_agent_day_usd"]
    n = lat["agents"]
    sched = idle["push"]["scheduled_per_agent_hour"]
    frames = lat["frames"]
    day = costs["push_idle"]
    by_type = ", ".join(f"{k} {num(v)}" for k, v in frames["by_type_per_agent_per_lead"].items())
    other = ", ".join(f"{k} {v}" for k, v in lat["other_requests_by_pages"].items()) or "none"
    load = (f"load average {lat['load_average_1min']['before']} before the leads, "
            f"{lat['load_average_1min']['after']} after")
    return (f"{p['title']}: org '{p['org']}', {n} agents, a Distribute All campaign, {lat['leads']} leads one at a "
            "time, each claimed by the next agent's click", [
        f"   polling off in these pages (window.__LEADWAVE_NO_POLL__): what appears came by push; they prefer reduced "
        "motion (the SPA's CSS transitions off). Wall clock on this "
        f"machine: time.time() in Python at the POST, the page's performance.timeOrigin + now() at its click event "
        f"and when its MutationObserver saw the card come or go ({load}; 1-minute)",
        table(LATENCY_COLUMNS, _latency_rows(lat, n), left=(0,)),
        f"   where the time goes, median s after the POST: {_stages(lat['offer_stages_median_s'])}",
        f"   where the time goes, median s after the click: {_stages(lat['end_stages_median_s'])}",
        f"   CPU during the leads: {_cpu(lat['cpu_during_leads'])}",
        f"   messages per agent per lead (in = to the page): {by_type}; "
        f"{num(frames['billed_units_per_agent_per_lead'])} billed units (largest frame "
        f"{frames['largest_frame_bytes']} bytes), "
        f"{usd(costs['push_per_agent_per_lead_offered'])} per agent per lead; the pages' REST requests besides the "
        f"{lat['claims_clicked']} claims: {other}",
        "",
        f"   idle on the offers console for {num(idle['window_s'])} s, {idle['push']['pages']} live pages and "
        f"{idle['fallback']['pages']} in fallback mode (config.json without wsUrl) side by side; per agent-hour; "
        f"$ per agent-day = 8 h at API Gateway list prices (REST, WebSocket messages, connection minutes; not the "
        "Lambda and DynamoDB work behind them)",
        table(IDLE_COLUMNS, _idle_rows(p), left=(0,)),
        f"   scheduled (the live app's clock, longer than the window; web/src/live.ts): {num(sched['pings'])} pings "
        f"(one per 5 idle minutes), {num(sched['renewal_messages'])} messages and {num(sched['renewal_rest'])} REST "
        "reads for a new socket every 110 minutes (its connect, counted as a message, its sync and the answer; "
        "the notifications read on every open)",
        f"   push, per agent-day: REST {usd(day['rest'])}, messages {usd(day['ws_messages'])}, connection minutes "
        f"{usd(day['connection_minutes'])} (480 minutes); still live at the end of the window: "
        f"{idle['push']['still_live_at_end']} of {idle['push']['pages']}",
        f"   CPU while idle: {_cpu(idle['cpu'])}"])
