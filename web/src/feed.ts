// The agent's live feed: open offers, lead notices, availability, follow-up reminders and leads
// taken back (issue 13), pushed over the live socket (live.ts) while it is open. While it is not
// (no wsUrl, connecting failed, closed), the app polls GET /v1/me/offers and
// GET /v1/me/notifications every 15 s and says so in a banner (reminders and take-backs are not
// polled: what is pushed meanwhile is missed); the polling stops as soon as the socket is open
// again (whose sync brings the open offers).
//
// Offers are kept by prospect id. An offer's end is remembered by (prospect id, wave), so a late
// push, a replayed one or an older poll answer never brings an ended offer back; offers also
// leave on their own shortly after expires_at.
//
// For browser tests: `window.__LEADWAVE_NO_POLL__ = true` (before the app starts, e.g. Playwright's
// add_init_script) turns every automatic REST read of offers and notices off, so an offer on
// screen can only have come by push; `window.__LEADWAVE_POLL_MS__` changes the 15 s.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { closeAlert, pageHidden, showAlert } from "./alerts";
import { ApiError, appConfig, auth, get, refreshNow } from "./api";
import { amount, offerHeadline } from "./format";
import { type LeadNotice, type LiveStatus, LiveSocket, type ServerMessage, socketUrl } from "./live";
import { followUps, followUpText, leadHref, leadIsMineAgain, leadsChanged, noticeText, showFollowUp, showNotice, showReturned, showTakenBack, takenBackText } from "./notices";
import { isExpired } from "./session";
import { beep } from "./sound";
import { createStore } from "./store";
import type { Offer } from "./types";

export const FALLBACK_POLL_MS = 15_000;
/** An expired offer stays this long (its card says Expired) before it leaves the list. */
const EXPIRED_GRACE_MS = 1_500;
/** Ended offers remembered (per tab); the oldest are forgotten past this. */
const ENDED_MEMORY = 2_000;

declare global {
  interface Window {
    __LEADWAVE_NO_POLL__?: boolean;
    __LEADWAVE_POLL_MS__?: number;
  }
}

/** The fallback's interval, or null when tests turned polling off. */
export function fallbackPollMs(): number | null {
  if (window.__LEADWAVE_NO_POLL__ === true) return null;
  const ms = Number(window.__LEADWAVE_POLL_MS__);
  return Number.isFinite(ms) && ms >= 200 ? ms : FALLBACK_POLL_MS;
}

// ---------------------------------------------------------------- the offer list (pure)

export interface FeedState {
  offers: Offer[];
  /** prospect_id#wave of the offers that ended. */
  ended: ReadonlySet<string>;
}

export const EMPTY_FEED: FeedState = { offers: [], ended: new Set() };

export const offerKey = (prospectId: string, wave: number): string => `${prospectId}#${wave}`;

function isOpen(s: FeedState, o: Offer, now: number): boolean {
  return !s.ended.has(offerKey(o.prospect_id, o.wave)) && !(Date.parse(o.expires_at) + EXPIRED_GRACE_MS < now);
}

/** An `offer` push: added, or replacing the same lead's offer (a later wave); never an ended one. */
export function withOffer(s: FeedState, offer: Offer, now: number): FeedState {
  if (!isOpen(s, offer, now)) return s;
  const i = s.offers.findIndex((o) => o.prospect_id === offer.prospect_id);
  if (i < 0) return { ...s, offers: [...s.offers, offer] };
  if (s.offers[i].wave > offer.wave) return s; // a late push of an earlier wave
  return { ...s, offers: s.offers.map((o, j) => (j === i ? offer : o)) };
}

/** The whole list (an `offers` push, a poll): replaces what is shown, less what ended meanwhile. */
export function withSnapshot(s: FeedState, offers: Offer[], now: number): FeedState {
  return { ...s, offers: offers.filter((o) => isOpen(s, o, now)) };
}

/** An `offer_end` push (or this tab's own claim or decline): the offer leaves at once. An end
 * without a wave ends whatever offer of that lead is shown; one for an unknown lead changes nothing
 * on screen but is remembered (a push may overtake the offer it ends). */
export function withEnd(s: FeedState, prospectId: string, wave: number | null): FeedState {
  const w = wave ?? s.offers.find((o) => o.prospect_id === prospectId)?.wave;
  if (w === undefined) return s;
  const ended = new Set(s.ended);
  ended.add(offerKey(prospectId, w));
  if (ended.size > ENDED_MEMORY) ended.delete(ended.values().next().value as string);
  return { offers: s.offers.filter((o) => !(o.prospect_id === prospectId && o.wave <= w)), ended };
}

export function withoutExpired(s: FeedState, now: number): FeedState {
  const offers = s.offers.filter((o) => isOpen(s, o, now));
  return offers.length === s.offers.length ? s : { ...s, offers };
}

// ---------------------------------------------------------------- the hook

/** The agent's availability as another device last set it (pushed); the switch follows it. */
export const remoteAvailability = createStore<{ available: boolean; at: string; seq: number } | null>(null);
let availabilitySeq = 0;

export interface LiveView {
  /** "off": no wsUrl in config.json. */
  status: LiveStatus | "off";
  /** Not live: the fallback polls (unless turned off) and the banner shows. */
  degraded: boolean;
  /** The fallback's interval; null when polling is turned off. */
  pollMs: number | null;
  /** Whether there is a socket to reconnect. */
  canReconnect: boolean;
  reconnect: () => void;
}

export interface AgentFeed {
  offers: Offer[];
  /** The last poll's failure (polling only). */
  error: ApiError | undefined;
  /** The open offers again: a sync on the socket, else a GET. */
  reload: () => Promise<void>;
  /** This tab claimed, declined or lost the offer: it leaves the list now. */
  ended: (offer: Offer) => void;
  live: LiveView;
}

async function tokenUrl(wsUrl: string, fresh: boolean): Promise<string | null> {
  let session = auth.get().session;
  if (!session) return null;
  // a reconnect after a refused attempt, or a token about to expire, uses a refreshed token
  if (session.mode === "cognito" && (fresh || isExpired(session, Date.now(), 120_000))) session = (await refreshNow()) ?? auth.get().session;
  return session ? socketUrl(wsUrl, session.idToken) : null;
}

function offerAlertBody(o: Offer): string {
  const money = o.loan_amount === null || o.loan_amount === "" ? "" : amount(o.loan_amount);
  const first = o.distribution_type === "distribute_all" ? "First click wins. " : "";
  return `${first}${[offerHeadline(o), money, o.campaign_name].filter(Boolean).join(" · ")}`;
}

export function useAgentFeed(enabled: boolean): AgentFeed {
  const wsUrl = enabled ? appConfig().wsUrl : undefined;
  const [pollMs] = useState(fallbackPollMs);
  const [state, setState] = useState<FeedState>(EMPTY_FEED);
  const [status, setStatus] = useState<LiveStatus | "off">(wsUrl ? "connecting" : "off");
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const socket = useRef<LiveSocket | null>(null);
  const statusRef = useRef(status);
  statusRef.current = status;
  const since = useRef<string | undefined>(undefined); // none at first: the last 10 minutes
  const lastPoll = useRef(0);
  const seenMessages = useRef(new Set<string>());

  const onNotice = useCallback((n: LeadNotice) => {
    if (showNotice(n) && pageHidden()) {
      void showAlert({ tag: `lead-${n.prospect_id}`, title: "Lead for you", body: noticeText(n), url: `/app/leads/${encodeURIComponent(n.prospect_id)}` });
    }
  }, []);

  const pollOffers = useCallback(async () => {
    try {
      const got = await get<{ offers: Offer[] }>("/v1/me/offers");
      // a socket that opened meanwhile has sent a newer list
      if (statusRef.current !== "open") setState((s) => withSnapshot(s, got.offers ?? [], Date.now()));
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));
    }
  }, []);

  const pollNotices = useCallback(async () => {
    try {
      const got = await get<{ items: LeadNotice[]; now: string }>("/v1/me/notifications", since.current ? { since: since.current } : undefined);
      since.current = got.now;
      for (const n of got.items) onNotice(n);
    } catch {
      // silent: the next poll (or push) brings it
    }
  }, [onNotice]);

  const onMessage = (m: ServerMessage) => {
    switch (m.type) {
      case "offer": {
        const key = `offer#${offerKey(m.offer.prospect_id, m.offer.wave)}`;
        if (seenMessages.current.has(key)) return;
        seenMessages.current.add(key);
        setState((s) => withOffer(s, m.offer, Date.now()));
        return;
      }
      case "offers":
        setState((s) => withSnapshot(s, m.offers, Date.now()));
        setError(undefined);
        return;
      case "offer_end":
        setState((s) => withEnd(s, m.prospect_id, m.wave));
        return;
      case "availability":
        remoteAvailability.set({ available: m.available, at: m.at, seq: ++availabilitySeq });
        if (m.available) socket.current?.sync();
        return;
      case "lead_assigned": {
        // by: a lead taken back from a colleague comes twice (by follow_up, then the stream's plain one)
        const key = `lead_assigned#${m.prospect_id}#${m.lead.at}#${m.lead.by ?? ""}`;
        if (seenMessages.current.has(key)) return;
        seenMessages.current.add(key);
        leadIsMineAgain(m.prospect_id);
        onNotice(m.lead);
        leadsChanged.update((v) => v + 1);
        return;
      }
      case "follow_up":
        if (showFollowUp(m) && pageHidden()) {
          void showAlert({ tag: `lead-${m.prospect_id}`, title: "Work this lead soon", body: followUpText(m), url: leadHref(m.prospect_id) });
        }
        return;
      case "lead_returned": // returned to its vendor by a manager (issue 14): out of the agent's lists
        if (showReturned(m)) void closeAlert(`lead-${m.prospect_id}`);
        return;
      case "lead_taken_back": {
        const reminder = followUps.get()[m.prospect_id]; // it named the lead; the take-back forgets it
        if (!showTakenBack(m)) return;
        // the lead's reminder (or "Lead for you") alert no longer holds: replaced while hidden, else closed
        if (pageHidden()) void showAlert({ tag: `lead-${m.prospect_id}`, title: "Lead reassigned", body: takenBackText(m, reminder), url: "/app/leads" });
        else void closeAlert(`lead-${m.prospect_id}`);
        return;
      }
    }
  };
  const onMessageRef = useRef(onMessage);
  onMessageRef.current = onMessage;

  // the socket, while signed in as an agent
  useEffect(() => {
    if (!enabled || !wsUrl) {
      setStatus("off");
      return undefined;
    }
    const s = new LiveSocket({
      url: (fresh) => tokenUrl(wsUrl, fresh),
      onMessage: (m) => onMessageRef.current(m),
      onStatus: setStatus,
      // notices missed while not connected (at sign-in: the last 10 minutes)
      onOpen: () => {
        if (pollMs !== null) void pollNotices();
      },
    });
    socket.current = s;
    setStatus("connecting");
    s.start();
    return () => {
      s.stop();
      socket.current = null;
      remoteAvailability.set(null); // the next sign-in starts from its own profile
    };
  }, [enabled, wsUrl, pollMs, pollNotices]);

  // the fallback: poll while not live
  const degraded = enabled && (status === "off" || status === "down");
  useEffect(() => {
    if (!degraded || pollMs === null) return undefined;
    let stopped = false;
    let timer = 0;
    const tick = async () => {
      lastPoll.current = Date.now();
      await Promise.all([pollOffers(), pollNotices()]);
      if (!stopped) timer = window.setTimeout(tick, pollMs);
    };
    timer = window.setTimeout(tick, Math.max(0, lastPoll.current + pollMs - Date.now()));
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [degraded, pollMs, pollOffers, pollNotices]);

  // offers leave shortly after they expire
  const any = state.offers.length > 0;
  useEffect(() => {
    if (!any) return undefined;
    const t = window.setInterval(() => setState((s) => withoutExpired(s, Date.now())), 1_000);
    return () => window.clearInterval(t);
  }, [any]);

  // a new offer: the beep (a visible tab, or no permission for alerts), the system alert (a hidden
  // tab); an offer that left closes its alert
  const seenOffers = useRef(new Set<string>());
  const alerted = useRef(new Set<string>());
  useEffect(() => {
    const fresh = state.offers.filter((o) => !seenOffers.current.has(offerKey(o.prospect_id, o.wave)));
    for (const o of fresh) seenOffers.current.add(offerKey(o.prospect_id, o.wave));
    if (fresh.length) {
      const hidden = pageHidden();
      if (!hidden || typeof Notification === "undefined" || Notification.permission !== "granted") beep();
      if (hidden) {
        for (const o of fresh) {
          alerted.current.add(o.prospect_id);
          void showAlert({ tag: o.prospect_id, title: o.distribution_type === "distribute_all" ? "New Lead" : "New lead offer", body: offerAlertBody(o), url: "/app/offers" });
        }
      }
    }
    const open = new Set(state.offers.map((o) => o.prospect_id));
    for (const id of [...alerted.current]) {
      if (open.has(id)) continue;
      alerted.current.delete(id);
      void closeAlert(id);
    }
  }, [state.offers]);

  const reload = useCallback(async () => {
    if (socket.current?.sync()) return;
    if (pollMs !== null) await pollOffers();
  }, [pollMs, pollOffers]);

  const ended = useCallback((o: Offer) => setState((s) => withEnd(s, o.prospect_id, o.wave)), []);
  const reconnect = useCallback(() => socket.current?.reconnectNow(), []);

  return {
    offers: state.offers,
    error,
    reload,
    ended,
    live: { status, degraded, pollMs, canReconnect: !!wsUrl, reconnect },
  };
}
