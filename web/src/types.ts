// The JSON the API answers (functions/claim/app.py and leadwave.services; DESIGN.md section 5).

export type Role = "agent" | "manager" | "admin" | "supervisor";
export type DistributionType = "none" | "direct" | "round_robin" | "distribute_all" | "waves" | "ring_all";

export interface Me {
  agent_id: string;
  org_id: string;
  email: string;
  first_name: string;
  last_name: string;
  roles: Role[];
  active: boolean;
  available: boolean;
  /** "View leads only" (managers, admins, supervisors): the work queue takes no lock. */
  preferences?: { view_only: boolean };
  /** The org's application statuses in order, each with its activities (issue 11). */
  workflow?: WorkflowStatus[];
}

/** One application status of the org's workflow and the activities allowed under it. */
export interface WorkflowStatus {
  name: string;
  activities: string[];
}

export type LeadSource = "referral" | "channel_partner" | "walk_in" | "other";

/** ``POST /v1/me/leads``: 201 a new lead of the agent's; 200 a repeat attached to the first lead. */
export interface CreatedLead {
  prospect_id: string;
  agent_id?: string | null;
  application_id?: string | null;
  status: string;
  duplicate_of?: string;
  attached?: boolean;
  yours?: boolean;
}

/** ``GET /v1/me/leads?status=``: one page of a work-in-progress bucket. */
export interface BucketPage {
  status: string;
  items: MyLead[];
  cursor: string | null;
}

/** ``POST /v1/leads/{id}/status``. */
export interface StepAnswer {
  prospect_id: string;
  app_status: string;
  app_activity: string;
  changed: boolean;
}

export type DedupeField = "phone" | "email" | "campaign_id" | "vendor_id" | "last_name";

export interface Dedupe {
  fields: DedupeField[];
  window_days: number;
  action: "attach" | "reject";
}

export interface Offer {
  prospect_id: string;
  wave: number;
  expires_at: string;
  campaign_id: string;
  campaign_name: string;
  distribution_type: DistributionType;
  /** null when the offer is blind (and for a lead without a first name). */
  first_name: string | null;
  state: string | null;
  loan_purpose: string | null;
  loan_amount: string | number | null;
  /** Masked (the last two digits) before the claim; null when the offer is blind. */
  phone: string | null;
  channel: "digital" | "phone";
  /** A blind campaign's offer (issue 13): the borrower's name and phone are hidden until claimed. */
  blind?: boolean;
}

export interface ClaimAnswer {
  prospect_id: string;
  application_id: string | null;
  agent_id: string;
  status?: string;
}

export interface FreshItem {
  prospect_id: string;
  campaign_name: string;
  first_name: string;
  state: string | null;
  loan_purpose: string | null;
  loan_amount: string | number | null;
  phone: string;
  created_at: string;
  failure_reason: string | null;
}

export interface FreshList {
  items: FreshItem[];
  /** Pass as ``?cursor=`` for the next page (50 rows); null at the end of the bucket. */
  next_cursor: string | null;
  limit: number;
  claimed: number;
  window_minutes: number;
}

export interface MyLead {
  prospect_id: string;
  application_id: string | null;
  campaign_name: string;
  first_name: string;
  last_name: string;
  phone: string;
  email: string | null;
  state: string | null;
  loan_purpose: string | null;
  loan_amount: string | number | null;
  app_status: string | null;
  app_activity: string | null;
  assigned_at: string | null;
  /** "distribution", "default_agent", "claim" (an offer claimed in the app), "phone" (pressed 1 on a Ring All call),
   * "fresh", "manager:<id>" */
  assigned_by: string | null;
  /** What an agent's own lead came from (referral, channel_partner, walk_in, other). */
  source?: string | null;
}

export interface Call {
  call_sid: string;
  started_at: string;
  talk_seconds: number | null;
  phone_called: string | null;
  agent_id: string | null;
  /** The agent's name (else email); older servers send only agent_id. */
  agent_name?: string | null;
  status: string | null;
  recording_url: string | null;
}

export const TEXT_COLUMNS = [
  "prospect_name",
  "campaign",
  "description",
  "distribution",
  "lead_provider",
  "loan_purpose",
  "state",
  "failure_reason",
] as const;
export type TextColumn = (typeof TEXT_COLUMNS)[number];
export type SortColumn = TextColumn | "loan_amount" | "create_date";

export interface ExceptionRow {
  prospect_id: string;
  prospect_name: string;
  campaign: string;
  campaign_id: string;
  description: string;
  distribution: DistributionType;
  lead_provider: string;
  loan_purpose: string | null;
  loan_amount: number | null;
  state: string | null;
  failure_reason: string | null;
  create_date: string;
  ignored: boolean;
  phone?: string | null;
  /** The vendor that posted it (Return goes to it); null for a lead entered otherwise. */
  vendor_id?: string | null;
}

/** One page of Lead Exception, read by key: follow ``next_cursor`` (with the same filters, sort,
 * order, page_size and show_ignored) for the next one. */
export interface ExceptionList {
  items: ExceptionRow[];
  /** Opaque; null at the end of the list. A filtered page may hold fewer than page_size rows and still have one. */
  next_cursor: string | null;
  page_size: number;
  /** Rows in the whole list when no column filter, search or range applies; null otherwise. */
  total: number | null;
  /** Sorted by a column the index does not serve: only the rows of this page are in order. */
  sorted_within_page: boolean;
  facets: Partial<Record<TextColumn, string[]>>;
}

export interface Campaign {
  campaign_id: string;
  name: string;
  description: string;
  distribution_type: DistributionType;
  group_id: string | null;
  lead_provider: string;
  initial_status: string;
  initial_activity: string;
  channel: "digital" | "phone";
  wave_size: number;
  max_waves: number;
  offer_timeout_seconds: number;
  ring_batch: number;
  ring_next_waves: boolean;
  after_hours: "hold" | "fresh" | "exception";
  tcpa: boolean;
  auto_dial: boolean;
  active: boolean;
  /** Virtual numbers borrowers call (E.164, up to 20): each call rings up to 5 agents of the campaign's group. */
  inbound_numbers: string[];
  /** Offers hide the borrower's name and phone until claimed (issue 13). */
  blind_offers: boolean;
  /** Limits per agent on this campaign's leads (issue 13). */
  caps: Caps;
  /** A deadline for the first action on a lead distribution gave an agent (issue 13); null: none. */
  follow_up: FollowUp | null;
}

/** A campaign's follow-up deadline: the lead is worked (a call, a status change, a note, a call outcome, a
 * callback) within ``deadline_minutes`` of its assignment, or it is taken back (``then``: distributed again
 * without that agent, or to a manager on Lead Exception); after ``max_takebacks`` take-backs, always a manager. */
export interface FollowUp {
  deadline_minutes: number;
  /** 0: no reminder. */
  remind_minutes_before: number;
  then: "redistribute" | "manager";
  max_takebacks: number;
}

export interface GroupCondition {
  attribute: string;
  values: string[];
}

export interface Group {
  group_id: string;
  name: string;
  members: string[];
  conditions: GroupCondition[];
  /** What the server found wrong with the group as it is now (a list or a save answers them). */
  warnings?: ApiWarning[];
}

export interface ApiWarning {
  code: string;
  message: string;
  details?: { phone?: string; agents?: string[] } & Record<string, unknown>;
}

export interface AgentFilters {
  states: string[];
  loan_purposes: string[];
  loan_amount_min: number | string | null;
  loan_amount_max: number | string | null;
  lead_providers: string[];
  campaigns: string[];
}

export interface Agent {
  agent_id: string;
  email: string;
  first_name: string;
  last_name: string;
  roles: Role[];
  work_phone: string | null;
  mobile_phone: string | null;
  caller_id: string | null;
  active: boolean;
  available: boolean;
  filters: AgentFilters;
  attributes: Record<string, unknown>;
  last_assigned_at?: string | null;
  last_claimed_at?: string | null;
  /** Share of round robin and of wave draws: 1 normal, 2 about twice the leads, 0.5 half (0.1 to 10; issue 13). */
  weight?: number;
  caps?: Caps;
  /** null: works whenever Lead Availability is on. */
  schedule?: Schedule | null;
  // read-only bookkeeping the API answers and ignores on PUT
  rr_turn?: string | null;
  /** Round-robin leads still owed after a return (the org's "catch up" rule). */
  rr_owed?: number;
  away_ticket?: number | null;
  cap_log?: string[];
  /** "<campaign>|<lead>" of the leads held unworked (counted by a cap on open leads). */
  open_held?: string[];
  cap_version?: number;
}

/** Most leads by distribution: in the last hour, on the calendar day, held unworked at once
 * (assigned, no call, status change or note yet). null: no limit; else 1 to 10,000. */
export interface Caps {
  per_hour: number | null;
  per_day: number | null;
  open_leads: number | null;
}

export const NO_CAPS: Caps = { per_hour: null, per_day: null, open_leads: null };

/** A range of days, both inclusive (YYYY-MM-DD). */
export interface DateRange {
  start: string;
  end: string;
}

/** When an agent may receive leads (issue 13): outside it they get none, whatever Lead Availability says. */
export interface Schedule {
  /** IANA name; null: the org's. */
  time_zone: string | null;
  /** null: any time; else a day absent (or empty) is a day off. "24:00" may close a day. */
  hours: Partial<Record<Weekday, DayHours[]>> | null;
  out_of_office: DateRange[];
}

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface DayHours {
  open: string;
  close: string;
}

export interface Org {
  org_id: string;
  name: string;
  time_zone: string;
  business_hours: Partial<Record<Weekday, DayHours[]>> | null;
  closed_dates: string[];
  caller_id: string | null;
  default_agent_id: string | null;
  /** An agent back from unavailability starts level with the others (default) or is owed the round-robin leads they missed. */
  rotation_return?: "level" | "catch_up";
  fresh_window_minutes: number;
  lock_expiry_minutes: number;
  /** Claiming: a callback with a time claims the lead for whoever set it (default on). */
  auto_claim_callbacks?: boolean;
  do_not_call: string[];
  /** Where a national phone number (no +country code) is read: ISO 3166 alpha-2. */
  default_country?: string;
  /** Duplicates on arrival; null: off. */
  dedupe?: Dedupe | null;
  workflow?: WorkflowStatus[];
}

export interface Vendor {
  vendor_id: string;
  name: string;
  key_prefix: string;
  active: boolean;
  created_at: string;
  /** ["transfer"]: a call center (transfers leads, assigns new leads to a named agent). */
  permissions?: string[];
  /** Days after a lead arrives that a manager may return it to this vendor (0 to 365; 0: no returns; issue 14). */
  return_window_days?: number;
}

export interface ErrorDetail {
  field?: string;
  code?: string;
  message?: string;
}

// ---------------------------------------------------------------- work lists, the work queue, the lead page (seed 003)

export type LeadStatus = "stored" | "offering" | "assigned" | "unassigned" | "exception" | "returned";

/** Why a lead goes back to its vendor for a credit (issue 14). */
export type ReturnReason = "bad_number" | "duplicate" | "not_in_market" | "fraud";

export interface LeadDetail {
  prospect_id: string;
  campaign_id: string;
  campaign_name: string | null;
  lead_provider: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  email: string | null;
  state: string | null;
  loan_purpose: string | null;
  loan_amount: string | number | null;
  channel: string | null;
  status: LeadStatus | string;
  failure_reason: string | null;
  ignored: boolean;
  agent_id: string | null;
  agent_name: string | null;
  application_id: string | null;
  app_status: string | null;
  app_activity: string | null;
  assigned_at: string | null;
  assigned_by: string | null;
  created_at: string | null;
  updated_at: string | null;
  callback_at: string | null;
  callback_claimed: boolean | null;
  last_outcome: string | null;
  /** The lead's IANA zone (from its state); null when unknown. */
  time_zone: string | null;
  /** Who posted it: a vendor's id, or "agent:<id>", "upload:<id>", "call" (not sent by every server). */
  vendor_id?: string | null;
  /** A returned lead (issue 14): when, and why (not sent by every server: the history's ``returned`` event says it too). */
  returned_at?: string | null;
  return_reason?: ReturnReason | string | null;
}

export interface LeadLock {
  agent_id: string;
  agent_name: string | null;
  expires_at: string;
  mine: boolean;
}

export interface LeadEvent {
  at: string;
  type: string;
  by: string | null;
  by_name: string | null;
  text: string;
  detail?: unknown;
}

export interface LeadNote {
  at: string;
  by: string | null;
  by_name: string | null;
  text: string;
}

/** A row of Call Activity (seed 001): a Ring All wave is one row with its legs; an Auto-Dial is two rows. */
export interface CallRow {
  row_id: string;
  kind: "ring_wave" | "agent_leg" | "borrower" | "blocked" | string;
  /** The agent's name (who made or took the call). */
  by: string | null;
  agent_id: string | null;
  phone: string | null;
  status: string | null;
  started_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  talk_seconds: number | null;
  recording_url: string | null;
  reason: string | null;
  legs?: CallRow[];
}

export interface LeadCan {
  act: boolean;
  claim: boolean;
  unclaim: boolean;
  reassign: boolean;
  /** Transfer to another agent: the lead's own agent, or a manager (seed 004). */
  transfer?: boolean;
  /** Return to its vendor (issue 14), when the server says. */
  return?: boolean;
  view_only: boolean;
}

/** ``GET /v1/me/colleagues``: the org's active agents except the caller, by name. */
export interface Colleague {
  agent_id: string;
  name: string;
}

export interface LeadPageData {
  lead: LeadDetail;
  lock: LeadLock | null;
  events: LeadEvent[];
  notes: LeadNote[];
  calls: CallRow[];
  lists: { list_id: string; name: string }[];
  can: LeadCan;
}

export interface QueueAnswer {
  lead: LeadDetail;
  lock_expires_at: string | null;
  list_id: string | null;
  source: "callback" | "list";
  view_only: boolean;
}

export type Outcome = "no_answer" | "busy" | "left_voicemail" | "wrong_number" | "not_interested" | "do_not_call" | "contacted";

export interface ActionAnswer {
  lead: { prospect_id: string; status: string; agent_id: string | null; callback_at: string | null; callback_claimed: boolean | null; last_outcome: string | null };
  lock_released: boolean;
  replayed: boolean;
  call_sid?: string;
}

/** ``POST /v1/leads/{id}/return`` (issue 14): the lead as returned, to which vendor, and why. */
export interface ReturnAnswer extends ActionAnswer {
  returned_at: string | null;
  reason: ReturnReason;
  vendor_id: string | null;
}

export interface ListFilter {
  campaign_id?: string[];
  lead_provider?: string[];
  state?: string[];
  loan_purpose?: string[];
  amount_min?: number | null;
  amount_max?: number | null;
  created_from?: string | null;
  created_to?: string | null;
  status?: ("stored" | "unassigned")[];
}

export interface Segment {
  segment_id?: string;
  name: string;
  filter: ListFilter;
}

export interface ListCounts {
  total: number;
  queued: number;
  locked: number;
  claimed: number;
  callbacks_due: number;
}

export interface WorkList {
  list_id: string;
  name: string;
  agent_ids: string[];
  group_ids: string[];
  priority: number | null;
  filter: ListFilter | null;
  segments: Segment[];
  created_at: string | null;
  parent_id: string | null;
  counts: ListCounts | null;
}

export interface CsvAnswer {
  added: number;
  rejected: { row: number; code: string; message: string }[];
}

export interface SplitAnswer {
  lists: { list_id: string; name: string; agent_id: string; count: number }[];
}

export interface SearchRow {
  prospect_id: string;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  campaign_id: string;
  campaign_name: string | null;
  lead_provider: string | null;
  status: string;
  agent_id: string | null;
  agent_name: string | null;
  state: string | null;
  loan_purpose: string | null;
  loan_amount: string | number | null;
  created_at: string | null;
  failure_reason: string | null;
}

export interface SearchPage {
  items: SearchRow[];
  next_cursor: string | null;
}

export interface MarketingRow {
  campaign_id: string;
  campaign_name: string | null;
  lead_provider: string | null;
  assigned: number;
  fresh: number;
  exception: number;
  stored: number;
  in_distribution: number;
  /** Repeats of a lead already in the org (attached or refused). */
  duplicates?: number;
  total: number;
}

export interface MarketingReport {
  rows: MarketingRow[];
  totals: Partial<MarketingRow>;
}

/** Agents under one verdict of a decision: the exact count, at most 50 listed (issue 13). */
export interface TraceGroup {
  count: number;
  agents: string[];
}

/** A distribution decision of ``GET /v1/leads/{id}/trace``: the agents it read, grouped by the rule that excluded
 * each, whom it chose and where the lead went. */
export interface TraceDecision {
  kind: "decision";
  at: string;
  step: string; // arrival | wave | placed | rerun
  campaign_id?: string | null;
  distribution_type?: string | null;
  wave?: number | null;
  considered?: number;
  eligible?: TraceGroup;
  excluded?: Record<string, TraceGroup>;
  chosen?: string[];
  outcome?: string | null; // assigned | exception | unassigned | stored | offered | rang
  reason?: string | null;
  note?: string | null;
}

/** A history step of the trace (received, claimed, transfer...), with its event's detail. */
export interface TraceEvent {
  kind: "event";
  at: string;
  step: string;
  [detail: string]: unknown;
}

export type TraceStep = TraceDecision | TraceEvent;

export interface LeadTrace {
  prospect_id: string;
  status: string;
  failure_reason: string | null;
  campaign_id: string | null;
  distribution_type: string | null;
  agent_id: string | null;
  steps: TraceStep[];
  /** Each rule code's wording for people. */
  rules: Record<string, string>;
}

/** ``POST /v1/exceptions/{id}/redistribute``: where the re-run sent the lead. */
export interface Redistributed {
  prospect_id: string;
  status: string;
  agent_id: string | null;
  failure_reason: string | null;
  run: number;
  replayed?: boolean;
}
