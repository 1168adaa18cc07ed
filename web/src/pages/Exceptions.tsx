// The Lead Exception page (seed 000): multi-select + search filters on the text columns, a
// range on Loan Amount and Create Date, sorting, paging (Previous / Next by cursor: the list is read
// by key, so a page costs the same however long the list is), Assign, Ignore and Show Ignored; per row "Why is
// this here?" (the lead's routing, components/Trace) and, for managers and admins, Re-run distribution (issue 13)
// and Return to its vendor (issue 14, components/ReturnDialog).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, get, post } from "../api";
import { Confirm, Dialog, DialogButtons } from "../components/Dialog";
import { ReturnDialog } from "../components/ReturnDialog";
import { CheckboxField, ErrorBanner, NumberField, SelectField, TextField } from "../components/Fields";
import { Page, Pager, RefreshButton, showing } from "../components/Page";
import { agentName, redistribute, rerunErrorText, rerunResult, Trace } from "../components/Trace";
import { amount, distribution, leadHref, personName, phoneText, text, when, whenParts } from "../format";
import { useCursorPages, useDebounced, useLoad } from "../hooks";
import { notify } from "../notify";
import { linkHandler } from "../router";
import type { Tone } from "../notify";
import { type Agent, type ExceptionList, type ExceptionRow, type Redistributed, type SortColumn, TEXT_COLUMNS, type TextColumn } from "../types";

/** A row's name; a lead with only a phone shows its phone (when the API sends it). */
function exceptionName(r: ExceptionRow): string {
  return r.prospect_name || phoneText(r.phone) || "(no name)";
}

const LABELS: Record<SortColumn, string> = {
  prospect_name: "Prospect Name",
  campaign: "Campaign",
  description: "Description",
  distribution: "Distribution",
  lead_provider: "Lead Provider",
  loan_purpose: "Loan Purpose Type",
  loan_amount: "Loan Amount",
  state: "State",
  failure_reason: "Failure Reason",
  create_date: "Create Date",
};
/** The table's columns, in LABELS' order. */
const COLUMNS = Object.keys(LABELS) as SortColumn[];
/** Each column's share of the table's width (the actions take the rest): the ten fit a 1280 px window, Failure
 * Reason and Create Date included; long values wrap, a few lines at most, with the whole text in their tooltip. */
const WIDTHS: Record<SortColumn, number> = {
  prospect_name: 10.5,
  campaign: 8.5,
  description: 9.5,
  distribution: 9.5,
  lead_provider: 8,
  loan_purpose: 8,
  loan_amount: 8,
  state: 6,
  failure_reason: 14.5,
  create_date: 10,
};
/** Columns whose values are cut after a few lines (the tooltip has them whole). */
const CLAMPED = new Set<SortColumn>(["campaign", "description", "lead_provider", "loan_purpose", "failure_reason"]);
/** Sorts the index serves over the whole list; any other column orders the rows of each page. */
const INDEXED_SORTS: SortColumn[] = ["create_date", "loan_amount"];
const PAGE_SIZES = [25, 50, 100, 200];

interface Filters {
  values: Partial<Record<TextColumn, string[]>>;
  search: Partial<Record<TextColumn, string>>;
  loanMin: number | null;
  loanMax: number | null;
  dateFrom: string; // datetime-local, the browser's zone
  dateTo: string;
}

const NO_FILTERS: Filters = { values: {}, search: {}, loanMin: null, loanMax: null, dateFrom: "", dateTo: "" };

function isoFromLocal(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The list's query without its cursor: what a cursor stays valid for (any change starts again at the first page). */
export function exceptionQuery(f: Filters, sort: SortColumn, order: "asc" | "desc", pageSize: number, showIgnored: boolean): URLSearchParams {
  const q = new URLSearchParams();
  for (const col of TEXT_COLUMNS) {
    for (const v of f.values[col] ?? []) q.append(col, v);
    const s = (f.search[col] ?? "").trim();
    if (s) q.set(`${col}_search`, s);
  }
  if (f.loanMin !== null) q.set("loan_amount_min", String(f.loanMin));
  if (f.loanMax !== null) q.set("loan_amount_max", String(f.loanMax));
  const from = isoFromLocal(f.dateFrom);
  const to = isoFromLocal(f.dateTo);
  if (from) q.set("create_date_from", from);
  if (to) q.set("create_date_to", to);
  q.set("sort", sort);
  q.set("order", order);
  q.set("page_size", String(pageSize));
  if (showIgnored) q.set("show_ignored", "true");
  return q;
}

function activeCount(f: Filters, col: SortColumn): number {
  if (col === "loan_amount") return (f.loanMin !== null ? 1 : 0) + (f.loanMax !== null ? 1 : 0);
  if (col === "create_date") return (f.dateFrom ? 1 : 0) + (f.dateTo ? 1 : 0);
  return (f.values[col]?.length ?? 0) + ((f.search[col] ?? "").trim() ? 1 : 0);
}

/** What is wrong with a Loan Amount range as typed (the list then matches nothing, and says so). */
function rangeErrors(f: Filters): { min?: string; max?: string } {
  const { loanMin: lo, loanMax: hi } = f;
  return {
    min: lo !== null && lo < 0 ? "A loan amount is never below $0." : undefined,
    max: hi !== null && hi < 0 ? "A loan amount is never below $0." : lo !== null && hi !== null && hi < lo ? "The maximum is below the minimum: no lead can match." : undefined,
  };
}

function FilterEditor({ col, filters, setFilters, facets, onClose }: {
  col: SortColumn;
  filters: Filters;
  setFilters: (f: Filters) => void;
  facets: string[];
  onClose: () => void;
}) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    panel.current?.querySelector<HTMLElement>("input, select, button")?.focus();
  }, [col]);
  const label = LABELS[col];
  let body;
  if (col === "loan_amount") {
    body = (
      <div class="filter-range">
        <NumberField label="Minimum" value={filters.loanMin} min={0} step="any" error={rangeErrors(filters).min} onInput={(v) => setFilters({ ...filters, loanMin: v })} />
        <NumberField label="Maximum" value={filters.loanMax} min={0} step="any" error={rangeErrors(filters).max} onInput={(v) => setFilters({ ...filters, loanMax: v })} />
      </div>
    );
  } else if (col === "create_date") {
    body = (
      <div class="filter-range">
        <TextField label="From" type="datetime-local" value={filters.dateFrom} onInput={(v) => setFilters({ ...filters, dateFrom: v })} />
        <TextField label="To" type="datetime-local" value={filters.dateTo} onInput={(v) => setFilters({ ...filters, dateTo: v })} />
      </div>
    );
  } else {
    const c = col as TextColumn;
    const search = filters.search[c] ?? "";
    const selected = new Set(filters.values[c] ?? []);
    const options = facets.filter((v) => v.toLowerCase().includes(search.trim().toLowerCase()) || selected.has(v));
    const setSelected = (next: Set<string>) => setFilters({ ...filters, values: { ...filters.values, [c]: [...next] } });
    body = (
      <>
        <TextField
          label={`${label} contains`}
          type="search"
          value={search}
          onInput={(v) => setFilters({ ...filters, search: { ...filters.search, [c]: v } })}
          hint="Shows rows containing this text, and narrows the list below."
        />
        <fieldset class="filter-values">
          <legend>Only these values</legend>
          {options.length === 0 && <p class="muted">No values.</p>}
          <div class="filter-options">
            {options.map((v) => (
              <CheckboxField
                key={v}
                label={c === "distribution" ? distribution(v) : v}
                checked={selected.has(v)}
                onChange={(on) => {
                  const next = new Set(selected);
                  if (on) next.add(v);
                  else next.delete(v);
                  setSelected(next);
                }}
              />
            ))}
          </div>
        </fieldset>
      </>
    );
  }
  const clear = () => {
    if (col === "loan_amount") setFilters({ ...filters, loanMin: null, loanMax: null });
    else if (col === "create_date") setFilters({ ...filters, dateFrom: "", dateTo: "" });
    else setFilters({ ...filters, values: { ...filters.values, [col]: [] }, search: { ...filters.search, [col]: "" } });
  };
  return (
    <div
      ref={panel}
      class="filter-panel"
      role="group"
      aria-label={`Filter ${label}`}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div class="filter-panel-head">
        <h2>Filter: {label}</h2>
      </div>
      {body}
      <div class="filter-panel-actions">
        <button type="button" class="btn btn-small" onClick={clear}>
          Clear
        </button>
        <button type="button" class="btn btn-primary btn-small" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}

function chips(f: Filters): { key: string; label: string; remove: (f: Filters) => Filters }[] {
  const out: { key: string; label: string; remove: (f: Filters) => Filters }[] = [];
  for (const col of TEXT_COLUMNS) {
    for (const v of f.values[col] ?? []) {
      out.push({
        key: `${col}=${v}`,
        label: `${LABELS[col]}: ${col === "distribution" ? distribution(v) : v}`,
        remove: (g) => ({ ...g, values: { ...g.values, [col]: (g.values[col] ?? []).filter((x) => x !== v) } }),
      });
    }
    const s = (f.search[col] ?? "").trim();
    if (s) out.push({ key: `${col}~`, label: `${LABELS[col]} contains “${s}”`, remove: (g) => ({ ...g, search: { ...g.search, [col]: "" } }) });
  }
  if (f.loanMin !== null) out.push({ key: "min", label: `Loan Amount ≥ ${amount(f.loanMin)}`, remove: (g) => ({ ...g, loanMin: null }) });
  if (f.loanMax !== null) out.push({ key: "max", label: `Loan Amount ≤ ${amount(f.loanMax)}`, remove: (g) => ({ ...g, loanMax: null }) });
  if (f.dateFrom) out.push({ key: "from", label: `Created from ${when(isoFromLocal(f.dateFrom))}`, remove: (g) => ({ ...g, dateFrom: "" }) });
  if (f.dateTo) out.push({ key: "to", label: `Created until ${when(isoFromLocal(f.dateTo))}`, remove: (g) => ({ ...g, dateTo: "" }) });
  return out;
}

/** A cell of the table: a clamped column shows a few lines, and its whole value as the tooltip. */
function ExceptionCell({ col, value }: { col: SortColumn; value: string }) {
  const clamped = CLAMPED.has(col);
  return (
    <td class={`col-${col}${col === "loan_amount" ? " num" : ""}`} title={clamped && value !== "—" ? value : undefined}>
      {clamped ? <span class="clamp">{value}</span> : value}
    </td>
  );
}

/** The date, then the time: a narrow column breaks between them. */
function CreateDate({ iso }: { iso: string }) {
  const parts = whenParts(iso);
  if (!parts) return <>{when(iso)}</>;
  return (
    <>
      <span class="nowrap">{parts[0]},</span> <span class="nowrap">{parts[1]}</span>
    </>
  );
}

function loadAgents(): Promise<Agent[]> {
  return get<{ items?: Agent[] } | Agent[]>("/v1/agents").then((body) => (Array.isArray(body) ? body : (body.items ?? [])));
}

function AssignDialog({ row, onClose, onAssigned }: { row: ExceptionRow | null; onClose: () => void; onAssigned: () => void }) {
  const [agents, setAgents] = useState<Agent[] | null | undefined>(undefined); // undefined: loading
  const [listError, setListError] = useState<string | null>(null);
  const [agentId, setAgentId] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!row) return;
    setAgentId("");
    setError(null);
    setListError(null);
    setAgents(undefined);
    loadAgents().then(
      (list) => setAgents(list.filter((a) => a.active !== false).sort((a, b) => personName(a).localeCompare(personName(b)))),
      (err) => {
        setAgents(null);
        if (!(err instanceof ApiError && err.status === 401)) setListError("The agent list is not available right now; enter the agent's ID.");
      },
    );
  }, [row?.prospect_id]);

  const submit = async () => {
    if (!row) return;
    const id = agentId.trim();
    if (!id) {
      setError("Choose an agent.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post(`/v1/exceptions/${encodeURIComponent(row.prospect_id)}/assign`, { agent_id: id });
      const who = agents?.find((a) => a.agent_id === id);
      notify(`Lead assigned to ${who ? personName(who) : id}.`, "success");
      onAssigned();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      setError(err instanceof ApiError && err.code === "unknown_agent" ? "There is no agent with this ID in your organization." : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={row !== null}
      title="Assign lead"
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={<DialogButtons onCancel={onClose} label="Assign" busyLabel="Assigning…" busy={busy} />}
    >
      {row && (
        <p>
          Assign <strong>{exceptionName(row)}</strong> ({text(row.campaign)}) to:
        </p>
      )}
      {agents === undefined ? (
        <SelectField label="Agent" value="" onChange={() => undefined} disabled options={[{ value: "", label: "Loading agents…" }]} />
      ) : agents ? (
        <SelectField
          label="Agent"
          value={agentId}
          onChange={setAgentId}
          required
          error={error ?? undefined}
          options={[{ value: "", label: "Choose an agent…" }, ...agents.map((a) => ({ value: a.agent_id, label: `${personName(a)} (${a.email})` }))]}
        />
      ) : (
        <TextField label="Agent" value={agentId} onInput={setAgentId} required error={error ?? undefined} hint={listError ?? undefined} autoComplete="off" />
      )}
    </Dialog>
  );
}

/** Re-runs the row's distribution; the result in words (and its tone), or a refusal's words (null: a 401). */
async function rerun(r: ExceptionRow): Promise<{ text: string; tone: Tone; answer?: Redistributed } | null> {
  try {
    const answer = await redistribute(r.prospect_id);
    const name = answer.status === "assigned" && answer.agent_id ? await agentName(answer.agent_id) : "";
    return { ...rerunResult(answer, () => name), answer };
  } catch (err) {
    const text = rerunErrorText(err);
    return text === null ? null : { text, tone: "error" };
  }
}

/** "Why is this here?": the lead's routing, its last decision open; managers and admins re-run it from here. */
function WhyDialog({ row, canEdit, onClose, onChanged }: { row: ExceptionRow | null; canEdit: boolean; onClose: () => void; onChanged: () => void }) {
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; tone: Tone; answer?: Redistributed } | null>(null);
  useEffect(() => {
    setResult(null);
    setVersion(0);
  }, [row?.prospect_id]);
  const run = async () => {
    if (!row) return;
    setBusy(true);
    const said = await rerun(row);
    setBusy(false);
    if (!said) return;
    setResult(said);
    setVersion((v) => v + 1);
    onChanged();
  };
  // once re-run out of Lead Exception (or refused as no longer one), nothing more to re-run here
  const settled = !!result && (result.answer ? result.answer.status !== "exception" : true);
  return (
    <Dialog
      open={row !== null}
      title="Why is this here?"
      wide
      onClose={onClose}
      onSubmit={() => void run()}
      actions={
        <>
          <button type="button" class="btn" onClick={onClose}>
            Close
          </button>
          {canEdit && (
            <button type="submit" class="btn btn-primary" disabled={busy || settled}>
              {busy ? "Re-running…" : "Re-run distribution"}
            </button>
          )}
        </>
      }
    >
      {row && (
        <>
          <p class="why-lead">
            <a href={leadHref(row.prospect_id)} onClick={linkHandler}>
              {exceptionName(row)}
            </a>{" "}
            <span class="muted">
              · {text(row.campaign)} ({distribution(row.distribution)})
            </span>
          </p>
          {result && (
            <div class={`banner ${result.tone === "success" ? "banner-success" : result.tone === "error" ? "banner-error" : "banner-info"}`} role="status" data-rerun-result>
              <span>
                <strong>Re-run:</strong> {result.text}
              </span>
            </div>
          )}
          <Trace prospectId={row.prospect_id} staff openLatest version={version} />
          {canEdit && !result && <p class="muted why-hint">Fixed what sent it here (an agent's availability, filters, the campaign's group)? Re-run its distribution.</p>}
        </>
      )}
    </Dialog>
  );
}

export function ExceptionsPage({ canEdit }: { canEdit: boolean }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS); // the first page again once the debounced filters reach the query
  const [sort, setSort] = useState<SortColumn>("create_date");
  const [order, setOrder] = useState<"asc" | "desc">("desc");
  const [pageSize, setPageSize] = useState(50);
  const [showIgnored, setShowIgnored] = useState(false);
  const [openFilter, setOpenFilter] = useState<SortColumn | null>(null);
  const [assigning, setAssigning] = useState<ExceptionRow | null>(null);
  const [ignoring, setIgnoring] = useState<ExceptionRow | null>(null);
  const [ignoreBusy, setIgnoreBusy] = useState(false);
  const [why, setWhy] = useState<ExceptionRow | null>(null);
  const [returning, setReturning] = useState<ExceptionRow | null>(null);
  const [rerunning, setRerunning] = useState<string | null>(null);
  const filterButtons = useRef<Partial<Record<SortColumn, HTMLButtonElement | null>>>({});

  const debounced = useDebounced(filters, 300);
  const base = useMemo(() => exceptionQuery(debounced, sort, order, pageSize, showIgnored).toString(), [debounced, sort, order, pageSize, showIgnored]);
  const pages = useCursorPages(base);
  const { here } = pages;
  const key = here.cursor === null ? base : `${base}&${new URLSearchParams({ cursor: here.cursor }).toString()}`;
  const list = useLoad(
    () => get<ExceptionList>("/v1/exceptions", new URLSearchParams(key)).then((answer) => ({ ...answer, key, offset: here.offset })),
    [key],
    30_000,
  );
  const data = list.data;
  /** The answer shown is the page asked for (not the previous one, still shown while the next loads). */
  const current = data !== undefined && data.key === key;
  const facets = data?.facets ?? {};

  const closeFilter = () => {
    const col = openFilter;
    setOpenFilter(null);
    if (col) window.setTimeout(() => filterButtons.current[col]?.focus(), 0);
  };

  const sortBy = (col: SortColumn) => {
    if (sort === col) setOrder(order === "asc" ? "desc" : "asc");
    else {
      setSort(col);
      setOrder(col === "create_date" || col === "loan_amount" ? "desc" : "asc");
    }
  };

  const ignore = async () => {
    if (!ignoring) return;
    setIgnoreBusy(true);
    try {
      await post(`/v1/exceptions/${encodeURIComponent(ignoring.prospect_id)}/ignore`);
      notify(`${exceptionName(ignoring)} was ignored. Tick Show Ignored to see ignored leads.`, "success");
      setIgnoring(null);
      void list.reload();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) notify(`Could not ignore the lead: ${(err as Error).message}`, "error");
      setIgnoring(null);
      void list.reload();
    } finally {
      setIgnoreBusy(false);
    }
  };

  const rerunRow = async (r: ExceptionRow) => {
    setRerunning(r.prospect_id);
    const said = await rerun(r);
    setRerunning(null);
    if (said) notify(`${exceptionName(r)}: ${said.text}`, said.tone);
    void list.reload();
  };

  const withinPage = current ? data.sorted_within_page : !INDEXED_SORTS.includes(sort);
  const activeChips = chips(filters);
  let empty: string | null = null;
  if (data && data.items.length === 0) {
    if (data.next_cursor) empty = "No lead exceptions on this page match these filters. Next reads further into the list.";
    else if (data.offset > 0) empty = "No more lead exceptions. Previous goes back.";
    else if (activeChips.length > 0) empty = "No lead exceptions match these filters.";
    else if (showIgnored) empty = "No lead exceptions, ignored or not.";
    else empty = "Nothing waits in Lead Exception. Tick Show Ignored to see the leads set aside.";
  }

  return (
    <Page
      id="exc-title"
      title="Lead Exception"
      tools={
        <div class="toolbar">
          <CheckboxField label="Show Ignored" checked={showIgnored} onChange={setShowIgnored} />
          <RefreshButton onClick={() => void list.reload()} />
        </div>
      }
    >
      <p class="muted">Leads the engine could not place, with the reason (Why? shows each agent it read and the rule that excluded them). Assign one to any agent, re-run its distribution once what sent it here is fixed, return a vendor's lead to its vendor, or ignore it to hide it from this list.</p>
      {activeChips.length > 0 && (
        <div class="chips" aria-label="Active filters" role="group">
          {activeChips.map((c) => (
            <button key={c.key} type="button" class="chip" onClick={() => setFilters(c.remove(filters))} aria-label={`Remove filter ${c.label}`}>
              {c.label} <span aria-hidden="true">×</span>
            </button>
          ))}
          <button type="button" class="btn btn-link btn-small" onClick={() => setFilters(NO_FILTERS)}>
            Clear all filters
          </button>
        </div>
      )}
      {openFilter && (
        <FilterEditor col={openFilter} filters={filters} setFilters={setFilters} facets={TEXT_COLUMNS.includes(openFilter as TextColumn) ? (facets[openFilter as TextColumn] ?? []) : []} onClose={closeFilter} />
      )}
      <ErrorBanner error={list.error?.status === 401 ? undefined : list.error} onRetry={() => void list.reload()} />
      <div class="table-wrap">
        <table class="grid exceptions" aria-describedby="exc-count" aria-busy={list.loading ? "true" : "false"}>
          <caption class="sr-only">Lead exceptions</caption>
          <colgroup>
            <col class="col-actions" />
            {COLUMNS.map((col) => (
              <col key={col} class={`col-${col}`} style={{ width: `${WIDTHS[col]}%` }} />
            ))}
          </colgroup>
          <thead>
            <tr>
              <th scope="col">{canEdit ? "Actions" : <span class="sr-only">Status</span>}</th>
              {COLUMNS.map((col) => {
                const n = activeCount(filters, col);
                return (
                  <th key={col} scope="col" aria-sort={sort === col ? (order === "asc" ? "ascending" : "descending") : undefined} class={`col-${col}${col === "loan_amount" ? " num" : ""}`}>
                    <div class="th">
                      <button type="button" class="th-sort" onClick={() => sortBy(col)} title={sort === col && withinPage ? "Sorted within this page" : undefined}>
                        {LABELS[col]}
                        <span class="sort-mark" aria-hidden="true">
                          {sort === col ? (order === "asc" ? "▲" : "▼") : ""}
                        </span>
                        {sort === col && withinPage && <span class="sr-only">(sorted within this page)</span>}
                      </button>
                      <button
                        type="button"
                        ref={(el) => {
                          filterButtons.current[col] = el;
                        }}
                        class={`th-filter${n ? " th-filter-on" : ""}`}
                        aria-label={`Filter ${LABELS[col]}${n ? ` (${n} active)` : ""}`}
                        aria-expanded={openFilter === col ? "true" : "false"}
                        onClick={() => setOpenFilter(openFilter === col ? null : col)}
                      >
                        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                          <path d="M1 2h14l-5.5 6.5V14l-3-1.5V8.5z" fill="currentColor" />
                        </svg>
                        {n > 0 && <span class="th-count">{n}</span>}
                      </button>
                    </div>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {data?.items.map((r) => (
              <tr key={r.prospect_id} data-prospect-id={r.prospect_id} class={r.ignored ? "row-ignored" : undefined}>
                <td class="actions col-actions">
                  {r.ignored && <span class="badge">Ignored</span>}
                  {canEdit && (
                    <>
                      <button type="button" class="btn btn-primary btn-small" onClick={() => setAssigning(r)} aria-label={`Assign ${exceptionName(r)}`}>
                        Assign
                      </button>
                      {!r.ignored && (
                        <button type="button" class="btn btn-small" onClick={() => setIgnoring(r)} aria-label={`Ignore ${exceptionName(r)}`}>
                          Ignore
                        </button>
                      )}
                      <button type="button" class="btn btn-small" disabled={rerunning === r.prospect_id} onClick={() => void rerunRow(r)} aria-label={`Re-run distribution of ${exceptionName(r)}`} title="Re-run distribution">
                        {rerunning === r.prospect_id ? "Re-running…" : "Re-run"}
                      </button>
                      {r.vendor_id && (
                        <button type="button" class="btn btn-small" onClick={() => setReturning(r)} aria-label={`Return ${exceptionName(r)} to its vendor`} title="Return to vendor">
                          Return
                        </button>
                      )}
                    </>
                  )}
                  <button type="button" class="btn btn-link btn-small" onClick={() => setWhy(r)} aria-label={`Why is ${exceptionName(r)} here?`} title="Why is this here?">
                    Why?
                  </button>
                </td>
                <th scope="row" class="col-prospect_name">
                  <a href={leadHref(r.prospect_id)} onClick={linkHandler}>
                    {exceptionName(r)}
                  </a>
                </th>
                <ExceptionCell col="campaign" value={text(r.campaign)} />
                <ExceptionCell col="description" value={text(r.description)} />
                <ExceptionCell col="distribution" value={distribution(r.distribution)} />
                <ExceptionCell col="lead_provider" value={text(r.lead_provider)} />
                <ExceptionCell col="loan_purpose" value={text(r.loan_purpose)} />
                <ExceptionCell col="loan_amount" value={amount(r.loan_amount)} />
                <ExceptionCell col="state" value={text(r.state)} />
                <ExceptionCell col="failure_reason" value={text(r.failure_reason)} />
                <td class="col-create_date" title={when(r.create_date)}>
                  <CreateDate iso={r.create_date} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {empty && <p class="empty">{empty}</p>}
      <Pager
        label="Lead exception pages"
        statusId="exc-count"
        status={current ? showing(data.offset, data.items.length, data.total, data.next_cursor !== null) : list.loading ? "Loading…" : ""}
        note={current && data.sorted_within_page && data.items.length > 0 ? `sorted by ${LABELS[sort]} within this page` : undefined}
        number={pages.number}
        canPrevious={pages.number > 1}
        canNext={current && data.next_cursor !== null}
        onPrevious={pages.previous}
        onNext={() => {
          if (current && data.next_cursor) pages.next(data.next_cursor, data.items.length);
        }}
      >
        <SelectField label="Rows per page" value={String(pageSize)} onChange={(v) => setPageSize(Number(v))} options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))} />
      </Pager>
      <AssignDialog
        row={assigning}
        onClose={() => setAssigning(null)}
        onAssigned={() => {
          setAssigning(null);
          void list.reload();
        }}
      />
      <ReturnDialog
        target={returning ? { prospect_id: returning.prospect_id, name: exceptionName(returning) } : null}
        onClose={() => setReturning(null)}
        onStale={() => void list.reload()}
        onReturned={() => {
          setReturning(null);
          void list.reload();
        }}
      />
      <WhyDialog row={why} canEdit={canEdit} onClose={() => setWhy(null)} onChanged={() => void list.reload()} />
      <Confirm
        open={ignoring !== null}
        title="Ignore lead"
        question="Do you really want to ignore this lead?"
        confirmLabel="OK"
        busy={ignoreBusy}
        onConfirm={() => void ignore()}
        onCancel={() => setIgnoring(null)}
      />
    </Page>
  );
}
