// The agent's own leads by application status (issue 11: work-in-progress buckets, one per status of the
// org's workflow, newest assignment first, Load more by cursor; tabs on a phone), each lead's status and
// activity editable, its call activity (GET /v1/leads/{id}/calls) under its row; Add lead (their own lead).
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, get } from "../api";
import { type Recording, RecordingDialog } from "../components/CallActivity";
import { ErrorBanner } from "../components/Fields";
import { StepEditor } from "../components/LeadStep";
import { Cell, DataTable, LoadState, Page, RefreshButton } from "../components/Page";
import { amount, assignedBy, duration, fullName, LEAD_SOURCES, leadHref, text, when, whenSeconds } from "../format";
import { useLoad, useMedia } from "../hooks";
import { leadsChanged } from "../notices";
import { notify } from "../notify";
import { linkHandler } from "../router";
import { useStore } from "../store";
import type { BucketPage, Call, MyLead, StepAnswer, WorkflowStatus } from "../types";
import { AddLeadDialog } from "./AddLead";

function Calls({ prospectId }: { prospectId: string }) {
  const calls = useLoad(async () => {
    try {
      return (await get<{ calls: Call[] }>(`/v1/leads/${encodeURIComponent(prospectId)}/calls`)).calls ?? [];
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return [];
      throw err;
    }
  }, [prospectId]);
  if (calls.loading && !calls.data) return <p aria-live="polite">Loading calls…</p>;
  if (calls.error) return <ErrorBanner error={calls.error} onRetry={() => void calls.reload()} />;
  const [playing, setPlaying] = useState<Recording | null>(null);
  const list = calls.data ?? [];
  if (!list.length) return <p class="empty">No calls</p>;
  return (
    <>
    <DataTable caption="Calls" columns={["Started", "Talk time", "Number called", "Agent", "Status", "Recording"]} inner stack>
      {list.map((c) => (
        <tr key={c.call_sid}>
          <Cell label="Started">{when(c.started_at)}</Cell>
          <Cell label="Talk time">{duration(c.talk_seconds)}</Cell>
          <Cell label="Number called">{text(c.phone_called)}</Cell>
          <Cell label="Agent">{text(c.agent_name ?? c.agent_id)}</Cell>
          <Cell label="Status">{text(c.status)}</Cell>
          <Cell label="Recording">
            {c.recording_url ? (
              <button
                type="button"
                class="btn btn-small"
                onClick={() => setPlaying({ url: c.recording_url ?? "", about: [whenSeconds(c.started_at), text(c.phone_called), c.agent_name ?? c.agent_id ?? "", `talk time ${duration(c.talk_seconds)}`].filter(Boolean).join(" · ") })}
              >
                Recording<span class="sr-only"> of the call at {when(c.started_at)}</span>
              </button>
            ) : (
              "—"
            )}
          </Cell>
        </tr>
      ))}
    </DataTable>
    <RecordingDialog recording={playing} onClose={() => setPlaying(null)} />
    </>
  );
}

const COLUMNS = ["Name", "Contact", "Loan", "Status and activity", "Campaign", "Assigned", "Calls"];
export const BUCKET_PAGE = 25;
const POLL_MS = 15_000;

function sourceLabel(source: string | null | undefined): string | null {
  return LEAD_SOURCES.find((s) => s.value === source)?.label ?? null;
}

/** A lead's row (and its calls under it when open). */
function LeadRow({ lead: l, workflow, expanded, onToggle, onMoved, onStale }: {
  lead: MyLead;
  workflow: WorkflowStatus[] | null;
  expanded: boolean;
  onToggle: () => void;
  onMoved: (l: MyLead, a: StepAnswer) => void;
  onStale: () => void;
}) {
  const name = fullName(l);
  const source = sourceLabel(l.source);
  return (
    <>
      <tr data-prospect-id={l.prospect_id}>
        <th scope="row" class="cell-title">
          <a href={leadHref(l.prospect_id)} onClick={linkHandler}>
            {name}
          </a>
        </th>
        <Cell label="Contact" class="cell-break">
          {l.phone ? <a href={`tel:${l.phone}`}>{l.phone}</a> : "—"}
          {l.email && (
            <>
              <br />
              <a href={`mailto:${l.email}`}>{l.email}</a>
            </>
          )}
        </Cell>
        <Cell label="Loan">
          {l.loan_purpose || l.loan_amount ? (
            <>
              {text(l.loan_purpose)} · {amount(l.loan_amount)}
            </>
          ) : (
            "—"
          )}
          {l.state && <span class="muted"> · {l.state}</span>}
        </Cell>
        <Cell label="Status and activity">
          {workflow ? (
            <StepEditor prospectId={l.prospect_id} name={name} status={l.app_status} activity={l.app_activity} workflow={workflow} compact onSaved={(a) => onMoved(l, a)} onStale={onStale} />
          ) : (
            <>
              {text(l.app_status)}
              {l.app_activity ? <span class="muted"> / {l.app_activity}</span> : null}
            </>
          )}
        </Cell>
        <Cell label="Campaign">
          {text(l.campaign_name)}
          {source && <span class="muted"> · {source}</span>}
        </Cell>
        <Cell label="Assigned">
          {when(l.assigned_at)}
          <br />
          <span class="muted">{assignedBy(l.assigned_by)}</span>
        </Cell>
        <td class="cell-actions">
          <button type="button" class="btn btn-small" aria-expanded={expanded ? "true" : "false"} aria-controls={`calls-${l.prospect_id}`} onClick={onToggle}>
            {expanded ? "Hide calls" : "Calls"}
            <span class="sr-only"> for {name}</span>
          </button>
        </td>
      </tr>
      {expanded && (
        <tr id={`calls-${l.prospect_id}`} class="subrow">
          <td colSpan={COLUMNS.length}>
            <Calls prospectId={l.prospect_id} />
          </td>
        </tr>
      )}
    </>
  );
}

interface RowsProps {
  workflow: WorkflowStatus[] | null;
  open: Set<string>;
  onToggle: (id: string) => void;
  onMoved: (l: MyLead, a: StepAnswer) => void;
  onStale: () => void;
}

function LeadTable({ caption, leads, ...rows }: { caption: string; leads: MyLead[] } & RowsProps) {
  return (
    <DataTable caption={caption} stack columns={COLUMNS}>
      {leads.map((l) => (
        <LeadRow key={l.prospect_id} lead={l} workflow={rows.workflow} expanded={rows.open.has(l.prospect_id)} onToggle={() => rows.onToggle(l.prospect_id)} onMoved={rows.onMoved} onStale={rows.onStale} />
      ))}
    </DataTable>
  );
}

interface BucketState {
  items: MyLead[];
  cursor: string | null;
  /** The page's ``version``: the refresh it was read for. */
  version: number;
}

/** Leads this page moved to another status, with the ``version`` current when they were moved. */
type Moved = Record<string, { status: string; version: number }>;

/** A bucket as shown: without the leads this page moved out of it since the bucket was read (the
 * bucket is read again at once, but a failed read must not leave a moved lead in its old place). */
function withoutMoved(b: BucketState, status: string, moved: Moved): BucketState {
  const items = b.items.filter((l) => {
    const m = moved[l.prospect_id];
    return !m || m.status === status || b.version > m.version;
  });
  return items.length === b.items.length ? b : { ...b, items };
}

/** What a bucket holds so far, for its tab: "3", "25+". */
function countText(b: BucketState | undefined): string {
  if (!b) return "…";
  return `${b.items.length}${b.cursor ? "+" : ""}`;
}

/** One status's bucket: its first page (as many rows as were shown, up to 100) read again on every ``version``, Load more by cursor. */
function Bucket({ status, index, version, hidden, narrow, moved, onState, ...rows }: { status: string; index: number; version: number; hidden: boolean; narrow: boolean; moved: Moved; onState: (status: string, b: BucketState) => void } & RowsProps) {
  const [read, setState] = useState<BucketState | null>(null);
  const state = read && withoutMoved(read, status, moved);
  const [error, setError] = useState<ApiError | null>(null);
  const [more, setMore] = useState(false);
  const shown = useRef(BUCKET_PAGE);
  const seq = useRef(0);
  const set = (b: BucketState) => {
    setState(b);
    onState(status, b);
  };
  useEffect(() => {
    const mine = ++seq.current;
    get<BucketPage>("/v1/me/leads", { status, limit: Math.min(100, Math.max(BUCKET_PAGE, shown.current)) }).then(
      (page) => {
        if (mine !== seq.current) return;
        setError(null);
        set({ items: page.items ?? [], cursor: page.cursor ?? null, version });
      },
      (err) => mine === seq.current && setError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err))),
    );
  }, [status, version]);
  const loadMore = async () => {
    if (!read?.cursor) return;
    setMore(true);
    const mine = ++seq.current;
    try {
      const page = await get<BucketPage>("/v1/me/leads", { status, limit: BUCKET_PAGE, cursor: read.cursor });
      if (mine !== seq.current) return;
      const seen = new Set(read.items.map((l) => l.prospect_id));
      const items = [...read.items, ...(page.items ?? []).filter((l) => !seen.has(l.prospect_id))];
      shown.current = items.length;
      set({ items, cursor: page.cursor ?? null, version: read.version });
    } catch (err) {
      if (mine === seq.current) setError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));
    } finally {
      setMore(false);
    }
  };
  const headingId = `bucket-${index}-title`;
  return (
    <section
      class="bucket"
      id={`bucket-${index}`}
      data-status={status}
      hidden={hidden}
      role={narrow ? "tabpanel" : undefined}
      aria-labelledby={narrow ? `bucket-${index}-tab` : headingId}
    >
      <h2 id={headingId} class="bucket-title">
        {status} <span class="bucket-count">{countText(state ?? undefined)}</span>
      </h2>
      <ErrorBanner error={error?.status === 401 ? null : error} />
      {state === null && !error && <p aria-live="polite">Loading…</p>}
      {state && state.items.length === 0 && <p class="empty">No leads in {status}.</p>}
      {state && state.items.length > 0 && <LeadTable caption={`Your leads in ${status}, newest first`} leads={state.items} {...rows} />}
      {state?.cursor && (
        <button type="button" class="btn btn-small load-more" disabled={more} onClick={() => void loadMore()}>
          {more ? "Loading…" : "Load more"}
          <span class="sr-only"> leads in {status}</span>
        </button>
      )}
    </section>
  );
}

/** The status tabs on a phone (arrow keys move between them). */
function BucketTabs({ statuses, selected, counts, onSelect }: { statuses: string[]; selected: number; counts: Record<string, BucketState>; onSelect: (i: number) => void }) {
  const onKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = (i + step + statuses.length) % statuses.length;
    onSelect(next);
    window.setTimeout(() => document.getElementById(`bucket-${next}-tab`)?.focus(), 0);
  };
  return (
    <div class="tabs bucket-tabs" role="tablist" aria-label="Lead status">
      {statuses.map((s, i) => (
        <button
          key={s}
          id={`bucket-${i}-tab`}
          type="button"
          role="tab"
          class="tab"
          aria-selected={selected === i ? "true" : "false"}
          aria-controls={`bucket-${i}`}
          tabIndex={selected === i ? 0 : -1}
          onClick={() => onSelect(i)}
          onKeyDown={(e) => onKey(e as unknown as KeyboardEvent, i)}
        >
          {s} <span class="bucket-count">{countText(counts[s])}</span>
        </button>
      ))}
    </div>
  );
}

export function MyLeadsPage({ workflow }: { workflow?: WorkflowStatus[] | null }) {
  const steps = workflow && workflow.length ? workflow : null;
  const statuses = steps?.map((w) => w.name) ?? [];
  const narrow = useMedia("(max-width: 700px)");
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState(0);
  const [counts, setCounts] = useState<Record<string, BucketState>>({});
  const [moved, setMoved] = useState<Moved>({});
  const [adding, setAdding] = useState(false);
  // every lead (the newest 100): the whole list without a workflow, else those whose status the workflow lacks
  const all = useLoad(() => get<{ leads: MyLead[] }>("/v1/me/leads"), [version]);
  const [open, setOpen] = useState<Set<string>>(new Set());

  useEffect(() => {
    const t = window.setInterval(() => {
      if (!document.hidden) setVersion((v) => v + 1);
    }, POLL_MS);
    return () => window.clearInterval(t);
  }, []);
  const refresh = () => setVersion((v) => v + 1);
  // a lead given to the agent (pushed): the lists show it now
  const changed = useStore(leadsChanged);
  const seenChange = useRef(changed);
  useEffect(() => {
    if (changed === seenChange.current) return;
    seenChange.current = changed;
    refresh();
  }, [changed]);
  const rows: RowsProps = {
    workflow: steps,
    open,
    onToggle: (id) =>
      setOpen((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      }),
    onMoved: (l, a) => {
      if (a.changed) notify(`${fullName(l)} is now in ${a.app_status} / ${a.app_activity}.`, "success");
      setMoved((m) => ({ ...m, [l.prospect_id]: { status: a.app_status, version } }));
      refresh();
    },
    onStale: refresh,
  };
  const onState = (status: string, b: BucketState) => setCounts((c) => ({ ...c, [status]: b }));
  const shownCounts = Object.fromEntries(Object.entries(counts).map(([s, b]) => [s, withoutMoved(b, s, moved)]));

  const leads = [...(all.data?.leads ?? [])].sort((a, b) => (b.assigned_at ?? "").localeCompare(a.assigned_at ?? ""));
  const others = steps ? leads.filter((l) => !statuses.includes(l.app_status ?? "")) : leads;
  const everyBucketEmpty = statuses.length > 0 && statuses.every((s) => shownCounts[s] && shownCounts[s].items.length === 0);
  const nothing = all.data !== undefined && !leads.length && (!steps || everyBucketEmpty);
  const here = Math.min(selected, Math.max(0, statuses.length - 1));

  return (
    <Page
      id="leads-title"
      title="My leads"
      tools={
        <div class="toolbar">
          <button type="button" class="btn btn-primary" onClick={() => setAdding(true)}>
            Add lead
          </button>
          <RefreshButton onClick={refresh} />
        </div>
      }
    >
      {nothing && <p class="empty">No leads yet. Leads you claim or are assigned appear here; add one with Add lead.</p>}
      {steps && narrow && <BucketTabs statuses={statuses} selected={here} counts={shownCounts} onSelect={setSelected} />}
      {steps && (
        <div class="buckets">
          {statuses.map((s, i) => (
            <Bucket key={s} status={s} index={i} version={version} hidden={narrow && i !== here} narrow={narrow} moved={moved} onState={onState} {...rows} />
          ))}
        </div>
      )}
      {!steps && <LoadState load={all} />}
      {others.length > 0 && (
        <section class="bucket" aria-labelledby={steps ? "bucket-other-title" : undefined} aria-label={steps ? undefined : "Your leads"}>
          {steps && (
            <h2 id="bucket-other-title" class="bucket-title">
              Other statuses <span class="bucket-count">{others.length}</span>
            </h2>
          )}
          {steps && <p class="muted">Leads at a status your organization's workflow no longer has: move them to one of its statuses.</p>}
          <LeadTable caption={steps ? "Your leads at other statuses" : "Your leads, newest first"} leads={others} {...rows} />
        </section>
      )}
      <AddLeadDialog open={adding} onClose={() => setAdding(false)} onAttached={refresh} />
    </Page>
  );
}
