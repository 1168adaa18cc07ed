// A lead's application status and activity, editable (issue 11: the org's workflow): two selects, the
// activities following the chosen status, and Save (POST /v1/leads/{id}/status). The lead's agent and
// managers move it; each refusal is said in words under the selects.
import { useEffect, useId, useState } from "preact/hooks";
import { ApiError, post } from "../api";
import { actionErrorText } from "../leadActions";
import type { StepAnswer, WorkflowStatus } from "../types";

/** What a refused move means, in words (null for a 401: the session ends elsewhere). */
export function stepErrorText(err: unknown): string | null {
  if (!(err instanceof ApiError)) return String(err);
  if (err.status === 401) return null;
  if (err.details.some((d) => d.code === "not_in_workflow"))
    return "That status or activity is no longer in your organization's workflow (a manager changed it). Reload the page and choose again.";
  switch (err.code) {
    case "claimed_by_other":
      return "Another agent has this lead now: only the lead's agent or a manager can move it.";
    case "concurrent_update":
      return "Someone else changed this lead just now, so it was not moved. It shows as it is now; look again before you move it.";
    case "not_assigned":
      return "This lead is not assigned to an agent, so it has no application to move.";
    default:
      return actionErrorText(err);
  }
}

/** The activities offered under ``status``: the workflow's, or the lead's own when the workflow no longer has its step. */
function activitiesOf(workflow: WorkflowStatus[], status: string, current: { status: string; activity: string }): string[] {
  const found = workflow.find((w) => w.name === status)?.activities ?? [];
  if (status === current.status && current.activity && !found.includes(current.activity)) return [current.activity, ...found];
  return found;
}

export function StepEditor({ prospectId, name, status, activity, workflow, onSaved, onStale, compact }: {
  prospectId: string;
  /** The lead's name, for the controls' accessible names. */
  name: string;
  status: string | null;
  activity: string | null;
  workflow: WorkflowStatus[];
  onSaved: (answer: StepAnswer) => void;
  /** The lead changed elsewhere: read it again. */
  onStale?: () => void;
  compact?: boolean;
}) {
  const id = useId();
  const current = { status: status ?? "", activity: activity ?? "" };
  const [draft, setDraft] = useState(current);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft({ status: status ?? "", activity: activity ?? "" }), [status, activity]);
  const statuses = workflow.map((w) => w.name);
  const statusOptions = current.status && !statuses.includes(current.status) ? [current.status, ...statuses] : statuses;
  const activities = activitiesOf(workflow, draft.status, current);
  const changed = draft.status !== current.status || draft.activity !== current.activity;

  const save = async (e: Event) => {
    e.preventDefault();
    if (!changed || !draft.status || !draft.activity) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await post<StepAnswer>(`/v1/leads/${encodeURIComponent(prospectId)}/status`, { status: draft.status, activity: draft.activity });
      onSaved(answer);
    } catch (err) {
      setError(stepErrorText(err));
      if (err instanceof ApiError && (err.code === "concurrent_update" || err.code === "claimed_by_other")) onStale?.();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class={`step-editor${compact ? " step-compact" : ""}`} onSubmit={save}>
      <div class="step-fields">
        <span class="step-field">
          <label for={`${id}-s`}>Status</label>
          <select
            id={`${id}-s`}
            aria-label={`Status of ${name}`}
            value={draft.status}
            disabled={busy}
            onChange={(e) => {
              const s = (e.currentTarget as HTMLSelectElement).value;
              const list = activitiesOf(workflow, s, current);
              setDraft({ status: s, activity: s === current.status ? current.activity : (list[0] ?? "") });
              setError(null);
            }}
          >
            {statusOptions.map((s) => (
              <option key={s} value={s}>
                {s}
                {statuses.includes(s) ? "" : " (not in the workflow)"}
              </option>
            ))}
          </select>
        </span>
        <span class="step-field">
          <label for={`${id}-a`}>Activity</label>
          <select
            id={`${id}-a`}
            aria-label={`Activity of ${name}`}
            value={draft.activity}
            disabled={busy}
            onChange={(e) => {
              const a = (e.currentTarget as HTMLSelectElement).value;
              setDraft((d) => ({ ...d, activity: a })); // the latest draft, even before a re-render
              setError(null);
            }}
          >
            {activities.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </span>
        {changed && (
          <span class="step-buttons">
            <button type="submit" class="btn btn-small btn-primary" disabled={busy}>
              {busy ? "Saving…" : "Save"}
              <span class="sr-only"> the status of {name}</span>
            </button>
            <button type="button" class="btn btn-small" disabled={busy} onClick={() => { setDraft(current); setError(null); }}>
              Undo<span class="sr-only"> the change to {name}</span>
            </button>
          </span>
        )}
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
