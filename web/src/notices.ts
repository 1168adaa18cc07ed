// Lead notices: a lead someone gave the agent, transferred or assigned by a manager (GET
// /v1/me/notifications, or a lead_assigned push), and a borrower of theirs who came back. Each is
// shown once per tab (a push and a poll of the same notice show one note), until closed. A lead
// the agent took themselves (claimed, the fresh bucket, the work queue) or that distribution gave
// them is pushed too (their lists reload) but says nothing, as the notifications never did; a lead
// distribution gave them because another agent did not work it in time (``by`` "follow_up") says so.
//
// Follow-up deadlines (issue 13), pushed only: a reminder to work a lead before its deadline
// (follow_up), and a lead taken back because it was not worked in time (lead_taken_back). Both are
// lasting notes; the lead page reads what arrived for its lead (``followUps``, ``takenBack``).
//
// Lead returns (issue 14), pushed only: a lead of the agent's a manager returned to its vendor (lead_returned)
// leaves My leads with a neutral note.
import { fullName, returnReason, sourceText, timeOfDay } from "./format";
import type { FollowUpReminder, LeadNotice, LeadReturned, TakenBack } from "./live";
import { dismiss, notify } from "./notify";
import { createStore } from "./store";

/** The server's reason for a lead taken back at its follow-up deadline (models.Reason.NOT_WORKED). */
export const NOT_WORKED = "Not worked within the campaign's follow-up deadline.";
/** ``by`` of a lead distribution gave the agent after taking it back from another agent. */
export const BY_FOLLOW_UP = "follow_up";

/** A lead notice in words. */
export function noticeText(n: LeadNotice): string {
  const name = fullName(n);
  if (n.kind === "duplicate") return `${name === "(no name)" ? "A borrower of yours" : name} came back (${sourceText(n.source)})${n.campaign_name ? ` — ${n.campaign_name}` : ""}`;
  if (n.by === BY_FOLLOW_UP) return `Reassigned to you: ${name}${n.campaign_name ? ` (${n.campaign_name})` : ""}, not worked in time by another agent`;
  const verb = n.kind === "assigned" ? "assigned" : "transferred";
  const who = n.by_name || (n.kind === "assigned" ? "A manager" : "A colleague"); // a push may not name them
  return `${who} ${verb} a lead to you: ${name}${n.campaign_name ? ` (${n.campaign_name})` : ""}${n.reason ? ` — ${n.reason}` : ""}`;
}

/** prospect_id#at of the lead notices already shown in this tab. */
const shown = new Set<string>();

/** Whether the notice says something the agent did not do: a transfer, a manager's assignment
 * (a push's lead names who gave it in ``by``), a lead taken back from another agent, a returning borrower. */
export function worthTelling(n: LeadNotice): boolean {
  return n.kind === "transfer" || n.kind === "duplicate" || (n.kind === "assigned" && !!n.by);
}

export const leadHref = (prospectId: string): string => `/app/leads/${encodeURIComponent(prospectId)}`;

/** Shows the notice unless already shown or not worth telling; true when shown (its system alert may follow). */
export function showNotice(n: LeadNotice): boolean {
  const key = `${n.prospect_id}#${n.at}`;
  if (shown.has(key) || !worthTelling(n)) return false;
  shown.add(key);
  notify(noticeText(n), "info", null, { href: leadHref(n.prospect_id), label: "Open lead" });
  return true;
}

/** Bumped when the agent's leads changed (a lead assigned to them, one taken back): My leads reloads. */
export const leadsChanged = createStore(0);

// ---------------------------------------------------------------- follow-up deadlines (issue 13)

/** The reminders that arrived in this tab, by prospect id (the lead page says "Work by ..."). */
export const followUps = createStore<Record<string, FollowUpReminder>>({});
/** The leads taken back from the agent in this tab, by prospect id (the lead page says so). */
export const takenBack = createStore<Record<string, TakenBack>>({});

const without = <T>(all: Record<string, T>, id: string): Record<string, T> => {
  if (!(id in all)) return all;
  const { [id]: _, ...rest } = all;
  return rest;
};

/** "Jane's lead", "a lead of yours" (a lead may have no first name). */
function whose(firstName: string | null | undefined): string {
  const name = (firstName ?? "").trim();
  return name ? `${name}'s lead` : "a lead of yours";
}

const minutes = (n: number) => `${n} ${n === 1 ? "minute" : "minutes"}`;

/** "Work Jane's lead (Spring Refi) within 5 minutes (by 14:05) or it will be reassigned." */
export function followUpText(r: FollowUpReminder, now: Date = new Date()): string {
  const lead = `${whose(r.first_name)}${r.campaign_name ? ` (${r.campaign_name})` : ""}`;
  const by = timeOfDay(r.due_at, now);
  const within = r.minutes_left > 0 ? `within ${minutes(r.minutes_left)} (by ${by})` : `now (due ${by})`;
  return `Work ${lead} ${within} or it will be reassigned.`;
}

/** "A lead was reassigned: not worked within the follow-up deadline." (named when its reminder named it). */
export function takenBackText(t: TakenBack, reminder?: FollowUpReminder): string {
  const named = reminder ? `${whose(reminder.first_name)}${reminder.campaign_name ? ` (${reminder.campaign_name})` : ""}` : "a lead";
  const lead = `${named.charAt(0).toUpperCase()}${named.slice(1)}`;
  if (t.reason && t.reason !== NOT_WORKED) return `${lead} was taken back: ${t.reason}`;
  return `${lead} was reassigned: not worked within the follow-up deadline.`;
}

const told = new Set<string>();
/** The reminder's note on screen, by prospect id: its take-back replaces it. */
const reminderNotes = new Map<string, number>();

/** A reminder: said once per tab (a lasting note with a link to the lead); true when said. */
export function showFollowUp(r: FollowUpReminder): boolean {
  const key = `follow_up#${r.prospect_id}#${r.due_at}`;
  if (told.has(key)) return false;
  told.add(key);
  followUps.update((all) => ({ ...all, [r.prospect_id]: r }));
  takenBack.update((all) => without(all, r.prospect_id));
  const earlier = reminderNotes.get(r.prospect_id);
  if (earlier !== undefined) dismiss(earlier);
  reminderNotes.set(r.prospect_id, notify(followUpText(r), "warn", null, { href: leadHref(r.prospect_id), label: "Open lead" }));
  return true;
}

/** A lead taken back: said once per tab, its reminder forgotten, My leads reloads; true when said. */
export function showTakenBack(t: TakenBack): boolean {
  const key = `taken_back#${t.prospect_id}#${t.at}`;
  if (told.has(key)) return false;
  told.add(key);
  const reminder = followUps.get()[t.prospect_id];
  followUps.update((all) => without(all, t.prospect_id));
  takenBack.update((all) => ({ ...all, [t.prospect_id]: t }));
  const note = reminderNotes.get(t.prospect_id);
  if (note !== undefined) dismiss(note); // "Work … or it will be reassigned" no longer holds
  reminderNotes.delete(t.prospect_id);
  notify(takenBackText(t, reminder), "warn", null);
  leadsChanged.update((v) => v + 1);
  return true;
}

// ---------------------------------------------------------------- lead returns (issue 14)

/** "Jane's lead (Spring Refi) was returned to its vendor: Bad number." ("A lead of yours" when nothing named it). */
export function returnedNoticeText(r: LeadReturned, reminder?: FollowUpReminder): string {
  const named = reminder ? `${whose(reminder.first_name)}${reminder.campaign_name ? ` (${reminder.campaign_name})` : ""}` : "a lead of yours";
  return `${named.charAt(0).toUpperCase()}${named.slice(1)} was returned to its vendor${r.reason ? `: ${returnReason(r.reason)}` : ""}.`;
}

/** A lead of the agent's returned to its vendor by a manager: said once per tab (a neutral note), its reminder
 * forgotten, My leads reloads; true when said. */
export function showReturned(r: LeadReturned): boolean {
  const key = `returned#${r.prospect_id}#${r.at}`;
  if (told.has(key)) return false;
  told.add(key);
  const reminder = followUps.get()[r.prospect_id];
  followUps.update((all) => without(all, r.prospect_id));
  const note = reminderNotes.get(r.prospect_id);
  if (note !== undefined) dismiss(note); // "Work … or it will be reassigned" no longer holds
  reminderNotes.delete(r.prospect_id);
  notify(returnedNoticeText(r, reminder), "info");
  leadsChanged.update((v) => v + 1);
  return true;
}

/** The lead was given to the agent (again): what was said of an earlier assignment no longer holds. */
export function leadIsMineAgain(prospectId: string): void {
  takenBack.update((all) => without(all, prospectId));
  followUps.update((all) => without(all, prospectId));
}
