// Lead notices: a lead someone gave the agent, transferred or assigned by a manager (GET
// /v1/me/notifications, or a lead_assigned push), and a borrower of theirs who came back. Each is
// shown once per tab (a push and a poll of the same notice show one note), until closed. A lead
// the agent took themselves (claimed, the fresh bucket, the work queue) or that distribution gave
// them is pushed too (their lists reload) but says nothing, as the notifications never did.
import { fullName, sourceText } from "./format";
import type { LeadNotice } from "./live";
import { notify } from "./notify";
import { createStore } from "./store";

/** A lead notice in words. */
export function noticeText(n: LeadNotice): string {
  const name = fullName(n);
  if (n.kind === "duplicate") return `${name === "(no name)" ? "A borrower of yours" : name} came back (${sourceText(n.source)})${n.campaign_name ? ` — ${n.campaign_name}` : ""}`;
  const verb = n.kind === "assigned" ? "assigned" : "transferred";
  const who = n.by_name || (n.kind === "assigned" ? "A manager" : "A colleague"); // a push may not name them
  return `${who} ${verb} a lead to you: ${name}${n.campaign_name ? ` (${n.campaign_name})` : ""}${n.reason ? ` — ${n.reason}` : ""}`;
}

/** prospect_id#at of the lead notices already shown in this tab. */
const shown = new Set<string>();

/** Whether the notice says something the agent did not do: a transfer, a manager's assignment
 * (a push's lead names who gave it in ``by``), a returning borrower. */
export function worthTelling(n: LeadNotice): boolean {
  return n.kind === "transfer" || n.kind === "duplicate" || (n.kind === "assigned" && !!n.by);
}

/** Shows the notice unless already shown or not worth telling; true when shown (its system alert may follow). */
export function showNotice(n: LeadNotice): boolean {
  const key = `${n.prospect_id}#${n.at}`;
  if (shown.has(key) || !worthTelling(n)) return false;
  shown.add(key);
  notify(noticeText(n), "info", null, { href: `/app/leads/${encodeURIComponent(n.prospect_id)}`, label: "Open lead" });
  return true;
}

/** Bumped when the agent's leads changed (a lead assigned to them): My leads reloads. */
export const leadsChanged = createStore(0);
