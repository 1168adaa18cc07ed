// A vendor's posting profile (issue 14): the API's shapes, the editor's draft of one, the server's
// refusals placed on the draft's rows, the test console's sample posts. Pure: no Preact, no fetch.
import { ApiError } from "../../api";
import type { ErrorDetail, Vendor } from "../../types";

export type PostFormat = "json" | "form" | "xml";
export type AnswerKind = "json" | "xml" | "text";
export type Transform = "trim" | "lower" | "upper" | "digits" | "first_name" | "last_name" | "state_code" | "amount";

/** One field of the lead: the vendor's field at ``source`` (transformed in order) or the constant ``value``. */
export interface FieldRule {
  target: string;
  source: string | null;
  value: string | null;
  transforms: Transform[];
}

export interface PostingProfile {
  formats: PostFormat[];
  fields: FieldRule[];
  keep_unmapped: boolean;
  answer: { format: AnswerKind; template: string | null };
}

/** A vendor as GET /v1/vendors answers it since issue 14 (``profile`` null: it posts leadwave's JSON). */
export type VendorWithProfile = Vendor & { profile?: PostingProfile | null };

/** POST /v1/vendors/{id}/profile/test's answer. */
export interface ProfileTest {
  lead: Record<string, unknown> | null;
  problems: ErrorDetail[];
  answer: { status_code: number; content_type: string; body: string | null };
}

export const FORMATS: { value: PostFormat; label: string; media: string; hint: string }[] = [
  { value: "json", label: "JSON", media: "application/json", hint: "application/json" },
  { value: "form", label: "Form", media: "application/x-www-form-urlencoded", hint: "application/x-www-form-urlencoded or multipart/form-data" },
  { value: "xml", label: "XML", media: "application/xml", hint: "application/xml or text/xml" },
];

/** The lead's fields a rule may set (the API's LEAD_TARGETS), in the order a lead is read. */
export const LEAD_FIELDS: { value: string; label: string }[] = [
  { value: "campaign_id", label: "Campaign id" },
  { value: "first_name", label: "First name" },
  { value: "last_name", label: "Last name" },
  { value: "phone", label: "Phone" },
  { value: "email", label: "Email" },
  { value: "state", label: "State" },
  { value: "loan_purpose", label: "Loan purpose" },
  { value: "loan_amount", label: "Loan amount" },
  { value: "vendor_lead_id", label: "Vendor's lead id" },
  { value: "assign_to_email", label: "Assign to (agent's email)" },
  { value: "assign_to_user_id", label: "Assign to (agent's id)" },
  { value: "channel", label: "Channel" },
];
/** The target select's value for "Custom field…" (fields.<name>). */
export const CUSTOM = "fields.";

export const TRANSFORMS: { value: Transform; label: string; hint: string }[] = [
  { value: "trim", label: "Trim spaces", hint: "Spaces at both ends removed" },
  { value: "lower", label: "Lower case", hint: "Jane.Doe@Example.com → jane.doe@example.com" },
  { value: "upper", label: "Upper case", hint: "ca → CA" },
  { value: "digits", label: "Digits only", hint: "(415) 555-2671 → 4155552671" },
  { value: "first_name", label: "First name of a full name", hint: "“Jane Q. Doe” or “Doe, Jane” → Jane" },
  { value: "last_name", label: "Last name of a full name", hint: "“Jane Q. Doe” or “Doe, Jane” → Doe" },
  { value: "state_code", label: "State name to code", hint: "California → CA" },
  { value: "amount", label: "Amount ($ and commas out)", hint: "$350,000.00 → 350000.00" },
];

export const ANSWERS: { value: AnswerKind; label: string; hint: string }[] = [
  { value: "json", label: "JSON", hint: "leadwave's own JSON answer, as to a vendor without a profile" },
  { value: "xml", label: "XML template", hint: "Must be well-formed XML; the values are escaped" },
  { value: "text", label: "Text template", hint: "Plain text; the values' line breaks become spaces" },
];

export const DEFAULT_TEMPLATES: Record<"xml" | "text", string> = {
  xml: "<response><status>${outcome}</status><lead_id>${prospect_id}</lead_id><reason>${reason}</reason></response>",
  text: "${outcome}|${prospect_id}|${reason}",
};

export const PLACEHOLDERS: { name: string; means: string }[] = [
  { name: "${outcome}", means: "accepted, duplicate or rejected" },
  { name: "${prospect_id}", means: "the lead's id (pr_…); a duplicate's earlier lead" },
  { name: "${status}", means: "the lead's status (assigned, offering, exception…)" },
  { name: "${reason}", means: "why it was refused, or the lead's failure reason" },
  { name: "${code}", means: "the refusal's code (validation_failed, duplicate_lead…)" },
  { name: "${http_status}", means: "the HTTP status (201, 202, 400…)" },
];

/** The content types the test console sends, and the format each is read as. */
export const CONTENT_TYPES: { value: string; format: PostFormat }[] = [
  { value: "application/x-www-form-urlencoded", format: "form" },
  { value: "application/xml", format: "xml" },
  { value: "application/json", format: "json" },
];

// ---------------------------------------------------------------- the editor's draft

export interface RuleDraft {
  /** Stable across reordering (the row's key, and where its errors stay). */
  key: number;
  /** A lead field, or CUSTOM with ``custom`` the name under ``fields``. */
  target: string;
  custom: string;
  from: "source" | "value";
  text: string;
  transforms: Transform[];
}

export interface Draft {
  /** false: "Use leadwave's JSON (no profile)", saved as null (the rest is kept in the editor meanwhile). */
  own: boolean;
  formats: PostFormat[];
  rules: RuleDraft[];
  keepUnmapped: boolean;
  answer: AnswerKind;
  /** The template typed for each answer format (empty: the default). */
  templates: Record<"xml" | "text", string>;
}

let lastKey = 0;
export const nextKey = (): number => ++lastKey;

export function newRule(target = "", from: "source" | "value" = "source", transforms: Transform[] = []): RuleDraft {
  return { key: nextKey(), target, custom: "", from, text: "", transforms };
}

/** What "Add the usual lead fields" adds (the vendor's names left to fill in). */
export function usualRules(): RuleDraft[] {
  return [
    newRule("campaign_id", "value"),
    newRule("first_name", "source", ["trim"]),
    newRule("last_name", "source", ["trim"]),
    newRule("phone", "source", ["digits"]),
    newRule("email", "source", ["trim", "lower"]),
    newRule("state", "source", ["state_code"]),
    newRule("loan_purpose"),
    newRule("loan_amount", "source", ["amount"]),
    newRule("vendor_lead_id"),
  ];
}

export function draftOf(profile: PostingProfile | null | undefined): Draft {
  const p = profile ?? null;
  const format = p?.answer?.format ?? "json";
  return {
    own: p !== null,
    formats: p ? [...p.formats] : ["form"],
    rules: (p?.fields ?? []).map((r) => {
      const custom = r.target.startsWith(CUSTOM);
      return {
        key: nextKey(),
        target: custom ? CUSTOM : r.target,
        custom: custom ? r.target.slice(CUSTOM.length) : "",
        from: r.value !== null && r.value !== undefined ? "value" : "source",
        text: (r.value ?? r.source ?? "") as string,
        transforms: [...(r.transforms ?? [])],
      };
    }),
    keepUnmapped: p?.keep_unmapped ?? true,
    answer: format,
    templates: { xml: format === "xml" ? (p?.answer.template ?? "") : "", text: format === "text" ? (p?.answer.template ?? "") : "" },
  };
}

/** The profile as PUT /v1/vendors/{id}/profile takes it (null: leadwave's JSON). An empty vendor field or constant
 * is sent as null, so the server names the row that has neither. */
export function profileOf(d: Draft): PostingProfile | null {
  if (!d.own) return null;
  const template = d.answer === "json" ? "" : d.templates[d.answer];
  return {
    formats: FORMATS.map((f) => f.value).filter((f) => d.formats.includes(f)),
    fields: d.rules.map((r) => ({
      target: r.target === CUSTOM ? `${CUSTOM}${r.custom.trim()}` : r.target,
      source: r.from === "source" ? r.text.trim() || null : null,
      value: r.from === "value" ? (r.text === "" ? null : r.text) : null,
      transforms: r.from === "source" ? r.transforms : [],
    })),
    keep_unmapped: d.keepUnmapped,
    answer: { format: d.answer, template: template.trim() ? template : null },
  };
}

/** "Form, XML → XML answer · 9 fields", or "leadwave's JSON" without a profile. */
export function profileSummary(p: PostingProfile | null | undefined): string {
  if (!p) return "leadwave's JSON";
  const formats = FORMATS.filter((f) => p.formats.includes(f.value)).map((f) => f.label).join(", ") || "no format";
  const answer = p.answer.format === "json" ? "JSON answer" : p.answer.format === "xml" ? "XML answer" : "text answer";
  const n = p.fields.length;
  return `${formats} → ${answer} · ${n ? `${n} field${n === 1 ? "" : "s"} mapped` : "leadwave's field names"}`;
}

// ---------------------------------------------------------------- the server's refusals, where they belong

export interface RowErrors {
  target?: string;
  from?: string;
  transforms?: string;
  row?: string;
}

export interface ProfileErrors {
  formats?: string;
  keep?: string;
  answer?: string;
  /** By the row's key. */
  rows: Record<number, RowErrors>;
  /** Rows: how many rules have errors (for the summary above the form). */
  rowCount: number;
  other: string[];
}

export const NO_ERRORS: ProfileErrors = { rows: {}, rowCount: 0, other: [] };

/** A refusal's message in words (the validator's are terse: "Input should be 'json', 'form' or 'xml'"). */
function words(d: ErrorDetail): string {
  switch (d.code) {
    case "source_or_value":
      return "Give the vendor's field or a constant.";
    case "unknown_target":
      return "Not a lead field: pick one, or a custom field whose name has letters, digits, _ . - (up to 64).";
    case "invalid_xml":
      return `Not well-formed XML once filled in: ${(d.message ?? "").replace(/^the body is not acceptable XML: /, "")}`;
    case "literal_error":
      return `Not one of the choices (${d.message ?? ""}).`;
    case "length":
    case "string_too_long":
    case "too_long":
      return d.message ?? "Too long.";
    default:
      return d.message ?? d.code ?? "invalid";
  }
}

/** The refusal of a profile (400 validation_failed) on the draft: ``fields.N…`` on the row saved as the N-th. */
export function profileErrors(err: unknown, rows: RuleDraft[]): ProfileErrors {
  if (!(err instanceof ApiError)) return err ? { ...NO_ERRORS, other: [String(err)] } : NO_ERRORS;
  const out: ProfileErrors = { rows: {}, rowCount: 0, other: [] };
  for (const d of err.details) {
    const field = d.field ?? "";
    const text = words(d);
    const row = /^fields\.(\d+)(?:\.(\w+))?/.exec(field);
    if (row && rows[Number(row[1])]) {
      const key = rows[Number(row[1])].key;
      const at = out.rows[key] ?? (out.rows[key] = {});
      // "neither a vendor field nor a constant" is said under the row's vendor field
      const from = row[2] === "source" || row[2] === "value" || (!row[2] && d.code === "source_or_value");
      const part = row[2] === "target" ? "target" : from ? "from" : row[2] === "transforms" ? "transforms" : "row";
      at[part] ??= text;
    } else if (field === "formats" || field.startsWith("formats.")) out.formats ??= text;
    else if (field === "keep_unmapped") out.keep ??= text;
    else if (field === "answer" || field.startsWith("answer.")) out.answer ??= text;
    else out.other.push(field ? `${field}: ${text}` : text);
  }
  out.rowCount = Object.keys(out.rows).length;
  if (!err.details.length) out.other.push(err.message);
  return out;
}

// ---------------------------------------------------------------- the test console's sample posts

const SAMPLE_VALUES: Record<string, string> = {
  first_name: "Jane",
  last_name: "Doe",
  phone: "(415) 555-2671",
  email: "Jane.Doe@Example.com",
  state: "California",
  loan_purpose: "Purchase",
  loan_amount: "$350,000",
  vendor_lead_id: "V-1001",
  channel: "web",
};

/** The vendor's fields a sample post carries, by the name (or dotted path) the profile reads them at; with no rules,
 * leadwave's own names. */
export function sampleFields(profile: PostingProfile | null, campaignId: string): [string, string][] {
  const rules = profile?.fields ?? [];
  if (!rules.length) {
    return [["campaign_id", campaignId], ["first_name", "Jane"], ["last_name", "Doe"], ["phone", "(415) 555-2671"], ["email", "jane.doe@example.com"], ["state", "CA"], ["loan_purpose", "Purchase"], ["loan_amount", "350000"]];
  }
  const out = new Map<string, string>();
  for (const r of rules) {
    if (!r.source || out.has(r.source)) continue;
    const split = r.transforms.includes("first_name") || r.transforms.includes("last_name");
    const value = split ? "Doe, Jane" : r.target === "campaign_id" ? campaignId : SAMPLE_VALUES[r.target] ?? (r.target.startsWith(CUSTOM) ? "sample" : "");
    out.set(r.source, value);
  }
  return [...out.entries()];
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const XML_NAME = /^[A-Za-z_][\w.-]*$/;

/** ``pairs`` as a post of ``contentType``: a form's name=value pairs; XML and JSON nested along the dotted names. */
export function samplePost(contentType: string, pairs: [string, string][]): string {
  const kind = CONTENT_TYPES.find((c) => c.value === contentType)?.format ?? "json";
  if (kind === "form") return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
  type Tree = { [k: string]: Tree | string };
  const tree: Tree = {};
  for (const [path, value] of pairs) {
    const parts = path.split(".").filter(Boolean);
    let node = tree;
    parts.forEach((p, i) => {
      if (i === parts.length - 1) node[p] = value;
      else node = (typeof node[p] === "object" ? node[p] : (node[p] = {})) as Tree;
    });
  }
  if (kind === "json") return JSON.stringify(tree, null, 2);
  const render = (t: Tree, indent: string): string =>
    Object.entries(t)
      .filter(([k]) => XML_NAME.test(k))
      .map(([k, v]) => (typeof v === "string" ? `${indent}<${k}>${xmlEscape(v)}</${k}>` : `${indent}<${k}>\n${render(v, `${indent}  `)}\n${indent}</${k}>`))
      .join("\n");
  return `<lead>\n${render(tree, "  ")}\n</lead>`;
}

/** The lead's fields as rows: its own fields in the order a lead is read, then ``fields.<name>`` for the rest. */
export function leadRows(lead: Record<string, unknown>): [string, string][] {
  const text = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  const order = LEAD_FIELDS.map((f) => f.value);
  const own = Object.keys(lead)
    .filter((k) => k !== "fields")
    .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  const rows: [string, string][] = own.map((k) => [k, text(lead[k])]);
  const extra = lead.fields;
  if (extra && typeof extra === "object" && !Array.isArray(extra)) {
    for (const [k, v] of Object.entries(extra as Record<string, unknown>)) rows.push([`fields.${k}`, text(v)]);
  } else if (extra !== undefined) rows.push(["fields", text(extra)]);
  return rows;
}
