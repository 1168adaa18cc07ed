// /config.json, fetched at start: the local gateway answers {"mode": "local", "apiBase": "",
// "wsUrl": "ws://127.0.0.1:{port}/ws/{stage}"}; infra/deploy/deploy-web.sh writes the Cognito one
// from the stack's outputs (wsUrl from WebSocketUrl). Without a wsUrl the agent's app polls.

interface Common {
  apiBase: string;
  /** The agents' WebSocket API (ws:// or wss://), for pushed offers; absent: polling only. */
  wsUrl?: string;
}

export interface LocalConfig extends Common {
  mode: "local";
}

export interface CognitoConfig extends Common {
  mode: "cognito";
  region: string;
  userPoolId: string;
  clientId: string;
  cognitoDomain: string;
}

export type AppConfig = LocalConfig | CognitoConfig;

function text(value: unknown, name: string): string {
  if (typeof value !== "string" || !value) throw new Error(`config.json: "${name}" is missing`);
  return value;
}

/** ws:// or wss:// as it is; a path ("/ws/prod", the Vite dev proxy) on the page's own host. */
function socketBase(value: unknown, origin: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new Error('config.json: "wsUrl" is not a string');
  const url = value.replace(/\/+$/, "");
  if (/^wss?:\/\/[^/]/i.test(url)) return url;
  if (url.startsWith("/")) return `${origin.replace(/^http/i, "ws")}${url}`;
  throw new Error(`config.json: "wsUrl" must start with ws://, wss:// or /: ${JSON.stringify(value)}`);
}

export function parseConfig(raw: unknown, origin: string = typeof location === "undefined" ? "http://localhost" : location.origin): AppConfig {
  if (!raw || typeof raw !== "object") throw new Error("config.json is not an object");
  const c = raw as Record<string, unknown>;
  const apiBase = typeof c.apiBase === "string" ? c.apiBase.replace(/\/+$/, "") : "";
  const wsUrl = socketBase(c.wsUrl, origin);
  const common: Common = wsUrl ? { apiBase, wsUrl } : { apiBase };
  if (c.mode === "local") return { mode: "local", ...common };
  if (c.mode === "cognito") {
    let domain = text(c.cognitoDomain, "cognitoDomain").replace(/\/+$/, "");
    if (!/^https?:\/\//.test(domain)) domain = `https://${domain}`;
    return {
      mode: "cognito",
      ...common, // apiBase "" when the API is served from the SPA's own origin
      region: text(c.region, "region"),
      userPoolId: text(c.userPoolId, "userPoolId"),
      clientId: text(c.clientId, "clientId"),
      cognitoDomain: domain,
    };
  }
  throw new Error(`config.json: unknown mode ${JSON.stringify(c.mode)}`);
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/config.json", { cache: "no-store", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET /config.json answered ${response.status}`);
  return parseConfig(await response.json());
}
