// "Return to vendor" (issue 14): a manager or admin sends an assigned lead or a lead exception back to the
// vendor that posted it, for a credit, with a reason and an optional note (POST /v1/leads/{id}/return). The
// lead page and the Lead Exception page share this dialog. A refusal (409: not a vendor's lead, the vendor's
// return window closed, already returned, no longer assigned or an exception) is said under the fields, in the
// server's words; a return is a green note naming the vendor when the manager may read it.
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post } from "../api";
import { RETURN_REASONS, returnReason } from "../format";
import { actionErrorText } from "../leadActions";
import { notify } from "../notify";
import type { ReturnAnswer, Vendor } from "../types";
import { Dialog, DialogButtons } from "./Dialog";
import { SelectField, TextAreaField } from "./Fields";

export const MAX_RETURN_NOTE = 500;

/** The lead to return: its id and its name for people. */
export interface ReturnTarget {
  prospect_id: string;
  name: string;
}

/** The vendor's name (GET /v1/vendors/{id}); null when it cannot be read. */
async function vendorName(vendorId: string | null): Promise<string | null> {
  if (!vendorId) return null;
  try {
    return (await get<Vendor>(`/v1/vendors/${encodeURIComponent(vendorId)}`)).name || null;
  } catch {
    return null;
  }
}

/** The server's sentence, as a sentence. */
function sentence(message: string): string {
  const t = message.trim();
  if (!t) return t;
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}`;
}

/** What a refused return means, in words (null for a 401: the session ends elsewhere). */
export function returnErrorText(err: unknown): string | null {
  if (err instanceof ApiError && err.status === 409) return sentence(err.message);
  if (err instanceof ApiError && err.code === "validation_failed" && err.details.some((d) => d.field === "note")) {
    return `The note is too long: at most ${MAX_RETURN_NOTE} characters.`;
  }
  return actionErrorText(err);
}

/** "Returned to LeadNet: Bad number" (its vendor when the name cannot be read). */
export function returnedText(vendor: string | null, reason: string): string {
  return `Returned to ${vendor ?? "its vendor"}: ${returnReason(reason)}`;
}

export function ReturnDialog({ target, onClose, onReturned, onStale }: {
  target: ReturnTarget | null;
  onClose: () => void;
  /** Returned: the caller shows the lead as it is now. */
  onReturned: (answer: ReturnAnswer) => void;
  /** Refused because the lead changed (409): the caller may read it again. */
  onStale?: () => void;
}) {
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [pickError, setPickError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!target) return;
    setReason("");
    setNote("");
    setPickError(null);
    setError(null);
  }, [target?.prospect_id]);

  const submit = async () => {
    if (!target) return;
    if (!reason) {
      setPickError("Choose why the lead goes back.");
      return;
    }
    const why = note.trim();
    setBusy(true);
    setPickError(null);
    setError(null);
    try {
      const answer = await post<ReturnAnswer>(`/v1/leads/${encodeURIComponent(target.prospect_id)}/return`, why ? { reason, note: why } : { reason });
      notify(returnedText(await vendorName(answer.vendor_id), answer.reason ?? reason), "success");
      onReturned(answer);
    } catch (err) {
      setError(returnErrorText(err));
      if (err instanceof ApiError && err.status === 409) onStale?.();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={target !== null} title="Return to vendor" onClose={onClose} onSubmit={() => void submit()} actions={<DialogButtons onCancel={onClose} label="Return lead" busyLabel="Returning…" busy={busy} />}>
      {target && (
        <p>
          Send <strong>{target.name}</strong> back to the vendor that posted it, for a credit. It leaves its agent, every call list and Lead Exception.
        </p>
      )}
      <SelectField
        label="Reason"
        value={reason}
        onChange={(v) => {
          setReason(v);
          setPickError(null);
          setError(null);
        }}
        required
        error={pickError ?? undefined}
        options={[{ value: "", label: "Choose a reason…" }, ...RETURN_REASONS]}
      />
      <TextAreaField
        label="Note (optional)"
        value={note}
        onInput={(v) => {
          setNote(v);
          setError(null);
        }}
        rows={3}
        maxLength={MAX_RETURN_NOTE}
        hint={`${note.length} of ${MAX_RETURN_NOTE} characters. It is kept in the lead's history and the vendor reads it.`}
      />
      {error && (
        <div class="banner banner-error return-error" role="alert" data-testid="return-error">
          <span>{error}</span>
        </div>
      )}
    </Dialog>
  );
}
