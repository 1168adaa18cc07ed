// The API client: base URL from config.json, the id token as Bearer, JSON in and out, and the
// error contract {code, message, details} turned into ApiError. A 401 from any call (after one
// token refresh in Cognito mode) ends the session: the app shows the sign-in screen with a message.

import { refreshSession, signOut } from "./auth";
import type { AppConfig } from "./config";
import { clearSession, isExpired, keepNotice, type Session } from "./session";
import { createStore } from "./store";
import type { ErrorDetail } from "./types";

export interface AuthState {
  session: Session | null;
  /** Why the sign-in screen is shown (expired session, signed out...). */
  notice: string | null;
}

export const auth = createStore<AuthState>({ session: null, notice: null });
export const SESSION_ENDED = "Your session has expired or is no longer valid. Please sign in again.";
export const DEACTIVATED = "Your account has been deactivated, so you are signed out. Ask a manager to reactivate it.";

let config: AppConfig = { mode: "local", apiBase: "" };

export function configureApi(c: AppConfig): void {
  config = c;
}

export function appConfig(): AppConfig {
  return config;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds, from Retry-After (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function endSession(notice: string | null = SESSION_ENDED): void {
  clearSession();
  keepNotice(notice);
  auth.set({ session: null, notice });
}

function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.round((at - Date.now()) / 1000));
}

/** The user's own sign-out (Cognito: also the hosted UI's /logout). */
export function signOutNow(): void {
  signOut(config);
  endSession("You have signed out.");
}

let refreshing: Promise<Session | null> | null = null;

/** One refresh at a time, shared by every caller that needs it. */
export function refreshNow(): Promise<Session | null> {
  const session = auth.get().session;
  if (!session || config.mode !== "cognito") return Promise.resolve(null);
  refreshing ??= refreshSession(config, session).then((fresh) => {
    refreshing = null;
    if (fresh && auth.get().session) auth.set({ session: fresh, notice: null });
    return fresh;
  });
  return refreshing;
}

export type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

export function queryString(query?: Query | URLSearchParams): string {
  if (!query) return "";
  const params = query instanceof URLSearchParams ? query : new URLSearchParams();
  if (!(query instanceof URLSearchParams)) {
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === "") continue;
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** A body sent as it is (CSV), with its content type. */
export interface RawBody {
  data: string | Blob;
  type: string;
}

async function send(method: string, path: string, session: Session, body?: unknown, query?: Query | URLSearchParams, raw?: RawBody, accept = "application/json"): Promise<Response> {
  const headers: Record<string, string> = { Accept: accept, Authorization: `Bearer ${session.idToken}` };
  if (raw) headers["Content-Type"] = raw.type;
  else if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(`${config.apiBase}${path}${queryString(query)}`, {
      method,
      headers,
      body: raw ? raw.data : body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network_error", "Cannot reach the server. Check your connection; retrying.");
  }
}

interface RequestOptions {
  body?: unknown;
  query?: Query | URLSearchParams;
  raw?: RawBody;
  /** The Accept header (JSON unless said). */
  accept?: string;
  /** The answer as a Blob (a file to download), not parsed as JSON. */
  blob?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let session = auth.get().session;
  if (!session) throw new ApiError(401, "unauthorized", SESSION_ENDED);
  if (session.mode === "cognito" && isExpired(session, Date.now(), 60_000)) session = (await refreshNow()) ?? session;
  let response = await send(method, path, session, opts.body, opts.query, opts.raw, opts.accept);
  if (response.status === 401 && session.mode === "cognito") {
    const fresh = await refreshNow();
    if (fresh) response = await send(method, path, fresh, opts.body, opts.query, opts.raw, opts.accept);
  }
  if (response.status === 401) {
    // only the session this request was made with ends (a newer sign-in stays)
    // a session already ended keeps the reason it ended with (e.g. deactivated)
    if (auth.get().session?.idToken === session.idToken || (!auth.get().session && !auth.get().notice)) endSession();
    throw new ApiError(401, "unauthorized", SESSION_ENDED);
  }
  if (opts.blob && response.ok) return (await response.blob()) as T;
  const text = response.status === 204 ? "" : await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    // {code, message, details}; tolerates the same wrapped in {"error": ...}
    const body = (data ?? {}) as { code?: string; message?: string; details?: ErrorDetail[]; error?: unknown };
    const e = (body.error && typeof body.error === "object" ? body.error : body) as { code?: string; message?: string; details?: ErrorDetail[] };
    if (response.status === 403 && e.code === "inactive_user") {
      // deactivated while signed in: nothing to retry, the session ends with the reason
      if (auth.get().session?.idToken === session.idToken) endSession(DEACTIVATED);
      throw new ApiError(403, "inactive_user", DEACTIVATED);
    }
    throw new ApiError(
      response.status,
      typeof e.code === "string" ? e.code : `http_${response.status}`,
      typeof e.message === "string" && e.message ? e.message : `The server answered ${response.status}.`,
      Array.isArray(e.details) ? e.details : [],
      retryAfterSeconds(response.headers.get("Retry-After")),
    );
  }
  return data as T;
}

export const get = <T>(path: string, query?: Query | URLSearchParams) => request<T>("GET", path, { query });
export const post = <T>(path: string, body?: unknown) => request<T>("POST", path, { body });
export const put = <T>(path: string, body?: unknown) => request<T>("PUT", path, { body });
export const del = <T>(path: string) => request<T>("DELETE", path);
/** POST of a body as it is (a CSV file). */
export const postRaw = <T>(path: string, data: string | Blob, type: string) => request<T>("POST", path, { raw: { data, type } });

/** Downloads what ``path`` answers (with the session's token) as a file named ``filename``. */
export async function download(path: string, query: Query | URLSearchParams, filename: string, accept = "text/csv"): Promise<void> {
  const blob = await request<Blob>("GET", path, { query, accept, blob: true });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A screen whose backend route is not deployed yet answers the API's 404 route_not_found. */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && (err.code === "route_not_found" || err.code === "not_found");
}
