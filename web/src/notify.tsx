// Notifications: green for success, red for errors, amber for a warning (a deadline, a lead taken back), announced
// by aria-live regions (errors assertively, the others politely).
// A lasting note (ms = null) stays until closed and may carry a link (it closes the note when followed).
import { linkHandler } from "./router";
import { createStore, useStore } from "./store";

export type Tone = "success" | "error" | "info" | "warn";

export interface Note {
  id: number;
  tone: Tone;
  text: string;
  link?: { href: string; label: string };
  lasting?: boolean;
}

const notes = createStore<Note[]>([]);
let next = 1;

export function notify(
  text: string,
  tone: Tone = "success",
  ms: number | null = tone === "error" ? 10_000 : 6_000,
  link?: { href: string; label: string },
): number {
  const id = next++;
  const lasting = ms === null;
  notes.update((list) => {
    // at most five passing notes on screen; lasting ones stay until closed
    const passing = list.filter((n) => !n.lasting);
    const drop = new Set(passing.slice(0, Math.max(0, passing.length - 4)).map((n) => n.id));
    return [...list.filter((n) => !drop.has(n.id)), { id, tone, text, link, lasting }];
  });
  if (!lasting) window.setTimeout(() => dismiss(id), ms);
  return id; // for dismiss(): a note that no longer holds
}

export function dismiss(id: number): void {
  notes.update((list) => list.filter((n) => n.id !== id));
}

export function Notifications() {
  const list = useStore(notes);
  const polite = list.filter((n) => n.tone !== "error");
  const urgent = list.filter((n) => n.tone === "error");
  const render = (n: Note) => (
    <div key={n.id} class={`toast toast-${n.tone}`} data-tone={n.tone}>
      <span>
        {n.text}
        {n.link && (
          <>
            {" "}
            <a
              class="toast-link"
              href={n.link.href}
              onClick={(e) => {
                linkHandler(e);
                if (e.defaultPrevented) dismiss(n.id);
              }}
            >
              {n.link.label}
            </a>
          </>
        )}
      </span>
      <button type="button" class="toast-close" aria-label="Dismiss notification" onClick={() => dismiss(n.id)}>
        ×
      </button>
    </div>
  );
  return (
    <div class="toasts">
      <div role="status" aria-live="polite" aria-atomic="false" class="toast-region">
        {polite.map(render)}
      </div>
      <div role="alert" aria-live="assertive" class="toast-region">
        {urgent.map(render)}
      </div>
    </div>
  );
}
