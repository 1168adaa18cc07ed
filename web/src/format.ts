// Display helpers.
import type { Offer, Weekday } from "./types";

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

/** A span of whole minutes for people: "45 min", "2 h", "1 h 30 min", "1 day", "2 days 3 h". */
export function minutesText(minutes: number): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days ? `${days} ${days === 1 ? "day" : "days"}` : "", hours ? `${hours} h` : "", mins ? `${mins} min` : ""].filter(Boolean);
  return parts.length ? parts.join(" ") : "0 min";
}

/** The time of day of an instant, short ("14:05", "2:05 PM"); the date too when it is not today. */
export function timeOfDay(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === now.toDateString() ? timeShort.format(d) : dateTime.format(d);
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

const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** Date and time to the second (history, call activity). */
export function whenSeconds(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTimeSeconds.format(d);
}

/** The browser's own time zone (the agent's). */
export function myZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** "Tue, Jun 3, 3:00 PM" in ``zone`` (an IANA name); the browser's zone when the name is unknown. */
export function inZone(iso: string | Date | null | undefined, zone: string | null | undefined, withSeconds = false): string {
  if (!iso) return "—";
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const opts: Intl.DateTimeFormatOptions = { weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
  if (withSeconds) opts.second = "2-digit";
  try {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZone: zone ?? undefined, timeZoneName: "short" }).format(d);
  } catch {
    return new Intl.DateTimeFormat(undefined, { ...opts, timeZoneName: "short" }).format(d);
  }
}

/** A zone's offset from UTC at ``at``, in ms (positive east of Greenwich). */
function zoneOffset(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour") % 24, n("minute"), n("second")) - Math.floor(at / 1000) * 1000;
}

/** A wall-clock time ("YYYY-MM-DDTHH:MM", a datetime-local's value) in ``zone``, as an instant; null when invalid. */
export function fromZonedLocal(value: string, zone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  try {
    let at = wall - zoneOffset(wall, zone);
    at = wall - zoneOffset(at, zone); // across a DST change, the offset at the instant itself
    return new Date(at);
  } catch {
    return null;
  }
}

/** An instant as a datetime-local's value in ``zone``. */
export function toZonedLocal(d: Date, zone: string): string {
  const shifted = new Date(d.getTime() + zoneOffset(d.getTime(), zone));
  return shifted.toISOString().slice(0, 16);
}

/** "America/New_York" → "America/New York". */
export function zoneName(zone: string | null | undefined): string {
  return zone ? zone.replace(/_/g, " ") : "unknown";
}

export const STATUS_LABELS: Record<string, string> = {
  stored: "Stored",
  offering: "In distribution",
  assigned: "Assigned",
  unassigned: "Unassigned",
  exception: "Exception",
  returned: "Returned",
};

export function leadStatus(value: string | null | undefined): string {
  return value ? (STATUS_LABELS[value] ?? value) : "—";
}

/** Why a lead goes back to its vendor (issue 14), in the order a manager picks it. */
export const RETURN_REASONS: { value: string; label: string }[] = [
  { value: "bad_number", label: "Bad number" },
  { value: "duplicate", label: "Duplicate" },
  { value: "not_in_market", label: "Not in market" },
  { value: "fraud", label: "Fraud" },
];

export function returnReason(value: string | null | undefined): string {
  if (!value) return "—";
  return RETURN_REASONS.find((r) => r.value === value)?.label ?? value;
}

/** A vendor's return window for people: "7 days", "1 day", "No returns" (0). */
export function returnWindow(days: number | null | undefined): string {
  if (days === null || days === undefined) return "—";
  return days === 0 ? "No returns" : `${days} ${days === 1 ? "day" : "days"}`;
}

export const OUTCOME_LABELS: Record<string, string> = {
  no_answer: "No answer",
  busy: "Busy",
  left_voicemail: "Left voicemail",
  wrong_number: "Wrong number",
  not_interested: "Not interested",
  do_not_call: "Do not call",
  contacted: "Contacted",
};

export function outcome(value: string | null | undefined): string {
  return value ? (OUTCOME_LABELS[value] ?? value) : "—";
}

/** ITU country calling codes of three digits start with these two (1 and 7 are one digit; the rest two). */
const THREE_DIGIT_CC = /^(2[1-69]|3[578]|42|5[09]|6[7-9]|8[058]|9[679])/;

/** A phone number for people: a North American E.164 number as "(415) 555-0142", another country's
 * as "+44 207 946 0958" (its country code, then the digits in groups); a masked one ("••••0142") as
 * "phone ending in 0142"; anything else as it is. */
export function phoneText(phone: string | null | undefined): string {
  const raw = (phone ?? "").trim();
  if (!raw) return "";
  const tail = /^[•*x]+(\d{2,4})$/i.exec(raw.replace(/[\s-]/g, ""));
  if (tail) return `phone ending in ${tail[1]}`;
  const digits = raw.replace(/[^\d]/g, "");
  if (!raw.startsWith("+") || digits.length < 6 || /[^\d\s().+-]/.test(raw)) return raw;
  if (digits.length === 11 && digits.startsWith("1")) return `(${digits.slice(1, 4)}) ${digits.slice(4, 7)}-${digits.slice(7)}`;
  const ccLength = /^[17]/.test(digits) ? 1 : THREE_DIGIT_CC.test(digits) ? 3 : 2;
  const cc = digits.slice(0, ccLength);
  const rest = digits.slice(ccLength);
  const groups: string[] = [];
  let i = 0;
  while (rest.length - i > 4) {
    groups.push(rest.slice(i, i + 3));
    i += 3;
  }
  groups.push(rest.slice(i));
  return `+${cc} ${groups.join(" ")}`;
}

/** A lead's name; a lead may have only a phone (names are optional): then its phone, for people. */
export function fullName(l: { first_name?: string | null; last_name?: string | null; phone?: string | null }): string {
  return `${l.first_name ?? ""} ${l.last_name ?? ""}`.trim() || phoneText(l.phone) || "(no name)";
}

/** What an agent's lead came from (``source`` of POST /v1/me/leads). */
export const LEAD_SOURCES: { value: string; label: string }[] = [
  { value: "referral", label: "Referral" },
  { value: "channel_partner", label: "Channel partner" },
  { value: "walk_in", label: "Walk-in" },
  { value: "other", label: "Other" },
];

/** Where a repeat of a lead came from (a touch's or a notification's ``source``): "vendor:<id>", "agent:<id>",
 * "upload:<id>", "call", or an agent lead's own source. */
export function sourceText(source: string | null | undefined, names: Record<string, string> = {}): string {
  if (!source) return "unknown source";
  const [kind, id = ""] = source.split(":", 2);
  const own = LEAD_SOURCES.find((s) => s.value === source);
  if (own) return own.label.toLowerCase();
  if (kind === "vendor") return `a lead vendor${id ? ` (${names[id] ?? id})` : ""}`;
  if (kind === "agent") return `an agent's new lead${id ? ` (${names[id] ?? id})` : ""}`;
  if (kind === "upload") return "a bulk upload";
  if (kind === "call") return "a phone call";
  return source;
}

export function leadHref(prospectId: string): string {
  return `/app/leads/${encodeURIComponent(prospectId)}`;
}

export const US_STATES = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split(" ");

/** How the lead became its owner's (``assigned_by``). */
export function assignedBy(value: string | null | undefined): string {
  if (!value) return "—";
  if (value === "claim") return "Claimed offer";
  if (value === "phone") return "Claimed by phone (pressed 1)";
  if (value === "fresh") return "Fresh bucket";
  if (value === "distribution") return "Distribution";
  if (value === "default_agent") return "Default agent (no eligible agent)";
  if (value === "queue" || value === "callback") return "Claimed from the work queue";
  if (value === "self") return "Added by the agent";
  if (value.startsWith("vendor:")) return "By the call center integration";
  if (value.startsWith("manager:")) return `Manager (${value.slice(8)})`;
  if (value.startsWith("transfer:")) return `Transferred by ${value.slice(9)}`;
  return value;
}

export const DAY_NAMES: Record<Weekday, string> = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };

/** The browser's IANA time zones, with ``current`` first when the browser lacks it. */
export function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  return all.includes(current) || !current ? all : [current, ...all];
}

/** An offer's first line: the borrower's name (a blind offer's hidden borrower), then the loan purpose and state. */
export function offerHeadline(o: Offer): string {
  const bits = [o.loan_purpose, o.state].filter(Boolean).join(", ");
  return `${o.blind ? BLIND_BORROWER : fullName(o)}${bits ? ` — ${bits}` : ""}`;
}

export const BLIND_BORROWER = "Borrower hidden until you claim";
