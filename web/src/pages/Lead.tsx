// The lead page (seed 003, seed 001's Call Activity): the lead's details with its local time, status,
// owner, lock (who, time left) and lists; its history newest first; notes; calls. An agent sees their
// own leads and the one they hold locked; managers, admins and supervisors any lead of the org.
// Managers and admins may unclaim or reassign it here; the lead's own agent or a manager may transfer it
// (seed 004) to a colleague, with a reason. Routing (issue 13): why the lead is where it is, each distribution
// decision with the agents it read and the rules that excluded them; a manager re-runs a lead exception's
// distribution from there. Follow-up deadlines (issue 13): a reminder pushed for the lead says by when to work
// it, and a lead taken back from the agent while they look at it says so (it is no longer theirs to open).
// Lead returns (issue 14): a manager returns a vendor's assigned lead or lead exception to its vendor, with a
// reason (components/ReturnDialog); a returned lead says so in its status, its facts and its history.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get } from "../api";
import { CallActivity } from "../components/CallActivity";
import { Confirm, Dialog, DialogButtons } from "../components/Dialog";
import { ReturnDialog } from "../components/ReturnDialog";
import { ErrorBanner, SelectField, TextAreaField } from "../components/Fields";
import { StepEditor } from "../components/LeadStep";
import { agentName, redistribute, rerunErrorText, rerunResult, Trace } from "../components/Trace";
import { Fact, LoadState, Page, RefreshButton } from "../components/Page";
import { amount, assignedBy, countdown, fullName, inZone, leadStatus, outcome, personName, returnReason, sourceText, text, timeOfDay, when, whenSeconds, zoneName } from "../format";
import { useLoad, useNow } from "../hooks";
import { actionErrorText, leadAction, VIEW_ONLY } from "../leadActions";
import type { FollowUpReminder, TakenBack } from "../live";
import { followUps, NOT_WORKED, takenBack } from "../notices";
import { notify } from "../notify";
import { linkHandler, navigate } from "../router";
import { useStore } from "../store";
import type { Agent, Colleague, LeadDetail, LeadEvent, LeadLock, LeadNote, LeadPageData, WorkflowStatus } from "../types";
import { listOf } from "./settings/common";

/** The time where the lead is, ticking. */
export function LeadLocalTime({ zone }: { zone: string | null }) {
  const now = useNow(15_000);
  if (!zone) return <span class="muted">Unknown time zone (no state)</span>;
  return (
    <span>
      {inZone(new Date(now), zone)} <span class="muted">({zoneName(zone)})</span>
    </span>
  );
}

export function LockLine({ lock }: { lock: LeadLock | null }) {
  const now = useNow(1000);
  if (!lock) return <span class="muted">Not locked</span>;
  const left = new Date(lock.expires_at).getTime() - now;
  const who = lock.mine ? "You" : text(lock.agent_name ?? lock.agent_id);
  return (
    <span data-testid="lock-line">
      {lock.mine ? "Locked by you" : `Locked by ${who}`} · {left > 0 ? `${countdown(left)} left` : "expiring now"}
    </span>
  );
}

/** The lead's facts: contact, loan, campaign, status and owner, local time, callback, lists. */
export function LeadFacts({ lead, lock, lists, showLock = true, returned }: { lead: LeadDetail; lock?: LeadLock | null; lists?: { list_id: string; name: string }[]; showLock?: boolean; returned?: Returned | null }) {
  const back = lead.status === "returned" ? (returned ?? { at: lead.returned_at ?? null, reason: lead.return_reason ?? null, note: null }) : null;
  return (
    <dl class="facts">
      <Fact term="Phone">{lead.phone ? <a href={`tel:${lead.phone}`}>{lead.phone}</a> : "—"}</Fact>
      <Fact term="Email">{lead.email ? <a href={`mailto:${lead.email}`}>{lead.email}</a> : "—"}</Fact>
      <Fact term="Lead's local time">
        <LeadLocalTime zone={lead.time_zone} />
      </Fact>
      <Fact term="State">{text(lead.state)}</Fact>
      <Fact term="Loan purpose">{text(lead.loan_purpose)}</Fact>
      <Fact term="Loan amount">{amount(lead.loan_amount)}</Fact>
      <Fact term="Campaign">{text(lead.campaign_name ?? lead.campaign_id)}</Fact>
      <Fact term="Lead provider">{text(lead.lead_provider)}</Fact>
      <Fact term="Status">
        <span class={`status status-${lead.status}`}>{leadStatus(lead.status)}</span>
        {lead.ignored && <span class="badge"> Ignored</span>}
        {lead.app_status && (
          <span class="muted">
            {" "}
            · {lead.app_status}
            {lead.app_activity ? ` / ${lead.app_activity}` : ""}
          </span>
        )}
      </Fact>
      {back && (
        <Fact term="Returned">
          <span data-testid="returned-fact">
            To its vendor: {returnReason(back.reason)}
            {back.at && <span class="muted"> · {whenSeconds(back.at)}</span>}
          </span>
        </Fact>
      )}
      <Fact term="Owner">
        {lead.agent_id ? text(lead.agent_name ?? lead.agent_id) : <span class="muted">{back ? "Nobody (returned to its vendor)" : "Nobody (unclaimed)"}</span>}
        {lead.agent_id && lead.assigned_at && (
          <span class="muted">
            {" "}
            · {assignedBy(lead.assigned_by)}, {when(lead.assigned_at)}
          </span>
        )}
      </Fact>
      {showLock && (
        <Fact term="Lock">
          <LockLine lock={lock ?? null} />
        </Fact>
      )}
      <Fact term="Callback">
        {lead.callback_at ? (
          <>
            {inZone(lead.callback_at, lead.time_zone)} <span class="muted">(lead's time)</span>
            {lead.callback_claimed ? <span class="muted"> · claimed</span> : null}
          </>
        ) : (
          "—"
        )}
      </Fact>
      <Fact term="Last outcome">{outcome(lead.last_outcome)}</Fact>
      <Fact term="Created">{whenSeconds(lead.created_at)}</Fact>
      {lead.failure_reason && <Fact term="Failure reason">{lead.failure_reason}</Fact>}
      {lists && (
        <Fact term="Lists">
          {lists.length ? lists.map((l) => l.name).join(", ") : <span class="muted">In no list</span>}
        </Fact>
      )}
    </dl>
  );
}

function step(status: unknown, activity: unknown): string {
  const s = typeof status === "string" && status ? status : "no status";
  return typeof activity === "string" && activity ? `${s} / ${activity}` : s;
}

/** Who did it, for the history: a call center's key is "the call center integration". */
function eventBy(e: LeadEvent): string {
  if (e.by?.startsWith("vendor:")) return "The call center integration";
  if (e.type === "taken_back") return "System"; // its ``by`` is the agent it was taken from
  if (e.by === "self") return "Added by the agent";
  return text(e.by_name ?? e.by ?? "System");
}

/** An event's sentence; a callback's time in the lead's zone (the API's text carries it as ISO); a move of the
 * application between steps of the workflow; a borrower who came back (a duplicate attached); a call center's transfer. */
export function eventText(e: LeadEvent, zone: string | null): string {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  if (e.type === "callback") return typeof d.at === "string" && d.at ? `Callback for ${inZone(d.at, zone)}` : "Callback without a time (end of the queue)";
  if (e.type === "status") {
    const who = e.by_name ?? e.by;
    return `Moved from ${step(d.from_status, d.from_activity)} to ${step(d.status, d.activity)}${who ? ` by ${who}` : ""}`;
  }
  if (e.type === "touch") {
    const campaign = typeof d.campaign_id === "string" && d.campaign_id ? ` (campaign ${d.campaign_id})` : "";
    return `The borrower came back: ${sourceText(typeof d.source === "string" ? d.source : null)}${campaign}`;
  }
  if (e.type === "transfer" && e.by?.startsWith("vendor:")) return `${e.text} by the call center integration`;
  if (e.type === "returned") {
    const who = e.by_name ?? e.by;
    const note = typeof d.note === "string" && d.note.trim() ? `. Note: “${d.note.trim()}”` : "";
    return `Returned to its vendor: ${returnReason(typeof d.reason === "string" ? d.reason : null)}${who ? ` — by ${who}` : ""}${note}`;
  }
  if (e.type === "taken_back") {
    const from = e.by_name ?? e.by;
    const n = typeof d.takeback === "number" ? ` (take-back ${d.takeback})` : "";
    const to = d.to === "manager" ? "sent to Lead Exception" : d.to === "distribution" ? "distributed again" : "";
    return `Taken back${from ? ` from ${from}` : ""}: not worked within the follow-up deadline${n}${to ? `; ${to}` : ""}`;
  }
  return e.text;
}

/** The lead's events, newest first: what, who, and when (to the second). */
export function History({ events, zone = null }: { events: LeadEvent[]; zone?: string | null }) {
  // the API lists them oldest first: reversed, then sorted (stable), events of the same instant stay newest first
  const rows = [...events].reverse().sort((a, b) => b.at.localeCompare(a.at));
  if (!rows.length) return <p class="empty">No history yet.</p>;
  return (
    <ol class="history" aria-label="History, newest first">
      {rows.map((e, i) => (
        <li key={`${e.at}-${i}`} class="event" data-event-type={e.type}>
          <span class="event-text">{eventText(e, zone)}</span>
          <span class="event-meta muted">
            {eventBy(e)} · <time dateTime={e.at}>{whenSeconds(e.at)}</time>
          </span>
        </li>
      ))}
    </ol>
  );
}

export function Notes({ notes }: { notes: LeadNote[] }) {
  const rows = [...notes].reverse().sort((a, b) => b.at.localeCompare(a.at));
  if (!rows.length) return <p class="empty">No notes yet.</p>;
  return (
    <ul class="notes" aria-label="Notes, newest first">
      {rows.map((n, i) => (
        <li key={`${n.at}-${i}`} class="note">
          <p class="note-text">{n.text}</p>
          <p class="note-meta muted">
            {text(n.by_name ?? n.by)} · {whenSeconds(n.at)}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** A note added to the lead (action ``note``). */
function AddNote({ prospectId, onSaved }: { prospectId: string; onSaved: () => void }) {
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    const t = value.trim();
    if (!t) {
      setError("Write the note first.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await leadAction(prospectId, "note", { text: t });
      setValue("");
      notify("Note saved.", "success");
      onSaved();
    } catch (err) {
      setError(actionErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="add-note" onSubmit={save}>
      <TextAreaField label="Add a note" value={value} onInput={setValue} rows={2} error={error ?? undefined} maxLength={2000} />
      <button type="submit" class="btn btn-small" disabled={busy}>
        {busy ? "Saving…" : "Save note"}
      </button>
    </form>
  );
}

function activeAgents(): Promise<Agent[]> {
  return get<unknown>("/v1/agents").then((body) =>
    listOf<Agent>(body, "agents")
      .filter((a) => a.active !== false && (a.roles ?? []).includes("agent"))
      .sort((a, b) => personName(a).localeCompare(personName(b))),
  );
}

function ReassignDialog({ lead, open, onClose, onDone }: { lead: LeadDetail; open: boolean; onClose: () => void; onDone: () => void }) {
  const [agents, setAgents] = useState<Agent[] | null | undefined>(undefined);
  const [agentId, setAgentId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!open) return;
    setAgentId("");
    setError(null);
    setAgents(undefined);
    activeAgents().then(setAgents, () => setAgents(null));
  }, [open]);
  const submit = async () => {
    if (!agentId) {
      setError("Choose an agent.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await leadAction(lead.prospect_id, "reassign", { agent_id: agentId });
      const a = agents?.find((x) => x.agent_id === agentId);
      notify(`Lead reassigned to ${a ? personName(a) : agentId}.`, "success");
      onDone();
    } catch (err) {
      setError(actionErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  const choices = (agents ?? []).filter((a) => a.agent_id !== lead.agent_id);
  return (
    <Dialog open={open} title="Reassign lead" onClose={onClose} onSubmit={() => void submit()} actions={<DialogButtons onCancel={onClose} label="Reassign" busyLabel="Reassigning…" busy={busy} disabled={!agents} />}>
      <p>
        Give <strong>{fullName(lead)}</strong> to another active agent. It counts as an assignment for Round Robin.
      </p>
      {agents === undefined && <p aria-live="polite">Loading agents…</p>}
      {agents === null && <ErrorBanner error={new Error("The agent list cannot be loaded right now.")} />}
      {agents && (
        <SelectField
          label="Agent"
          value={agentId}
          onChange={setAgentId}
          required
          error={error ?? undefined}
          options={[{ value: "", label: "Choose an agent…" }, ...choices.map((a) => ({ value: a.agent_id, label: `${personName(a)} (${a.email})` }))]}
        />
      )}
    </Dialog>
  );
}

export const MAX_TRANSFER_REASON = 500;

/** What a refused transfer means, in words (null for a 401: the session ends elsewhere). */
export function transferErrorText(err: unknown, targetName: string): string | null {
  if (!(err instanceof ApiError)) return actionErrorText(err);
  switch (err.code) {
    case "claimed_by_other":
      return "Another agent has this lead now: only the lead's own agent or a manager can transfer it.";
    case "validation_failed": {
      const d = err.details.find((x) => x.code === "unknown_agent" || x.code === "inactive_agent") ?? err.details[0];
      if (d?.code === "unknown_agent") return `${targetName} is not an agent of your organization any more. Choose another agent.`;
      if (d?.code === "inactive_agent") return `${targetName} is no longer an active agent. Choose another agent.`;
      if (d?.field === "reason") return `The reason is too long: at most ${MAX_TRANSFER_REASON} characters.`;
      return actionErrorText(err);
    }
    case "already_theirs":
      return `This lead is already ${targetName}'s: nothing to transfer.`;
    case "concurrent_update":
      return "Someone else moved this lead just now, so it was not transferred. The page shows it as it is now; look again before you transfer it.";
    case "view_only":
      return VIEW_ONLY;
    case "not_reassignable":
      return "This lead is in distribution or on Lead Exception: it cannot be transferred from here.";
    default:
      return actionErrorText(err);
  }
}

/** Seed 004: the lead to a colleague (``GET /v1/me/colleagues``), with an optional reason. */
function TransferDialog({ lead, open, onClose, onDone, onStale }: { lead: LeadDetail; open: boolean; onClose: () => void; onDone: (name: string) => void; onStale: () => void }) {
  const [people, setPeople] = useState<Colleague[] | null | undefined>(undefined);
  const [agentId, setAgentId] = useState("");
  const [reason, setReason] = useState("");
  const [pickError, setPickError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => {
    setPeople(undefined);
    get<{ items: Colleague[] }>("/v1/me/colleagues").then(
      (body) => setPeople(body.items ?? []),
      () => setPeople(null),
    );
  };
  useEffect(() => {
    if (!open) return;
    setAgentId("");
    setReason("");
    setPickError(null);
    setError(null);
    load();
  }, [open]);
  const choices = (people ?? []).filter((a) => a.agent_id !== lead.agent_id);
  const submit = async () => {
    if (!agentId) {
      setPickError("Choose the agent to transfer the lead to.");
      return;
    }
    const why = reason.trim();
    if (why.length > MAX_TRANSFER_REASON) {
      setError(`The reason is too long: at most ${MAX_TRANSFER_REASON} characters.`);
      return;
    }
    const name = choices.find((a) => a.agent_id === agentId)?.name ?? agentId;
    setBusy(true);
    setPickError(null);
    setError(null);
    try {
      await leadAction(lead.prospect_id, "transfer", why ? { agent_id: agentId, reason: why } : { agent_id: agentId });
      onDone(name);
    } catch (err) {
      const t = transferErrorText(err, name);
      if (err instanceof ApiError && err.code === "validation_failed" && err.details.some((d) => d.field === "agent_id")) {
        setPickError(t);
        load(); // the list changed: read it again
      } else setError(t);
      if (err instanceof ApiError && (err.code === "concurrent_update" || err.code === "claimed_by_other" || err.code === "already_theirs")) onStale();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title="Transfer lead" onClose={onClose} onSubmit={() => void submit()} actions={<DialogButtons onCancel={onClose} label="Transfer" busyLabel="Transferring…" busy={busy} disabled={!people} />}>
      <p>
        Give <strong>{fullName(lead)}</strong> to another agent of your organization. It is in their My leads at once, with its history.
      </p>
      {error && (
        <div class="banner banner-error" role="alert">
          <span>{error}</span>
        </div>
      )}
      {people === undefined && <p aria-live="polite">Loading agents…</p>}
      {people === null && <ErrorBanner error={new Error("The agent list cannot be loaded right now. Close this and try again.")} />}
      {people && !choices.length && <p class="empty">There is no other active agent to transfer this lead to.</p>}
      {people && (
        <SelectField
          label="Agent"
          value={agentId}
          onChange={(v) => {
            setAgentId(v);
            setPickError(null);
          }}
          required
          error={pickError ?? undefined}
          options={[{ value: "", label: "Choose an agent…" }, ...choices.map((a) => ({ value: a.agent_id, label: a.name }))]}
        />
      )}
      <TextAreaField
        label="Reason (optional)"
        value={reason}
        onInput={(v) => {
          setReason(v);
          setError(null);
        }}
        rows={3}
        maxLength={MAX_TRANSFER_REASON}
        hint={`${reason.length} of ${MAX_TRANSFER_REASON} characters. It is shown in the lead's history.`}
      />
    </Dialog>
  );
}

/** A returned lead's return (issue 14): from the lead's own fields, else its history's last ``returned`` event. */
export interface Returned {
  at: string | null;
  reason: string | null;
  note: string | null;
}

export function returnedOf(data: LeadPageData): Returned | null {
  if (data.lead.status !== "returned") return null;
  const e = [...(data.events ?? [])].reverse().find((x) => x.type === "returned");
  const d = (e?.detail ?? {}) as Record<string, unknown>;
  const reason = data.lead.return_reason ?? (typeof d.reason === "string" ? d.reason : null);
  return { at: data.lead.returned_at ?? e?.at ?? null, reason, note: typeof d.note === "string" && d.note ? d.note : null };
}

/** Ways into leadwave that are no vendor's (the ``received`` event's ``source``): an agent's own lead, a call list's
 * upload, a phone call. A vendor's post has none; a bulk upload (a vendor's or a manager's) has "upload:<id>". */
const NOT_A_VENDOR = new Set(["referral", "channel_partner", "walk_in", "other", "list_upload", "call"]);

/** Whether a manager may try to return the lead to its vendor: assigned or a lead exception, and posted by a
 * vendor as far as the page knows (the server says ``can.return`` or the lead's ``vendor_id`` when it sends them;
 * else the history's arrival). The server has the last word (409 not_a_vendor_lead). */
export function mayReturn(data: LeadPageData): boolean {
  if (data.can.return !== undefined) return data.can.return;
  if (data.lead.status !== "assigned" && data.lead.status !== "exception") return false;
  const vendor = data.lead.vendor_id;
  if (vendor !== undefined) return !!vendor && !/^(agent:|upload:|call$)/.test(vendor);
  const arrival = (data.events ?? []).find((e) => e.type === "received");
  const source = (arrival?.detail as Record<string, unknown> | undefined)?.source;
  return !(typeof source === "string" && NOT_A_VENDOR.has(source));
}

/** What works a lead (rules/work.py): its agent's call, call outcome, note, callback or status change. */
const WORK_EVENTS = new Set(["call", "outcome", "note", "callback", "status"]);

/** Whether the lead's agent has worked it since it was given to them (its history says so). */
export function workedSince(data: LeadPageData): boolean {
  const { agent_id, assigned_at } = data.lead;
  if (!assigned_at) return false;
  return (data.events ?? []).some((e) => WORK_EVENTS.has(e.type) && e.at >= assigned_at && (!e.by || e.by === agent_id));
}

/** A reminder pushed for this lead: work it by its deadline (counting down), until the history shows it worked. */
function FollowUpBanner({ reminder }: { reminder: FollowUpReminder }) {
  const now = useNow(1000);
  const left = Date.parse(reminder.due_at) - now;
  const by = timeOfDay(reminder.due_at, new Date(now));
  return (
    <p class="banner banner-warn follow-up-banner" role="status" data-testid="follow-up-banner">
      <span>
        {left > 0 ? (
          <>
            <strong>Work by {by}</strong> ({countdown(left)} left) or this lead will be reassigned: a call, a status change, a note, a call outcome or a callback.
          </>
        ) : (
          <>
            <strong>The follow-up deadline passed at {by}.</strong> Work the lead now: it may be reassigned any moment.
          </>
        )}
      </span>
    </p>
  );
}

/** The lead was taken back from the agent while they looked at it. */
function TakenBackBanner({ gone }: { gone: TakenBack }) {
  const why = gone.reason && gone.reason !== NOT_WORKED ? gone.reason : "it was not worked within its campaign's follow-up deadline";
  return (
    <div class="banner banner-warn taken-back-banner" role="alert" data-testid="taken-back-banner">
      <span>
        <strong>This lead was reassigned</strong> at {whenSeconds(gone.at)}: {why.replace(/\.$/, "")}, so it is no longer yours.{" "}
        <a href="/app/leads" onClick={linkHandler}>
          Back to My leads
        </a>
      </span>
    </div>
  );
}

function notFound(err: ApiError | undefined): boolean {
  return !!err && err.status === 404 && err.code === "prospect_not_found";
}

/** The lead's routing (components/Trace); a lead exception's distribution re-run by a manager or admin. */
/** The names the lead page already knows (its owner, the lock's holder, who did each event): an agent
 * reads no directory beyond their colleagues, so a manager in the routing is named from here. */
function knownNames(data: LeadPageData): Record<string, string> {
  const known: Record<string, string> = {};
  for (const e of data.events ?? []) if (e.by && e.by_name && e.by_name !== e.by) known[e.by] = e.by_name;
  if (data.lock?.agent_name) known[data.lock.agent_id] = data.lock.agent_name;
  if (data.lead.agent_id && data.lead.agent_name) known[data.lead.agent_id] = data.lead.agent_name;
  return known;
}

function Routing({ lead, known, canEdit, stamp, onChanged }: { lead: LeadDetail; known: Record<string, string>; canEdit: boolean; stamp: number; onChanged: () => void }) {
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const rerun = async () => {
    setBusy(true);
    try {
      const answer = await redistribute(lead.prospect_id);
      const name = answer.status === "assigned" && answer.agent_id ? await agentName(answer.agent_id) : "";
      const said = rerunResult(answer, () => name);
      notify(`Re-run: ${said.text}`, said.tone);
    } catch (err) {
      const t = rerunErrorText(err);
      if (t) notify(`Could not re-run the distribution: ${t}`, "error");
    } finally {
      setBusy(false);
      setVersion((v) => v + 1);
      onChanged();
    }
  };
  return (
    <section class="panel-plain routing" aria-labelledby="lead-routing">
      <div class="section-head">
        <h2 id="lead-routing">Routing: why is it here?</h2>
        {canEdit && lead.status === "exception" && (
          <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void rerun()}>
            {busy ? "Re-running…" : "Re-run distribution"}
          </button>
        )}
      </div>
      <Trace prospectId={lead.prospect_id} staff={canEdit} known={known} version={version + stamp} />
    </section>
  );
}

export function LeadPage({ prospectId, canEdit, workflow }: { prospectId: string; canEdit: boolean; workflow?: WorkflowStatus[] | null }) {
  const lead = useLoad(() => get<LeadPageData>(`/v1/leads/${encodeURIComponent(prospectId)}`), [prospectId], 30_000);
  const [unclaiming, setUnclaiming] = useState(false);
  const [reassigning, setReassigning] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const [returning, setReturning] = useState(false);
  const [busy, setBusy] = useState(false);
  // pushed: a reminder to work this lead, or its take-back (the page reads it again: an agent may no longer open it)
  const reminder = useStore(followUps)[prospectId];
  const gone = useStore(takenBack)[prospectId];
  useEffect(() => {
    if (gone) void lead.reload();
  }, [gone?.at]);
  const lost = !!gone && notFound(lead.error);
  const data = lost ? undefined : lead.data;
  const title = lead.data ? fullName(lead.data.lead) : "Lead"; // a lead taken back keeps its name as seen
  const remind = !!reminder && !gone && !!data && data.lead.status === "assigned" && !!data.can.act && !workedSince(data);

  useEffect(() => {
    if (data) document.title = `${title} — leadwave`;
  }, [title, !!data]);

  const unclaim = async () => {
    if (!data) return;
    setBusy(true);
    try {
      await leadAction(data.lead.prospect_id, "unclaim");
      notify("Lead unclaimed: it is back in the queues.", "success");
      void lead.reload();
    } catch (err) {
      const t = actionErrorText(err);
      if (t) notify(`Could not unclaim the lead: ${t}`, "error");
    } finally {
      setBusy(false);
      setUnclaiming(false);
    }
  };

  const claim = async () => {
    if (!data) return;
    setBusy(true);
    try {
      await leadAction(data.lead.prospect_id, "claim");
      notify("You claimed this lead. It is in My leads.", "success");
      void lead.reload();
    } catch (err) {
      const t = actionErrorText(err);
      if (t) notify(`Could not claim the lead: ${t}`, "error");
    } finally {
      setBusy(false);
    }
  };

  const can = data?.can;
  return (
    <Page
      id="lead-title"
      title={title}
      tools={
        <div class="toolbar">
          {data && <span class={`status-pill status-${data.lead.status}`}>{leadStatus(data.lead.status)}</span>}
          {can?.claim && (
            <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void claim()}>
              Claim now
            </button>
          )}
          {canEdit && can?.unclaim && (
            <button type="button" class="btn btn-small" disabled={busy} onClick={() => setUnclaiming(true)}>
              Unclaim
            </button>
          )}
          {can?.transfer && (
            <button type="button" class="btn btn-small" disabled={busy} onClick={() => setTransferring(true)}>
              Transfer
            </button>
          )}
          {canEdit && can?.reassign && (
            <button type="button" class="btn btn-small" disabled={busy} onClick={() => setReassigning(true)}>
              Reassign
            </button>
          )}
          {canEdit && data && mayReturn(data) && (
            <button type="button" class="btn btn-small" disabled={busy} onClick={() => setReturning(true)}>
              Return to vendor
            </button>
          )}
          <RefreshButton onClick={() => void lead.reload()} />
        </div>
      }
    >
      {gone && <TakenBackBanner gone={gone} />}
      {lost ? null : notFound(lead.error) ? (
        <div class="banner banner-warn" role="alert">
          <span>This lead does not exist, or it is not yours to see: an agent sees their own leads and the lead they hold locked.</span>
        </div>
      ) : (
        <LoadState load={lead} missing="lead page" />
      )}
      {can?.view_only && (
        <p class="banner banner-info" role="status">
          View only: no lock taken. You see this lead without changing it.
        </p>
      )}
      {remind && reminder && <FollowUpBanner reminder={reminder} />}
      {data && (
        <>
          <section class="card panel" aria-labelledby="lead-details">
            <h2 id="lead-details">Details</h2>
            <LeadFacts lead={data.lead} lock={data.lock} lists={data.lists} returned={returnedOf(data)} />
            {data.lead.status === "assigned" && workflow && workflow.length > 0 && (can?.act || (canEdit && !can?.view_only)) && (
              <div class="lead-step">
                <h3>Application status</h3>
                <StepEditor
                  prospectId={data.lead.prospect_id}
                  name={title}
                  status={data.lead.app_status}
                  activity={data.lead.app_activity}
                  workflow={workflow}
                  onStale={() => void lead.reload()}
                  onSaved={(a) => {
                    if (a.changed) notify(`Moved to ${a.app_status} / ${a.app_activity}.`, "success");
                    void lead.reload();
                  }}
                />
              </div>
            )}
          </section>
          <Routing lead={data.lead} known={knownNames(data)} canEdit={canEdit} stamp={(data.events ?? []).length} onChanged={() => void lead.reload()} />
          <div class="two-col">
            <section class="panel-plain" aria-labelledby="lead-history">
              <h2 id="lead-history">History</h2>
              <History events={data.events ?? []} zone={data.lead.time_zone} />
            </section>
            <section class="panel-plain" aria-labelledby="lead-notes">
              <h2 id="lead-notes">Notes</h2>
              {can?.act && <AddNote prospectId={data.lead.prospect_id} onSaved={() => void lead.reload()} />}
              <Notes notes={data.notes ?? []} />
            </section>
          </div>
          <section class="panel-plain" aria-labelledby="lead-calls">
            <h2 id="lead-calls">Call Activity</h2>
            <CallActivity calls={data.calls ?? []} />
          </section>
          <Confirm
            open={unclaiming}
            title="Unclaim lead"
            question={`Unclaim ${title}? The lead leaves ${text(data.lead.agent_name ?? data.lead.agent_id)} and goes back to the queues of its lists.`}
            confirmLabel="Unclaim"
            busy={busy}
            onConfirm={() => void unclaim()}
            onCancel={() => setUnclaiming(false)}
          />
          <ReassignDialog
            lead={data.lead}
            open={reassigning}
            onClose={() => setReassigning(false)}
            onDone={() => {
              setReassigning(false);
              void lead.reload();
            }}
          />
          <ReturnDialog
            target={returning ? { prospect_id: data.lead.prospect_id, name: title } : null}
            onClose={() => setReturning(false)}
            onStale={() => void lead.reload()}
            onReturned={() => {
              setReturning(false);
              void lead.reload();
            }}
          />
          <TransferDialog
            lead={data.lead}
            open={transferring}
            onClose={() => setTransferring(false)}
            onStale={() => void lead.reload()}
            onDone={(name) => {
              setTransferring(false);
              notify(`Lead transferred to ${name}.`, "success");
              if (canEdit) void lead.reload(); // a manager stays on the lead
              else navigate("/app/leads"); // an agent: the lead is no longer theirs
            }}
          />
        </>
      )}
    </Page>
  );
}
