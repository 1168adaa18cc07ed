// Signing in and out. Local stack: POST /local/login {email}. AWS: Cognito's hosted UI with the
// authorization-code flow and PKCE (S256); the tokens go to sessionStorage and are refreshed
// with the refresh token shortly before the id token expires.

import type { AppConfig, CognitoConfig } from "./config";
import { clearSession, type Session, saveSession, sessionFromToken } from "./session";
import type { Role } from "./types";

const PKCE_KEY = "leadwave.pkce";
export const CALLBACK_PATH = "/app/callback";
export const SIGNED_OUT_PATH = "/app/signed-out";

export class SignInError extends Error {}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function redirectUri(): string {
  return `${location.origin}${CALLBACK_PATH}`;
}

// ---------------------------------------------------------------- local stack

export async function localSignIn(config: AppConfig, email: string): Promise<Session> {
  let response: Response;
  try {
    response = await fetch(`${config.apiBase}/local/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ email }),
    });
  } catch {
    throw new SignInError("Cannot reach the server. Check that the local stack is running.");
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new SignInError(typeof body.message === "string" ? body.message : `Sign-in failed (${response.status}).`);
  }
  const session = sessionFromToken("local", String(body.token), {
    email,
    agentId: String(body.agent_id),
    orgId: String(body.org_id),
    roles: (Array.isArray(body.roles) ? body.roles : []) as Role[],
  });
  saveSession(session);
  return session;
}

// ---------------------------------------------------------------- Cognito

/** Sends the browser to the hosted UI; ``returnTo`` is where to land after the callback. */
export async function cognitoSignIn(config: CognitoConfig, returnTo: string): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: "openid email profile",
    state,
    code_challenge_method: "S256",
    code_challenge: await pkceChallenge(verifier),
  });
  location.assign(`${config.cognitoDomain}/oauth2/authorize?${params}`);
}

async function tokenRequest(config: CognitoConfig, form: Record<string, string>): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(`${config.cognitoDomain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_id: config.clientId, ...form }),
    });
  } catch {
    throw new SignInError("Cannot reach the sign-in service. Check your connection and try again.");
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.id_token !== "string") {
    throw new SignInError(`Sign-in failed (${String(body.error ?? response.status)}). Please sign in again.`);
  }
  return body;
}

function sessionFromTokens(body: Record<string, unknown>, refreshToken?: string): Session {
  const session = sessionFromToken("cognito", String(body.id_token), {
    accessToken: typeof body.access_token === "string" ? body.access_token : undefined,
    refreshToken: typeof body.refresh_token === "string" ? body.refresh_token : refreshToken,
  });
  saveSession(session);
  return session;
}

/** The hosted UI came back to /app/callback?code=…&state=…: trade the code for tokens. */
export async function completeCognitoSignIn(config: CognitoConfig, url: URL): Promise<{ session: Session; returnTo: string }> {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  const error = url.searchParams.get("error_description") ?? url.searchParams.get("error");
  if (error) throw new SignInError(`Sign-in was not completed: ${error}`);
  const code = url.searchParams.get("code");
  if (!saved || !code || url.searchParams.get("state") !== saved.state) {
    throw new SignInError("The sign-in answer did not match this browser tab. Please sign in again.");
  }
  const body = await tokenRequest(config, {
    grant_type: "authorization_code",
    code,
    redirect_uri: redirectUri(),
    code_verifier: saved.verifier,
  });
  return { session: sessionFromTokens(body), returnTo: saved.returnTo || "/app" };
}

export async function refreshSession(config: AppConfig, session: Session): Promise<Session | null> {
  if (config.mode !== "cognito" || !session.refreshToken) return null;
  try {
    return sessionFromTokens(await tokenRequest(config, { grant_type: "refresh_token", refresh_token: session.refreshToken }), session.refreshToken);
  } catch {
    return null;
  }
}

/** Forgets the tokens; in Cognito mode also ends the hosted UI's session (its /logout). */
export function signOut(config: AppConfig): void {
  clearSession();
  sessionStorage.removeItem(PKCE_KEY);
  if (config.mode === "cognito") {
    const params = new URLSearchParams({ client_id: config.clientId, logout_uri: `${location.origin}${SIGNED_OUT_PATH}` });
    location.assign(`${config.cognitoDomain}/logout?${params}`);
  }
}
