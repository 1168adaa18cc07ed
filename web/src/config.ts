// /config.json, fetched at start: the local gateway answers {"mode": "local", "apiBase": ""};
// infra/deploy/deploy-web.sh writes the Cognito one from the stack's outputs.

export interface LocalConfig {
  mode: "local";
  apiBase: string;
}

export interface CognitoConfig {
  mode: "cognito";
  apiBase: string;
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

export function parseConfig(raw: unknown): AppConfig {
  if (!raw || typeof raw !== "object") throw new Error("config.json is not an object");
  const c = raw as Record<string, unknown>;
  const apiBase = typeof c.apiBase === "string" ? c.apiBase.replace(/\/+$/, "") : "";
  if (c.mode === "local") return { mode: "local", apiBase };
  if (c.mode === "cognito") {
    let domain = text(c.cognitoDomain, "cognitoDomain").replace(/\/+$/, "");
    if (!/^https?:\/\//.test(domain)) domain = `https://${domain}`;
    return {
      mode: "cognito",
      apiBase, // "" when the API is served from the SPA's own origin
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
