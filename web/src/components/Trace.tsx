// Why a lead is where it is (issue 13): the decisions of its distribution (``GET /v1/leads/{id}/trace``), each
// a collapsible step (what happened, how many agents were read, and under each rule's wording the agents it
// excluded), between the history steps around them (received, claimed, transferred...), oldest first. The
// same view serves the lead page and Lead Exception's "Why is this here?"; re-running an exception's
// distribution (``POST /v1/exceptions/{id}/redistribute``) is said in words here too. A lead taken back at its
// follow-up deadline (issue 13) is a decision of its own ("taken_back": from whom, distributed again or sent to
// Lead Exception), and the decision that gave it again follows it.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post } from "../api";
import { distribution, personName, sourceText, whenSeconds } from "../format";
import { useLoad } from "../hooks";
import type { Tone } from "../notify";
import type { Agent, Colleague, LeadTrace, Redistributed, TraceDecision, TraceEvent, TraceGroup, TraceStep } from "../types";
import { LoadState } from "./Page";

export type Names = Record<string, string>;

/** Agents' names by id: the org's agents for managers, admins and supervisors (``GET /v1/agents``: inactive
 * users and managers too), the active colleagues for everyone (``GET /v1/me/colleagues``); ``known`` on top
 * (the lead's owner, the signed-in user). An id nobody names stays an id. */
export function useAgentNames(staff: boolean, known: Names = {}): Names {
  const [names, setNames] = useState<Names>({});
  useEffect(() => {
    let live = true;
    const asks: Promise<Names>[] = [
      get<{ items?: Colleague[] }>("/v1/me/colleagues").then((b) => Object.fromEntries((b.items ?? []).map((c) => [c.agent_id, c.name]))),
    ];
    if (staff)
      asks.push(get<{ items?: Agent[] } | Agent[]>("/v1/agents").then((b) => Object.fromEntries((Array.isArray(b) ? b : (b.items ?? [])).map((a) => [a.agent_id, personName(a)]))));
    void Promise.allSettled(asks).then((answers) => {
      if (!live) return;
      const found: Names = {};
      for (const a of answers) if (a.status === "fulfilled") Object.assign(found, a.value);
      setNames(found);
    });
    return () => {
      live = false;
    };
  }, [staff]);
  return { ...names, ...Object.fromEntries(Object.entries(known).filter(([, v]) => !!v)) };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Who an event's ``by`` is: "manager:boss" → Boss's name; a call center's key; the distribution itself (null). */
function actor(by: unknown, name: (id: string) => string): string | null {
  if (typeof by !== "string" || !by || by === "distribution" || by === "system") return null;
  if (by.startsWith("vendor:")) return "the call center integration";
  if (by === "default_agent") return "the org's default agent";
  if (by === "self") return "the agent";
  const i = by.indexOf(":");
  return name(i >= 0 ? by.slice(i + 1) : by);
}

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

/** The rule under which a take-back lists the agent who missed the deadline. */
const MISSED = "missed_follow_up";

/** Who did not work the lead in time (a take-back decision's one excluded agent). */
function missedBy(d: TraceDecision): string | null {
  return d.excluded?.[MISSED]?.agents[0] ?? null;
}

/** Where a decision sits: on arrival, a wave, the end of the waves, a manager's re-run (by whom), a take-back at the
 * follow-up deadline and the decision after it; and the campaign's type. */
function stepLabel(d: TraceDecision, rerunBy: string | null = null, afterTakeBack = false): string {
  const type = d.distribution_type ? distribution(d.distribution_type) : null;
  const where =
    d.step === "arrival"
      ? "On arrival"
      : d.step === "wave"
        ? `Wave ${d.wave ?? ""}`.trim()
        : d.step === "placed"
          ? "End of the waves"
          : d.step === "taken_back"
            ? "Follow-up deadline missed"
            : d.step === "rerun"
              ? afterTakeBack
                ? "After the take-back"
                : `Re-run${rerunBy ? ` by ${rerunBy}` : " by a manager"}`
              : d.step.replace(/_/g, " ");
  return type ? `${where} · ${type}` : where;
}

/** A decision in one sentence: "Wave 2 offered to 3 agents", "Round Robin: assigned to Dana Lee",
 * "Placed in Lead Exception: No available or eligible agents were found." */
export function decisionTitle(d: TraceDecision, name: (id: string) => string, afterTakeBack = false): string {
  const chosen = d.chosen ?? [];
  const wave = d.wave ? `Wave ${d.wave}` : "Wave";
  const reason = d.reason ? `: ${d.reason}` : ".";
  if (d.step === "taken_back") {
    const who = missedBy(d);
    const from = who ? `Taken back from ${name(who)}` : "Taken back";
    return d.outcome === "exception" ? `${from}: sent to Lead Exception` : `${from}: distributed again`;
  }
  switch (d.outcome) {
    case "offered":
      return d.distribution_type === "distribute_all" ? `${wave} offered to every eligible agent` : `${wave} offered to ${plural(chosen.length, "agent")}`;
    case "rang":
      return `${wave}: rang ${plural(chosen.length, "agent")}`;
    case "assigned": {
      const who = chosen.length ? name(chosen[0]) : "an agent";
      const by =
        d.step === "placed"
          ? "After the waves"
          : d.step === "rerun"
            ? `${afterTakeBack ? "Distributed again" : "Re-run"} (${distribution(d.distribution_type)})`
            : distribution(d.distribution_type);
      return `${by}: assigned to ${who}`;
    }
    case "exception":
      return `Placed in Lead Exception${reason}`;
    case "unassigned":
      return `Sent to the fresh bucket${reason}`;
    case "stored":
      return `Stored${reason}`;
    default:
      return d.outcome ? `${d.outcome}${reason}` : stepLabel(d);
  }
}

/** A decision's note; a take-back's names the agent who missed the deadline by name (the server writes the id). */
function noteText(d: TraceDecision, name: (id: string) => string): string {
  const who = d.step === "taken_back" ? missedBy(d) : null;
  return who && d.note ? d.note.split(who).join(name(who)) : (d.note ?? "");
}

/** "3 agents considered · 1 eligible · 2 excluded"; a take-back: who missed the deadline. */
function counts(d: TraceDecision): string {
  if (d.step === "taken_back") {
    const missed = d.excluded?.[MISSED]?.count ?? 0;
    return missed ? `${plural(missed, "agent")} missed the deadline` : "The deadline passed";
  }
  const considered = d.considered ?? 0;
  if (!considered) return "No agent was read";
  const excluded = Object.values(d.excluded ?? {}).reduce((n, g) => n + g.count, 0);
  const parts = [`${plural(considered, "agent")} considered`, `${d.eligible?.count ?? 0} eligible`];
  if (excluded) parts.push(`${excluded} excluded`);
  return parts.join(" · ");
}

const SHORT = 12;

/** Agents by name (an id when nobody names it), then "and N more" when the count passes those listed; a long
 * list shows its first dozen until "Show all". */
function AgentList({ group, name }: { group: TraceGroup; name: (id: string) => string }) {
  const [all, setAll] = useState(false);
  const listed = all ? group.agents : group.agents.slice(0, SHORT);
  const more = group.count - listed.length;
  return (
    <span class="trace-agents">
      {listed.map((id, i) => (
        <span key={id}>
          {i > 0 && ", "}
          <span class="trace-agent" data-agent-id={id} title={name(id) === id ? undefined : id}>
            {name(id)}
          </span>
        </span>
      ))}
      {more > 0 && <span class="trace-more">{listed.length ? `, and ${more} more` : plural(more, "agent")}</span>}
      {!all && group.agents.length > SHORT && (
        <>
          {" "}
          <button type="button" class="btn btn-link btn-small trace-all" onClick={() => setAll(true)}>
            Show all {group.agents.length} listed
          </button>
        </>
      )}
    </span>
  );
}

function Decision({ d, rules, name, open, rerunBy, afterTakeBack }: { d: TraceDecision; rules: Record<string, string>; name: (id: string) => string; open: boolean; rerunBy: string | null; afterTakeBack: boolean }) {
  const excluded = Object.entries(d.excluded ?? {});
  const chosen = d.chosen ?? [];
  const eligible = d.eligible ?? { count: 0, agents: [] };
  return (
    <li class={`trace-step trace-decision trace-outcome-${d.outcome ?? "none"}`} data-step={d.step} data-outcome={d.outcome ?? ""}>
      <details open={open}>
        <summary>
          <span class="trace-head">
            <span class="trace-title">{decisionTitle(d, name, afterTakeBack)}</span>
            <span class="trace-meta muted">
              {stepLabel(d, rerunBy, afterTakeBack)} · <time dateTime={d.at}>{whenSeconds(d.at)}</time>
            </span>
          </span>
          <span class="trace-counts">{counts(d)}</span>
        </summary>
        <div class="trace-body">
          {d.note && <p class="trace-note">{noteText(d, name)}</p>}
          <dl class="trace-groups">
            {chosen.length > 0 && (
              <div class="trace-group trace-chosen">
                <dt>{d.outcome === "assigned" ? "Given to" : d.outcome === "rang" ? "Rang" : "Offered to"}</dt>
                <dd>
                  <AgentList group={{ count: chosen.length, agents: chosen }} name={name} />
                </dd>
              </div>
            )}
            {eligible.count > 0 && (
              <div class="trace-group trace-eligible">
                <dt>
                  <span class="trace-count">{eligible.count}</span> Eligible
                </dt>
                <dd>
                  <AgentList group={eligible} name={name} />
                </dd>
              </div>
            )}
            {excluded.map(([code, g]) => (
              <div key={code} class="trace-group trace-excluded" data-rule={code}>
                <dt>
                  <span class="trace-count" aria-label={plural(g.count, "agent")}>{g.count}</span> {rules[code] ?? code}
                </dt>
                <dd>
                  <AgentList group={g} name={name} />
                </dd>
              </div>
            ))}
          </dl>
          {!eligible.count && !excluded.length && !chosen.length && <p class="muted trace-none">No agent was ready (available and active) to consider.</p>}
        </div>
      </details>
    </li>
  );
}

/** A history step in words (null: the decision beside it already says it). */
export function eventLine(e: TraceEvent, name: (id: string) => string): string {
  const agent = str(e.agent_id) ? name(str(e.agent_id) as string) : null;
  const by = actor(e.by, name);
  const reason = str(e.reason);
  const wave = typeof e.wave === "number" && e.wave ? ` (wave ${e.wave})` : "";
  const rerun = actor(e.rerun_by, name);
  switch (e.step) {
    case "received":
      return `Lead received${str(e.source) ? ` from ${sourceText(str(e.source))}` : ""}`;
    case "queued":
      return "Queued for distribution";
    case "stored":
      return `Stored${reason ? `: ${reason}` : ""}`;
    case "assigned":
      return `Assigned to ${agent ?? "an agent"}${by ? ` by ${by}` : ""}${rerun ? ` (re-run by ${rerun})` : ""}`;
    case "unassigned":
      return `Sent to the fresh bucket${reason ? `: ${reason}` : ""}`;
    case "exception":
      return `Placed in Lead Exception${reason ? `: ${reason}` : ""}`;
    case "claimed":
      return `Claimed by ${agent ?? "an agent"}${wave}${e.source === "fresh" ? " from the fresh bucket" : ""}`;
    case "declined":
      return `${agent ?? "An agent"} declined${wave}`;
    case "wave_declined":
      return `Every agent offered declined${wave}`;
    case "transfer": {
      const to = str(e.to) ? name(str(e.to) as string) : "another agent";
      const from = str(e.from_agent) ? ` from ${name(str(e.from_agent) as string)}` : "";
      return `Transferred${from} to ${to}${by ? ` by ${by}` : ""}${reason ? `: ${reason}` : ""}`;
    }
    case "reassign": {
      const to = str(e.to) ? name(str(e.to) as string) : "another agent";
      const from = str(e.from_agent) ? ` from ${name(str(e.from_agent) as string)}` : "";
      return `Reassigned${from} to ${to}${by ? ` by ${by}` : ""}`;
    }
    case "unclaim":
      return `Unclaimed${agent ? ` from ${agent}` : ""}${by ? ` by ${by}` : ""}`;
    case "ignored":
      return `Ignored on Lead Exception${by ? ` by ${by}` : ""}`;
    case "touch":
      return `The borrower came back (${sourceText(str(e.source))})`;
    case "redistributed":
      return `Distribution re-run${rerun ? ` by ${rerun}` : ""}: back in distribution`;
    case "taken_back": {
      const n = typeof e.takeback === "number" ? ` (take-back ${e.takeback})` : "";
      const to = e.to === "manager" ? "; sent to Lead Exception" : e.to === "distribution" ? "; distributed again" : "";
      return `Taken back${agent ? ` from ${agent}` : ""}: not worked within the follow-up deadline${n}${to}`;
    }
    default:
      return e.step.replace(/_/g, " ");
  }
}

const OUTCOME_EVENTS = new Set(["assigned", "exception", "unassigned", "stored"]);
const NEAR_MS = 10_000;

/** The decision that already says what this event says (the same outcome, the same agent, within a few seconds;
 * a re-run's event goes with a re-run's decision), the nearest in time; none: the event is shown on its own. */
function covered(e: TraceEvent, decisions: TraceDecision[]): TraceDecision | undefined {
  const at = Date.parse(e.at);
  const agent = str(e.agent_id);
  if (e.step === "taken_back") {
    // the take-back's decision names the same agent (and says more: its note, the rule)
    return decisions.find((d) => d.step === "taken_back" && Math.abs(Date.parse(d.at) - at) <= NEAR_MS && (!agent || missedBy(d) === agent));
  }
  if (!OUTCOME_EVENTS.has(e.step) || (e.step === "assigned" && str(e.by)?.startsWith("manager:"))) return undefined;
  const fits = decisions.filter(
    (d) =>
      d.outcome === e.step &&
      Math.abs(Date.parse(d.at) - at) <= NEAR_MS &&
      (d.step === "rerun") === !!e.rerun_by &&
      (e.step !== "assigned" || !agent || (d.chosen ?? []).includes(agent)),
  );
  return fits.sort((a, b) => Math.abs(Date.parse(a.at) - at) - Math.abs(Date.parse(b.at) - at))[0];
}

/** Where the lead is now, in one line. */
function nowLine(t: LeadTrace, name: (id: string) => string): string {
  switch (t.status) {
    case "assigned":
      return `Assigned to ${t.agent_id ? name(t.agent_id) : "an agent"}.`;
    case "exception":
      return `On Lead Exception: ${t.failure_reason ?? "no reason recorded."}`;
    case "offering":
      return "In distribution: being offered to agents.";
    case "unassigned":
      return `In the fresh bucket${t.failure_reason ? `: ${t.failure_reason}` : "."}`;
    case "stored":
      return `Stored${t.failure_reason ? `: ${t.failure_reason}` : "."}`;
    case "returned":
      return "Returned to its vendor: distribution is over for this lead.";
    default:
      return t.status;
  }
}

/** The trace as read: where the lead is now, then each step oldest first. ``openLatest`` opens the last decision. */
export function TraceView({ trace, names, openLatest = false }: { trace: LeadTrace; names: Names; openLatest?: boolean }) {
  const name = (id: string) => names[id] ?? id;
  const decisions = trace.steps.filter((s): s is TraceDecision => s.kind === "decision");
  const last = decisions[decisions.length - 1];
  const rerunOf = new Map<TraceDecision, string | null>();
  // the decision that gave the lead again right after its take-back (not a manager's re-run)
  const afterTakeBack = new Set(decisions.filter((d, i) => d.step === "rerun" && i > 0 && decisions[i - 1].step === "taken_back" && Math.abs(Date.parse(d.at) - Date.parse(decisions[i - 1].at)) <= NEAR_MS));
  const shown: TraceStep[] = [];
  for (const s of trace.steps) {
    if (s.kind === "decision") shown.push(s);
    else {
      const d = covered(s, decisions);
      if (d) {
        if (d.step === "rerun" && s.rerun_by) rerunOf.set(d, actor(s.rerun_by, name));
      } else shown.push(s);
    }
  }
  return (
    <div class="trace" data-status={trace.status}>
      <p class={`trace-now trace-now-${trace.status}`}>
        <strong>Now:</strong> {nowLine(trace, name)}
      </p>
      {!decisions.length && <p class="muted">No distribution decision is recorded for this lead{trace.steps.length ? "; its history follows." : "."}</p>}
      {shown.length > 0 && (
        <ol class="trace-steps" aria-label="Routing steps, oldest first">
          {shown.map((s, i) =>
            s.kind === "decision" ? (
              <Decision key={`d-${s.at}-${i}`} d={s} rules={trace.rules ?? {}} name={name} open={openLatest && s === last} rerunBy={rerunOf.get(s) ?? null} afterTakeBack={afterTakeBack.has(s)} />
            ) : (
              <li key={`e-${s.at}-${i}`} class="trace-step trace-event" data-step={s.step}>
                <span class="trace-title">{eventLine(s, name)}</span>
                <span class="trace-meta muted">
                  <time dateTime={s.at}>{whenSeconds(s.at)}</time>
                </span>
              </li>
            ),
          )}
        </ol>
      )}
    </div>
  );
}

/** Loads and shows a lead's trace; ``version`` reloads it (after a re-run). */
export function Trace({ prospectId, staff, known, openLatest, version = 0 }: { prospectId: string; staff: boolean; known?: Names; openLatest?: boolean; version?: number }) {
  const trace = useLoad(() => get<LeadTrace>(`/v1/leads/${encodeURIComponent(prospectId)}/trace`), [prospectId, version]);
  const names = useAgentNames(staff, known);
  return (
    <>
      {trace.error?.status === 404 && trace.error.code === "prospect_not_found" ? (
        <p class="banner banner-warn" role="alert">
          The routing of this lead is not yours to see, or the lead is gone.
        </p>
      ) : (
        <LoadState load={trace} missing="routing explanation" loading="Loading the routing…" />
      )}
      {trace.data && <TraceView trace={trace.data} names={names} openLatest={openLatest} />}
    </>
  );
}

/** Runs a lead exception's distribution again. */
export function redistribute(prospectId: string): Promise<Redistributed> {
  return post<Redistributed>(`/v1/exceptions/${encodeURIComponent(prospectId)}/redistribute`);
}

/** One agent's name for a manager (``GET /v1/agents/{id}``), or the id when it cannot be read. */
export function agentName(id: string): Promise<string> {
  return get<Agent>(`/v1/agents/${encodeURIComponent(id)}`).then(
    (a) => personName(a),
    () => id,
  );
}

/** Where a re-run sent the lead, for the manager. */
export function rerunResult(r: Redistributed, name: (id: string) => string): { text: string; tone: Tone } {
  switch (r.status) {
    case "assigned":
      return { text: `Assigned to ${r.agent_id ? name(r.agent_id) : "an agent"}.`, tone: "success" };
    case "offering":
      return { text: "Back in distribution: the waves start again.", tone: "success" };
    case "exception":
      return { text: `Still in Lead Exception: ${r.failure_reason ?? "no reason given."}`, tone: "error" };
    case "unassigned":
      return { text: `Sent to the fresh bucket${r.failure_reason ? `: ${r.failure_reason}` : "."}`, tone: "info" };
    case "stored":
      return { text: `Stored${r.failure_reason ? `: ${r.failure_reason}` : "."}`, tone: "info" };
    default:
      return { text: `The lead is now ${r.status}.`, tone: "info" };
  }
}

/** A refused re-run in words (null for a 401: the session ends elsewhere). */
export function rerunErrorText(err: unknown): string | null {
  if (!(err instanceof ApiError)) return String(err);
  if (err.status === 401) return null;
  if (err.code === "not_an_exception") return "This lead is no longer a lead exception: someone assigned it, re-ran it or ignored it just now. The list shows it as it is.";
  if (err.code === "campaign_inactive") return "The lead's campaign is gone or inactive, so its distribution cannot run again. Activate the campaign, or assign the lead instead.";
  if (err.status === 404) return "This lead does not exist any more.";
  if (err.status === 403) return "Only managers and admins can re-run a distribution.";
  return err.message;
}
