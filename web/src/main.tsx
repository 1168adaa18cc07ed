import { type ComponentChild, render } from "preact";
import { auth, configureApi, endSession, refreshNow } from "./api";
import { App, Fatal } from "./App";
import { CALLBACK_PATH, completeCognitoSignIn, SIGNED_OUT_PATH } from "./auth";
import { loadConfig } from "./config";
import { registerServiceWorker } from "./pwa";
import { navigate } from "./router";
import { clearSession, isExpired, keptNotice, loadSession } from "./session";
import "./styles.css";

async function boot(root: HTMLElement): Promise<void> {
  const mount = (node: ComponentChild) => {
    if (root.querySelector(".boot")) root.textContent = ""; // the static "Loading…" line
    render(node, root);
  };
  let config;
  try {
    config = await loadConfig();
  } catch (err) {
    mount(<Fatal message={`leadwave cannot start: ${(err as Error).message}`} />);
    return;
  }
  configureApi(config);
  const url = new URL(window.location.href);
  // a reload of the sign-in screen still says why the last session ended (deactivated...)
  let notice: string | null = keptNotice();
  if (url.pathname === CALLBACK_PATH && config.mode === "cognito") {
    try {
      const { session, returnTo } = await completeCognitoSignIn(config, url);
      auth.set({ session, notice: null });
      navigate(returnTo.startsWith("/app") ? returnTo : "/app", true);
    } catch (err) {
      notice = (err as Error).message;
      navigate("/app", true);
    }
  } else if (url.pathname === SIGNED_OUT_PATH) {
    notice = "You have signed out.";
    navigate("/app", true);
  }
  if (!auth.get().session) {
    const saved = loadSession();
    if (saved && saved.mode !== config.mode) {
      clearSession();
    } else if (saved && isExpired(saved)) {
      auth.set({ session: saved, notice: null });
      if (!(await refreshNow())) endSession("Your session has expired. Please sign in again.");
    } else if (saved) {
      auth.set({ session: saved, notice: null });
    }
    if (!auth.get().session && notice) auth.set({ session: null, notice });
  }
  mount(<App config={config} />);
}

const root = document.getElementById("app");
if (root) void boot(root);
registerServiceWorker();
