// The org's workflow (issue 11): its application statuses in order, each with its activities. Agents see a
// bucket per status on My leads; campaigns start leads at one of its steps. Saved with the whole org
// (GET /v1/org, PUT /v1/org).
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, put } from "../../api";
import { FormErrors, TextField } from "../../components/Fields";
import { LoadState } from "../../components/Page";
import { useLoad } from "../../hooks";
import { notify } from "../../notify";
import type { Org, WorkflowStatus } from "../../types";
import { orgBody } from "./Org";
import { SettingsPage } from "./common";

export const MAX_STATUSES = 30;
export const MAX_ACTIVITIES = 50;

/** What is wrong with the workflow before it is sent (empty, too many, the same name twice). */
export function workflowProblems(w: WorkflowStatus[]): string[] {
  const out: string[] = [];
  if (!w.length) out.push("Keep at least one status.");
  if (w.length > MAX_STATUSES) out.push(`At most ${MAX_STATUSES} statuses.`);
  const seen = new Set<string>();
  w.forEach((s, i) => {
    const name = s.name.trim();
    if (!name) out.push(`Status ${i + 1} has no name.`);
    else if (seen.has(name.toLowerCase())) out.push(`“${name}” is there twice: each status name once.`);
    seen.add(name.toLowerCase());
    if (!s.activities.length) out.push(`${name || `Status ${i + 1}`} needs at least one activity.`);
    if (s.activities.length > MAX_ACTIVITIES) out.push(`${name || `Status ${i + 1}`}: at most ${MAX_ACTIVITIES} activities.`);
    const acts = new Set<string>();
    s.activities.forEach((a, j) => {
      const act = a.trim();
      if (!act) out.push(`Activity ${j + 1} of ${name || `status ${i + 1}`} has no name.`);
      else if (acts.has(act.toLowerCase())) out.push(`“${act}” is under ${name || `status ${i + 1}`} twice: each activity once under a status.`);
      acts.add(act.toLowerCase());
    });
  });
  return out;
}

/** A refused save in words: a campaign still starting leads at a removed step names the campaigns. */
export function workflowErrorText(err: ApiError): string[] {
  const out: string[] = [];
  for (const d of err.details) {
    if (d.code === "campaign_step_removed") out.push(`${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}. ${d.message ? `${d.message.charAt(0).toUpperCase()}${d.message.slice(1)}.` : ""}`.trim());
    else if (d.code === "duplicate_status") out.push("Each status name once: two statuses have the same name.");
    else if (d.code === "duplicate_activity") out.push("Each activity once under a status: a status has the same activity twice.");
    else out.push(d.field ? `${d.field}: ${d.message ?? d.code}` : (d.message ?? d.code ?? err.message));
  }
  if (!out.length) out.push(err.message);
  return out;
}

function move<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const next = [...list];
  const [x] = next.splice(from, 1);
  next.splice(to, 0, x);
  return next;
}

function OrderButtons({ what, index, count, onMove, onRemove, removeLabel }: { what: string; index: number; count: number; onMove: (to: number) => void; onRemove: () => void; removeLabel: string }) {
  return (
    <span class="wf-buttons">
      <button type="button" class="btn btn-small" disabled={index === 0} onClick={() => onMove(index - 1)}>
        Up<span class="sr-only"> (move {what} up)</span>
      </button>
      <button type="button" class="btn btn-small" disabled={index === count - 1} onClick={() => onMove(index + 1)}>
        Down<span class="sr-only"> (move {what} down)</span>
      </button>
      <button type="button" class="btn btn-small btn-danger-outline" disabled={count <= 1} onClick={onRemove}>
        {removeLabel}
        <span class="sr-only"> {what}</span>
      </button>
    </span>
  );
}

export function WorkflowEditor({ value, onChange }: { value: WorkflowStatus[]; onChange: (w: WorkflowStatus[]) => void }) {
  const setStatus = (i: number, s: WorkflowStatus) => onChange(value.map((x, j) => (j === i ? s : x)));
  return (
    <div class="workflow">
      <ol class="wf-list" aria-label="Statuses, in order">
        {value.map((s, i) => {
          const label = s.name.trim() || `status ${i + 1}`;
          return (
            <li key={i} class="wf-status" data-status-index={i}>
              <div class="wf-head">
                <TextField label={`Status ${i + 1}`} value={s.name} onInput={(v) => setStatus(i, { ...s, name: v })} maxLength={100} />
                <OrderButtons what={`status ${label}`} index={i} count={value.length} onMove={(to) => onChange(move(value, i, to))} onRemove={() => onChange(value.filter((_, j) => j !== i))} removeLabel="Remove" />
              </div>
              <ul class="wf-activities" aria-label={`Activities of ${label}`}>
                {s.activities.map((a, j) => (
                  <li key={j} class="wf-activity">
                    <TextField label={`Activity ${j + 1} of ${label}`} value={a} onInput={(v) => setStatus(i, { ...s, activities: s.activities.map((x, k) => (k === j ? v : x)) })} maxLength={100} />
                    <OrderButtons
                      what={`activity ${a.trim() || j + 1} of ${label}`}
                      index={j}
                      count={s.activities.length}
                      onMove={(to) => setStatus(i, { ...s, activities: move(s.activities, j, to) })}
                      onRemove={() => setStatus(i, { ...s, activities: s.activities.filter((_, k) => k !== j) })}
                      removeLabel="Remove"
                    />
                  </li>
                ))}
                <li>
                  <button type="button" class="btn btn-small" disabled={s.activities.length >= MAX_ACTIVITIES} onClick={() => setStatus(i, { ...s, activities: [...s.activities, ""] })}>
                    Add activity<span class="sr-only"> to {label}</span>
                  </button>
                </li>
              </ul>
            </li>
          );
        })}
      </ol>
      <div>
        <button type="button" class="btn" disabled={value.length >= MAX_STATUSES} onClick={() => onChange([...value, { name: "", activities: [""] }])}>
          Add status
        </button>
      </div>
    </div>
  );
}

function workflowDraft(o: Org): WorkflowStatus[] {
  return (o.workflow ?? []).map((w) => ({ name: w.name, activities: [...w.activities] }));
}

export function WorkflowPage({ canEdit }: { canEdit: boolean }) {
  const org = useLoad(() => get<Org>("/v1/org"), []);
  const [draft, setDraft] = useState<WorkflowStatus[] | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (org.data && draft === null) setDraft(workflowDraft(org.data));
  }, [org.data]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft || !org.data || !canEdit) return;
    const workflow = draft.map((s) => ({ name: s.name.trim(), activities: s.activities.map((a) => a.trim()) }));
    const problems = workflowProblems(workflow);
    setErrors(problems);
    if (problems.length) return;
    setBusy(true);
    try {
      const sent = draft;
      const saved = await put<Org>("/v1/org", orgBody({ ...org.data, workflow }));
      notify("Workflow saved. Agents see its statuses on My leads the next time they open the app.", "success");
      org.set(saved);
      setDraft((current) => (current === sent ? workflowDraft(saved) : current)); // unless edited meanwhile
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) setErrors(workflowErrorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <SettingsPage title="Workflow" id="workflow-title" canEdit={canEdit}>
      <p class="muted">
        The application statuses of your organization, in order, and the activities under each. Agents see a bucket per status on My leads and move their leads along it; a campaign
        starts its leads at one of its steps (leads without a campaign start at the first status's first activity). Renaming or removing a status does not move leads already at it:
        they show under “Other statuses” until moved.
      </p>
      <LoadState load={org} missing="organization" />
      {draft && (
        <form class="card form-card" onSubmit={save} noValidate>
          <FormErrors messages={errors} title="The workflow was not saved:" />
          <fieldset class="plain" disabled={!canEdit}>
            <WorkflowEditor value={draft} onChange={(w) => { setDraft(w); setErrors([]); }} />
          </fieldset>
          {canEdit && (
            <div class="form-actions">
              <button type="button" class="btn" disabled={busy} onClick={() => { setErrors([]); if (org.data) setDraft(workflowDraft(org.data)); }}>
                Discard changes
              </button>
              <button type="submit" class="btn btn-primary" disabled={busy}>
                {busy ? "Saving…" : "Save workflow"}
              </button>
            </div>
          )}
        </form>
      )}
    </SettingsPage>
  );
}
