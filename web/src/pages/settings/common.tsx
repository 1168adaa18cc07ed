// What the settings screens share: list loading (tolerant of the list's envelope), the
// "not deployed yet" state, save/delete error handling and the editor dialog frame.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError, del, get, isMissingRoute } from "../../api";
import { Confirm, Dialog } from "../../components/Dialog";
import { ErrorBanner, FormErrors } from "../../components/Fields";
import { useLoad } from "../../hooks";
import { notify } from "../../notify";

/** Lists may come as an array, {"items": [...]} or {"<plural>": [...]}. */
export function listOf<T>(body: unknown, plural: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    for (const k of ["items", plural]) if (Array.isArray(o[k])) return o[k] as T[];
  }
  return [];
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

export function LoadState({ error, loading, empty, reload, what }: { error: ApiError | undefined; loading: boolean; empty: boolean; reload: () => void; what: string }) {
  if (error && isMissingRoute(error)) {
    return (
      <p class="banner banner-info" role="status">
        The {what} API is not available on this server yet (404). This screen works as soon as it is deployed.
      </p>
    );
  }
  if (error && error.status !== 401) return <ErrorBanner error={error} onRetry={reload} />;
  if (loading) return <p aria-live="polite">Loading…</p>;
  if (empty) return <p class="empty">No {what} yet.</p>;
  return null;
}

export function PageHead({ title, id, canEdit, newLabel, onNew, children }: { title: string; id: string; canEdit: boolean; newLabel?: string; onNew?: () => void; children?: ComponentChildren }) {
  return (
    <div class="section-head">
      <h1 id={id} tabIndex={-1}>{title}</h1>
      <div class="toolbar">
        {children}
        {canEdit && onNew && (
          <button type="button" class="btn btn-primary" onClick={onNew}>
            {newLabel ?? "New"}
          </button>
        )}
        {!canEdit && <span class="badge">Read-only</span>}
      </div>
    </div>
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
          <>
            <button type="button" class="btn" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
          </>
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

/** "Deactivate …?" then DELETE; reports the outcome. */
export function useRemove(onDone: () => void) {
  const [target, setTarget] = useState<{ path: string; name: string; verb: string; question: string } | null>(null);
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

export function YesNo({ value }: { value: boolean }) {
  return <span class={`pill ${value ? "pill-on" : "pill-off"}`}>{value ? "Yes" : "No"}</span>;
}
