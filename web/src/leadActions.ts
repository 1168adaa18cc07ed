// The lead actions of the work queue and the lead page (POST /v1/leads/{id}/{action}) and what their
// refusals mean to the person who clicked.
import { ApiError, post } from "./api";
import type { ActionAnswer } from "./types";

export type LeadAction = "outcome" | "note" | "callback" | "claim" | "release" | "remove" | "unclaim" | "reassign" | "transfer" | "call";

export function leadAction(prospectId: string, action: LeadAction, body: Record<string, unknown> = {}): Promise<ActionAnswer> {
  return post<ActionAnswer>(`/v1/leads/${encodeURIComponent(prospectId)}/${action}`, body);
}

export const LOCK_EXPIRED = "Your lock on this lead expired (or was released), so it went back to the queue and nothing was saved. Take the next lead, or open it again.";
export const CLAIMED_BY_OTHER = "Another agent has claimed this lead, so you cannot work it any more.";
export const VIEW_ONLY = "View only: you cannot change leads while “View leads only” is on. Turn it off in Preferences to work leads.";

/** What a refused action means, in words (null for a 401: the session ends elsewhere). */
export function actionErrorText(err: unknown): string | null {
  if (!(err instanceof ApiError)) return String(err);
  if (err.status === 401) return null;
  switch (err.code) {
    case "lock_not_held":
      return LOCK_EXPIRED;
    case "claimed_by_other":
      return CLAIMED_BY_OTHER;
    case "view_only":
      return VIEW_ONLY;
    case "forbidden_role":
      return "Your role cannot change leads (supervisors only look).";
    case "prospect_not_found":
      return "This lead is no longer there, or not yours to see.";
    case "validation_failed":
      return `Please check what you entered: ${err.details.map((d) => d.message ?? d.field).filter(Boolean).join("; ") || err.message}`;
    default:
      return err.message;
  }
}
