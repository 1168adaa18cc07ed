// A short two-tone beep with WebAudio (no audio file). Browsers start an AudioContext only after
// a user gesture, so the first click or key press anywhere unlocks it.

let ctx: AudioContext | null = null;
const KEY = "leadwave.sound";

export function soundEnabled(): boolean {
  return localStorage.getItem(KEY) !== "off";
}

export function setSoundEnabled(on: boolean): void {
  localStorage.setItem(KEY, on ? "on" : "off");
  if (on) unlockAudio();
}

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  try {
    ctx = new Ctor();
  } catch {
    ctx = null;
  }
  return ctx;
}

export function unlockAudio(): void {
  const c = context();
  if (c && c.state === "suspended") void c.resume().catch(() => undefined);
}

export function beep(): void {
  if (!soundEnabled()) return;
  const c = context();
  if (!c) return;
  const t0 = c.currentTime + 0.01;
  [880, 1320].forEach((freq, i) => {
    const osc = c.createOscillator();
    const gain = c.createGain();
    const start = t0 + i * 0.18;
    osc.type = "sine";
    osc.frequency.setValueAtTime(freq, start);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
    osc.connect(gain).connect(c.destination);
    osc.start(start);
    osc.stop(start + 0.17);
  });
}

for (const type of ["pointerdown", "keydown"] as const) {
  window.addEventListener(type, unlockAudio, { capture: true, passive: true });
}
