import { useEffect } from "preact/hooks";
import { auth, get, refreshNow, SESSION_ENDED, signOutNow } from "./api";
import type { AppConfig } from "./config";
import { ErrorBanner } from "./components/Fields";
import { useLoad } from "./hooks";
import { Notifications } from "./notify";
import { Shell } from "./pages/Shell";
import { SignIn } from "./pages/SignIn";
import { useStore } from "./store";
import type { Me } from "./types";

export function Fatal({ message }: { message: string }) {
  return (
    <main class="centered">
      <div class="card">
        <h1 class="brand-title">leadwave</h1>
        <p role="alert">{message}</p>
        <button type="button" class="btn" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    </main>
  );
}

export function App({ config }: { config: AppConfig }) {
  const { session, notice } = useStore(auth);
  return (
    <>
      {session ? <SignedIn key={`${session.mode}:${session.email ?? ""}:${session.agentId ?? ""}`} config={config} /> : <SignIn config={config} notice={notice} />}
      <Notifications />
    </>
  );
}

function SignedIn({ config }: { config: AppConfig }) {
  const session = useStore(auth).session;
  const me = useLoad(() => get<Me>("/v1/me"), []);

  // Cognito: refresh the tokens two minutes before the id token expires.
  const expiresAt = session?.expiresAt;
  useEffect(() => {
    if (config.mode !== "cognito" || !expiresAt) return undefined;
    const t = window.setTimeout(() => void refreshNow(), Math.max(5_000, expiresAt - Date.now() - 120_000));
    return () => window.clearTimeout(t);
  }, [config.mode, expiresAt]);

  if (me.data) return <Shell config={config} me={me.data} onMeChange={() => void me.reload()} />;
  return (
    <main class="centered" id="main">
      <div class="card">
        <h1 class="brand-title">leadwave</h1>
        {me.error && me.error.status !== 401 ? (
          <>
            <ErrorBanner error={me.error} onRetry={() => void me.reload()} />
            <button type="button" class="btn" onClick={signOutNow}>
              Sign out
            </button>
          </>
        ) : (
          <p aria-live="polite">{me.error ? SESSION_ENDED : "Loading your profile…"}</p>
        )}
      </div>
    </main>
  );
}
