// Lead notices: a lead transferred or assigned to the agent (GET /v1/me/notifications, or a
// lead_assigned push), a borrower of theirs who came back, a lead they claimed on another device.
// Each is shown once per tab (a push and a poll of the same notice show one note), until closed.
import { fullName, sourceText } from "./format";
import type { LeadNotice } from "./live";
import { notify } from "./notify";
import { createStore } from "./store";

/** A lead notice in words. */
export function noticeText(n: LeadNotice): string {
  const name = fullName(n);
  if (n.kind === "duplicate") return `${name === "(no name)" ? "A borrower of yours" : name} came back (${sourceText(n.source)})${n.campaign_name ? ` — ${n.campaign_name}` : ""}`;
  if (n.kind === "claimed") return `You claimed a lead: ${name}${n.campaign_name ? ` (${n.campaign_name})` : ""}`;
  const verb = n.kind === "assigned" ? "assigned" : "transferred";
  const who = n.by_name || (n.kind === "assigned" ? "A manager" : "A colleague"); // a push may not name them
  return `${who} ${verb} a lead to you: ${name}${n.campaign_name ? ` (${n.campaign_name})` : ""}${n.reason ? ` — ${n.reason}` : ""}`;
}

/** prospect_id#at of the lead notices already shown in this tab. */
const shown = new Set<string>();
/** Leads this tab is claiming or has claimed: their "claimed" push says nothing new here. */
const claimedHere = new Set<string>();

/** Called before this tab claims a lead (an offer, the fresh bucket, a lead page, the work queue). */
export function noteClaimedHere(prospectId: string): void {
  claimedHere.add(prospectId);
}

/** Shows the notice unless already shown; true when it is new (its system alert may follow). */
export function showNotice(n: LeadNotice): boolean {
  const key = `${n.prospect_id}#${n.at}`;
  if (shown.has(key)) return false;
  shown.add(key);
  if (n.kind === "claimed" && claimedHere.has(n.prospect_id)) return false;
  notify(noticeText(n), "info", null, { href: `/app/leads/${encodeURIComponent(n.prospect_id)}`, label: "Open lead" });
  return true;
}

/** Bumped when the agent's leads changed (a lead assigned to them): My leads reloads. */
export const leadsChanged = createStore(0);
