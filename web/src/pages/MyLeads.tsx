// The agent's own leads, with the call activity of each (GET /v1/leads/{id}/calls).
import { useState } from "preact/hooks";
import { ApiError, get } from "../api";
import { ErrorBanner } from "../components/Fields";
import { amount, duration, text, when } from "../format";
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
  const list = calls.data ?? [];
  if (!list.length) return <p class="empty">No calls</p>;
  return (
    <table class="grid grid-inner">
      <caption class="sr-only">Calls</caption>
      <thead>
        <tr>
          <th scope="col">Started</th>
          <th scope="col">Talk time</th>
          <th scope="col">Number called</th>
          <th scope="col">Agent</th>
          <th scope="col">Status</th>
          <th scope="col">Recording</th>
        </tr>
      </thead>
      <tbody>
        {list.map((c) => (
          <tr key={c.call_sid}>
            <td>{when(c.started_at)}</td>
            <td>{duration(c.talk_seconds)}</td>
            <td>{text(c.phone_called)}</td>
            <td>{text(c.agent_id)}</td>
            <td>{text(c.status)}</td>
            <td>
              {c.recording_url ? (
                <a href={c.recording_url} target="_blank" rel="noopener noreferrer">
                  Listen
                </a>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function assignedBy(value: string | null): string {
  if (!value) return "—";
  if (value === "claim") return "Claimed offer";
  if (value === "fresh") return "Fresh bucket";
  if (value === "distribution") return "Distribution";
  if (value.startsWith("manager:")) return `Manager (${value.slice(8)})`;
  return value;
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
    <section class="page" aria-labelledby="leads-title">
      <div class="section-head">
        <h1 id="leads-title" tabIndex={-1}>My leads</h1>
        <button type="button" class="btn btn-small" onClick={() => void leads.reload()}>
          Refresh
        </button>
      </div>
      <ErrorBanner error={leads.error?.status === 401 ? undefined : leads.error} onRetry={() => void leads.reload()} />
      {!leads.data && !leads.error && <p aria-live="polite">Loading…</p>}
      {leads.data && rows.length === 0 && <p class="empty">No leads yet. Leads you claim or are assigned appear here.</p>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table class="grid">
            <caption class="sr-only">Your leads, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Phone</th>
                <th scope="col">Email</th>
                <th scope="col">State</th>
                <th scope="col">Loan purpose</th>
                <th scope="col" class="num">
                  Loan amount
                </th>
                <th scope="col">Status / activity</th>
                <th scope="col">Campaign</th>
                <th scope="col">Assigned</th>
                <th scope="col">Calls</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((l) => {
                const expanded = open.has(l.prospect_id);
                const name = `${l.first_name} ${l.last_name}`.trim();
                return [
                  <tr key={l.prospect_id} data-prospect-id={l.prospect_id}>
                    <th scope="row">{name}</th>
                    <td>{l.phone ? <a href={`tel:${l.phone}`}>{l.phone}</a> : "—"}</td>
                    <td>{l.email ? <a href={`mailto:${l.email}`}>{l.email}</a> : "—"}</td>
                    <td>{text(l.state)}</td>
                    <td>{text(l.loan_purpose)}</td>
                    <td class="num">{amount(l.loan_amount)}</td>
                    <td>
                      {text(l.app_status)}
                      {l.app_activity ? <span class="muted"> / {l.app_activity}</span> : null}
                    </td>
                    <td>{text(l.campaign_name)}</td>
                    <td>
                      {when(l.assigned_at)}
                      <br />
                      <span class="muted">{assignedBy(l.assigned_by)}</span>
                    </td>
                    <td>
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
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
