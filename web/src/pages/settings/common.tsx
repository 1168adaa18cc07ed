// What the settings screens share: list loading (tolerant of the list's envelope), the
// "not deployed yet" state, the screen frame, save/delete error handling, the editor dialog and
// its state, and a row's Edit / Deactivate buttons.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, del, get, post, put } from "../../api";
import { Confirm, Dialog, DialogButtons } from "../../components/Dialog";
import { fieldErrors, Fieldset, FormErrors, NumberField, TextField } from "../../components/Fields";
import { LoadState, Page } from "../../components/Page";
import { type Loaded, useLoad } from "../../hooks";
import { notify } from "../../notify";
import type { Caps } from "../../types";

/** Lists may come as an array, {"items": [...]} or {"<plural>": [...]}. */
export function listOf<T>(body: unknown, plural: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    for (const k of ["items", plural]) if (Array.isArray(o[k])) return o[k] as T[];
  }
  return [];
}

/** Saves an item: POST to its collection when creating, else PUT to the item itself. */
export function upsert<R>(collection: string, id: string, creating: boolean, body: unknown): Promise<R> {
  return creating ? post<R>(collection, body) : put<R>(`${collection}/${encodeURIComponent(id)}`, body);
}

export function useList<T>(path: string, plural: string) {
  return useLoad(async () => listOf<T>(await get<unknown>(path), plural), [path]);
}

/** A lookup list for pickers (groups, agents, campaigns): null when it cannot be loaded. */
export function useOptional<T>(path: string, plural: string): T[] | null {
  const r = useLoad(async () => {
    try {
      return listOf<T>(await get<unknown>(path), plural);
    } catch {
      return null;
    }
  }, [path]);
  return r.data ?? null;
}

/** A settings list's loading, error, "not deployed yet" and empty state. */
export function ListState<T>({ list, what }: { list: Loaded<T[]>; what: string }) {
  return <LoadState load={list} isEmpty={(items) => !items.length} empty={`No ${what} yet.`} missing={what} />;
}

/** A settings screen: its heading with a toolbar (``tools``, then New, or "Read-only" for who cannot edit). */
export function SettingsPage({ title, id, canEdit, newLabel, onNew, tools, children }: { title: string; id: string; canEdit: boolean; newLabel?: string; onNew?: () => void; tools?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <Page
      id={id}
      title={title}
      tools={
        <div class="toolbar">
          {tools}
          {canEdit && onNew && (
            <button type="button" class="btn btn-primary" onClick={onNew}>
              {newLabel ?? "New"}
            </button>
          )}
          {!canEdit && <span class="badge">Read-only</span>}
        </div>
      }
    >
      {children}
    </Page>
  );
}

export function errorText(err: unknown): string {
  if (!(err instanceof ApiError)) return String(err);
  if (err.code === "already_exists") return `${err.message} (it already exists)`;
  if (err.code === "group_in_use") return `${err.message} (a campaign still uses this group)`;
  if (err.code.endsWith("_not_found")) return `${err.message} (it was removed meanwhile; refresh the list)`;
  return err.message;
}

interface EditorProps {
  open: boolean;
  title: string;
  canEdit: boolean;
  busy: boolean;
  errors: string[];
  onClose: () => void;
  onSave: () => void;
  children: ComponentChildren;
}

export function EditorDialog({ open, title, canEdit, busy, errors, onClose, onSave, children }: EditorProps) {
  return (
    <Dialog
      open={open}
      title={title}
      wide
      onClose={onClose}
      onSubmit={() => canEdit && onSave()}
      actions={
        canEdit ? (
          <DialogButtons onCancel={onClose} label="Save" busyLabel="Saving…" busy={busy} />
        ) : (
          <button type="button" class="btn" onClick={onClose}>
            Close
          </button>
        )
      }
    >
      <FormErrors messages={errors} />
      <fieldset class="plain" disabled={!canEdit}>
        {children}
      </fieldset>
    </Dialog>
  );
}

/** Busy while ``run`` runs its action; a refusal (other than a 401) becomes field errors and the others. */
export function useSubmit(fields: string[]) {
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (error) showFirstProblem();
  }, [error]);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, run, clear: () => setError(undefined), ...fieldErrors(error, fields) };
}

/** After a refused save: the first field the server named (else the form's list of problems), scrolled
 * into view and focused, in the open dialog if there is one; Save may sit far below a long form's top. */
export function showFirstProblem() {
  const scope: ParentNode = document.querySelector("dialog[open]") ?? document;
  const field = scope.querySelector<HTMLElement>('[aria-invalid="true"]');
  const target = field ?? scope.querySelector<HTMLElement>(".form-errors");
  if (!target) return;
  target.scrollIntoView({ block: "center" });
  if (field) field.focus({ preventScroll: true });
}

/** The item open in an editor dialog: ``open`` a draft (new or existing), ``save`` sends it with
 * ``submit``, reloads the list (``onSaved``) and then closes: the dialog stays busy until the list
 * shows what was saved, so an Edit pressed right after a save never opens the row as it was before. */
export function useEditor<D>(fields: string[], submit: (value: D, creating: boolean) => Promise<void>, onSaved: () => Promise<void>) {
  const [editing, setEditing] = useState<{ value: D; creating: boolean } | null>(null);
  const form = useSubmit(fields);
  const save = async () => {
    if (!editing) return;
    await form.run(async () => {
      await submit(editing.value, editing.creating);
      await onSaved();
      setEditing(null);
    });
  };
  return {
    editing,
    errors: form.byField,
    open: (value: D, creating: boolean) => {
      form.clear();
      setEditing({ value, creating });
    },
    set: (value: D) => editing && setEditing({ ...editing, value }),
    /** For EditorDialog, with ``title`` and ``canEdit``. */
    dialog: { open: editing !== null, busy: form.busy, errors: form.other, onClose: () => setEditing(null), onSave: () => void save() },
  };
}

interface RemoveTarget {
  path: string;
  name: string;
  verb: string;
  question: string;
}

/** "Deactivate …?" then DELETE; reports the outcome. */
export function useRemove(onDone: () => void) {
  const [target, setTarget] = useState<RemoveTarget | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    if (!target) return;
    setBusy(true);
    try {
      await del(target.path);
      notify(`${target.name}: ${target.verb.toLowerCase()}d.`, "success");
      onDone();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) notify(`Could not ${target.verb.toLowerCase()} ${target.name}: ${errorText(err)}`, "error");
    } finally {
      setBusy(false);
      setTarget(null);
    }
  };
  const dialog = (
    <Confirm
      open={target !== null}
      title={target ? `${target.verb} ${target.name}` : ""}
      question={target?.question ?? ""}
      confirmLabel={target?.verb ?? "OK"}
      danger
      busy={busy}
      onConfirm={() => void confirm()}
      onCancel={() => setTarget(null)}
    />
  );
  return { ask: setTarget, dialog };
}

/** A row's buttons: Edit (View when read-only) and, for who can edit, the ``remove`` one (Deactivate, Delete). */
export function RowActions({ name, canEdit, onEdit, remove, ask }: { name: string; canEdit: boolean; onEdit?: () => void; remove: RemoveTarget | false; ask: (t: RemoveTarget) => void }) {
  return (
    <td class="actions">
      {onEdit && (
        <button type="button" class="btn btn-small" onClick={onEdit}>
          {canEdit ? "Edit" : "View"}
          <span class="sr-only"> {name}</span>
        </button>
      )}
      {canEdit && remove && (
        <button type="button" class="btn btn-small btn-danger-outline" onClick={() => ask(remove)}>
          {remove.verb}
          <span class="sr-only"> {name}</span>
        </button>
      )}
    </td>
  );
}

/** An item's ID: typed when creating (or left empty), shown afterwards. */
export function IdField({ label, creating, value, onInput, error, hint }: { label: string; creating: boolean; value: string; onInput: (v: string) => void; error?: string; hint: string }) {
  return creating ? (
    <TextField label={label} value={value} onInput={onInput} error={error} hint={hint} />
  ) : (
    <div class="field">
      <span class="field-static-label">{label}</span>
      <code>{value}</code>
    </div>
  );
}

export function YesNo({ value }: { value: boolean }) {
  return <span class={`pill ${value ? "pill-on" : "pill-off"}`}>{value ? "Yes" : "No"}</span>;
}

/** The caps' fields, as "caps.<name>" for errors (a validation refusal's ``caps.per_day``). */
export const CAP_FIELDS = ["caps.per_hour", "caps.per_day", "caps.open_leads", "caps"];

const CAP_INPUTS: { key: keyof Caps; label: string }[] = [
  { key: "per_hour", label: "Per hour" },
  { key: "per_day", label: "Per day" },
  { key: "open_leads", label: "Unworked leads held" },
];

/** Three optional whole numbers (1 to 10,000; empty: no limit). */
export function CapsFields({ legend, hint, value, onChange, errors, children }: { legend: string; hint: string; value: Caps; onChange: (v: Caps) => void; errors: Record<string, string>; children?: ComponentChildren }) {
  return (
    <Fieldset legend={legend} class="span-2 caps">
      <p class="field-hint caps-hint">{hint}</p>
      <div class="caps-grid">
        {CAP_INPUTS.map((c) => (
          <NumberField
            key={c.key}
            label={c.label}
            value={value[c.key]}
            min={1}
            max={10000}
            step={1}
            placeholder="No limit"
            onInput={(v) => onChange({ ...value, [c.key]: v })}
            error={errors[`caps.${c.key}`]}
          />
        ))}
      </div>
      {errors.caps && <p class="field-error">{errors.caps}</p>}
      {children}
    </Fieldset>
  );
}

/** Caps as sent: a whole number or null (an emptied field). */
export function capsBody(c: Caps | undefined): Caps {
  const v = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? null : n);
  return { per_hour: v(c?.per_hour), per_day: v(c?.per_day), open_leads: v(c?.open_leads) };
}

/** A refusal of the caps or the weight in words (the server's are a validator's: "must be from 1 to 10000"). */
export function limitsRefusal(err: unknown): unknown {
  if (!(err instanceof ApiError) || !err.details.some((d) => /^(caps\.|weight$)/.test(d.field ?? ""))) return err;
  const details = err.details.map((d) => {
    const field = d.field ?? "";
    if (field === "weight") return { ...d, message: "A number from 0.1 to 10 (1 = normal share)." };
    if (field.startsWith("caps.")) return { ...d, message: "A whole number from 1 to 10,000, or empty for no limit." };
    return d;
  });
  return new ApiError(err.status, err.code, err.message, details);
}
