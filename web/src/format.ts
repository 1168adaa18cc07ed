// Display helpers.

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

export function amount(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? money.format(n) : String(value);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const timeShort = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });

/** ``when`` as its date and its time, for a narrow column to break between them (never inside either). */
export function whenParts(iso: string | null | undefined): [string, string] | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : [dateOnly.format(d), timeShort.format(d)];
}

export function clock(d: Date): string {
  return timeOnly.format(d);
}

export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, "0")}`;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m ? `${m} min ${s} s` : `${s} s`;
}

export function text(value: string | null | undefined): string {
  return value === null || value === undefined || value === "" ? "—" : value;
}

export const DISTRIBUTION_LABELS: Record<string, string> = {
  none: "None",
  direct: "Direct",
  round_robin: "Round Robin",
  distribute_all: "Distribute All",
  waves: "Waves",
  ring_all: "Ring All",
};

export function distribution(value: string | null | undefined): string {
  return value ? (DISTRIBUTION_LABELS[value] ?? value) : "—";
}

/** The notification after a claim: whose lead, never the application's id (My leads shows the lead). */
export function claimedMessage(firstName: string | null | undefined): string {
  const name = (firstName ?? "").trim();
  return name ? `You claimed ${name}'s lead. It is in My leads.` : "Lead claimed. It is in My leads.";
}

export function personName(a: { first_name?: string; last_name?: string; email?: string; agent_id?: string }): string {
  const name = `${a.first_name ?? ""} ${a.last_name ?? ""}`.trim();
  return name || a.email || a.agent_id || "—";
}

export function listText(values: string[] | null | undefined): string {
  return (values ?? []).join(", ");
}

export function parseList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((v) => v.trim())
    .filter(Boolean);
}
