// Work lists (seed 003): the leads a team calls through, chosen by a filter (campaign, lead provider,
// state, loan purpose, amount, create date, stored/unassigned) or added from a CSV file; worked by
// its agents and groups in priority order; split across agents (manual distribution) or cut into
// segments. Managers and admins change them; supervisors look.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, postRaw, post } from "../api";
import { Dialog, DialogButtons } from "../components/Dialog";
import { CheckboxField, ErrorBanner, Fieldset, NumberField, TextField } from "../components/Fields";
import { MultiSelect, type Option } from "../components/MultiSelect";
import { ACTIONS, Cell, DataTable, num } from "../components/Page";
import { amount, fullName, leadHref, listText, parseList, personName, US_STATES, whenSeconds } from "../format";
import { notify } from "../notify";
import { linkHandler } from "../router";
import type { Agent, Campaign, CsvAnswer, Group, ListFilter, Segment, SplitAnswer, WorkList } from "../types";
import { EditorDialog, errorText, ListState, SettingsPage, upsert, useEditor, useList, useOptional, useRemove } from "./settings/common";

const FIELDS = ["name", "agent_ids", "group_ids", "priority", "filter", "segments"];
export const CSV_COLUMNS = ["first_name", "last_name", "phone", "email", "state", "loan_purpose", "loan_amount", "campaign_id"];

interface FilterDraft {
  campaign_id: string[];
  lead_provider: string[];
  state: string[];
  loan_purpose: string; // comma-separated while editing
  amount_min: number | null;
  amount_max: number | null;
  created_from: string;
  created_to: string;
  status: ("stored" | "unassigned")[];
}

interface Draft {
  list_id: string;
  name: string;
  agent_ids: string[];
  group_ids: string[];
  priority: number | null;
  filter: FilterDraft;
  segments: { segment_id?: string; name: string; filter: FilterDraft }[];
}

const NO_FILTER: FilterDraft = { campaign_id: [], lead_provider: [], state: [], loan_purpose: "", amount_min: null, amount_max: null, created_from: "", created_to: "", status: ["stored", "unassigned"] };

function toFilterDraft(f: ListFilter | null | undefined): FilterDraft {
  if (!f) return { ...NO_FILTER };
  return {
    campaign_id: [...(f.campaign_id ?? [])],
    lead_provider: [...(f.lead_provider ?? [])],
    state: [...(f.state ?? [])],
    loan_purpose: listText(f.loan_purpose),
    amount_min: f.amount_min ?? null,
    amount_max: f.amount_max ?? null,
    created_from: f.created_from ?? "",
    created_to: f.created_to ?? "",
    status: [...(f.status ?? [])],
  };
}

export function filterBody(f: FilterDraft): ListFilter {
  const body: ListFilter = { campaign_id: f.campaign_id, lead_provider: f.lead_provider, state: f.state, loan_purpose: parseList(f.loan_purpose), status: f.status };
  if (f.amount_min !== null) body.amount_min = f.amount_min;
  if (f.amount_max !== null) body.amount_max = f.amount_max;
  if (f.created_from) body.created_from = f.created_from;
  if (f.created_to) body.created_to = f.created_to;
  return body;
}

function toDraft(l: WorkList | null): Draft {
  if (!l) return { list_id: "", name: "", agent_ids: [], group_ids: [], priority: null, filter: { ...NO_FILTER }, segments: [] };
  return {
    list_id: l.list_id,
    name: l.name,
    agent_ids: [...(l.agent_ids ?? [])],
    group_ids: [...(l.group_ids ?? [])],
    priority: l.priority ?? null,
    filter: toFilterDraft(l.filter),
    segments: (l.segments ?? []).map((s) => ({ segment_id: s.segment_id, name: s.name, filter: toFilterDraft(s.filter) })),
  };
}

export function listBody(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = { name: d.name.trim(), agent_ids: d.agent_ids, group_ids: d.group_ids, filter: filterBody(d.filter) };
  if (d.priority !== null) body.priority = d.priority;
  body.segments = d.segments.map((s): Segment => ({ ...(s.segment_id ? { segment_id: s.segment_id } : {}), name: s.name.trim(), filter: filterBody(s.filter) }));
  return body;
}

/** "Campaign: Race · State: TX, OK · $100,000–$500,000 · created 2024-01-01 to … · stored, unassigned". */
export function filterText(f: ListFilter | null | undefined, campaignName: (id: string) => string): string {
  if (!f) return "All leads";
  const bits: string[] = [];
  if (f.campaign_id?.length) bits.push(`Campaign: ${f.campaign_id.map(campaignName).join(", ")}`);
  if (f.lead_provider?.length) bits.push(`Lead provider: ${f.lead_provider.join(", ")}`);
  if (f.state?.length) bits.push(`State: ${f.state.join(", ")}`);
  if (f.loan_purpose?.length) bits.push(`Loan purpose: ${f.loan_purpose.join(", ")}`);
  const lo = f.amount_min ?? null;
  const hi = f.amount_max ?? null;
  if (lo !== null || hi !== null) bits.push(lo !== null && hi !== null ? `${amount(lo)}–${amount(hi)}` : lo !== null ? `≥ ${amount(lo)}` : `≤ ${amount(hi)}`);
  if (f.created_from || f.created_to) bits.push(`Created ${f.created_from ? `from ${f.created_from}` : ""}${f.created_from && f.created_to ? " " : ""}${f.created_to ? `to ${f.created_to}` : ""}`);
  if (f.status?.length) bits.push(f.status.map((s) => (s === "stored" ? "Stored" : "Unassigned")).join(", "));
  return bits.length ? bits.join(" · ") : "All leads";
}

interface Lookups {
  campaigns: Option[];
  providers: Option[];
  agents: Option[];
  groups: Option[];
}

function FilterForm({ value, onChange, lookups, prefix = "" }: { value: FilterDraft; onChange: (f: FilterDraft) => void; lookups: Lookups; prefix?: string }) {
  const set = <K extends keyof FilterDraft>(k: K) => (v: FilterDraft[K]) => onChange({ ...value, [k]: v });
  const status = new Set(value.status);
  const setStatus = (s: "stored" | "unassigned", on: boolean) => set("status")(on ? [...value.status.filter((x) => x !== s), s] : value.status.filter((x) => x !== s));
  return (
    <div class="form-grid filter-form">
      <MultiSelect label={`${prefix}Campaign`} options={lookups.campaigns} value={value.campaign_id} onChange={set("campaign_id")} />
      <MultiSelect label={`${prefix}Lead provider`} options={lookups.providers} value={value.lead_provider} onChange={set("lead_provider")} />
      <MultiSelect label={`${prefix}State`} options={US_STATES.map((s) => ({ value: s, label: s }))} value={value.state} onChange={set("state")} />
      <TextField label={`${prefix}Loan purpose`} value={value.loan_purpose} onInput={set("loan_purpose")} hint="Comma-separated, e.g. Purchase, Refinance. Empty: any." />
      <NumberField label={`${prefix}Loan amount from`} value={value.amount_min} min={0} step="any" onInput={set("amount_min")} />
      <NumberField label={`${prefix}Loan amount to`} value={value.amount_max} min={0} step="any" onInput={set("amount_max")} />
      <TextField label={`${prefix}Created from`} type="date" value={value.created_from} onInput={set("created_from")} />
      <TextField label={`${prefix}Created to`} type="date" value={value.created_to} onInput={set("created_to")} />
      <fieldset class="fieldset status-choice">
        <legend>{prefix}Lead status</legend>
        <CheckboxField label="Stored (not distributed)" checked={status.has("stored")} onChange={(on) => setStatus("stored", on)} />
        <CheckboxField label="Unassigned" checked={status.has("unassigned")} onChange={(on) => setStatus("unassigned", on)} />
      </fieldset>
    </div>
  );
}

function Segments({ value, onChange, lookups }: { value: Draft["segments"]; onChange: (v: Draft["segments"]) => void; lookups: Lookups }) {
  const setOne = (i: number, s: Draft["segments"][number]) => onChange(value.map((x, j) => (j === i ? s : x)));
  return (
    <Fieldset legend="Segments (parts of the list an agent can work on their own)" class="span-2">
      {value.length === 0 && <p class="muted">No segments.</p>}
      {value.map((s, i) => (
        <div key={s.segment_id ?? `new-${i}`} class="segment" role="group" aria-label={`Segment ${i + 1}`}>
          <div class="segment-head">
            <TextField label={`Segment ${i + 1} name`} value={s.name} required onInput={(v) => setOne(i, { ...s, name: v })} />
            <button type="button" class="btn btn-small btn-danger-outline" onClick={() => onChange(value.filter((_, j) => j !== i))}>
              Remove<span class="sr-only"> segment {i + 1}</span>
            </button>
          </div>
          <FilterForm value={s.filter} onChange={(f) => setOne(i, { ...s, filter: f })} lookups={lookups} prefix={`Segment ${i + 1}: `} />
        </div>
      ))}
      <button type="button" class="btn btn-small" onClick={() => onChange([...value, { name: "", filter: { ...NO_FILTER, status: [] } }])}>
        Add segment
      </button>
    </Fieldset>
  );
}

/** Add leads from a CSV file: the rows added, and each row refused with why. */
function CsvDialog({ list, onClose, onDone }: { list: WorkList | null; onClose: () => void; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<CsvAnswer | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  useEffect(() => {
    setFile(null);
    setAnswer(null);
    setError(null);
  }, [list?.list_id]);
  const upload = async () => {
    if (!list || !file) {
      setError(new Error("Choose a CSV file first."));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = await file.text();
      const got = await postRaw<CsvAnswer>(`/v1/lists/${encodeURIComponent(list.list_id)}/leads`, body, "text/csv");
      setAnswer(got);
      notify(`${got.added} lead${got.added === 1 ? "" : "s"} added to “${list.name}”${got.rejected?.length ? `; ${got.rejected.length} row${got.rejected.length === 1 ? "" : "s"} refused` : ""}.`, got.rejected?.length ? "info" : "success");
      onDone();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={list !== null}
      title={list ? `Add leads to “${list.name}”` : "Add leads"}
      wide
      onClose={onClose}
      onSubmit={() => void upload()}
      actions={
        answer ? (
          <button type="button" class="btn btn-primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <DialogButtons onCancel={onClose} label="Upload" busyLabel="Uploading…" busy={busy} disabled={!file} />
        )
      }
    >
      <p>
        A CSV file with a header row and the columns <code>{CSV_COLUMNS.join(", ")}</code>. Each row becomes a lead of this list.
      </p>
      <div class="field">
        <label for="csv-file">CSV file</label>
        <input id="csv-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
      </div>
      <ErrorBanner error={error} />
      {answer && (
        <div role="status" class="csv-result">
          <p>
            <strong>{answer.added}</strong> lead{answer.added === 1 ? "" : "s"} added.
            {answer.rejected?.length ? ` ${answer.rejected.length} row${answer.rejected.length === 1 ? "" : "s"} refused:` : " No row refused."}
          </p>
          {answer.rejected?.length > 0 && (
            <DataTable caption="Rows refused" stack columns={[num("Row"), "Problem", "Code"]}>
              {answer.rejected.map((r) => (
                <tr key={`${r.row}-${r.code}`}>
                  <Cell label="Row" class="num">
                    {r.row}
                  </Cell>
                  <Cell label="Problem">{r.message}</Cell>
                  <Cell label="Code">
                    <code>{r.code}</code>
                  </Cell>
                </tr>
              ))}
            </DataTable>
          )}
        </div>
      )}
    </Dialog>
  );
}

/** Split a list across chosen agents: one new list each, its leads shared out. */
function SplitDialog({ list, agents, onClose, onDone }: { list: WorkList | null; agents: Option[]; onClose: () => void; onDone: () => void }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<SplitAnswer | null>(null);
  useEffect(() => {
    setChosen(list ? [...(list.agent_ids ?? [])] : []);
    setError(null);
    setAnswer(null);
  }, [list?.list_id]);
  const agentName = (id: string) => agents.find((a) => a.value === id)?.label ?? id;
  const split = async () => {
    if (!list) return;
    if (chosen.length < 1) {
      setError("Choose the agents to split the list across.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const got = await post<SplitAnswer>(`/v1/lists/${encodeURIComponent(list.list_id)}/split`, { agent_ids: chosen });
      setAnswer(got);
      notify(`“${list.name}” split into ${got.lists.length} list${got.lists.length === 1 ? "" : "s"}.`, "success");
      onDone();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={list !== null}
      title={list ? `Split “${list.name}”` : "Split list"}
      onClose={onClose}
      onSubmit={() => void split()}
      actions={
        answer ? (
          <button type="button" class="btn btn-primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <DialogButtons onCancel={onClose} label="Split" busyLabel="Splitting…" busy={busy} />
        )
      }
    >
      {!answer && (
        <>
          <p>Each agent chosen gets a list of their own with an equal share of this list's leads (manual distribution).</p>
          <MultiSelect label="Agents" options={agents} value={chosen} onChange={setChosen} none="Choose agents…" />
          {error && (
            <p class="field-error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
      {answer && (
        <DataTable caption="The new lists" stack columns={["List", "Agent", num("Leads")]}>
          {answer.lists.map((l) => (
            <tr key={l.list_id}>
              <th scope="row" class="cell-title">
                {l.name}
              </th>
              <Cell label="Agent">{agentName(l.agent_id)}</Cell>
              <Cell label="Leads" class="num">
                {l.count}
              </Cell>
            </tr>
          ))}
        </DataTable>
      )}
    </Dialog>
  );
}

/** A list as GET /v1/lists/{id} answers it, and its queued leads (GET /v1/leads?list_id=), each opening the lead page. */
function ListDetails({ list, campaignName, agentName, onClose }: { list: WorkList | null; campaignName: (id: string) => string; agentName: (id: string) => string; onClose: () => void }) {
  const [full, setFull] = useState<(WorkList & { leads?: unknown[]; items?: unknown[] }) | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    setFull(null);
    setError(null);
    if (!list) return;
    const id = encodeURIComponent(list.list_id);
    // the list's facts, and the first 50 leads still in its queue, in the order agents get them
    Promise.all([get<WorkList>(`/v1/lists/${id}`), get<{ items: unknown[] }>(`/v1/leads?list_id=${id}&limit=50`)]).then(
      ([facts, queued]) => setFull({ ...facts, leads: queued.items }),
      (err) => setError(err instanceof ApiError && err.status !== 401 ? err : null),
    );
  }, [list?.list_id]);
  const l = full ?? list;
  const leads = (full?.leads ?? full?.items ?? []) as { prospect_id: string; first_name?: string; last_name?: string; status?: string; agent_name?: string | null }[];
  return (
    <Dialog
      open={list !== null}
      title={l ? `List: ${l.name}` : "List"}
      wide
      onClose={onClose}
      actions={
        <button type="button" class="btn" onClick={onClose}>
          Close
        </button>
      }
    >
      <ErrorBanner error={error} />
      {l && (
        <dl class="facts">
          <div>
            <dt>Which leads</dt>
            <dd>{filterText(l.filter, campaignName)}</dd>
          </div>
          <div>
            <dt>Worked by</dt>
            <dd>{[...(l.agent_ids ?? []).map(agentName), ...(l.group_ids ?? []).map((g) => `group ${g}`)].join(", ") || "Nobody yet"}</dd>
          </div>
          <div>
            <dt>Priority</dt>
            <dd>{l.priority ?? "—"}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>{whenSeconds(l.created_at)}</dd>
          </div>
          <div>
            <dt>Segments</dt>
            <dd>{(l.segments ?? []).length ? l.segments.map((s) => `${s.name} (${filterText(s.filter, campaignName)})`).join("; ") : "None"}</dd>
          </div>
        </dl>
      )}
      {leads.length > 0 && (
        <DataTable caption="Leads of the list" stack columns={["Lead", "Status", "Owner"]}>
          {leads.map((x) => (
            <tr key={x.prospect_id} data-prospect-id={x.prospect_id}>
              <th scope="row" class="cell-title">
                <a href={leadHref(x.prospect_id)} onClick={(e) => {
                  onClose();
                  linkHandler(e);
                }}>
                  {fullName(x)}
                </a>
              </th>
              <Cell label="Status">{x.status ?? "—"}</Cell>
              <Cell label="Owner">{x.agent_name ?? "—"}</Cell>
            </tr>
          ))}
        </DataTable>
      )}
    </Dialog>
  );
}

export function ListsPage({ canEdit }: { canEdit: boolean }) {
  const list = useList<WorkList>("/v1/lists", "lists");
  const campaigns = useOptional<Campaign>("/v1/campaigns", "campaigns");
  const agents = useOptional<Agent>("/v1/agents", "agents");
  const groups = useOptional<Group>("/v1/groups", "groups");
  const [csvFor, setCsvFor] = useState<WorkList | null>(null);
  const [splitting, setSplitting] = useState<WorkList | null>(null);
  const [viewing, setViewing] = useState<WorkList | null>(null);
  const remove = useRemove(() => void list.reload());
  const editor = useEditor<Draft>(
    FIELDS,
    async (value, creating) => {
      const answer = await upsert<WorkList & { count?: number }>("/v1/lists", value.list_id, creating, listBody(value));
      const n = answer?.count ?? answer?.counts?.total;
      notify(creating ? `List “${value.name.trim()}” created${n !== undefined ? ` with ${n} lead${n === 1 ? "" : "s"}` : ""}.` : `List “${value.name.trim()}” saved.`, "success");
    },
    () => list.reload(),
  );

  const lookups: Lookups = {
    campaigns: (campaigns ?? []).map((c) => ({ value: c.campaign_id, label: c.name })),
    providers: [...new Set((campaigns ?? []).map((c) => c.lead_provider).filter(Boolean))].sort().map((p) => ({ value: p, label: p })),
    agents: (agents ?? []).filter((a) => a.active !== false && (a.roles ?? []).includes("agent")).map((a) => ({ value: a.agent_id, label: personName(a) })),
    groups: (groups ?? []).map((g) => ({ value: g.group_id, label: g.name })),
  };
  const campaignName = (id: string) => lookups.campaigns.find((c) => c.value === id)?.label ?? id;
  const agentName = (id: string) => {
    const a = agents?.find((x) => x.agent_id === id);
    return a ? personName(a) : id;
  };
  const groupName = (id: string) => lookups.groups.find((g) => g.value === id)?.label ?? id;

  const items = [...(list.data ?? [])].sort((a, b) => (a.priority ?? 1e9) - (b.priority ?? 1e9) || a.name.localeCompare(b.name));
  const draft = editor.editing?.value;
  const f = <K extends keyof Draft>(k: K) => (v: Draft[K]) => draft && editor.set({ ...draft, [k]: v });
  const count = (l: WorkList, k: keyof NonNullable<WorkList["counts"]>) => (l.counts ? String(l.counts[k] ?? 0) : "—");

  return (
    <SettingsPage title="Lists" id="lists-title" canEdit={canEdit} newLabel="New list" onNew={() => editor.open(toDraft(null), true)}>
      <p class="muted">The leads your agents call through in the Work Queue. A lead being worked is locked; a claimed lead stays with its agent.</p>
      <ListState list={list} what="lists" />
      {items.length > 0 && (
        <DataTable
          caption="Lists"
          stack
          columns={["Name", num("Priority"), "Worked by", "Which leads", num("Total"), num("Queued"), num("Locked"), num("Claimed"), num("Callbacks due"), ACTIONS]}
        >
          {items.map((l) => (
            <tr key={l.list_id} data-list-id={l.list_id}>
              <th scope="row" class="cell-title">
                <button type="button" class="btn-link link-button" onClick={() => setViewing(l)}>
                  {l.name}
                </button>
                {l.parent_id && <span class="muted small"> (split)</span>}
              </th>
              <Cell label="Priority" class="num">
                {l.priority ?? "—"}
              </Cell>
              <Cell label="Worked by">{[...(l.agent_ids ?? []).map(agentName), ...(l.group_ids ?? []).map((g) => `${groupName(g)} (group)`)].join(", ") || <span class="muted">Nobody yet</span>}</Cell>
              <Cell label="Which leads">
                {filterText(l.filter, campaignName)}
                {(l.segments ?? []).length > 0 && <span class="muted"> · {l.segments.length} segment{l.segments.length === 1 ? "" : "s"}</span>}
              </Cell>
              <Cell label="Total" class="num">
                {count(l, "total")}
              </Cell>
              <Cell label="Queued" class="num">
                {count(l, "queued")}
              </Cell>
              <Cell label="Locked" class="num">
                {count(l, "locked")}
              </Cell>
              <Cell label="Claimed" class="num">
                {count(l, "claimed")}
              </Cell>
              <Cell label="Callbacks due" class="num">
                {count(l, "callbacks_due")}
              </Cell>
              <td class="actions cell-actions list-actions">
                <button type="button" class="btn btn-small" onClick={() => editor.open(toDraft(l), false)}>
                  {canEdit ? "Edit" : "View"}
                  <span class="sr-only"> {l.name}</span>
                </button>
                {canEdit && (
                  <>
                    <button type="button" class="btn btn-small" onClick={() => setCsvFor(l)}>
                      Add leads<span class="sr-only"> to {l.name}</span>
                    </button>
                    <button type="button" class="btn btn-small" onClick={() => setSplitting(l)}>
                      Split<span class="sr-only"> {l.name}</span>
                    </button>
                    <button
                      type="button"
                      class="btn btn-small btn-danger-outline"
                      onClick={() => remove.ask({ path: `/v1/lists/${encodeURIComponent(l.list_id)}`, name: `list “${l.name}”`, verb: "Delete", question: "Do you really want to delete this list? Its leads stay; they leave this list's queue." })}
                    >
                      Delete<span class="sr-only"> {l.name}</span>
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <EditorDialog {...editor.dialog} title={editor.editing?.creating ? "New list" : `List: ${draft?.name ?? ""}`} canEdit={canEdit}>
        {draft && (
          <div class="form-grid">
            <TextField label="Name" value={draft.name} required onInput={f("name")} error={editor.errors.name} />
            <NumberField label="Priority" value={draft.priority} min={1} onInput={f("priority")} error={editor.errors.priority} hint="1 is worked first." />
            <MultiSelect label="Agents" options={lookups.agents} value={draft.agent_ids} onChange={f("agent_ids")} none="None" hint={editor.errors.agent_ids} />
            <MultiSelect label="Groups" options={lookups.groups} value={draft.group_ids} onChange={f("group_ids")} none="None" hint={editor.errors.group_ids} />
            <Fieldset legend="Which leads (the filter)" class="span-2">
              <FilterForm value={draft.filter} onChange={f("filter")} lookups={lookups} />
              {editor.errors.filter && <p class="field-error">{editor.errors.filter}</p>}
              {editor.editing?.creating && <p class="field-hint">The leads matching the filter join the list when it is created; add more later from a CSV file.</p>}
            </Fieldset>
            <Segments value={draft.segments} onChange={f("segments")} lookups={lookups} />
          </div>
        )}
      </EditorDialog>
      <CsvDialog list={csvFor} onClose={() => setCsvFor(null)} onDone={() => void list.reload()} />
      <SplitDialog list={splitting} agents={lookups.agents} onClose={() => setSplitting(null)} onDone={() => void list.reload()} />
      <ListDetails list={viewing} campaignName={campaignName} agentName={agentName} onClose={() => setViewing(null)} />
      {remove.dialog}
    </SettingsPage>
  );
}
