// leadwave's service worker (registered by src/pwa.ts): the app shell for a flaky network, and a
// click on an offer's notification back to the app. It never touches the API: /v1/, /ivr/, /local/,
// /ws, /config.json, /health and any other origin (the API in AWS) go straight to the network,
// and no API answer is ever cached.
//
// `vite build` (the leadwave-sw plugin in vite.config.ts) replaces BUILD and SHELL below with the
// build's hash and its files, so every deploy installs a new worker, which drops the old caches.
const BUILD = "dev";
const SHELL = ["/index.html"];

const CACHE = `leadwave-shell-${BUILD}`;
const NEVER = ["/v1/", "/ivr/", "/local/", "/ws/", "/moto-api/"];
const NEVER_EXACT = ["/v1", "/ivr", "/local", "/ws", "/config.json", "/health", "/sw.js"];

function bypass(url) {
  return url.origin !== self.location.origin || NEVER_EXACT.includes(url.pathname) || NEVER.some((p) => url.pathname.startsWith(p));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // one file missing does not stop the worker: the network still serves it
      .then((cache) => Promise.allSettled(SHELL.map((path) => cache.add(new Request(path, { cache: "reload" })))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("leadwave-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  // network first; offline, the cached shell (the SPA routes itself)
  try {
    const response = await fetch(request);
    const type = response.headers.get("Content-Type") || "";
    if (response.ok && response.type === "basic" && type.startsWith("text/html")) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put("/index.html", copy));
    }
    return response;
  } catch (err) {
    const cached = await caches.match("/index.html", { cacheName: CACHE });
    if (cached) return cached;
    throw err;
  }
}

async function asset(request) {
  // content-hashed names: what is cached never changes
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (bypass(url)) return; // not answered here: the browser fetches it as if there were no worker
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.startsWith("/assets/")) event.respondWith(asset(request));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/app/offers", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(target);
      open.postMessage({ type: "leadwave:open", url: target }); // the app routes itself (src/pwa.ts)
      return open.focus();
    }),
  );
});
