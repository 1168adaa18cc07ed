import { useState } from "preact/hooks";
import { post } from "../../api";
import { Dialog, DialogButtons } from "../../components/Dialog";
import { FormErrors, TextField } from "../../components/Fields";
import { ACTIONS, DataTable } from "../../components/Page";
import { when } from "../../format";
import { notify } from "../../notify";
import type { Vendor } from "../../types";
import { ListState, RowActions, SettingsPage, useList, useRemove, useSubmit, YesNo } from "./common";

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

export function VendorsPage({ canEdit }: { canEdit: boolean }) {
  const list = useList<Vendor>("/v1/vendors", "vendors");
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<(Vendor & { api_key: string }) | null>(null);
  const remove = useRemove(() => void list.reload());
  const form = useSubmit(["name"]);

  const create = () =>
    form.run(async () => {
      const answer = await post<Vendor & { api_key: string }>("/v1/vendors", { name: name.trim() });
      setCreating(false);
      setName("");
      setCreated(answer);
      notify(`Vendor “${answer.name}” created. Copy its API key now.`, "success");
      void list.reload();
    });

  const items = list.data ?? [];
  return (
    <SettingsPage title="Vendors" id="vendors-title" canEdit={canEdit} newLabel="New vendor" onNew={() => { form.clear(); setCreating(true); }}>
      <p class="muted">Lead vendors post to POST /v1/leads with their API key in the x-api-key header.</p>
      <ListState list={list} what="vendors" />
      {items.length > 0 && (
        <DataTable caption="Vendors" columns={["Name", "Key starts with", "Active", "Created", ACTIONS]}>
          {items.map((v) => (
            <tr key={v.vendor_id}>
              <th scope="row">{v.name}</th>
              <td>
                <code>{v.key_prefix}…</code>
              </td>
              <td>
                <YesNo value={v.active} />
              </td>
              <td>{when(v.created_at)}</td>
              <RowActions
                name={v.name}
                canEdit={canEdit}
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
      </Dialog>
      <KeyDialog created={created} onClose={() => setCreated(null)} />
      {remove.dialog}
    </SettingsPage>
  );
}
