// Notifications: green for success, red for errors, amber for a warning (a deadline, a lead taken back), announced
// by aria-live regions (errors assertively, the others politely).
// A lasting note (ms = null) stays until closed and may carry a link (it closes the note when followed).
import { useLayoutEffect, useRef, useState } from "preact/hooks";
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

const GAP = 8; // px between a lifted stack and the control it clears

// How far above its place the stack must rise so as not to cover the control in use (see
// controlInUse): 0 when they do not overlap. ``stack`` is measured where it is now, ``raised`` px
// above its place; it never rises off the top of the window.
function lift(stack: DOMRect, control: DOMRect, raised: number): number {
  const top = stack.top + raised;
  const bottom = stack.bottom + raised;
  const overlaps =
    control.right > stack.left && control.left < stack.right && control.bottom > top && control.top < bottom;
  return overlaps ? Math.max(0, Math.min(bottom - control.top + GAP, top - GAP)) : 0;
}

// The control last pressed or focused: a Save button disabled while its request is on its way
// loses the focus, but it is still the one to keep clear.
let lastUsed: Element | null = null;
const CONTROLS =
  "button, a[href], input, select, textarea, [role=button], [role=switch], [role=checkbox], [role=radio], [role=tab], [role=link], [role=menuitem]";
const control = (el: unknown): Element | null => {
  const found = el instanceof Element ? el.closest(CONTROLS) : null;
  return found && !found.closest(".toasts") ? found : null;
};
const remember = (e: Event) => {
  lastUsed = control(e.target) ?? lastUsed;
};
if (typeof document !== "undefined") {
  document.addEventListener("pointerdown", remember, true);
  document.addEventListener("focusin", remember, true);
}

function controlInUse(): Element | null {
  const active = control(document.activeElement); // a focused heading or page is not a control
  return active ?? (lastUsed?.isConnected ? lastUsed : null);
}

// A notification never covers the control that is in use: the stack rises above it.
function useClearOfFocus(count: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [raised, setRaised] = useState(0);
  useLayoutEffect(() => {
    const place = () => {
      const stack = ref.current;
      const used = controlInUse();
      const box = used?.getBoundingClientRect();
      // a control taller than a third of the window (a long text area) is not worth leaving the corner for
      if (!stack || !count || !box || box.height > window.innerHeight / 3) {
        setRaised(0);
        return;
      }
      setRaised(lift(stack.getBoundingClientRect(), box, raised));
    };
    place();
    if (!count) return;
    window.addEventListener("scroll", place, { passive: true });
    window.addEventListener("resize", place);
    document.addEventListener("focusin", place);
    return () => {
      window.removeEventListener("scroll", place);
      window.removeEventListener("resize", place);
      document.removeEventListener("focusin", place);
    };
  }, [count, raised]);
  return { ref, raised };
}

export function Notifications() {
  const list = useStore(notes);
  const { ref, raised } = useClearOfFocus(list.length);
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
    <div class="toasts" ref={ref} style={raised ? { transform: `translateY(-${raised}px)` } : undefined}>
      <div role="status" aria-live="polite" aria-atomic="false" class="toast-region">
        {polite.map(render)}
      </div>
      <div role="alert" aria-live="assertive" class="toast-region">
        {urgent.map(render)}
      </div>
    </div>
  );
}
