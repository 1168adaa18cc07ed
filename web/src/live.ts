// The agent's live connection (issue 12): one WebSocket to the stack's WebSocket API
// (config.json "wsUrl"), authenticated with the id token in the `token` query parameter (a
// browser cannot set a WebSocket's headers). The server pushes offers, their end, availability
// changes, assigned leads, follow-up reminders and leads taken back (issue 13), leads returned to their
// vendor (issue 14); the client sends
// only {"action":"sync"} (the open offers again, on every open) and {"action":"ping"} (after 5
// minutes of silence: API Gateway drops a connection idle for 10). Closed sockets come back with
// exponential back-off (1 s doubling to 30 s, with jitter; reset after 10 s open; at once when the
// browser goes online or the page becomes visible), and a new socket replaces the current one
// before API Gateway's 2-hour limit (make before break). No framework here: feed.ts wires it into
// the app.

import type { Offer } from "./types";

export type LiveStatus = "connecting" | "open" | "down" | "stopped";

export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/** Open this long, the socket is trusted again: the next drop retries after 1 s. */
export const STABLE_MS = 10_000;
export const PING_AFTER_MS = 5 * 60_000;
/** API Gateway closes a connection after 2 hours: a new one is opened before that. */
export const RENEW_AFTER_MS = 110 * 60_000;
/** A socket still CONNECTING after this is given up (a black-holed network can hang for minutes). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** The first connection may take this long before the app says live updates are paused. */
export const FIRST_GRACE_MS = 4_000;
/** After a failed renewal (the current socket still open), try again this much later. */
const RENEW_RETRY_MS = 60_000;
/** Hidden longer than this, a page made visible asks for the open offers again. */
const RESYNC_AFTER_HIDDEN_MS = 60_000;

/** An item of GET /v1/me/notifications (and the lead of a lead_assigned push). */
export interface LeadNotice {
  prospect_id: string;
  kind: "claimed" | "transfer" | "assigned" | "duplicate";
  by: string | null;
  by_name: string | null;
  at: string;
  first_name: string | null;
  last_name: string | null;
  campaign_name: string | null;
  reason: string | null;
  /** A duplicate's way in: "vendor:<id>", "agent:<id>", "upload:<id>", "call". */
  source?: string | null;
  phone?: string | null;
}

export type EndReason = "claimed" | "declined" | "expired" | "placed";

/** A follow-up reminder (issue 13): the agent's lead must be worked by ``due_at`` or it is taken back. */
export interface FollowUpReminder {
  prospect_id: string;
  due_at: string;
  minutes_left: number;
  first_name: string | null;
  campaign_name: string | null;
  at: string;
}

/** A lead of the agent's a manager returned to its vendor (issue 14); ``reason``: bad_number, duplicate, ... */
export interface LeadReturned {
  prospect_id: string;
  reason: string | null;
  at: string;
}

/** A lead taken back from the agent (issue 13: not worked within its campaign's follow-up deadline). */
export interface TakenBack {
  prospect_id: string;
  reason: string;
  at: string;
}

export type ServerMessage =
  | { type: "offer"; at: string; offer: Offer }
  | { type: "offers"; at: string; offers: Offer[] }
  | { type: "offer_end"; at: string; prospect_id: string; wave: number | null; reason: EndReason | string; by_me: boolean }
  | { type: "availability"; at: string; available: boolean }
  | { type: "lead_assigned"; at: string; kind: LeadNotice["kind"]; prospect_id: string; lead: LeadNotice }
  | ({ type: "follow_up" } & FollowUpReminder)
  | ({ type: "lead_taken_back" } & TakenBack)
  | ({ type: "lead_returned" } & LeadReturned);

const strOrNull = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

function isOffer(value: unknown): value is Offer {
  const o = value as Partial<Offer> | null;
  return !!o && typeof o === "object" && typeof o.prospect_id === "string" && typeof o.wave === "number" && typeof o.expires_at === "string";
}

/** A text frame as a message this app knows, or null (anything else is ignored). */
export function parseMessage(data: unknown): ServerMessage | null {
  if (typeof data !== "string") return null;
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!m || typeof m !== "object") return null;
  const at = typeof m.at === "string" ? m.at : "";
  switch (m.type) {
    case "offer":
      return isOffer(m.offer) ? { type: "offer", at, offer: m.offer } : null;
    case "offers":
      return Array.isArray(m.offers) ? { type: "offers", at, offers: m.offers.filter(isOffer) } : null;
    case "offer_end":
      return typeof m.prospect_id === "string"
        ? { type: "offer_end", at, prospect_id: m.prospect_id, wave: typeof m.wave === "number" ? m.wave : null, reason: String(m.reason ?? ""), by_me: m.by_me === true }
        : null;
    case "availability":
      return typeof m.available === "boolean" ? { type: "availability", at, available: m.available } : null;
    case "lead_assigned": {
      const lead = m.lead as LeadNotice | null;
      if (!lead || typeof lead !== "object" || typeof lead.prospect_id !== "string") return null;
      const kind = (typeof m.kind === "string" ? m.kind : lead.kind) as LeadNotice["kind"];
      return { type: "lead_assigned", at, kind, prospect_id: typeof m.prospect_id === "string" ? m.prospect_id : lead.prospect_id, lead: { ...lead, kind } };
    }
    case "follow_up": {
      if (typeof m.prospect_id !== "string" || typeof m.due_at !== "string") return null;
      const left = typeof m.minutes_left === "number" && Number.isFinite(m.minutes_left) ? Math.max(0, Math.round(m.minutes_left)) : Math.max(0, Math.round((Date.parse(m.due_at) - Date.now()) / 60_000));
      return { type: "follow_up", at, prospect_id: m.prospect_id, due_at: m.due_at, minutes_left: left, first_name: strOrNull(m.first_name), campaign_name: strOrNull(m.campaign_name) };
    }
    case "lead_taken_back":
      return typeof m.prospect_id === "string" ? { type: "lead_taken_back", at, prospect_id: m.prospect_id, reason: String(m.reason ?? "") } : null;
    case "lead_returned":
      return typeof m.prospect_id === "string" ? { type: "lead_returned", at, prospect_id: m.prospect_id, reason: strOrNull(m.reason) } : null;
    default:
      return null;
  }
}

/** How long to wait before retry number ``attempt`` (0 first): 1 s doubling to 30 s, the wait
 * drawn between half and all of that ("equal jitter", so a floor of agents does not come back at once). */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** ``wsUrl`` with the token as its `token` query parameter. */
export function socketUrl(wsUrl: string, idToken: string): string {
  return `${wsUrl}${wsUrl.includes("?") ? "&" : "?"}token=${encodeURIComponent(idToken)}`;
}

export interface LiveOptions {
  /** The URL to connect to now (with a token); ``fresh``: the last attempt never opened, so refresh the token first. Null: not now. */
  url: (fresh: boolean) => Promise<string | null>;
  onMessage: (message: ServerMessage) => void;
  onStatus: (status: LiveStatus) => void;
  /** A socket opened (after its sync was sent). */
  onOpen?: () => void;
}

export class LiveSocket {
  /** The socket in use (open, or the one connecting after a drop). */
  private ws: WebSocket | null = null;
  /** Its replacement, connecting while ``ws`` stays open (make before break). */
  private next: WebSocket | null = null;
  /** Waiting for a URL (a token refresh) for the socket in use, or for its replacement. */
  private opening = { main: false, renewal: false };
  private attempt = 0;
  private failedBeforeOpen = false;
  private status: LiveStatus = "connecting";
  private stopped = false;
  private lastTraffic = 0;
  private hiddenAt = 0;
  private retryTimer = 0;
  private stableTimer = 0;
  private pingTimer = 0;
  private renewTimer = 0;
  private graceTimer = 0;

  constructor(private readonly opts: LiveOptions) {}

  start(): void {
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisibility);
    this.graceTimer = window.setTimeout(() => {
      if (this.status === "connecting") this.setStatus("down");
    }, FIRST_GRACE_MS);
    void this.connect(false);
  }

  /** Sign-out or leaving the app: closes with 1000 and never comes back. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisibility);
    for (const t of [this.retryTimer, this.stableTimer, this.pingTimer, this.renewTimer, this.graceTimer]) window.clearTimeout(t);
    for (const s of [this.ws, this.next]) if (s) this.close(s, "signed out");
    this.ws = this.next = null;
    this.setStatus("stopped");
  }

  get current(): LiveStatus {
    return this.status;
  }

  /** Asks the server for the open offers again (answered with an `offers` message). */
  sync(): boolean {
    return this.send({ action: "sync" });
  }

  /** Connects now if not connected (a Reconnect button; the browser back online). */
  reconnectNow(): void {
    if (this.stopped || this.status === "open") return;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = 0;
    void this.connect(false);
  }

  private send(body: Record<string, string>): boolean {
    const s = this.ws;
    if (!s || s.readyState !== WebSocket.OPEN) return false;
    try {
      s.send(JSON.stringify(body));
    } catch {
      return false;
    }
    this.traffic();
    return true;
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    if (status !== "connecting") window.clearTimeout(this.graceTimer);
    this.opts.onStatus(status);
  }

  private close(s: WebSocket, reason: string): void {
    try {
      s.close(1000, reason);
    } catch {
      // already closing
    }
  }

  private readonly onOnline = () => this.reconnectNow();

  private readonly onVisibility = () => {
    if (document.visibilityState === "hidden") {
      this.hiddenAt = Date.now();
      return;
    }
    if (this.status !== "open") this.reconnectNow();
    else if (this.hiddenAt && Date.now() - this.hiddenAt > RESYNC_AFTER_HIDDEN_MS) this.sync();
    this.hiddenAt = 0;
  };

  /** Activity on the socket: the ping waits for another 5 minutes of silence. */
  private traffic(): void {
    this.lastTraffic = Date.now();
    this.armPing(PING_AFTER_MS);
  }

  private armPing(ms: number): void {
    window.clearTimeout(this.pingTimer);
    this.pingTimer = window.setTimeout(() => {
      const silent = Date.now() - this.lastTraffic;
      if (silent >= PING_AFTER_MS - 1_000) this.send({ action: "ping" }); // its own traffic re-arms
      else this.armPing(PING_AFTER_MS - silent);
    }, ms);
  }

  private async connect(renewal: boolean): Promise<void> {
    const which = renewal ? "renewal" : "main";
    if (this.stopped || this.opening[which] || this.busy(renewal)) return;
    this.opening[which] = true;
    let url: string | null = null;
    try {
      url = await this.opts.url(this.failedBeforeOpen && !renewal);
    } catch {
      url = null;
    } finally {
      this.opening[which] = false;
    }
    if (this.stopped || this.busy(renewal)) return;
    let socket: WebSocket;
    try {
      if (!url) throw new Error("no session");
      socket = new WebSocket(url);
    } catch {
      if (renewal) this.scheduleRenewal(RENEW_RETRY_MS);
      else this.failed();
      return;
    }
    if (renewal) this.next = socket;
    else this.ws = socket;
    let opened = false;
    const connectTimer = window.setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) socket.close(); // onclose follows
    }, CONNECT_TIMEOUT_MS);

    socket.onopen = () => {
      window.clearTimeout(connectTimer);
      if (this.stopped) return this.close(socket, "signed out");
      opened = true;
      if (socket === this.next) {
        const old = this.ws;
        this.ws = socket;
        this.next = null;
        if (old) this.close(old, "renewed");
      } else if (socket !== this.ws) {
        return this.close(socket, "replaced");
      }
      this.failedBeforeOpen = false;
      window.clearTimeout(this.stableTimer);
      this.stableTimer = window.setTimeout(() => (this.attempt = 0), STABLE_MS);
      this.scheduleRenewal(RENEW_AFTER_MS - Math.round(Math.random() * 120_000));
      this.setStatus("open");
      this.sync();
      this.opts.onOpen?.();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (socket === this.ws) this.traffic();
      const message = parseMessage(event.data);
      if (message && !this.stopped) this.opts.onMessage(message);
    };
    socket.onclose = () => {
      window.clearTimeout(connectTimer);
      if (this.stopped) return;
      if (socket === this.next) {
        // the replacement failed: the current socket carries on, try again later
        this.next = null;
        if (this.ws && this.ws.readyState === WebSocket.OPEN) this.scheduleRenewal(RENEW_RETRY_MS);
        else this.failed();
        return;
      }
      if (socket !== this.ws) return; // an old socket, replaced
      this.ws = null;
      window.clearTimeout(this.stableTimer);
      window.clearTimeout(this.pingTimer);
      window.clearTimeout(this.renewTimer);
      if (!opened) this.failedBeforeOpen = true;
      if (this.next) {
        // closed while its replacement connects: that one becomes the socket in use
        this.ws = this.next;
        this.next = null;
        this.setStatus("down");
        return;
      }
      this.failed();
    };
    socket.onerror = () => undefined; // a close event follows
  }

  /** Nothing to do: a socket in use is open or connecting (or, for a renewal, none is open, or one is already on its way). */
  private busy(renewal: boolean): boolean {
    const state = this.ws?.readyState;
    if (renewal) return state !== WebSocket.OPEN || this.next !== null;
    return state === WebSocket.OPEN || state === WebSocket.CONNECTING;
  }

  private failed(): void {
    if (this.stopped) return;
    this.setStatus("down");
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = 0;
      void this.connect(false);
    }, backoffDelay(this.attempt++));
  }

  private scheduleRenewal(ms: number): void {
    window.clearTimeout(this.renewTimer);
    this.renewTimer = window.setTimeout(() => void this.connect(true), Math.max(1_000, ms));
  }
}
