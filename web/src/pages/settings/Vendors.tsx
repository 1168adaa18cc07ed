import { useState } from "preact/hooks";
import { post, put } from "../../api";
import { Dialog, DialogButtons } from "../../components/Dialog";
import { CheckboxField, FormErrors, NumberField, TextField } from "../../components/Fields";
import { ACTIONS, Cell, DataTable } from "../../components/Page";
import { returnWindow, when } from "../../format";
import { notify } from "../../notify";
import { linkHandler, useLocation } from "../../router";
import type { Vendor } from "../../types";
import { ListState, RowActions, SettingsPage, useList, useRemove, useSubmit, YesNo } from "./common";
import { profileSummary, type VendorWithProfile } from "./posting";
import { PostingProfilePage, profilePath } from "./PostingProfile";

/** What a vendor's key may do besides posting leads. */
export const VENDOR_PERMISSIONS: { value: string; label: string; hint: string }[] = [
  { value: "transfer", label: "Call center", hint: "May transfer leads and assign new leads to a named agent." },
];

export function permissionsText(permissions: string[] | undefined): string {
  const found = (permissions ?? []).map((p) => VENDOR_PERMISSIONS.find((x) => x.value === p)).filter(Boolean) as typeof VENDOR_PERMISSIONS;
  return found.length ? found.map((p) => `${p.label}: ${p.hint.charAt(0).toLowerCase()}${p.hint.slice(1, -1)}`).join("; ") : "Posts leads only";
}

function PermissionChecks({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset class="plain radio-list">
      <legend class="field-static-label">Permissions</legend>
      <p class="muted small">Every vendor posts leads (POST /v1/leads).</p>
      {VENDOR_PERMISSIONS.map((p) => (
        <CheckboxField key={p.value} label={`${p.label}: ${p.hint.charAt(0).toLowerCase()}${p.hint.slice(1)}`} checked={value.includes(p.value)} onChange={(on) => onChange(on ? [...value, p.value] : value.filter((x) => x !== p.value))} />
      ))}
    </fieldset>
  );
}

/** The server's default return window (days), and its bounds (issue 14). */
export const RETURN_WINDOW_DEFAULT = 7;
const RETURN_WINDOW_MAX = 365;

/** What is wrong with a return window as typed (null: fine). */
export function returnWindowError(days: number | null): string | null {
  if (days === null || !Number.isInteger(days) || days < 0 || days > RETURN_WINDOW_MAX) return `Whole days, 0 to ${RETURN_WINDOW_MAX}.`;
  return null;
}

function ReturnWindowField({ value, onInput, error }: { value: number | null; onInput: (v: number | null) => void; error?: string }) {
  return (
    <NumberField
      label="Return window (days)"
      value={value}
      min={0}
      max={RETURN_WINDOW_MAX}
      step={1}
      onInput={onInput}
      error={error}
      hint="Days after a lead arrives that a manager may return it to this vendor for a credit. 0: no returns."
    />
  );
}

function KeyDialog({ created, onClose }: { created: (Vendor & { api_key: string }) | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.api_key);
      setCopied(true);
    } catch {
      (document.getElementById("new-api-key") as HTMLInputElement | null)?.select();
    }
  };
  return (
    <Dialog
      open={created !== null}
      title={`API key for ${created?.name ?? ""}`}
      onClose={onClose}
      role="alertdialog"
      actions={
        <button type="button" class="btn btn-primary" onClick={onClose}>
          I have copied the key
        </button>
      }
    >
      <p class="banner banner-warn">
        <strong>Copy this key now.</strong> It is shown only once; leadwave keeps only a hash of it. If it is lost, create a new vendor key.
      </p>
      <div class="field">
        <label for="new-api-key">API key (x-api-key header)</label>
        <div class="inline-add">
          <input id="new-api-key" class="mono" readOnly value={created?.api_key ?? ""} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          <button type="button" class="btn" onClick={() => void copy()}>
            {copied ? "Copied" : "Copy"}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** Vendors, or one vendor's posting format (``?profile=<vendor id>``). */
export function VendorsPage({ canEdit }: { canEdit: boolean }) {
  const profile = useLocation().search.get("profile");
  return profile ? <PostingProfilePage vendorId={profile} canEdit={canEdit} /> : <VendorList canEdit={canEdit} />;
}

function VendorList({ canEdit }: { canEdit: boolean }) {
  const list = useList<VendorWithProfile>("/v1/vendors", "vendors");
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [permissions, setPermissions] = useState<string[]>([]);
  const [windowDays, setWindowDays] = useState<number | null>(RETURN_WINDOW_DEFAULT);
  const [windowError, setWindowError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Vendor | null>(null);
  const [editPermissions, setEditPermissions] = useState<string[]>([]);
  const [editWindow, setEditWindow] = useState<number | null>(RETURN_WINDOW_DEFAULT);
  const change = useSubmit(["permissions", "return_window_days"]);
  const [created, setCreated] = useState<(Vendor & { api_key: string }) | null>(null);
  const remove = useRemove(() => void list.reload());
  const form = useSubmit(["name", "return_window_days"]);

  const create = () => {
    const bad = returnWindowError(windowDays);
    setWindowError(bad);
    if (bad) return;
    return form.run(async () => {
      const answer = await post<Vendor & { api_key: string }>("/v1/vendors", { name: name.trim(), permissions, return_window_days: windowDays });
      setCreating(false);
      setName("");
      setPermissions([]);
      setWindowDays(RETURN_WINDOW_DEFAULT);
      setCreated(answer);
      notify(`Vendor “${answer.name}” created. Copy its API key now.`, "success");
      void list.reload();
    });
  };

  const saveVendor = () => {
    const bad = returnWindowError(editWindow);
    setWindowError(bad);
    if (bad) return;
    return change.run(async () => {
      if (!editing) return;
      await put<Vendor>(`/v1/vendors/${encodeURIComponent(editing.vendor_id)}`, { permissions: editPermissions, return_window_days: editWindow });
      notify(`Vendor “${editing.name}” saved.`, "success");
      setEditing(null);
      void list.reload();
    });
  };

  const items = list.data ?? [];
  return (
    <SettingsPage title="Vendors" id="vendors-title" canEdit={canEdit} newLabel="New vendor" onNew={() => { form.clear(); setWindowError(null); setCreating(true); }}>
      <p class="muted">
        Lead vendors post to POST /v1/leads with their API key in the x-api-key header: leadwave's JSON, or their own format (form or XML posts, their
        field names, an XML or text answer) set in the vendor's Posting format.
      </p>
      <ListState list={list} what="vendors" />
      {items.length > 0 && (
        <DataTable caption="Vendors" stack columns={["Name", "Key starts with", "Posting format", "Permissions", "Return window", "Active", "Created", ACTIONS]}>
          {items.map((v) => (
            <tr key={v.vendor_id}>
              <th scope="row" class="cell-title">
                {v.name}
              </th>
              <Cell label="Key starts with">
                <code>{v.key_prefix}…</code>
              </Cell>
              <Cell label="Posting format" class="vendor-format">
                <span class="vendor-format-text">{profileSummary(v.profile)}</span>{" "}
                <a class="btn btn-small" href={profilePath(v.vendor_id)} onClick={linkHandler}>
                  {canEdit ? "Edit format" : "View format"}
                  <span class="sr-only"> of {v.name}</span>
                </a>
              </Cell>
              <Cell label="Permissions">{permissionsText(v.permissions)}</Cell>
              <Cell label="Return window" class="vendor-return-window">{returnWindow(v.return_window_days ?? RETURN_WINDOW_DEFAULT)}</Cell>
              <Cell label="Active">
                <YesNo value={v.active} />
              </Cell>
              <Cell label="Created">{when(v.created_at)}</Cell>
              <RowActions
                name={v.name}
                canEdit={canEdit}
                onEdit={() => {
                  change.clear();
                  setWindowError(null);
                  setEditPermissions(v.permissions ?? []);
                  setEditWindow(v.return_window_days ?? RETURN_WINDOW_DEFAULT);
                  setEditing(v);
                }}
                remove={v.active && { path: `/v1/vendors/${encodeURIComponent(v.vendor_id)}`, name: `vendor “${v.name}”`, verb: "Deactivate", question: "Do you really want to deactivate this vendor? Leads posted with its key will be refused." }}
                ask={remove.ask}
              />
            </tr>
          ))}
        </DataTable>
      )}
      <Dialog
        open={creating}
        title="New vendor"
        onClose={() => setCreating(false)}
        onSubmit={() => void create()}
        actions={<DialogButtons onCancel={() => setCreating(false)} label="Create and show key" busyLabel="Creating…" busy={form.busy} disabled={!name.trim()} />}
      >
        <FormErrors messages={form.other} />
        <TextField label="Vendor name" value={name} onInput={setName} required error={form.byField.name} />
        <ReturnWindowField
          value={windowDays}
          onInput={(v) => {
            setWindowDays(v);
            setWindowError(null);
          }}
          error={windowError ?? form.byField.return_window_days}
        />
        <PermissionChecks value={permissions} onChange={setPermissions} />
      </Dialog>
      <Dialog
        open={editing !== null}
        title={`Vendor: ${editing?.name ?? ""}`}
        onClose={() => setEditing(null)}
        onSubmit={() => canEdit && void saveVendor()}
        actions={
          canEdit ? (
            <DialogButtons onCancel={() => setEditing(null)} label="Save" busyLabel="Saving…" busy={change.busy} />
          ) : (
            <button type="button" class="btn" onClick={() => setEditing(null)}>
              Close
            </button>
          )
        }
      >
        <FormErrors messages={change.other} />
        <p class="muted">Its API key stays the same.</p>
        <fieldset class="plain" disabled={!canEdit}>
          <ReturnWindowField
            value={editWindow}
            onInput={(v) => {
              setEditWindow(v);
              setWindowError(null);
            }}
            error={windowError ?? change.byField.return_window_days}
          />
          <PermissionChecks value={editPermissions} onChange={setEditPermissions} />
        </fieldset>
        {change.byField.permissions && <p class="field-error">{change.byField.permissions}</p>}
      </Dialog>
      <KeyDialog created={created} onClose={() => setCreated(null)} />
      {remove.dialog}
    </SettingsPage>
  );
}
