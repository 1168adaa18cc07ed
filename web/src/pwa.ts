// The installable app: the service worker (public/sw.js: the app shell offline, a click on a
// notification back to the app; never the API) is registered once the page has loaded, in builds
// only (Vite's dev server has no built shell to cache).
import { navigate } from "./router";

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !("serviceWorker" in navigator)) return;
  const register = () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined); // the app works without it
  };
  // a click on a notification while the app is open: the worker focuses this window and says where to go
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const data = event.data as { type?: string; url?: string } | null;
    if (data?.type !== "leadwave:open" || typeof data.url !== "string") return;
    const url = new URL(data.url, location.origin);
    if (url.origin === location.origin && url.pathname.startsWith("/app")) navigate(url.pathname + url.search);
  });
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}
