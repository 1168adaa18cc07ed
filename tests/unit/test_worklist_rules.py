"""The work queue's pure rules (seed 003): positions, what each outcome does, who works which
list in what order, lock times, retries, even splits, the lead's time zone."""

from __future__ import annotations

from leadwave.models import Agent, Group, GroupCondition, Role, WorkList
from leadwave.rules import worklists as r

NOW = "2026-12-01T15:00:00.000Z"


def _agent(agent_id: str = "a1", **kw: object) -> Agent:
    return Agent.model_validate({"org_id": "o", "agent_id": agent_id, "email": f"{agent_id}@x.test", **kw})


def _list(list_id: str, **kw: object) -> WorkList:
    return WorkList.model_validate({"org_id": "o", "list_id": list_id, "name": list_id, **kw})


def test_due_callbacks_sort_before_the_fill_order_and_sent_to_the_end_after_it():
    due = r.due_position("2026-12-01T14:00:00.000Z", "p1")
    filled = [r.filled_position(n, "p2") for n in (0, 7, 123)]
    end = r.end_position("2026-11-01T00:00:00.000Z", "p3")
    assert sorted([end, *reversed(filled), due]) == [due, *filled, end]
    assert due <= r.due_until(NOW) and r.due_position("2026-12-01T15:00:01.000Z", "p") > r.due_until(NOW)


def test_each_outcome_sends_the_lead_to_the_end_or_out_of_every_queue():
    assert {o: r.queue_effect("outcome", outcome=o) for o in r.OUTCOMES} == {
        "no_answer": "end", "busy": "end", "left_voicemail": "end", "contacted": "end",
        "wrong_number": "finish", "not_interested": "finish", "do_not_call": "finish"}
    assert r.queue_effect("callback", timed=True) == "claim"
    assert r.queue_effect("callback", timed=True, auto_claim=False) == "due"
    assert r.queue_effect("callback", timed=False) == "end"
    assert [r.queue_effect(a) for a in ("claim", "remove", "release", "note")] == ["claim", "remove", "keep", "keep"]


def test_an_agent_works_lists_named_for_them_or_their_groups_by_priority():
    groups = {"g": Group(org_id="o", group_id="g", name="G", conditions=[GroupCondition(attribute="team",
                                                                                         values=["West"])])}
    west = _agent(attributes={"team": "west"})
    lists = [_list("b", priority=2, agent_ids=["a1"]), _list("a", priority=5, group_ids=["g"]),
             _list("c", priority=1, agent_ids=["zz"]), _list("d", priority=1, group_ids=["missing"])]
    assert [wl.list_id for wl in r.lists_for(west, lists, groups)] == ["b", "a"]
    assert [wl.list_id for wl in r.lists_for(_agent(), lists, groups)] == ["b"]
    assert r.lists_for(_agent(active=False), lists, groups) == []
    assert r.lists_for(_agent(roles=[Role.SUPERVISOR]), lists, groups) == []


def test_a_lock_holds_until_its_end_and_only_for_its_agent():
    assert r.held_by("a1", "2026-12-01T15:00:00.001Z", "a1", NOW)
    assert not r.held_by("a1", NOW, "a1", NOW)  # ends at its time
    assert not r.held_by("a2", "2026-12-01T16:00:00.000Z", "a1", NOW)
    assert not r.lock_holds(None, "2026-12-01T16:00:00.000Z", NOW)


def test_view_only_is_for_supervisors_managers_and_admins():
    assert not r.may_view_only(_agent())
    assert all(r.may_view_only(_agent(roles=[role])) for role in (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN))


def test_a_retry_is_the_same_agent_action_and_body():
    key = r.action_key("a1", "outcome", {"outcome": "busy", "note": "x"})
    assert key == r.action_key("a1", "outcome", {"note": "x", "outcome": "busy"})
    assert key != r.action_key("a2", "outcome", {"outcome": "busy", "note": "x"})
    assert key != r.action_key("a1", "outcome", {"outcome": "no_answer", "note": "x"})


def test_a_split_deals_leads_in_turn_counts_differing_by_one_at_most():
    shares = r.split_evenly([f"p{i}" for i in range(7)], ["x", "y", "z"])
    assert shares == {"x": ["p0", "p3", "p6"], "y": ["p1", "p4"], "z": ["p2", "p5"]}


def test_the_leads_time_zone_comes_from_its_state_else_its_phone():
    assert r.lead_time_zone("ca") == "America/Los_Angeles"
    assert r.lead_time_zone(None, "+12125550100") == "America/New_York"
    assert r.lead_time_zone(None, "") is None
