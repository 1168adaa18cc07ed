// The work queue (seed 003): pick a list (or a segment), take the next lead (it is locked for you
// until you act or the lock expires), call it, record an outcome (keys 1–7), note, set a callback
// (with a time: claimed for you; without: end of the queue, unclaimed), claim it, release it or take
// it off the list. After an outcome, a callback or a removal the next lead loads. With "View leads
// only" no lock is taken and nothing can be changed.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError, get, isMissingRoute, post } from "../api";
import { CallActivity } from "../components/CallActivity";
import { Confirm } from "../components/Dialog";
import { ErrorBanner, SelectField, TextAreaField } from "../components/Fields";
import { LoadState, Page } from "../components/Page";
import { countdown, fromZonedLocal, fullName, inZone, leadHref, myZone, outcome, text, toZonedLocal, zoneName } from "../format";
import { useLoad, useNow } from "../hooks";
import { actionErrorText, CLAIMED_BY_OTHER, LOCK_EXPIRED, leadAction, VIEW_ONLY } from "../leadActions";
import { notify } from "../notify";
import { linkHandler } from "../router";
import { createStore, useStore } from "../store";
import type { ActionAnswer, LeadPageData, Outcome, QueueAnswer, WorkList } from "../types";
import { History, LeadFacts, Notes } from "./Lead";
import { listOf } from "./settings/common";

/** The outcome buttons, in the order of their keys 1–7. */
export const OUTCOMES: { value: Outcome; label: string; hint: string }[] = [
  { value: "no_answer", label: "No answer", hint: "to the end of the queue" },
  { value: "busy", label: "Busy", hint: "to the end of the queue" },
  { value: "left_voicemail", label: "Left voicemail", hint: "to the end of the queue" },
  { value: "wrong_number", label: "Wrong number", hint: "out of every queue" },
  { value: "not_interested", label: "Not interested", hint: "out of every queue" },
  { value: "do_not_call", label: "Do not call", hint: "out of every queue" },
  { value: "contacted", label: "Contacted", hint: "to the end of the queue" },
];

interface QueueState {
  /** "" (every list I work), "l:<list>", "s:<list>:<segment>" */
  choice: string;
  current: QueueAnswer | null;
  /** The last Next lead answered 204. */
  empty: boolean;
  /** The lead is the agent's own now (claimed): it needs no lock. */
  owned: boolean;
  /** Why the lead can no longer be worked (lock expired, claimed by another). */
  lost: string | null;
}

/** Kept while the app runs: back on the Work Queue after another page, the locked lead is still there. */
const queue = createStore<QueueState>({ choice: "", current: null, empty: false, owned: false, lost: null });

function choiceBody(choice: string): Record<string, string> {
  if (choice.startsWith("l:")) return { list_id: choice.slice(2) };
  if (choice.startsWith("s:")) {
    const [, list, segment] = choice.split(":");
    return { list_id: list, segment_id: segment };
  }
  return {};
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useNow(1000);
  const left = new Date(expiresAt).getTime() - now;
  const low = left < 5 * 60_000;
  return (
    <p class={`lock-countdown${low ? " lock-low" : ""}`} data-testid="lock-countdown">
      {left > 0 ? (
        <>
          Your lock: <strong>{countdown(left)}</strong> left
        </>
      ) : (
        <strong>Your lock has expired: the lead went back to the queue.</strong>
      )}
    </p>
  );
}

/** The callback time picker: typed in the lead's time zone or the agent's, shown in both side by side. */
function CallbackPicker({ leadZone, value, onChange, zone, onZone }: { leadZone: string | null; value: string; onChange: (v: string) => void; zone: "lead" | "mine"; onZone: (z: "lead" | "mine") => void }) {
  const id = useId();
  const mine = myZone();
  const typedIn = zone === "lead" && leadZone ? leadZone : mine;
  const at = value ? fromZonedLocal(value, typedIn) : null;
  const past = at !== null && at.getTime() <= Date.now();
  return (
    <div class="callback-picker">
      <div class="field">
        <label for={`${id}-at`}>Callback time</label>
        <input
          id={`${id}-at`}
          type="datetime-local"
          value={value}
          min={toZonedLocal(new Date(), typedIn)}
          onInput={(e) => onChange((e.currentTarget as HTMLInputElement).value)}
          aria-describedby={`${id}-zones`}
          aria-invalid={past ? "true" : undefined}
        />
      </div>
      {leadZone && leadZone !== mine && (
        <fieldset class="zone-choice">
          <legend>The time above is</legend>
          <label>
            <input type="radio" name={`${id}-zone`} checked={zone === "lead"} onChange={() => onZone("lead")} /> the lead's time
          </label>
          <label>
            <input type="radio" name={`${id}-zone`} checked={zone === "mine"} onChange={() => onZone("mine")} /> my time
          </label>
        </fieldset>
      )}
      <dl class="zone-times" id={`${id}-zones`} aria-live="polite">
        <div>
          <dt>Lead's time ({zoneName(leadZone)})</dt>
          <dd data-testid="callback-lead-time">{at ? inZone(at, leadZone ?? mine) : "—"}</dd>
        </div>
        <div>
          <dt>Your time ({zoneName(mine)})</dt>
          <dd data-testid="callback-my-time">{at ? inZone(at, mine) : "—"}</dd>
        </div>
      </dl>
      {past && <p class="field-error">Choose a time in the future.</p>}
    </div>
  );
}

export function QueuePage() {
  const state = useStore(queue);
  const { choice, current, empty, owned, lost } = state;
  const set = (patch: Partial<QueueState>) => queue.set({ ...queue.get(), ...patch });
  const lists = useLoad(async () => listOf<WorkList>(await get<unknown>("/v1/lists"), "lists"), []);
  const pid = current?.lead.prospect_id ?? null;
  const detail = useLoad(() => (pid ? get<LeadPageData>(`/v1/leads/${encodeURIComponent(pid)}`) : Promise.resolve(null)), [pid]);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [nextError, setNextError] = useState<ApiError | null>(null);
  const [note, setNote] = useState("");
  const [callbackAt, setCallbackAt] = useState("");
  const [zone, setZone] = useState<"lead" | "mine">("lead");
  const [removing, setRemoving] = useState(false);

  // a refusal shows at the top of the actions: brought into view (on a phone the buttons are far below it)
  useEffect(() => {
    if (lost || error) document.querySelector(".queue-problem")?.scrollIntoView({ block: "center" });
  }, [lost, error]);

  const viewOnly = current?.view_only ?? false;
  const canAct = !!current && !viewOnly && !lost;
  const lead = detail.data?.lead.prospect_id === pid && detail.data ? detail.data.lead : current?.lead;

  const reset = () => {
    setNote("");
    setCallbackAt("");
    setError(null);
  };

  const next = async (after?: string) => {
    setBusy("next");
    setNextError(null);
    reset();
    try {
      const answer = await post<QueueAnswer | undefined>("/v1/queue/next", choiceBody(queue.get().choice));
      if (!answer) {
        set({ current: null, empty: true, owned: false, lost: null });
        if (after) notify(`${after} The queue is empty.`, "success");
      } else {
        set({ current: answer, empty: false, owned: false, lost: null });
        if (after) notify(`${after} Next lead: ${fullName(answer.lead)}.`, "success");
        window.setTimeout(() => document.getElementById("queue-lead-name")?.focus(), 0);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      if (after) notify(after, "success");
      set({ current: null, empty: false, owned: false, lost: null });
      setNextError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));
    } finally {
      setBusy(null);
    }
  };

  /** Runs an action on the current lead; a refusal is shown above the buttons (and a lost lock said so). */
  const act = async (name: string, run: () => Promise<unknown>): Promise<boolean> => {
    if (!current) return false;
    setBusy(name);
    setError(null);
    try {
      await run();
      return true;
    } catch (err) {
      const t = actionErrorText(err);
      if (err instanceof ApiError && (err.code === "lock_not_held" || err.code === "claimed_by_other")) {
        set({ lost: err.code === "lock_not_held" ? LOCK_EXPIRED : CLAIMED_BY_OTHER });
      } else if (err instanceof ApiError && err.code === "view_only") {
        setError(VIEW_ONLY);
      } else if (t) {
        setError(t);
      }
      return false;
    } finally {
      setBusy(null);
    }
  };

  const noteBody = () => (note.trim() ? { note: note.trim() } : {});

  const recordOutcome = async (o: (typeof OUTCOMES)[number]) => {
    if (!current || busy) return;
    const ok = await act(`outcome:${o.value}`, () => leadAction(current.lead.prospect_id, "outcome", { outcome: o.value, ...noteBody() }));
    if (ok) await next(`Outcome saved: ${o.label}.`);
  };

  const saveNote = async () => {
    if (!current || !note.trim()) {
      setError("Write the note first.");
      return;
    }
    const ok = await act("note", () => leadAction(current.lead.prospect_id, "note", { text: note.trim() }));
    if (ok) {
      setNote("");
      notify("Note saved.", "success");
      void detail.reload();
    }
  };

  const callback = async (withTime: boolean) => {
    if (!current) return;
    let body: Record<string, unknown> = noteBody();
    let at: Date | null = null;
    if (withTime) {
      const leadZone = lead?.time_zone ?? null;
      at = callbackAt ? fromZonedLocal(callbackAt, zone === "lead" && leadZone ? leadZone : myZone()) : null;
      if (!at) {
        setError("Choose the callback time first (or use “Callback without time”).");
        return;
      }
      if (at.getTime() <= Date.now()) {
        setError("The callback time must be in the future.");
        return;
      }
      body = { ...body, at: at.toISOString() };
    }
    let claimed = false;
    const ok = await act(withTime ? "callback" : "callback-untimed", async () => {
      const answer = await leadAction(current.lead.prospect_id, "callback", body);
      claimed = !!answer?.lead?.callback_claimed || (answer?.lead?.agent_id ?? null) !== null;
    });
    if (!ok) return;
    if (at) {
      const whenText = `${inZone(at, lead?.time_zone ?? myZone())} (lead's time)`;
      await next(claimed ? `Callback set for ${whenText}. The lead is claimed by you and comes back to the top of your queue then.` : `Callback set for ${whenText}; the lead is not claimed.`);
    } else {
      await next("Callback without time: the lead goes to the end of the queue, unclaimed.");
    }
  };

  const claim = async () => {
    if (!current) return;
    const ok = await act("claim", () => leadAction(current.lead.prospect_id, "claim"));
    if (ok) {
      set({ owned: true, current: { ...current, lock_expires_at: null } });
      notify(`You claimed ${fullName(current.lead)}'s lead. It is yours: out of everyone else's queue, and in My leads.`, "success");
      void detail.reload();
    }
  };

  const call = async () => {
    if (!current) return;
    let placed: { status?: string | null; reason?: string | null; phone_called?: string | null } | undefined;
    const ok = await act("call", async () => {
      const answer = (await leadAction(current.lead.prospect_id, "call")) as ActionAnswer & { call?: typeof placed };
      placed = answer?.call ?? undefined;
    });
    if (ok) {
      if (placed?.reason || placed?.status === "blocked" || placed?.status === "failed") {
        setError(`The call was not placed: ${placed.reason ?? placed.status}.`);
      } else {
        notify(`Calling your phone${placed?.phone_called ? ` (${placed.phone_called})` : ""} now: answer it to be connected to the lead.`, "success");
      }
    }
    void detail.reload();
  };

  const release = async () => {
    if (!current) return;
    const ok = await act("release", () => leadAction(current.lead.prospect_id, "release"));
    if (ok) {
      set({ current: null, owned: false, lost: null });
      reset();
      notify("Lock released: the lead stays at its place in the queue.", "success");
    }
  };

  const remove = async () => {
    if (!current) return;
    setRemoving(false);
    const body = current.list_id ? { list_id: current.list_id } : {};
    const ok = await act("remove", () => leadAction(current.lead.prospect_id, "remove", body));
    if (ok) await next("Lead removed from the list.");
  };

  // keys 1–7 record the outcomes (not while typing, not with a dialog open, not with a modifier)
  const keyHandler = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keyHandler.current = (e: KeyboardEvent) => {
    if (!canAct || busy || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    if (isTyping(e.target) || document.querySelector("dialog[open]")) return;
    const n = Number(e.key);
    if (!Number.isInteger(n) || n < 1 || n > OUTCOMES.length) return;
    e.preventDefault();
    void recordOutcome(OUTCOMES[n - 1]);
  };
  useEffect(() => {
    const on = (e: KeyboardEvent) => keyHandler.current(e);
    window.addEventListener("keydown", on);
    return () => window.removeEventListener("keydown", on);
  }, []);

  const listOptions = [{ value: "", label: "All my lists" }];
  for (const l of lists.data ?? []) {
    listOptions.push({ value: `l:${l.list_id}`, label: l.name });
    for (const s of l.segments ?? []) if (s.segment_id) listOptions.push({ value: `s:${l.list_id}:${s.segment_id}`, label: `${l.name} › ${s.name}` });
  }
  const listName = (id: string | null) => (id ? ((lists.data ?? []).find((l) => l.list_id === id)?.name ?? id) : null);
  const disabled = busy !== null;

  return (
    <Page id="queue-title" title="Work Queue">
      <div class="card queue-bar">
        {lists.error && isMissingRoute(lists.error) ? (
          <LoadState load={lists} missing="work lists" />
        ) : (
          <SelectField
            label="List"
            value={choice}
            onChange={(v) => set({ choice: v })}
            hint={lists.data && lists.data.length === 0 ? "You work no list yet: a manager adds you to one." : "The next lead comes from this list or segment (your due callbacks first)."}
            options={listOptions}
          />
        )}
        <button type="button" class="btn btn-primary btn-next" disabled={disabled} onClick={() => void next()}>
          {busy === "next" ? "Loading…" : current && !current.view_only ? "Skip to next lead" : "Next lead"}
        </button>
      </div>
      {lists.error && !isMissingRoute(lists.error) && <ErrorBanner error={lists.error.status === 401 ? undefined : lists.error} onRetry={() => void lists.reload()} />}
      {nextError &&
        (isMissingRoute(nextError) ? (
          <LoadState load={{ data: undefined, error: nextError, loading: false, reload: async () => undefined, set: () => undefined }} missing="work queue" />
        ) : nextError.code === "forbidden_role" ? (
          <p class="banner banner-info" role="status">
            <span>
              Only agents work a queue. To look through a list's leads without locking them, turn on “View leads only” in{" "}
              <a href="/app/preferences" onClick={linkHandler}>
                Preferences
              </a>{" "}
              and pick the list.
            </span>
          </p>
        ) : (
          <ErrorBanner error={nextError} onRetry={() => void next()} />
        ))}
      {!current && empty && (
        <p class="empty" role="status">
          Your queue is empty: no lead to call in {choice ? "this list" : "your lists"} right now, and no callback due. Try again later or pick another list.
        </p>
      )}
      {!current && !empty && !nextError && busy !== "next" && <p class="muted">Press “Next lead” to take the next lead of your queue. It is locked for you until you act on it.</p>}
      {current && lead && (
        <div class={`queue-grid${viewOnly ? " queue-grid-solo" : ""}`}>
          <section class="card queue-lead" aria-labelledby="queue-lead-name">
            <div class="queue-lead-head">
              <h2 id="queue-lead-name" tabIndex={-1}>
                <a href={leadHref(lead.prospect_id)} onClick={linkHandler}>
                  {fullName(lead)}
                </a>
              </h2>
              <div class="badges">
                {current.source === "callback" && <span class="badge badge-callback">Callback due</span>}
                {listName(current.list_id) && <span class="badge">List: {listName(current.list_id)}</span>}
                {lead.last_outcome && <span class="badge">Last: {outcome(lead.last_outcome)}</span>}
              </div>
            </div>
            {viewOnly && (
              <p class="banner banner-info" role="status">
                View only: no lock taken. You can look at this lead; nothing can be changed.
              </p>
            )}
            {owned && <p class="banner banner-info">This lead is yours (claimed): it needs no lock.</p>}
            {!viewOnly && !owned && !lost && current.lock_expires_at && <Countdown expiresAt={current.lock_expires_at} />}
            <LeadFacts lead={lead} showLock={false} lists={detail.data?.lists} />
          </section>

          {!viewOnly && (
            <section class="card queue-actions" aria-labelledby="queue-actions-title">
              <h2 id="queue-actions-title">Work this lead</h2>
              {lost && (
                <div class="banner banner-warn queue-problem" role="alert">
                  <span>{lost}</span>
                  <button type="button" class="btn btn-small btn-primary" onClick={() => void next()}>
                    Next lead
                  </button>
                </div>
              )}
              {error && (
                <div class="banner banner-error queue-problem" role="alert">
                  <span>{error}</span>
                </div>
              )}
              <fieldset class="plain" disabled={!canAct}>
                <div class="queue-call">
                  <button type="button" class="btn btn-call" disabled={disabled} onClick={() => void call()}>
                    {busy === "call" ? "Calling…" : "Call"}
                    <span class="sr-only"> {fullName(lead)}</span>
                  </button>
                  <span class="muted">{text(lead.phone)}</span>
                </div>
                <div class="outcomes" role="group" aria-label="Outcome (keys 1 to 7)">
                  {OUTCOMES.map((o, i) => (
                    <button key={o.value} type="button" class="btn outcome" aria-keyshortcuts={String(i + 1)} title={`Key ${i + 1}: ${o.hint}`} disabled={disabled} onClick={() => void recordOutcome(o)} data-outcome={o.value}>
                      <kbd aria-hidden="true">{i + 1}</kbd>
                      {busy === `outcome:${o.value}` ? "Saving…" : o.label}
                    </button>
                  ))}
                </div>
                <p class="field-hint">Keys 1–7 record an outcome (not while typing in a field). The next lead loads after it.</p>

                <div class="claim-row">
                  <button type="button" class="btn btn-small" disabled={disabled || owned} onClick={() => void claim()}>
                    {owned ? "Claimed" : busy === "claim" ? "Claiming…" : "Claim now"}
                  </button>
                  <span class="field-hint">The lead becomes yours: out of everyone else's queue.</span>
                </div>
                <TextAreaField label="Comment" value={note} onInput={setNote} rows={3} maxLength={2000} hint="Saved with the outcome or callback, or alone with Save note." />
                <div class="btn-row">
                  <button type="button" class="btn btn-small" disabled={disabled || !note.trim()} onClick={() => void saveNote()}>
                    {busy === "note" ? "Saving…" : "Save note"}
                  </button>
                </div>

                <fieldset class="fieldset">
                  <legend>Callback</legend>
                  <CallbackPicker leadZone={lead.time_zone} value={callbackAt} onChange={setCallbackAt} zone={zone} onZone={setZone} />
                  <div class="btn-row">
                    <button type="button" class="btn btn-primary" disabled={disabled || !callbackAt} onClick={() => void callback(true)}>
                      {busy === "callback" ? "Saving…" : "Call back at this time"}
                    </button>
                    <button type="button" class="btn" disabled={disabled} onClick={() => void callback(false)}>
                      {busy === "callback-untimed" ? "Saving…" : "Callback without time"}
                    </button>
                  </div>
                  <p class="field-hint">With a time the lead is claimed for you and comes back to the top of your queue then. Without a time it goes to the end of the queue, unclaimed.</p>
                </fieldset>

                <div class="btn-row queue-leave">
                  <button type="button" class="btn" disabled={disabled} onClick={() => void release()}>
                    {busy === "release" ? "Releasing…" : "Release"}
                  </button>
                  <button type="button" class="btn btn-danger-outline" disabled={disabled} onClick={() => setRemoving(true)}>
                    Remove from list
                  </button>
                </div>
              </fieldset>
            </section>
          )}

          <section class="queue-history" aria-labelledby="queue-history-title">
            <h2 id="queue-history-title">History</h2>
            {detail.error ? <ErrorBanner error={detail.error.status === 401 ? undefined : detail.error} onRetry={() => void detail.reload()} /> : !detail.data && <p aria-live="polite">Loading…</p>}
            {detail.data && <History events={detail.data.events ?? []} zone={detail.data.lead.time_zone} />}
            <h2>Notes</h2>
            {detail.data && <Notes notes={detail.data.notes ?? []} />}
            <h2>Call Activity</h2>
            {detail.data && <CallActivity calls={detail.data.calls ?? []} />}
          </section>
        </div>
      )}
      <Confirm
        open={removing}
        title="Remove from list"
        question={`Take ${current ? fullName(current.lead) : "this lead"} off ${listName(current?.list_id ?? null) ? `the list “${listName(current?.list_id ?? null)}”` : "this list"}? It leaves this list's queue.`}
        confirmLabel="Remove"
        danger
        onConfirm={() => void remove()}
        onCancel={() => setRemoving(false)}
      />
    </Page>
  );
}
