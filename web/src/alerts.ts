// System notifications for a hidden tab: a new offer (or a lead given to the agent) while the
// agent looks at another window raises the OS notification, with its sound. Shown through the
// service worker's registration (Android Chrome has no page-level `new Notification`), tagged
// with the prospect id so a newer one replaces it (renotify: it sounds again) and the offer's end
// closes it. Permission is asked only from a click (turning Lead Availability on, or the "Alert me
// when offers arrive" card), never when the page loads.

export type AlertPermission = NotificationPermission | "unsupported";

const CARD_KEY = "leadwave.alerts.card";

export function alertPermission(): AlertPermission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

/** Call from a click handler (a user gesture). */
export async function askAlertPermission(): Promise<AlertPermission> {
  if (typeof Notification === "undefined") return "unsupported";
  if (Notification.permission !== "default") return Notification.permission;
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

export function alertCardDismissed(): boolean {
  return localStorage.getItem(CARD_KEY) === "dismissed";
}

export function dismissAlertCard(): void {
  localStorage.setItem(CARD_KEY, "dismissed");
}

export function pageHidden(): boolean {
  return document.visibilityState === "hidden";
}

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  if (!("serviceWorker" in navigator)) return undefined;
  try {
    return (await navigator.serviceWorker.getRegistration()) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Page-level notifications, where there is no service worker: closed by tag. */
const pageAlerts = new Map<string, Notification>();

export interface Alert {
  tag: string;
  title: string;
  body: string;
  /** Where a click on it goes. */
  url: string;
}

export async function showAlert(alert: Alert): Promise<void> {
  if (alertPermission() !== "granted") return;
  // renotify is in the spec and Chrome, not in TypeScript's DOM types
  const options: NotificationOptions & { renotify?: boolean } = {
    body: alert.body,
    tag: alert.tag,
    renotify: true,
    requireInteraction: true,
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: { url: alert.url, tag: alert.tag },
  };
  const reg = await registration();
  try {
    if (reg) {
      await reg.showNotification(alert.title, options);
      return;
    }
    pageAlerts.get(alert.tag)?.close();
    const n = new Notification(alert.title, options);
    n.onclick = () => {
      window.focus();
      n.close();
    };
    pageAlerts.set(alert.tag, n);
  } catch {
    // not allowed here (a browser without notifications from pages): the beep and the title remain
  }
}

export async function closeAlert(tag: string): Promise<void> {
  pageAlerts.get(tag)?.close();
  pageAlerts.delete(tag);
  const reg = await registration();
  if (!reg) return;
  try {
    for (const n of await reg.getNotifications({ tag })) n.close();
  } catch {
    // nothing to close
  }
}
