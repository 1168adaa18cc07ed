// The marketing report (seed 002: "searched in inFlow and Marketing Report"): leads received in a date
// range by campaign and lead provider, with where distribution first placed them; Export CSV downloads the same.
import { useState } from "preact/hooks";
import { get } from "../api";
import { ErrorBanner, TextField } from "../components/Fields";
import { Cell, LoadState, Page, RefreshButton } from "../components/Page";
import { text } from "../format";
import { useDebounced, useLoad } from "../hooks";
import { lastThirtyDays, useCsvExport } from "../report";
import type { MarketingReport, MarketingRow } from "../types";

const COUNTS: { key: keyof MarketingRow; label: string }[] = [
  { key: "assigned", label: "Assigned" },
  { key: "fresh", label: "Fresh" },
  { key: "exception", label: "Exception" },
  { key: "stored", label: "Stored" },
  { key: "in_distribution", label: "In distribution" },
  { key: "total", label: "Total" },
  { key: "duplicates", label: "Duplicates" },
];

export function MarketingPage(_props: { canEdit: boolean }) {
  const [from, setFrom] = useState(() => lastThirtyDays().from);
  const [to, setTo] = useState(() => lastThirtyDays().to);
  const { exporting, exportError, exportCsv: download } = useCsvExport("/v1/reports/marketing");
  const range = useDebounced({ from, to }, 300);
  const valid = !!range.from && !!range.to && range.from <= range.to;
  const report = useLoad(() => (valid ? get<MarketingReport>("/v1/reports/marketing", { from: range.from, to: range.to }) : Promise.resolve(undefined)), [range.from, range.to]);
  const data = report.data;

  const exportCsv = () => download({ from, to }, `marketing-${from}-to-${to}.csv`);

  return (
    <Page
      id="marketing-title"
      title="Marketing report"
      tools={
        <div class="toolbar">
          <button type="button" class="btn btn-primary" disabled={!valid || exporting} onClick={() => void exportCsv()}>
            {exporting ? "Exporting…" : "Export CSV"}
          </button>
          <RefreshButton onClick={() => void report.reload()} />
        </div>
      }
    >
      <p class="muted">Leads received in the date range, by campaign and lead provider, and where distribution first placed them. Duplicates: repeats of a borrower already in the organization (attached to the first lead or refused), not counted in Total.</p>
      <div class="card toolbar range-bar">
        <TextField label="From" type="date" value={from} onInput={setFrom} />
        <TextField label="To" type="date" value={to} onInput={setTo} error={from && to && from > to ? "The end is before the start." : undefined} />
      </div>
      <ErrorBanner error={exportError} />
      <LoadState load={report} missing="marketing report" isEmpty={(d) => !d || d.rows.length === 0} empty="No leads were received in this date range." />
      {data && data.rows.length > 0 && (
        <div class="table-wrap">
          <table class="grid grid-stack marketing">
            <caption class="sr-only">Leads by campaign and lead provider</caption>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Lead provider</th>
                {COUNTS.map((c) => (
                  <th scope="col" class="num" key={c.key}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={`${r.campaign_id}|${r.lead_provider ?? ""}`}>
                  <th scope="row" class="cell-title">
                    {text(r.campaign_name ?? r.campaign_id)}
                  </th>
                  <Cell label="Lead provider">{text(r.lead_provider)}</Cell>
                  {COUNTS.map((c) => (
                    <Cell key={c.key} label={c.label} class={`num${c.key === "total" ? " strong" : ""}`}>
                      {String(r[c.key] ?? 0)}
                    </Cell>
                  ))}
                </tr>
              ))}
              <tr class="totals">
                <th scope="row" class="cell-title">
                  All campaigns
                </th>
                <Cell label="Lead provider">—</Cell>
                {COUNTS.map((c) => (
                  <Cell key={c.key} label={c.label} class="num strong">
                    {String(data.totals?.[c.key] ?? data.rows.reduce((s, r) => s + Number(r[c.key] ?? 0), 0))}
                  </Cell>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
