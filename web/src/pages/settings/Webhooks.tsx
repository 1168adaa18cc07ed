// Settings → Webhooks (issue 14): the org's outbound webhooks (an HTTPS endpoint, the event types it
// receives, paused or active, its signing secret shown once), and per endpoint its delivery log
// (``?deliveries=<webhook id>``): each delivery's state and attempts, Load more by cursor, Send test.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, appConfig, get, post, put } from "../../api";
import { Confirm, Dialog } from "../../components/Dialog";
import { CheckboxField, ErrorBanner, TextField } from "../../components/Fields";
import { ACTIONS, Cell, DataTable, Fact, LoadState, Page, RefreshButton } from "../../components/Page";
import { leadHref, when, whenSeconds } from "../../format";
import { useLoad } from "../../hooks";
import { notify } from "../../notify";
import { linkHandler, useLocation } from "../../router";
import { EditorDialog, errorText, ListState, SettingsPage, upsert, useEditor, useList, useRemove } from "./common";
import "./webhooks.css";

const WEBHOOKS_PATH = "/app/settings/webhooks";
const COLLECTION = "/v1/webhooks";
/** At most this many per organization (the server's limit). */
const MAX_WEBHOOKS = 10;

export const deliveriesPath = (webhookId: string) => `${WEBHOOKS_PATH}?deliveries=${encodeURIComponent(webhookId)}`;

/** The event types an endpoint may choose, in the order of docs/webhooks.md. */
export const WEBHOOK_EVENTS: { value: string; hint: string }[] = [
  { value: "lead.received", hint: "A vendor, an upload or an agent stored a lead." },
  { value: "lead.offered", hint: "A wave offered it (Waves, Ring All, Distribute All)." },
  { value: "lead.assigned", hint: "An agent has it, however it came (round robin, a claim, a transfer, a manager)." },
  { value: "lead.claimed", hint: "An agent claimed it (in the app, or pressing 1 on a call)." },
  { value: "lead.transferred", hint: "An agent or a manager gave it to another agent." },
  { value: "lead.exception", hint: "It went to Lead Exception." },
  { value: "lead.returned", hint: "A manager returned it to its vendor." },
  { value: "call.completed", hint: "A call of the lead ended (with its recording, when there is one)." },
  { value: "call.recording_ready", hint: "A call's recording arrived after the call ended." },
];

interface Webhook {
  webhook_id: string;
  url: string;
  events: string[];
  description: string;
  active: boolean;
  created_at: string;
  updated_at: string;
  secret_hint: string;
}

type WebhookDraft = Pick<Webhook, "webhook_id" | "url" | "events" | "description" | "active">;

interface Attempt {
  n: number;
  at: string;
  status: number | null;
  error: string | null;
  ms: number;
}

/** pending: logged, its message about to be queued; queued: waiting for its first attempt. */
type DeliveryStatus = "pending" | "queued" | "retrying" | "delivered" | "failed";

interface Delivery {
  delivery_id: string;
  event_id: string;
  event_type: string;
  prospect_id: string | null;
  status: DeliveryStatus;
  attempts: Attempt[];
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string | null;
}

interface DeliveryPage {
  items: Delivery[];
  next_cursor: string | null;
}

const NEW_WEBHOOK: WebhookDraft = { webhook_id: "", url: "", events: [], description: "", active: true };
const FIELDS = ["url", "events", "description", "active"];

function hookName(h: Pick<Webhook, "description" | "url">): string {
  if (h.description) return h.description;
  try {
    return new URL(h.url).host;
  } catch {
    return h.url;
  }
}

/** Webhooks, or one webhook's delivery log (``?deliveries=<webhook id>``). */
export function WebhooksPage({ canEdit }: { canEdit: boolean }) {
  const deliveries = useLocation().search.get("deliveries");
  return deliveries ? <DeliveriesPage key={deliveries} webhookId={deliveries} canEdit={canEdit} /> : <WebhookList canEdit={canEdit} />;
}

// ---------------------------------------------------------------- the secret, shown once

interface ShownSecret {
  name: string;
  secret: string;
  rotated: boolean;
}

function SecretDialog({ shown, onClose }: { shown: ShownSecret | null; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => setCopied(false), [shown]);
  const copy = async () => {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopied(true);
    } catch {
      (document.getElementById("new-webhook-secret") as HTMLInputElement | null)?.select();
    }
  };
  return (
    <Dialog
      open={shown !== null}
      title={`${shown?.rotated ? "New signing secret" : "Signing secret"} for ${shown?.name ?? ""}`}
      onClose={onClose}
      role="alertdialog"
      actions={
        <button type="button" class="btn btn-primary" onClick={onClose}>
          I have copied the secret
        </button>
      }
    >
      <p class="banner banner-warn">
        <span>
          <strong>Copy this secret now.</strong> It will not be shown again: afterwards leadwave shows only its first characters. If it is lost, make a new
          secret.
        </span>
      </p>
      <div class="field">
        <label for="new-webhook-secret">Signing secret</label>
        <div class="inline-add">
          <input id="new-webhook-secret" class="mono" readOnly value={shown?.secret ?? ""} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
          <button type="button" class="btn" onClick={() => void copy()}>
            {copied ? "Copied" : "Copy"}
          </button>
        </div>
        <span class="field-hint">
          Your endpoint checks each delivery's Leadwave-Signature header with it: an HMAC-SHA256 of the timestamp and the raw body (docs/webhooks.md).
        </span>
      </div>
    </Dialog>
  );
}

// ---------------------------------------------------------------- the list

function EventChips({ events }: { events: string[] }) {
  return (
    <ul class="wh-events" aria-label="Events">
      {events.map((e) => (
        <li key={e}>
          <code>{e}</code>
        </li>
      ))}
    </ul>
  );
}

function StatePill({ active }: { active: boolean }) {
  return <span class={`pill ${active ? "pill-on" : "pill-off"}`}>{active ? "Active" : "Paused"}</span>;
}

function urlHint(): string {
  const base = "https:// on a public host (not a private, loopback or link-local address). Deliveries are POSTed there.";
  return appConfig().mode === "local" ? `${base} On this local stack also ${window.location.origin}/local/webhooks/<inbox> (its receiver page).` : base;
}

function WebhookForm({ value, onChange, errors }: { value: WebhookDraft; onChange: (v: WebhookDraft) => void; errors: Record<string, string> }) {
  const toggle = (event: string, on: boolean) => onChange({ ...value, events: WEBHOOK_EVENTS.map((e) => e.value).filter((e) => (e === event ? on : value.events.includes(e))) });
  return (
    <>
      <TextField label="Endpoint URL" value={value.url} onInput={(url) => onChange({ ...value, url })} required placeholder="https://crm.example.com/leadwave" error={errors.url} hint={urlHint()} />
      <TextField label="Description" value={value.description} onInput={(description) => onChange({ ...value, description })} maxLength={200} error={errors.description} hint="What receives them (your CRM, your LOS…); at most 200 characters." />
      <fieldset class={`fieldset wh-event-choice${errors.events ? " field-invalid" : ""}`}>
        <legend>Events</legend>
        <p class="field-hint">Each event of a chosen type is POSTed to the endpoint, signed. A claim sends lead.claimed and lead.assigned.</p>
        <div class="wh-event-grid">
          {WEBHOOK_EVENTS.map((e) => (
            <CheckboxField key={e.value} label={e.value} hint={e.hint} checked={value.events.includes(e.value)} onChange={(on) => toggle(e.value, on)} />
          ))}
        </div>
        {errors.events && <p class="field-error">{errors.events}</p>}
      </fieldset>
      <CheckboxField label="Active: send events to this endpoint" hint="A paused endpoint receives nothing (Send test still works)." checked={value.active} onChange={(active) => onChange({ ...value, active })} error={errors.active} />
    </>
  );
}

function WebhookList({ canEdit }: { canEdit: boolean }) {
  const list = useList<Webhook>(COLLECTION, "webhooks");
  const remove = useRemove(() => void list.reload());
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const editor = useEditor<WebhookDraft>(
    FIELDS,
    async (v, creating) => {
      const body = { url: v.url.trim(), events: v.events, description: v.description.trim(), active: v.active };
      const noEvents = { field: "events", message: "Choose at least one event type." };
      let saved: Webhook & { secret?: string };
      try {
        // sent even with no event ticked: the server names every problem at once (the URL's too)
        saved = await upsert<Webhook & { secret?: string }>(COLLECTION, v.webhook_id, creating, body);
      } catch (err) {
        if (!(err instanceof ApiError) || v.events.length) throw err;
        throw new ApiError(err.status, err.code, err.message, [...err.details.filter((d) => d.field !== "events"), noEvents]);
      }
      if (creating && saved.secret) {
        setShown({ name: hookName(saved), secret: saved.secret, rotated: false });
        notify(`Webhook “${hookName(saved)}” created. Copy its signing secret now.`, "success");
      } else notify(`Webhook “${hookName(saved)}” saved.`, "success");
    },
    () => list.reload(),
  );

  const act = async (h: Webhook, what: string, action: () => Promise<void>) => {
    setBusy(h.webhook_id);
    try {
      await action();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) notify(`Could not ${what} “${hookName(h)}”: ${errorText(err)}`, "error");
    } finally {
      setBusy(null);
    }
  };

  const setActive = (h: Webhook, active: boolean) =>
    act(h, active ? "resume" : "pause", async () => {
      await put<Webhook>(`${COLLECTION}/${encodeURIComponent(h.webhook_id)}`, { active });
      notify(active ? `Webhook “${hookName(h)}” resumed: its events are sent again.` : `Webhook “${hookName(h)}” paused: no events are sent to it.`, "success");
      await list.reload();
    });

  const rotate = (h: Webhook) =>
    act(h, "make a new secret for", async () => {
      try {
        const answer = await post<Webhook & { secret: string }>(`${COLLECTION}/${encodeURIComponent(h.webhook_id)}/secret`);
        setRotating(null);
        setShown({ name: hookName(h), secret: answer.secret, rotated: true });
        await list.reload();
      } finally {
        setRotating(null);
      }
    });

  const items = list.data ?? [];
  return (
    <SettingsPage title="Webhooks" id="webhooks-title" canEdit={canEdit} newLabel="New webhook" onNew={() => editor.open({ ...NEW_WEBHOOK, events: [] }, true)}>
      <p class="muted">
        leadwave POSTs each event of the types an endpoint chose to its URL, signed with the endpoint's secret (Leadwave-Signature), and retries a failed
        delivery for about 40 hours. Delivery is at least once: deduplicate on the event id. At most {MAX_WEBHOOKS} webhooks per organization
        {list.data ? ` (${items.length} now)` : ""}.
      </p>
      <ListState list={list} what="webhooks" />
      {items.length > 0 && (
        <DataTable caption="Webhooks" stack columns={["Endpoint", "Events", "State", "Secret", "Created", ACTIONS]}>
          {items.map((h) => (
            <tr key={h.webhook_id} data-webhook-id={h.webhook_id}>
              <th scope="row" class="cell-title">
                <span class="wh-name">{hookName(h)}</span>
                <span class="wh-url">{h.url}</span>
              </th>
              <Cell label="Events">
                <EventChips events={h.events} />
              </Cell>
              <Cell label="State">
                <StatePill active={h.active} />
              </Cell>
              <Cell label="Secret">
                <code title="The secret's first characters: the whole secret was shown once">{h.secret_hint}</code>
              </Cell>
              <Cell label="Created">{when(h.created_at)}</Cell>
              <td class="actions cell-actions list-actions wh-actions">
                <a class="btn btn-small" href={deliveriesPath(h.webhook_id)} onClick={linkHandler}>
                  Deliveries<span class="sr-only"> of {hookName(h)}</span>
                </a>
                <button type="button" class="btn btn-small" onClick={() => editor.open({ webhook_id: h.webhook_id, url: h.url, events: h.events, description: h.description, active: h.active }, false)}>
                  {canEdit ? "Edit" : "View"}
                  <span class="sr-only"> {hookName(h)}</span>
                </button>
                {canEdit && (
                  <>
                    <button type="button" class="btn btn-small" disabled={busy === h.webhook_id} onClick={() => void setActive(h, !h.active)}>
                      {h.active ? "Pause" : "Resume"}
                      <span class="sr-only"> {hookName(h)}</span>
                    </button>
                    <button type="button" class="btn btn-small" disabled={busy === h.webhook_id} onClick={() => setRotating(h)}>
                      New secret<span class="sr-only"> for {hookName(h)}</span>
                    </button>
                    <button
                      type="button"
                      class="btn btn-small btn-danger-outline"
                      onClick={() =>
                        remove.ask({
                          path: `${COLLECTION}/${encodeURIComponent(h.webhook_id)}`,
                          name: `webhook “${hookName(h)}”`,
                          verb: "Delete",
                          question: "Do you really want to delete this webhook? No more events are sent to it, and its delivery log goes with it.",
                        })
                      }
                    >
                      Delete<span class="sr-only"> {hookName(h)}</span>
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <EditorDialog title={editor.editing?.creating ? "New webhook" : `Webhook: ${editor.editing ? hookName(editor.editing.value) : ""}`} canEdit={canEdit} {...editor.dialog}>
        {editor.editing && <WebhookForm value={editor.editing.value} onChange={editor.set} errors={editor.errors} />}
      </EditorDialog>
      <Confirm
        open={rotating !== null}
        title={`New secret for ${rotating ? hookName(rotating) : ""}`}
        question="The current secret stops working at once: from now on deliveries are signed with the new one, and your endpoint refuses them until it has it (they are retried meanwhile)."
        confirmLabel="Make a new secret"
        danger
        busy={rotating !== null && busy === rotating.webhook_id}
        onConfirm={() => rotating && void rotate(rotating)}
        onCancel={() => setRotating(null)}
      />
      <SecretDialog shown={shown} onClose={() => setShown(null)} />
      {remove.dialog}
    </SettingsPage>
  );
}

// ---------------------------------------------------------------- the delivery log

const STATUS_TEXT: Record<DeliveryStatus, string> = { pending: "Pending", queued: "Queued", retrying: "Retrying", delivered: "Delivered", failed: "Failed" };
const IN_FLIGHT: DeliveryStatus[] = ["pending", "queued", "retrying"];
/** While a delivery shown is on its way, the log (its first page) is read again: every 2 s while one
 * waits for its first attempt, else a second after the next retry is due (at most a minute later). */
const FOLLOW_MS = 2000;
const FOLLOW_MAX_MS = 60_000;

function followDelay(items: Delivery[], now: number): number | null {
  if (items.some((d) => d.status === "pending" || d.status === "queued")) return FOLLOW_MS;
  const due = items.filter((d) => d.status === "retrying").map((d) => (d.next_attempt_at ? Date.parse(d.next_attempt_at) : now));
  if (!due.length) return null;
  const next = Math.min(...due.map((t) => (Number.isNaN(t) ? now : t)));
  return Math.min(FOLLOW_MAX_MS, Math.max(FOLLOW_MS, next - now + 1000));
}

const ERROR_TEXT: Record<string, string> = {
  webhook_disabled: "not sent: the webhook is paused",
  webhook_removed: "not sent: the webhook was deleted",
  private_address: "not sent: the host is a private address",
  attempts_exhausted: "no more retries",
  ReadTimeoutError: "no answer in time (timeout)",
  ConnectTimeoutError: "could not connect in time",
  NewConnectionError: "could not connect",
  MaxRetryError: "could not connect",
  ProtocolError: "the connection broke",
  SSLError: "TLS failed",
};

/** An attempt's outcome in words: the receiver's HTTP status, or why there was none. */
function answerText(a: Attempt): string {
  const error = a.error ? ERROR_TEXT[a.error] ?? a.error : "";
  if (a.status !== null && a.status !== undefined) return error ? `HTTP ${a.status} · ${error}` : `HTTP ${a.status}`;
  return error || "no answer";
}

function DeliveryPill({ status }: { status: DeliveryStatus }) {
  return <span class={`status-pill wh-status wh-status-${status}`}>{STATUS_TEXT[status] ?? status}</span>;
}

function AttemptsTable({ d }: { d: Delivery }) {
  return (
    <DataTable caption={`Attempts of delivery ${d.delivery_id}`} inner stack columns={["#", "Time", "Answer", { label: "Took", class: "num" }]}>
      {d.attempts.map((a) => (
        <tr key={a.n} class={`wh-attempt${a.status !== null && a.status >= 200 && a.status < 300 ? " wh-attempt-ok" : ""}`}>
          <Cell label="#">{a.n}</Cell>
          <Cell label="Time">{whenSeconds(a.at)}</Cell>
          <Cell label="Answer" class="wh-answer">
            {answerText(a)}
          </Cell>
          <Cell label="Took" class="num">
            {a.ms.toLocaleString()} ms
          </Cell>
        </tr>
      ))}
    </DataTable>
  );
}

function DeliveryRow({ d, expanded, onToggle }: { d: Delivery; expanded: boolean; onToggle: () => void }) {
  const last = d.attempts[d.attempts.length - 1];
  const id = `attempts-${d.delivery_id}`;
  return (
    <>
      <tr data-delivery-id={d.delivery_id} data-status={d.status}>
        <th scope="row" class="cell-title">
          <code>{d.event_type}</code>
          <span class="wh-ids">
            {d.event_id}
            {d.prospect_id && (
              <>
                {" · "}
                <a href={leadHref(d.prospect_id)} onClick={linkHandler}>
                  {d.prospect_id}
                </a>
              </>
            )}
          </span>
        </th>
        <Cell label="Status">
          <DeliveryPill status={d.status} />
        </Cell>
        <Cell label="Attempts">
          {d.attempts.length ? `${d.attempts.length} · last: ${answerText(last)}` : "none yet"}
        </Cell>
        <Cell label="Next attempt">{d.status === "retrying" && d.next_attempt_at ? whenSeconds(d.next_attempt_at) : "—"}</Cell>
        <Cell label="Created">{whenSeconds(d.created_at)}</Cell>
        <td class="cell-actions">
          {d.attempts.length > 0 && (
            <button type="button" class="btn btn-small" aria-expanded={expanded ? "true" : "false"} aria-controls={id} onClick={onToggle}>
              {expanded ? "Hide attempts" : "Attempts"}
              <span class="sr-only"> of {d.event_type} {d.event_id}</span>
            </button>
          )}
        </td>
      </tr>
      {expanded && d.attempts.length > 0 && (
        <tr id={id} class="subrow">
          <td colSpan={6}>
            <AttemptsTable d={d} />
          </td>
        </tr>
      )}
    </>
  );
}

interface LogState {
  items: Delivery[];
  cursor: string | null;
  /** Pages read (Load more): while only the first is shown, a refresh's cursor replaces its own. */
  pages: number;
}

/** The first page read again, merged: its deliveries first (fresher), then those of the later pages not on it. */
function merge(old: LogState | null, fresh: DeliveryPage): LogState {
  const items = fresh.items ?? [];
  if (!old || old.pages <= 1) return { items, cursor: fresh.next_cursor ?? null, pages: 1 };
  const seen = new Set(items.map((d) => d.delivery_id));
  return { items: [...items, ...old.items.filter((d) => !seen.has(d.delivery_id))], cursor: old.cursor, pages: old.pages };
}

function DeliveriesPage({ webhookId, canEdit }: { webhookId: string; canEdit: boolean }) {
  const path = `${COLLECTION}/${encodeURIComponent(webhookId)}`;
  const hook = useLoad(() => get<Webhook>(path), [path]);
  const [log, setLog] = useState<LogState | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [more, setMore] = useState(false);
  const [testing, setTesting] = useState(false);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [tick, setTick] = useState(0); // a follow-up skipped in a hidden tab is tried again
  const seq = useRef(0);
  const logRef = useRef<LogState | null>(null);
  logRef.current = log;

  const failed = (err: unknown) => setError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));

  const refresh = async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const page = await get<DeliveryPage>(`${path}/deliveries`);
      if (mine !== seq.current) return;
      setError(null);
      setLog(merge(logRef.current, page));
    } catch (err) {
      if (mine === seq.current) failed(err);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  };

  const loadMore = async () => {
    const current = logRef.current;
    if (!current?.cursor) return;
    setMore(true);
    const mine = ++seq.current;
    try {
      const page = await get<DeliveryPage>(`${path}/deliveries`, { cursor: current.cursor });
      if (mine !== seq.current) return;
      const seen = new Set(current.items.map((d) => d.delivery_id));
      setLog({ items: [...current.items, ...(page.items ?? []).filter((d) => !seen.has(d.delivery_id))], cursor: page.next_cursor ?? null, pages: current.pages + 1 });
    } catch (err) {
      if (mine === seq.current) failed(err);
    } finally {
      setMore(false);
    }
  };

  useEffect(() => {
    void refresh();
  }, [path]);

  // follow the deliveries on their way (a test just sent, a retry due) until each is delivered or failed
  useEffect(() => {
    const delay = followDelay((log?.items ?? []).filter((d) => IN_FLIGHT.includes(d.status)), Date.now());
    if (delay === null) return undefined;
    const t = window.setTimeout(() => {
      if (document.hidden) setTick((n) => n + 1);
      else void refresh();
    }, delay);
    return () => window.clearTimeout(t);
  }, [log, tick]);

  const sendTest = async () => {
    setTesting(true);
    try {
      const answer = await post<{ delivery_id: string | null; event_id: string; queued: boolean }>(`${path}/test`);
      notify(answer.queued ? "Test event queued: its delivery is shown below." : "The test event was queued before.", "success");
      if (answer.delivery_id) setOpen((o) => new Set(o).add(answer.delivery_id as string));
      await refresh();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) notify(`Could not send a test: ${errorText(err)}`, "error");
    } finally {
      setTesting(false);
    }
  };

  const toggle = (id: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const h = hook.data;
  const items = log?.items ?? [];
  return (
    <Page
      id="deliveries-title"
      title={h ? `Deliveries: ${hookName(h)}` : "Deliveries"}
      tools={
        <div class="toolbar">
          <a class="btn btn-small" href={WEBHOOKS_PATH} onClick={linkHandler}>
            ← All webhooks
          </a>
          <RefreshButton onClick={() => void refresh()} />
          {canEdit && (
            <button type="button" class="btn btn-small btn-primary" disabled={testing || !h} onClick={() => void sendTest()}>
              {testing ? "Sending…" : "Send test"}
            </button>
          )}
        </div>
      }
    >
      <LoadState load={hook} missing="webhooks" />
      {h && (
        <div class="card wh-summary">
          <dl class="facts">
            <Fact term="URL">
              <span class="wh-url-full">{h.url}</span>
            </Fact>
            <Fact term="State">
              <StatePill active={h.active} />
            </Fact>
            <Fact term="Events">
              <EventChips events={h.events} />
            </Fact>
            <Fact term="Secret">
              <code>{h.secret_hint}</code>
            </Fact>
          </dl>
        </div>
      )}
      <p class="muted small">
        Newest first, kept 30 days. A delivery without a 2xx answer (no answer, a timeout, a 5xx, 408, 425 or 429) is retried for about 40 hours; another 4xx or a
        redirect fails it at once.
        {loading && <span class="wh-reading" aria-hidden="true"> Reading…</span>}
      </p>
      <ErrorBanner error={error?.status === 401 ? null : error} onRetry={() => void refresh()} />
      {log === null && !error && <p aria-live="polite">Loading…</p>}
      {log && items.length === 0 && <p class="empty">No deliveries yet.{canEdit ? " Press Send test to send one." : ""}</p>}
      {items.length > 0 && (
        <DataTable caption="Deliveries, newest first" stack columns={["Event", "Status", "Attempts", "Next attempt", "Created", ACTIONS]}>
          {items.map((d) => (
            <DeliveryRow key={d.delivery_id} d={d} expanded={open.has(d.delivery_id)} onToggle={() => toggle(d.delivery_id)} />
          ))}
        </DataTable>
      )}
      {log?.cursor && (
        <button type="button" class="btn btn-small load-more wh-more" disabled={more} onClick={() => void loadMore()}>
          {more ? "Loading…" : "Load more"}
          <span class="sr-only"> deliveries</span>
        </button>
      )}
    </Page>
  );
}
