// Notifications: green for success, red for errors, announced by aria-live regions.
import { createStore, useStore } from "./store";

export type Tone = "success" | "error" | "info";

export interface Note {
  id: number;
  tone: Tone;
  text: string;
}

const notes = createStore<Note[]>([]);
let next = 1;

export function notify(text: string, tone: Tone = "success", ms = tone === "error" ? 10_000 : 6_000): void {
  const id = next++;
  notes.update((list) => [...list.slice(-4), { id, tone, text }]);
  window.setTimeout(() => dismiss(id), ms);
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
      <span>{n.text}</span>
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
