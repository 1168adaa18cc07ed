// The agent's own leads, with the call activity of each (GET /v1/leads/{id}/calls).
import { useState } from "preact/hooks";
import { ApiError, get } from "../api";
import { type Recording, RecordingDialog } from "../components/CallActivity";
import { ErrorBanner } from "../components/Fields";
import { Cell, DataTable, LoadState, num, Page, RefreshButton } from "../components/Page";
import { amount, assignedBy, duration, leadHref, text, when, whenSeconds } from "../format";
import { linkHandler } from "../router";
import { useLoad } from "../hooks";
import type { Call, MyLead } from "../types";

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

export function MyLeadsPage() {
  const leads = useLoad(() => get<{ leads: MyLead[] }>("/v1/me/leads"), [], 15_000);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const rows = [...(leads.data?.leads ?? [])].sort((a, b) => (b.assigned_at ?? "").localeCompare(a.assigned_at ?? ""));
  const toggle = (id: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <Page id="leads-title" title="My leads" tools={<RefreshButton onClick={() => void leads.reload()} />}>
      <LoadState load={leads} isEmpty={(d) => !(d.leads ?? []).length} empty="No leads yet. Leads you claim or are assigned appear here." />
      {rows.length > 0 && (
        <DataTable caption="Your leads, newest first" stack columns={["Name", "Phone", "Email", "State", "Loan purpose", num("Loan amount"), "Status / activity", "Campaign", "Assigned", "Calls"]}>
          {rows.map((l) => {
            const expanded = open.has(l.prospect_id);
            const name = `${l.first_name} ${l.last_name}`.trim();
            return [
              <tr key={l.prospect_id} data-prospect-id={l.prospect_id}>
                <th scope="row" class="cell-title">
                  <a href={leadHref(l.prospect_id)} onClick={linkHandler}>
                    {name}
                  </a>
                </th>
                <Cell label="Phone">{l.phone ? <a href={`tel:${l.phone}`}>{l.phone}</a> : "—"}</Cell>
                <Cell label="Email" class="cell-break">
                  {l.email ? <a href={`mailto:${l.email}`}>{l.email}</a> : "—"}
                </Cell>
                <Cell label="State">{text(l.state)}</Cell>
                <Cell label="Loan purpose">{text(l.loan_purpose)}</Cell>
                <Cell label="Loan amount" class="num">
                  {amount(l.loan_amount)}
                </Cell>
                <Cell label="Status / activity">
                  {text(l.app_status)}
                  {l.app_activity ? <span class="muted"> / {l.app_activity}</span> : null}
                </Cell>
                <Cell label="Campaign">{text(l.campaign_name)}</Cell>
                <Cell label="Assigned">
                  {when(l.assigned_at)}
                  <br />
                  <span class="muted">{assignedBy(l.assigned_by)}</span>
                </Cell>
                <td class="cell-actions">
                  <button
                    type="button"
                    class="btn btn-small"
                    aria-expanded={expanded ? "true" : "false"}
                    aria-controls={`calls-${l.prospect_id}`}
                    onClick={() => toggle(l.prospect_id)}
                  >
                    {expanded ? "Hide calls" : "Calls"}
                    <span class="sr-only"> for {name}</span>
                  </button>
                </td>
              </tr>,
              expanded ? (
                <tr key={`${l.prospect_id}-calls`} id={`calls-${l.prospect_id}`} class="subrow">
                  <td colSpan={10}>
                    <Calls prospectId={l.prospect_id} />
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </DataTable>
      )}
    </Page>
  );
}
