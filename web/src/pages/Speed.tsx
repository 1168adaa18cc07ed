// Speed to lead (issue 13): for leads that arrived in a date range, how soon they were first offered, claimed
// (assigned) and called, as medians per campaign and per agent, and the share first called within 5 minutes.
// A campaign narrows both tables; Download CSV exports the same rows (GET /v1/reports/speed?format=csv).
import { useState } from "preact/hooks";
import { get } from "../api";
import { ErrorBanner, SelectField, TextField } from "../components/Fields";
import { Cell, LoadState, Page, RefreshButton } from "../components/Page";
import { text } from "../format";
import { useDebounced, useLoad } from "../hooks";
import { lastThirtyDays, useCsvExport } from "../report";
import { useOptional } from "./settings/common";

/** The report's shapes (infra/openapi/contract.py: SpeedReport), kept with the page that reads them. */
interface SpeedFigures {
  leads: number;
  claimed: number;
  median_to_claim_s: number | null;
  called: number;
  median_to_call_s: number | null;
  within_5_min: number;
  within_5_min_share: number | null;
}
interface SpeedTotals extends SpeedFigures {
  offered: number;
  median_to_offer_s: number | null;
}
interface SpeedCampaignRow extends SpeedTotals {
  campaign_id: string;
  campaign_name: string;
  lead_provider: string;
}
interface SpeedAgentRow extends SpeedFigures {
  agent_id: string;
  agent_name: string;
}
interface SpeedResolution {
  up_to_s: number | null;
  step_s: number | null;
}
interface SpeedReport {
  from: string;
  to: string;
  campaign_id: string | null;
  contact_within_s: number;
  resolution: SpeedResolution[];
  campaigns: SpeedCampaignRow[];
  agents: SpeedAgentRow[];
  totals: SpeedTotals;
}
interface CampaignOption {
  campaign_id: string;
  name: string;
}

const MAX_DAYS = 92;
const WEEK = 7 * 86_400;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** A span of seconds in words: "42 s", "4 min 35 s", "2 h 30 min", "1 d 6 h". */
export function span(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) {
    const s = seconds % 60;
    return `${Math.floor(seconds / 60)} min${s ? ` ${s} s` : ""}`;
  }
  if (seconds < 86_400) {
    const m = Math.floor((seconds % 3600) / 60);
    return `${Math.floor(seconds / 3600)} h${m ? ` ${m} min` : ""}`;
  }
  const h = Math.floor((seconds % 86_400) / 3600);
  return `${Math.floor(seconds / 86_400)} d${h ? ` ${h} h` : ""}`;
}

/** A median as the report gives it (its bucket's lower bound), with the bucket's range as a tooltip. */
function Median({ value, resolution }: { value: number | null; resolution: SpeedResolution[] }) {
  if (value === null) return <>—</>;
  if (value >= WEEK) return <>a week or more</>;
  const step = resolution.find((r) => r.up_to_s !== null && value < r.up_to_s)?.step_s ?? 1;
  if (step <= 1) return <>{span(value)}</>;
  return <span title={`Between ${span(value)} and ${span(value + step)}`}>{span(value)}</span>;
}

/** A row's figures after its name: leads, to first offer (campaign rows), to claim, to first call, called, within 5 minutes. */
function Figures({ r, resolution, offer, leads = "Leads", strong = false }: { r: SpeedFigures; resolution: SpeedResolution[]; offer?: number | null; leads?: string; strong?: boolean }) {
  const cls = strong ? "num strong" : "num";
  return (
    <>
      <Cell label={leads} class="num strong">
        {String(r.leads)}
      </Cell>
      {offer !== undefined && (
        <Cell label="To first offer" class={cls}>
          <Median value={offer} resolution={resolution} />
        </Cell>
      )}
      <Cell label="To claim" class={cls}>
        <Median value={r.median_to_claim_s} resolution={resolution} />
      </Cell>
      <Cell label="To first call" class={cls}>
        <Median value={r.median_to_call_s} resolution={resolution} />
      </Cell>
      <Cell label="Called" class={cls}>
        {String(r.called)}
      </Cell>
      <Cell label="Within 5 min" class={cls}>
        {share(r)}
      </Cell>
    </>
  );
}

function share(r: SpeedFigures): string {
  if (r.within_5_min_share === null) return "—";
  return `${r.within_5_min} (${Math.round(r.within_5_min_share * 1000) / 10}%)`;
}

function resolutionText(resolution: SpeedResolution[]): string {
  let below = 0;
  const parts: string[] = [];
  for (const r of resolution) {
    if (r.up_to_s === null || r.step_s === null) continue;
    parts.push(`${span(r.step_s)} from ${span(below)} to ${span(r.up_to_s)}`);
    below = r.up_to_s;
  }
  return parts.join(", ");
}

export function SpeedPage(_props: { canEdit: boolean }) {
  const [from, setFrom] = useState(() => lastThirtyDays().from);
  const [to, setTo] = useState(() => lastThirtyDays().to);
  const [campaign, setCampaign] = useState("");
  const { exporting, exportError, exportCsv: download } = useCsvExport("/v1/reports/speed");
  const campaigns = useOptional<CampaignOption>("/v1/campaigns", "campaigns");
  const range = useDebounced({ from, to }, 300);
  const tooLong = !!from && !!to && from <= to && daysBetween(from, to) >= MAX_DAYS;
  const valid = !!range.from && !!range.to && range.from <= range.to && daysBetween(range.from, range.to) < MAX_DAYS;
  const query = { from: range.from, to: range.to, campaign_id: campaign || undefined };
  const report = useLoad(() => (valid ? get<SpeedReport>("/v1/reports/speed", query) : Promise.resolve(undefined)), [range.from, range.to, campaign]);
  const data = report.data;
  const options = [{ value: "", label: "All campaigns" }, ...(campaigns ?? []).map((c) => ({ value: c.campaign_id, label: c.name })).sort((a, b) => a.label.localeCompare(b.label))];
  if (campaign && !options.some((o) => o.value === campaign)) options.push({ value: campaign, label: campaign });

  const exportCsv = () =>
    download({ from, to, campaign_id: campaign || undefined }, `speed-to-lead-${from}-to-${to}${campaign ? `-${campaign}` : ""}.csv`);

  return (
    <Page
      id="speed-title"
      title="Speed to lead"
      tools={
        <div class="toolbar">
          <button type="button" class="btn btn-primary" disabled={!valid || exporting} onClick={() => void exportCsv()}>
            {exporting ? "Downloading…" : "Download CSV"}
          </button>
          <RefreshButton onClick={() => void report.reload()} />
        </div>
      }
    >
      <p class="muted">
        For leads that arrived in the date range: the median time from arrival to the first offer, to the claim (or assignment), and to the first call to the borrower, and how many were first called within 5
        minutes. A campaign counts the leads it received; an agent, the leads first assigned to them (a call counts for the agent who had the lead).
      </p>
      <div class="card toolbar range-bar">
        <TextField label="From" type="date" value={from} onInput={setFrom} />
        <TextField label="To" type="date" value={to} onInput={setTo} error={from && to && from > to ? "The end is before the start." : tooLong ? `At most ${MAX_DAYS} days.` : undefined} />
        <SelectField label="Campaign" value={campaign} onChange={setCampaign} options={options} />
      </div>
      <ErrorBanner error={exportError} />
      <LoadState load={report} missing="speed-to-lead report" isEmpty={(d) => !d || d.campaigns.length === 0} empty="No leads arrived in this date range." />
      {data && data.campaigns.length > 0 && (
        <>
          <h2>By campaign</h2>
          <div class="table-wrap">
            <table class="grid grid-stack marketing speed">
              <caption class="sr-only">Speed to lead by campaign</caption>
              <thead>
                <tr>
                  <th scope="col">Campaign</th>
                  <th scope="col" class="num">Leads</th>
                  <th scope="col" class="num">To first offer</th>
                  <th scope="col" class="num">To claim</th>
                  <th scope="col" class="num">To first call</th>
                  <th scope="col" class="num">Called</th>
                  <th scope="col" class="num">Within 5 min</th>
                </tr>
              </thead>
              <tbody>
                {data.campaigns.map((r) => (
                  <tr key={r.campaign_id} data-campaign-id={r.campaign_id}>
                    <th scope="row" class="cell-title">
                      {text(r.campaign_name)}
                    </th>
                    <Figures r={r} offer={r.median_to_offer_s} resolution={data.resolution} />
                  </tr>
                ))}
                <tr class="totals">
                  <th scope="row" class="cell-title">
                    {campaign ? "Total" : "All campaigns"}
                  </th>
                  <Figures r={data.totals} offer={data.totals.median_to_offer_s} resolution={data.resolution} strong />
                </tr>
              </tbody>
            </table>
          </div>
          <h2>By agent</h2>
          {data.agents.length === 0 ? (
            <p class="empty">No lead of this range was assigned to an agent yet.</p>
          ) : (
            <div class="table-wrap">
              <table class="grid grid-stack marketing speed">
                <caption class="sr-only">Speed to lead by agent</caption>
                <thead>
                  <tr>
                    <th scope="col">Agent</th>
                    <th scope="col" class="num">Leads assigned</th>
                    <th scope="col" class="num">To claim</th>
                    <th scope="col" class="num">To first call</th>
                    <th scope="col" class="num">Called</th>
                    <th scope="col" class="num">Within 5 min</th>
                  </tr>
                </thead>
                <tbody>
                  {data.agents.map((r) => (
                    <tr key={r.agent_id} data-agent-id={r.agent_id}>
                      <th scope="row" class="cell-title">
                        {text(r.agent_name)}
                      </th>
                      <Figures r={r} leads="Leads assigned" resolution={data.resolution} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted small">
            Times are medians (the middle lead; the earlier of the two middle ones for an even count) from the lead's arrival. They are exact to {resolutionText(data.resolution)}; beyond a week they say
            “a week or more”. Within 5 min: leads first called at most 5 minutes after arrival, out of the row's leads. Days are UTC.
          </p>
        </>
      )}
    </Page>
  );
}
