import { useState } from "preact/hooks";
import { auth } from "../api";
import { cognitoSignIn, localSignIn, SignInError } from "../auth";
import type { AppConfig } from "../config";
import { TextField } from "../components/Fields";

export function SignIn({ config, notice }: { config: AppConfig; notice: string | null }) {
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (config.mode === "cognito") {
        await cognitoSignIn(config, window.location.pathname.startsWith("/app") ? window.location.pathname + window.location.search : "/app");
        return; // the browser leaves for the hosted UI
      }
      const value = email.trim().toLowerCase();
      if (!value.includes("@")) throw new SignInError("Enter the email address you were registered with.");
      const session = await localSignIn(config, value);
      auth.set({ session, notice: null });
    } catch (err) {
      setError(err instanceof SignInError ? err.message : `Sign-in failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="centered signin" id="main">
      <form class="card signin-card" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <p class="brand-mark" aria-hidden="true">
          lw
        </p>
        <h1 id="signin-title" class="brand-title">
          Sign in to leadwave
        </h1>
        {notice && (
          <p class="banner banner-warn" role="alert" data-testid="signin-notice">
            {notice}
          </p>
        )}
        {config.mode === "local" ? (
          <>
            <TextField
              label="Email"
              type="email"
              value={email}
              onInput={setEmail}
              autoComplete="username"
              required
              error={error ?? undefined}
              hint="Local stack: any seeded user, e.g. agent01@demo.test or manager@demo.test."
            />
            <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
              {busy ? "Signing in…" : "Sign in"}
            </button>
          </>
        ) : (
          <>
            <p>You will be sent to your organization's sign-in page.</p>
            {error && (
              <p class="field-error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
              {busy ? "Opening sign-in…" : "Sign in"}
            </button>
          </>
        )}
      </form>
    </main>
  );
}
