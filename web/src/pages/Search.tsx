// Lead search (managers, admins, supervisors): the org's leads by status (Assigned, Unassigned — its
// own section —, Exception, Stored, In distribution, Returned), filtered by campaign, lead provider, agent,
// state, loan purpose, amount and create date; Previous / Next by cursor; a row opens the lead page.
import { useMemo, useState } from "preact/hooks";
import { get } from "../api";
import { NumberField, SelectField, TextField } from "../components/Fields";
import { MultiSelect } from "../components/MultiSelect";
import { Cell, DataTable, LoadState, num, Page, Pager, RefreshButton, showing } from "../components/Page";
import { amount, fullName, leadHref, parseList, personName, text, US_STATES, when } from "../format";
import { useCursorPages, useDebounced, useLoad } from "../hooks";
import { linkHandler } from "../router";
import type { Agent, Campaign, SearchPage as SearchAnswer } from "../types";
import { useOptional } from "./settings/common";

export const STATUS_TABS: { value: string; label: string; hint: string }[] = [
  { value: "assigned", label: "Assigned", hint: "Leads an agent owns." },
  { value: "unassigned", label: "Unassigned", hint: "Leads nobody took: the fresh bucket, Ring All after hours, leads unclaimed again." },
  { value: "exception", label: "Exception", hint: "Leads the engine could not place (Lead Exception)." },
  { value: "stored", label: "Stored", hint: "Leads of campaigns that do not distribute (None), kept for lists and reports." },
  { value: "offering", label: "In distribution", hint: "Leads being offered or rung right now." },
  { value: "returned", label: "Returned", hint: "Leads a manager returned to the vendor that posted them, for a credit." },
];
const PAGE_SIZES = [25, 50, 100];

interface Filters {
  campaign_id: string[];
  lead_provider: string[];
  agent_id: string[];
  state: string[];
  loan_purpose: string;
  amount_min: number | null;
  amount_max: number | null;
  created_from: string;
  created_to: string;
}

const NO_FILTERS: Filters = { campaign_id: [], lead_provider: [], agent_id: [], state: [], loan_purpose: "", amount_min: null, amount_max: null, created_from: "", created_to: "" };

export function searchQuery(status: string, f: Filters, limit: number): URLSearchParams {
  const q = new URLSearchParams();
  q.set("status", status);
  for (const k of ["campaign_id", "lead_provider", "agent_id", "state"] as const) for (const v of f[k]) q.append(k, v);
  for (const v of parseList(f.loan_purpose)) q.append("loan_purpose", v);
  if (f.amount_min !== null) q.set("amount_min", String(f.amount_min));
  if (f.amount_max !== null) q.set("amount_max", String(f.amount_max));
  if (f.created_from) q.set("created_from", f.created_from);
  if (f.created_to) q.set("created_to", f.created_to);
  q.set("limit", String(limit));
  return q;
}

function activeFilters(f: Filters): number {
  return [f.campaign_id.length, f.lead_provider.length, f.agent_id.length, f.state.length, f.loan_purpose.trim() ? 1 : 0, f.amount_min !== null ? 1 : 0, f.amount_max !== null ? 1 : 0, f.created_from ? 1 : 0, f.created_to ? 1 : 0].filter(Boolean).length;
}

export function SearchPage(_props: { canEdit: boolean }) {
  const [status, setStatus] = useState("assigned");
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [limit, setLimit] = useState(50);
  const campaigns = useOptional<Campaign>("/v1/campaigns", "campaigns");
  const agents = useOptional<Agent>("/v1/agents", "agents");
  const debounced = useDebounced(filters, 300);
  const base = useMemo(() => searchQuery(status, debounced, limit).toString(), [status, debounced, limit]);
  const pages = useCursorPages(base);
  const { here } = pages;
  const key = here.cursor === null ? base : `${base}&${new URLSearchParams({ cursor: here.cursor }).toString()}`;
  const result = useLoad(() => get<SearchAnswer>("/v1/leads", new URLSearchParams(key)).then((answer) => ({ ...answer, key, offset: here.offset })), [key]);
  const data = result.data;
  const current = data !== undefined && data.key === key;
  const set = <K extends keyof Filters>(k: K) => (v: Filters[K]) => setFilters({ ...filters, [k]: v });
  const n = activeFilters(filters);
  const tab = STATUS_TABS.find((t) => t.value === status) ?? STATUS_TABS[0];

  const campaignOptions = (campaigns ?? []).map((c) => ({ value: c.campaign_id, label: c.name }));
  const providerOptions = [...new Set((campaigns ?? []).map((c) => c.lead_provider).filter(Boolean))].sort().map((p) => ({ value: p, label: p }));
  const agentOptions = (agents ?? []).filter((a) => (a.roles ?? []).includes("agent")).map((a) => ({ value: a.agent_id, label: personName(a) }));

  const onTabKey = (e: KeyboardEvent, i: number) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = STATUS_TABS[(i + step + STATUS_TABS.length) % STATUS_TABS.length];
    setStatus(next.value);
    window.setTimeout(() => document.getElementById(`tab-${next.value}`)?.focus(), 0);
  };

  return (
    <Page id="search-title" title="Leads" tools={<RefreshButton onClick={() => void result.reload()} />}>
      <div class="tabs" role="tablist" aria-label="Lead status">
        {STATUS_TABS.map((t, i) => (
          <button
            key={t.value}
            id={`tab-${t.value}`}
            type="button"
            role="tab"
            class="tab"
            aria-selected={status === t.value ? "true" : "false"}
            aria-controls="search-panel"
            tabIndex={status === t.value ? 0 : -1}
            onClick={() => setStatus(t.value)}
            onKeyDown={(e) => onTabKey(e as unknown as KeyboardEvent, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id="search-panel" role="tabpanel" aria-labelledby={`tab-${status}`} class="page">
        <p class="muted">{tab.hint}</p>
        <details class="card filters-card" open={n > 0 || undefined}>
          <summary>Filters{n ? ` (${n} active)` : ""}</summary>
          <div class="form-grid">
            <MultiSelect label="Campaign" options={campaignOptions} value={filters.campaign_id} onChange={set("campaign_id")} />
            <MultiSelect label="Lead provider" options={providerOptions} value={filters.lead_provider} onChange={set("lead_provider")} />
            <MultiSelect label="Agent" options={agentOptions} value={filters.agent_id} onChange={set("agent_id")} />
            <MultiSelect label="State" options={US_STATES.map((s) => ({ value: s, label: s }))} value={filters.state} onChange={set("state")} />
            <TextField label="Loan purpose" value={filters.loan_purpose} onInput={set("loan_purpose")} hint="Comma-separated." />
            <NumberField label="Loan amount from" value={filters.amount_min} min={0} step="any" onInput={set("amount_min")} />
            <NumberField label="Loan amount to" value={filters.amount_max} min={0} step="any" onInput={set("amount_max")} />
            <TextField label="Created from" type="date" value={filters.created_from} onInput={set("created_from")} />
            <TextField label="Created to" type="date" value={filters.created_to} onInput={set("created_to")} />
          </div>
          {n > 0 && (
            <button type="button" class="btn btn-link btn-small" onClick={() => setFilters(NO_FILTERS)}>
              Clear all filters
            </button>
          )}
        </details>
        <LoadState load={result} missing="lead search" />
        {current && data.items.length === 0 && (
          <p class="empty">{data.next_cursor ? "No matching lead on this page. Next reads further." : data.offset > 0 ? "No more leads. Previous goes back." : `No ${tab.label.toLowerCase()} leads match.`}</p>
        )}
        {data && data.items.length > 0 && (
          <DataTable caption={`${tab.label} leads`} stack columns={["Name", "Phone", "Campaign", "Lead provider", "Agent", "State", "Loan purpose", num("Loan amount"), "Created", ...(status === "exception" || status === "unassigned" ? ["Reason"] : [])]}>
            {data.items.map((r) => (
              <tr key={r.prospect_id} data-prospect-id={r.prospect_id} class="row-link">
                <th scope="row" class="cell-title">
                  <a href={leadHref(r.prospect_id)} onClick={linkHandler}>
                    {fullName(r)}
                  </a>
                </th>
                <Cell label="Phone">{text(r.phone)}</Cell>
                <Cell label="Campaign">{text(r.campaign_name ?? r.campaign_id)}</Cell>
                <Cell label="Lead provider">{text(r.lead_provider)}</Cell>
                <Cell label="Agent">{text(r.agent_name ?? r.agent_id)}</Cell>
                <Cell label="State">{text(r.state)}</Cell>
                <Cell label="Loan purpose">{text(r.loan_purpose)}</Cell>
                <Cell label="Loan amount" class="num">
                  {amount(r.loan_amount)}
                </Cell>
                <Cell label="Created">{when(r.created_at)}</Cell>
                {(status === "exception" || status === "unassigned") && <Cell label="Reason">{text(r.failure_reason)}</Cell>}
              </tr>
            ))}
          </DataTable>
        )}
        {data && (
          <Pager
            label="Lead search pages"
            statusId="search-count"
            status={current ? showing(data.offset, data.items.length, null, data.next_cursor !== null) : result.loading ? "Loading…" : ""}
            number={pages.number}
            canPrevious={pages.number > 1}
            canNext={current && data.next_cursor !== null}
            onPrevious={pages.previous}
            onNext={() => {
              if (current && data.next_cursor) pages.next(data.next_cursor, data.items.length);
            }}
          >
            <SelectField label="Rows per page" value={String(limit)} onChange={(v) => setLimit(Number(v))} options={PAGE_SIZES.map((s) => ({ value: String(s), label: String(s) }))} />
          </Pager>
        )}
      </div>
    </Page>
  );
}
