// An agent's own lead (issue 11: referrals, channel partners, walk-ins): POST /v1/me/leads with a vendor
// lead's fields. A new lead is the agent's at once (the lead page opens); a borrower already in the org is
// not stored twice: the org attaches the repeat to the first lead's history, or refuses it.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post } from "../api";
import { Dialog, DialogButtons } from "../components/Dialog";
import { fieldErrors, FormErrors, NumberField, SelectField, TextField } from "../components/Fields";
import { LEAD_SOURCES, leadHref, US_STATES } from "../format";
import { notify } from "../notify";
import { linkHandler, navigate } from "../router";
import type { Campaign, CreatedLead } from "../types";
import { listOf } from "./settings/common";

const FIELDS = ["phone", "first_name", "last_name", "email", "state", "loan_purpose", "loan_amount", "campaign_id", "source"];
const LOAN_PURPOSES = ["Purchase", "Refinance", "Cash-out Refinance", "HELOC"];

interface Draft {
  phone: string;
  first_name: string;
  last_name: string;
  email: string;
  state: string;
  loan_purpose: string;
  loan_amount: number | null;
  campaign_id: string;
  source: string;
}

const EMPTY: Draft = { phone: "", first_name: "", last_name: "", email: "", state: "", loan_purpose: "", loan_amount: null, campaign_id: "", source: "referral" };

/** The body: the fields given (empty ones left out). */
export function leadBody(d: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = { phone: d.phone.trim(), source: d.source };
  for (const k of ["first_name", "last_name", "email", "state", "loan_purpose", "campaign_id"] as const) {
    const v = d[k].trim();
    if (v) body[k] = v;
  }
  if (d.loan_amount !== null && Number.isFinite(d.loan_amount)) body.loan_amount = d.loan_amount;
  return body;
}

/** A refused phone says how to fix it: with its country code. */
function phoneHint(message: string): string {
  return /country code/i.test(message) ? message : `${message}. Add the country code, e.g. +44 20 7946 0958.`;
}

type Outcome = { kind: "attached"; answer: CreatedLead } | { kind: "rejected"; duplicateOf: string | null };

export function AddLeadDialog({ open, onClose, onAttached }: { open: boolean; onClose: () => void; onAttached?: () => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  useEffect(() => {
    if (!open) return;
    setDraft(EMPTY);
    setError(undefined);
    setOutcome(null);
    // the campaigns are a manager's list: an agent who cannot read it picks none (the lead is "Created by agents")
    get<unknown>("/v1/campaigns").then(
      (body) => setCampaigns(listOf<Campaign>(body, "campaigns").filter((c) => c.active !== false)),
      () => setCampaigns(null),
    );
  }, [open]);
  const { byField, other } = fieldErrors(error?.code === "duplicate_lead" ? undefined : error, FIELDS);
  if (byField.phone) byField.phone = phoneHint(byField.phone);
  const f = <K extends keyof Draft>(k: K) => (v: Draft[K]) => {
    setDraft({ ...draft, [k]: v });
    setOutcome(null);
  };

  const submit = async () => {
    if (!draft.phone.trim()) {
      setError(new ApiError(400, "validation_failed", "The phone number is required.", [{ field: "phone", message: "Enter the borrower's phone number" }]));
      return;
    }
    setBusy(true);
    setError(undefined);
    setOutcome(null);
    try {
      const answer = await post<CreatedLead>("/v1/me/leads", leadBody(draft));
      if (answer.attached || answer.duplicate_of) {
        setOutcome({ kind: "attached", answer });
        onAttached?.();
        return;
      }
      notify("Lead added. It is yours: here is its page.", "success");
      onClose();
      navigate(leadHref(answer.prospect_id));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status === 401) return;
      if (err.status === 409 && err.code === "duplicate_lead") {
        const d = err.details.find((x) => x.field === "duplicate_of");
        setOutcome({ kind: "rejected", duplicateOf: d?.message ?? null });
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      title="Add lead"
      wide
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={
        outcome ? (
          <button type="button" class="btn btn-primary" onClick={onClose}>
            Close
          </button>
        ) : (
          <DialogButtons onCancel={onClose} label="Add lead" busyLabel="Adding…" busy={busy} />
        )
      }
    >
      <p class="muted">A borrower who came to you (a referral, a channel partner, a walk-in). Only the phone is required; the lead is yours at once.</p>
      {outcome?.kind === "attached" && (
        <div class="banner banner-info" role="status" data-testid="duplicate-message">
          <span>
            {outcome.answer.yours ? (
              <>
                This borrower is already a lead (yours): your details were added to its history.{" "}
                <a
                  href={leadHref(outcome.answer.prospect_id)}
                  onClick={(e) => {
                    linkHandler(e);
                    if (e.defaultPrevented) onClose();
                  }}
                >
                  Open the lead
                </a>
              </>
            ) : (
              <>This borrower is already a lead (another agent's lead; ask your manager): your details were added to its history.</>
            )}
          </span>
        </div>
      )}
      {outcome?.kind === "rejected" && (
        <div class="banner banner-warn" role="alert" data-testid="duplicate-message">
          <span>This borrower is already a lead; your organization does not accept duplicates, so nothing was added.</span>
        </div>
      )}
      <FormErrors messages={other} />
      <div class="form-grid">
        <TextField label="Phone" type="tel" value={draft.phone} onInput={f("phone")} required autoComplete="off" error={byField.phone} hint="A national number is read in your organization's country; otherwise start with + and the country code." />
        <TextField label="First name" value={draft.first_name} onInput={f("first_name")} autoComplete="off" error={byField.first_name} maxLength={100} />
        <TextField label="Last name" value={draft.last_name} onInput={f("last_name")} autoComplete="off" error={byField.last_name} maxLength={100} />
        <TextField label="Email" type="email" value={draft.email} onInput={f("email")} autoComplete="off" error={byField.email} />
        <SelectField label="State" value={draft.state} onChange={f("state")} error={byField.state} options={[{ value: "", label: "—" }, ...US_STATES.map((s) => ({ value: s, label: s }))]} />
        <TextField label="Loan purpose" value={draft.loan_purpose} onInput={f("loan_purpose")} list="add-lead-purposes" error={byField.loan_purpose} maxLength={64} />
        <NumberField label="Loan amount ($)" value={draft.loan_amount} onInput={f("loan_amount")} min={0} step="any" error={byField.loan_amount} />
        <SelectField label="Where the lead came from" value={draft.source} onChange={f("source")} error={byField.source} options={LEAD_SOURCES} />
        {campaigns && campaigns.length > 0 && (
          <SelectField
            label="Campaign (optional)"
            value={draft.campaign_id}
            onChange={f("campaign_id")}
            error={byField.campaign_id}
            hint="Its initial status is where the lead starts."
            options={[{ value: "", label: "None (created by agents)" }, ...campaigns.map((c) => ({ value: c.campaign_id, label: c.name }))]}
          />
        )}
      </div>
      <datalist id="add-lead-purposes">
        {LOAN_PURPOSES.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
    </Dialog>
  );
}
