// Upload leads (issue 11): a CSV file posted as it is (POST /v1/leads/bulk?campaign_id=&mode=[&list_id=],
// text/csv), then its progress read every second (GET /v1/uploads/{id}) until done; the rejected rows in a
// table, and as a CSV file to fix and upload again (GET /v1/uploads/{id}/rejected).
import { useEffect, useState } from "preact/hooks";
import { ApiError, download, get, request } from "../api";
import { ErrorBanner, SelectField } from "../components/Fields";
import { Cell, DataTable, Page } from "../components/Page";
import { notify } from "../notify";
import type { Campaign, WorkList } from "../types";
import { useLoad } from "../hooks";
import { listOf } from "./settings/common";

export type UploadMode = "assign" | "fresh" | "list" | "distribute";

export interface UploadResult {
  row: number;
  status: "accepted" | "rejected";
  prospect_id?: string;
  duplicate_of?: string | null;
  field?: string;
  reason?: string;
}

export interface UploadStatus {
  upload_id: string;
  status: "queued" | "running" | "done" | "failed";
  rows: number;
  processed: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  mode: UploadMode;
  campaign_id: string;
  list_id: string | null;
  failure_reason?: string | null;
  results: UploadResult[];
  next_cursor: string | null;
}

export const MAX_BYTES = 5 * 1024 * 1024;
export const MAX_ROWS = 20_000;
const POLL_MS = 1000;
const MAX_RESULT_PAGES = 50;

const MODES: { value: UploadMode; label: string; hint: string }[] = [
  { value: "assign", label: "Assign to the agent named in each row", hint: "The assign_to_email column names the agent (required in this mode)." },
  { value: "fresh", label: "Fresh bucket", hint: "Agents claim them from the fresh bucket." },
  { value: "list", label: "Add to a call list", hint: "Stored, and queued in the list you choose." },
  { value: "distribute", label: "Distribute through the campaign", hint: "Each lead is distributed as if a vendor had posted it." },
];

const STATUS_TEXT: Record<UploadStatus["status"], string> = {
  queued: "Queued: the rows are about to be read.",
  running: "Reading the rows…",
  done: "Done.",
  failed: "The upload failed.",
};

/** What a refused file means, in words. */
export function uploadErrorText(err: unknown): string | null {
  if (!(err instanceof ApiError)) return String(err);
  if (err.status === 401) return null;
  if (err.status === 413) return "The file is larger than 5 MB: split it into smaller files and upload each.";
  if (err.status === 415) return "The file must be sent as a CSV file (text/csv). Save it as CSV (UTF-8) and choose it again.";
  if (err.code === "permission_required") return "Your role cannot assign rows to agents: choose another mode.";
  if (err.code === "forbidden_role") return "Only managers and admins upload leads.";
  const detail = err.details.map((d) => d.message).filter(Boolean).join("; ");
  const text = detail && detail !== err.message ? `${err.message} (${detail})` : err.message;
  return `The file was not accepted: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

/** Every page of an upload's results (the status answer holds a page; ``next_cursor`` reads on). */
async function allResults(first: UploadStatus): Promise<UploadResult[]> {
  const out = [...(first.results ?? [])];
  let cursor = first.next_cursor;
  for (let i = 0; cursor && i < MAX_RESULT_PAGES; i++) {
    const page = await get<UploadStatus>(`/v1/uploads/${encodeURIComponent(first.upload_id)}`, { cursor });
    out.push(...(page.results ?? []));
    cursor = page.next_cursor;
  }
  return out;
}

function Help() {
  return (
    <aside class="help-box" aria-labelledby="upload-help">
      <h2 id="upload-help">The file</h2>
      <ul>
        <li>
          A header row with these columns, in any order: <code>phone</code> (required), <code>first_name</code>, <code>last_name</code>, <code>email</code>, <code>state</code>,{" "}
          <code>loan_purpose</code>, <code>loan_amount</code>, <code>vendor_lead_id</code>, <code>assign_to_email</code> (required to assign to agents).
        </li>
        <li>UTF-8, with or without a BOM; fields may be quoted ("Smith, Jr."); CRLF or LF line ends.</li>
        <li>At most 20,000 rows and 5 MB a file.</li>
        <li>Each row is checked like a vendor's lead: a bad row is rejected with why, the others are stored. A borrower already in the organization counts as a duplicate.</li>
      </ul>
    </aside>
  );
}

function Progress({ status }: { status: UploadStatus }) {
  const pct = status.rows ? Math.min(100, Math.round((status.processed / status.rows) * 100)) : status.status === "done" ? 100 : 0;
  return (
    <section class="card panel upload-status" aria-labelledby="upload-progress-title">
      <h2 id="upload-progress-title">Progress</h2>
      <p aria-live="polite" data-testid="upload-state">
        {STATUS_TEXT[status.status] ?? status.status} {status.processed} of {status.rows} rows read.
        {status.failure_reason ? ` ${status.failure_reason}` : ""}
      </p>
      <div class="bar upload-progress" role="progressbar" aria-label="Rows read" aria-valuemin={0} aria-valuemax={status.rows} aria-valuenow={status.processed} aria-valuetext={`${status.processed} of ${status.rows} rows`}>
        <span class="bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <dl class="upload-counts">
        {(
          [
            ["Rows", status.rows],
            ["Read", status.processed],
            ["Accepted", status.accepted],
            ["Rejected", status.rejected],
            ["Duplicates", status.duplicates],
          ] as const
        ).map(([term, value]) => (
          <div key={term} data-count={term.toLowerCase()}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function UploadPage({ canEdit }: { canEdit: boolean }) {
  const campaignList = useLoad(async () => listOf<Campaign>(await get<unknown>("/v1/campaigns"), "campaigns"), []);
  const listList = useLoad(async () => listOf<WorkList>(await get<unknown>("/v1/lists"), "lists"), []);
  const campaigns = campaignList.data;
  const lists = listList.data;
  const [file, setFile] = useState<File | null>(null);
  const [over, setOver] = useState(false);
  const [campaignId, setCampaignId] = useState("");
  const [mode, setMode] = useState<UploadMode>("fresh");
  const [listId, setListId] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<UploadStatus | null>(null);
  const [results, setResults] = useState<UploadResult[] | null>(null);
  const [pollError, setPollError] = useState<ApiError | null>(null);
  const active = (campaigns ?? []).filter((c) => c.active !== false);

  // poll every second until done or failed; then every page of results
  const uploadId = status?.upload_id;
  const finished = status?.status === "done" || status?.status === "failed";
  useEffect(() => {
    if (!uploadId || finished) return undefined;
    let stopped = false;
    const t = window.setTimeout(async () => {
      try {
        const next = await get<UploadStatus>(`/v1/uploads/${encodeURIComponent(uploadId)}`);
        if (stopped) return;
        setPollError(null);
        setStatus(next);
        if (next.status === "done" || next.status === "failed") setResults(await allResults(next));
      } catch (err) {
        if (!stopped) {
          setPollError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));
          setStatus((s) => (s ? { ...s } : s)); // try again in a second
        }
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      window.clearTimeout(t);
    };
  }, [uploadId, finished, status]);

  const choose = (f: File | null | undefined) => {
    setError(null);
    setProblems((p) => ({ ...p, file: "" }));
    if (!f) return;
    if (f.size > MAX_BYTES) {
      setFile(null);
      setProblems((p) => ({ ...p, file: `${f.name} is larger than 5 MB: split it into smaller files.` }));
      return;
    }
    setFile(f);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (!file) p.file = "Choose a CSV file.";
    if (!campaignId) p.campaign_id = "Choose the campaign the leads belong to.";
    if (mode === "list" && !listId) p.list_id = "Choose the call list.";
    setProblems(p);
    if (Object.values(p).some(Boolean) || !file) return;
    setBusy(true);
    setError(null);
    setStatus(null);
    setResults(null);
    try {
      const answer = await request<{ upload_id: string; status: UploadStatus["status"]; rows?: number; replayed?: boolean }>("POST", "/v1/leads/bulk", {
        query: { campaign_id: campaignId, mode, list_id: mode === "list" ? listId : undefined },
        raw: { data: file, type: "text/csv" },
      });
      if (answer.replayed) {
        // the same file with the same choices was uploaded before: the server read it once; show that upload
        const earlier = await get<UploadStatus>(`/v1/uploads/${encodeURIComponent(answer.upload_id)}`);
        notify(`${file.name} was uploaded before with the same campaign and placement: here is what that upload did.`, "info");
        setStatus(earlier);
        if (earlier.status === "done" || earlier.status === "failed") setResults(await allResults(earlier));
        return;
      }
      notify(`${file.name} was received: its rows are being read.`, "success");
      setStatus({ upload_id: answer.upload_id, status: answer.status, rows: answer.rows ?? 0, processed: 0, accepted: 0, rejected: 0, duplicates: 0, mode, campaign_id: campaignId, list_id: listId || null, results: [], next_cursor: null });
    } catch (err) {
      setError(uploadErrorText(err));
    } finally {
      setBusy(false);
    }
  };

  const rejected = (results ?? []).filter((r) => r.status === "rejected").sort((a, b) => a.row - b.row);
  const running = !!status && !finished;

  const downloadRejected = async () => {
    if (!status) return;
    try {
      await download(`/v1/uploads/${encodeURIComponent(status.upload_id)}/rejected`, {}, `${status.upload_id}-rejected.csv`);
    } catch (err) {
      const t = uploadErrorText(err);
      if (t) notify(`Could not download the rejected rows: ${t}`, "error");
    }
  };

  return (
    <Page id="upload-title" title="Upload leads">
      <p class="muted">Add many leads at once from a CSV file: each row becomes a lead of the campaign you choose, placed the way you choose.</p>
      <Help />
      {!canEdit && <p class="banner banner-info">Only managers and admins upload leads.</p>}
      {canEdit && (
        <form class="card form-card upload-form" onSubmit={submit} noValidate>
          <div
            class={`upload-drop${over ? " upload-over" : ""}${problems.file ? " field-invalid" : ""}`}
            onDragOver={(e) => {
              e.preventDefault();
              setOver(true);
            }}
            onDragLeave={() => setOver(false)}
            onDrop={(e) => {
              e.preventDefault();
              setOver(false);
              choose(e.dataTransfer?.files?.[0]);
            }}
          >
            <p>{file ? <strong>{file.name}</strong> : "Drop a CSV file here, or"}</p>
            <label class="btn" for="upload-file">
              {file ? "Choose another file" : "Choose a file"}
            </label>
            <input
              id="upload-file"
              class="sr-only"
              type="file"
              accept=".csv,text/csv"
              aria-label="CSV file"
              aria-describedby={problems.file ? "upload-file-error" : undefined}
              aria-invalid={problems.file ? "true" : undefined}
              onChange={(e) => choose((e.currentTarget as HTMLInputElement).files?.[0])}
            />
            {file && <p class="muted small">{(file.size / 1024).toFixed(1)} KB</p>}
            {problems.file && (
              <p id="upload-file-error" class="field-error">
                {problems.file}
              </p>
            )}
          </div>
          <div class="form-grid">
            <SelectField
              label="Campaign"
              value={campaignId}
              onChange={setCampaignId}
              required
              error={problems.campaign_id || undefined}
              options={[{ value: "", label: campaignList.error ? "Campaigns cannot be loaded: reload the page" : campaigns ? "Choose a campaign…" : "Loading campaigns…" }, ...active.map((c) => ({ value: c.campaign_id, label: c.name }))]}
            />
            {mode === "list" && (
              <SelectField
                label="Call list"
                value={listId}
                onChange={setListId}
                required
                error={problems.list_id || undefined}
                options={[{ value: "", label: listList.error ? "Lists cannot be loaded: reload the page" : lists ? "Choose a list…" : "Loading lists…" }, ...(lists ?? []).map((l) => ({ value: l.list_id, label: l.name }))]}
              />
            )}
          </div>
          <fieldset class="plain radio-list">
            <legend class="field-static-label">Where the leads go</legend>
            {MODES.map((m) => (
              <label key={m.value}>
                <input type="radio" name="upload-mode" value={m.value} checked={mode === m.value} onChange={() => setMode(m.value)} />
                <span>
                  <strong>{m.label}</strong> <span class="muted">— {m.hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {error && (
            <div class="banner banner-error" role="alert">
              <span>{error}</span>
            </div>
          )}
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={busy || running}>
              {busy ? "Uploading…" : running ? "Reading the rows…" : "Upload"}
            </button>
          </div>
        </form>
      )}
      <ErrorBanner error={pollError?.status === 401 ? null : pollError} />
      {status && <Progress status={status} />}
      {status?.status === "done" && results && (
        <section class="panel-plain" aria-labelledby="upload-rejected-title">
          <div class="section-head">
            <h2 id="upload-rejected-title">Rejected rows</h2>
            {rejected.length > 0 && (
              <button type="button" class="btn btn-small" onClick={() => void downloadRejected()}>
                Download rejected rows (CSV)
              </button>
            )}
          </div>
          {rejected.length === 0 ? (
            <p class="empty">No row was rejected.</p>
          ) : (
            <DataTable caption="Rejected rows, by row number" stack columns={["Row", "Field", "Why"]}>
              {rejected.map((r) => (
                <tr key={r.row} data-row={r.row}>
                  <th scope="row" class="cell-title">
                    Row {r.row}
                  </th>
                  <Cell label="Field">
                    <code>{r.field ?? "row"}</code>
                  </Cell>
                  <Cell label="Why">{r.reason ?? "—"}</Cell>
                </tr>
              ))}
            </DataTable>
          )}
        </section>
      )}
    </Page>
  );
}
