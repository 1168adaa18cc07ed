// The signed-in user's tokens, kept in sessionStorage (one tab, gone when it closes; never
// localStorage). In Cognito mode the id token is what API Gateway's Cognito authorizer checks.

import type { Role } from "./types";

const KEY = "leadwave.session";
/** Why the last session in this tab ended, so a reload of the sign-in screen still says it. */
const NOTICE_KEY = "leadwave.notice";

export interface Session {
  mode: "local" | "cognito";
  idToken: string;
  accessToken?: string;
  refreshToken?: string;
  /** When the id token stops being accepted (ms since the epoch), if known. */
  expiresAt?: number;
  email?: string;
  agentId?: string;
  orgId?: string;
  roles: Role[];
}

export function jwtClaims(token: string): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (ch) => "%" + ch.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
    );
    const claims = JSON.parse(json);
    return claims && typeof claims === "object" ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A session from an id token (and what else the sign-in answered). */
export function sessionFromToken(mode: Session["mode"], idToken: string, extra: Partial<Session> = {}): Session {
  const claims = jwtClaims(idToken) ?? {};
  const groups = claims["cognito:groups"];
  const roles = (Array.isArray(groups) ? groups : typeof groups === "string" ? groups.split(",") : []) as Role[];
  return {
    mode,
    idToken,
    expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : undefined,
    email: typeof claims.email === "string" ? claims.email : undefined,
    orgId: typeof claims["custom:org_id"] === "string" ? (claims["custom:org_id"] as string) : undefined,
    agentId: typeof claims.sub === "string" ? claims.sub : undefined,
    roles,
    ...extra,
  };
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (!s || typeof s.idToken !== "string" || !s.idToken) return null;
    const exp = jwtClaims(s.idToken)?.exp;
    const expiresAt = typeof s.expiresAt === "number" ? s.expiresAt : typeof exp === "number" ? exp * 1000 : undefined;
    return { ...s, expiresAt, roles: Array.isArray(s.roles) ? s.roles : [] };
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
  sessionStorage.removeItem(NOTICE_KEY);
}

/** Keeps (or forgets, with null) why the session ended, for the sign-in screen after a reload. */
export function keepNotice(notice: string | null): void {
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  else sessionStorage.removeItem(NOTICE_KEY);
}

export function keptNotice(): string | null {
  return sessionStorage.getItem(NOTICE_KEY);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export function isExpired(session: Session, now = Date.now(), marginMs = 0): boolean {
  return typeof session.expiresAt === "number" && session.expiresAt - marginMs <= now;
}
