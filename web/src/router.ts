// Path routing with the History API. Every screen lives under /app/ (the local gateway and
// CloudFront answer index.html for those paths).
import { createStore, useStore } from "./store";

export const location$ = createStore<string>(window.location.pathname + window.location.search);

export function navigate(to: string, replace = false): void {
  if (to === window.location.pathname + window.location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  location$.set(to);
}

window.addEventListener("popstate", () => location$.set(window.location.pathname + window.location.search));

export function useLocation(): { path: string; search: URLSearchParams } {
  const loc = useStore(location$);
  const [path, query = ""] = loc.split("?");
  return { path: path.replace(/\/+$/, "") || "/", search: new URLSearchParams(query) };
}

/** For <a href> links that should route in-app (left click without modifiers). */
export function linkHandler(e: MouseEvent): void {
  const a = (e.currentTarget as HTMLAnchorElement) ?? null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href") ?? "/app");
}
