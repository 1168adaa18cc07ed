import { useState } from "preact/hooks";
import { ApiError, post } from "../../api";
import { Dialog } from "../../components/Dialog";
import { fieldErrors, FormErrors, TextField } from "../../components/Fields";
import { when } from "../../format";
import { notify } from "../../notify";
import type { Vendor } from "../../types";
import { LoadState, PageHead, useList, useRemove, YesNo } from "./common";

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
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<(Vendor & { api_key: string }) | null>(null);
  const remove = useRemove(() => void list.reload());
  const { byField, other } = fieldErrors(error, ["name"]);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await post<Vendor & { api_key: string }>("/v1/vendors", { name: name.trim() });
      setCreating(false);
      setName("");
      setCreated(answer);
      notify(`Vendor “${answer.name}” created. Copy its API key now.`, "success");
      void list.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const items = list.data ?? [];
  return (
    <section class="page" aria-labelledby="vendors-title">
      <PageHead title="Vendors" id="vendors-title" canEdit={canEdit} newLabel="New vendor" onNew={() => { setError(undefined); setCreating(true); }} />
      <p class="muted">Lead vendors post to POST /v1/leads with their API key in the x-api-key header.</p>
      <LoadState error={list.error} loading={list.loading && !list.data} empty={!!list.data && !items.length} reload={() => void list.reload()} what="vendors" />
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="grid">
            <caption class="sr-only">Vendors</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key starts with</th>
                <th scope="col">Active</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
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
                  <td class="actions">
                    {canEdit && v.active && (
                      <button
                        type="button"
                        class="btn btn-small btn-danger-outline"
                        onClick={() => remove.ask({ path: `/v1/vendors/${encodeURIComponent(v.vendor_id)}`, name: `vendor “${v.name}”`, verb: "Deactivate", question: "Do you really want to deactivate this vendor? Leads posted with its key will be refused." })}
                      >
                        Deactivate<span class="sr-only"> {v.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        open={creating}
        title="New vendor"
        onClose={() => setCreating(false)}
        onSubmit={() => void create()}
        actions={
          <>
            <button type="button" class="btn" onClick={() => setCreating(false)}>
              Cancel
            </button>
            <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()}>
              {busy ? "Creating…" : "Create and show key"}
            </button>
          </>
        }
      >
        <FormErrors messages={other} />
        <TextField label="Vendor name" value={name} onInput={setName} required error={byField.name} />
      </Dialog>
      <KeyDialog created={created} onClose={() => setCreated(null)} />
      {remove.dialog}
    </section>
  );
}
