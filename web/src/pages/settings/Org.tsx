import { useEffect, useState } from "preact/hooks";
import { get, put } from "../../api";
import { CheckboxField, Fieldset, FormErrors, NumberField, PickerField, SelectField, Switch, TextAreaField, TextField } from "../../components/Fields";
import { LoadState } from "../../components/Page";
import { DAY_NAMES, parseList, personName, timeZones } from "../../format";
import { useLoad } from "../../hooks";
import { notify } from "../../notify";
import { type Agent, type DayHours, type Dedupe, type DedupeField, type Org, WEEKDAYS, type Weekday } from "../../types";
import { SettingsPage, useOptional, useSubmit } from "./common";

const FIELDS = ["name", "time_zone", "business_hours", "closed_dates", "caller_id", "default_agent_id", "fresh_window_minutes", "lock_expiry_minutes", "auto_claim_callbacks", "rotation_return", "do_not_call", "default_country", "dedupe", "workflow"];

const DEDUPE_FIELDS: { value: DedupeField; label: string }[] = [
  { value: "phone", label: "Phone" },
  { value: "email", label: "Email" },
  { value: "last_name", label: "Last name" },
  { value: "campaign_id", label: "Campaign" },
  { value: "vendor_id", label: "Lead vendor (or the agent who added it)" },
];
const MAX_DEDUPE_FIELDS = 4;
export const DEFAULT_DEDUPE: Dedupe = { fields: ["phone"], window_days: 30, action: "attach" };

/** "United States" for "US" (the browser's names); null when it is no region code. */
export function countryName(code: string): string | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  try {
    const name = new Intl.DisplayNames(undefined, { type: "region" }).of(code);
    return name && name !== code ? name : null;
  } catch {
    return null;
  }
}

/** Duplicates on arrival: off (null) or the key fields, the window and what happens to a repeat. */
function Duplicates({ value, onChange, error }: { value: Dedupe | null; onChange: (v: Dedupe | null) => void; error?: string }) {
  const on = value !== null;
  const d = value ?? DEFAULT_DEDUPE;
  const toggle = (field: DedupeField, checked: boolean) => onChange({ ...d, fields: checked ? [...d.fields, field] : d.fields.filter((x) => x !== field) });
  return (
    <Fieldset legend="Duplicates" class="span-2 duplicates">
      <Switch
        label="Detect duplicates"
        checked={on}
        onChange={(v) => onChange(v ? { ...DEFAULT_DEDUPE } : null)}
        hint="A lead whose key fields equal those of a lead that arrived within the window is not stored again, whatever the way in (vendor, agent, upload, call)."
      />
      {on && (
        <>
          <div role="group" aria-label="Key fields" class="dup-group">
            <p class="field-static-label">Key fields (all of them equal: a duplicate; at most {MAX_DEDUPE_FIELDS})</p>
            <div class="dup-fields">
              {DEDUPE_FIELDS.map((f) => (
                <CheckboxField
                  key={f.value}
                  label={f.label}
                  checked={d.fields.includes(f.value)}
                  disabled={!d.fields.includes(f.value) && d.fields.length >= MAX_DEDUPE_FIELDS}
                  onChange={(v) => toggle(f.value, v)}
                />
              ))}
            </div>
            {d.fields.length === 0 && <p class="field-error">Choose at least one key field.</p>}
          </div>
          <NumberField label="Window (days)" value={d.window_days} min={1} max={365} onInput={(v) => onChange({ ...d, window_days: v ?? 0 })} hint="1 to 365 days after the first lead arrived." />
          <fieldset class="radio-list plain">
            <legend class="field-static-label">A duplicate is</legend>
            <label>
              <input type="radio" name="dedupe-action" checked={d.action === "attach"} onChange={() => onChange({ ...d, action: "attach" })} />
              <span>
                <strong>Attached</strong> — added to the first lead's history; its agent is told the borrower came back.
              </span>
            </label>
            <label>
              <input type="radio" name="dedupe-action" checked={d.action === "reject"} onChange={() => onChange({ ...d, action: "reject" })} />
              <span>
                <strong>Rejected</strong> — refused (409 duplicate_lead); nothing is stored or changed.
              </span>
            </label>
          </fieldset>
        </>
      )}
      {error && <p class="field-error">{error}</p>}
    </Fieldset>
  );
}

const WORKWEEK: Partial<Record<Weekday, DayHours[]>> = Object.fromEntries(WEEKDAYS.map((d) => [d, d === "sat" || d === "sun" ? [] : [{ open: "09:00", close: "18:00" }]]));

function Hours({ value, onChange, error }: { value: Org["business_hours"]; onChange: (v: Org["business_hours"]) => void; error?: string }) {
  const always = value === null;
  const hours = value ?? {};
  const setDay = (d: Weekday, list: DayHours[]) => onChange({ ...hours, [d]: list });
  return (
    <Fieldset legend="Business hours (distribution runs only while open)" class="span-2">
      <CheckboxField label="Open around the clock" checked={always} onChange={(on) => onChange(on ? null : { ...WORKWEEK })} />
      {!always && (
        <div class="hours">
          {WEEKDAYS.map((d) => {
            const list = hours[d] ?? [];
            return (
              <div class="hours-day" key={d} role="group" aria-label={DAY_NAMES[d]}>
                <span class="hours-name">{DAY_NAMES[d]}</span>
                <div class="hours-intervals">
                  {list.length === 0 && <span class="muted">Closed</span>}
                  {list.map((iv, i) => (
                    <div class="hours-interval" key={i}>
                      <TextField label={`${DAY_NAMES[d]} opens`} type="time" value={iv.open} onInput={(v) => setDay(d, list.map((x, j) => (j === i ? { ...x, open: v } : x)))} />
                      <TextField label={`${DAY_NAMES[d]} closes`} type="time" value={iv.close === "24:00" ? "23:59" : iv.close} onInput={(v) => setDay(d, list.map((x, j) => (j === i ? { ...x, close: v } : x)))} />
                      <button type="button" class="btn btn-small btn-danger-outline" onClick={() => setDay(d, list.filter((_, j) => j !== i))}>
                        Remove<span class="sr-only"> {DAY_NAMES[d]} interval {i + 1}</span>
                      </button>
                    </div>
                  ))}
                  <button type="button" class="btn btn-small" onClick={() => setDay(d, [...list, { open: "09:00", close: "18:00" }])}>
                    Add hours<span class="sr-only"> on {DAY_NAMES[d]}</span>
                  </button>
                </div>
              </div>
            );
          })}
        </div>
      )}
      {error && <p class="field-error">{error}</p>}
    </Fieldset>
  );
}

function ClosedDates({ value, onChange, error }: { value: string[]; onChange: (v: string[]) => void; error?: string }) {
  const [day, setDay] = useState("");
  return (
    <Fieldset legend="Closed dates (holidays)" class="span-2">
      <div class="inline-add">
        <TextField label="Date" type="date" value={day} onInput={setDay} />
        <button
          type="button"
          class="btn btn-small"
          disabled={!day}
          onClick={() => {
            if (day && !value.includes(day)) onChange([...value, day].sort());
            setDay("");
          }}
        >
          Add date
        </button>
      </div>
      <ul class="chips" aria-label="Closed dates">
        {value.map((d) => (
          <li key={d}>
            <button type="button" class="chip" onClick={() => onChange(value.filter((x) => x !== d))} aria-label={`Remove closed date ${d}`}>
              {d} <span aria-hidden="true">×</span>
            </button>
          </li>
        ))}
      </ul>
      {error && <p class="field-error">{error}</p>}
    </Fieldset>
  );
}

export function orgBody(o: Org): Record<string, unknown> {
  const { org_id: _ignored, ...rest } = o;
  return { ...rest, caller_id: o.caller_id?.trim() || null, default_agent_id: o.default_agent_id || null };
}

function orgDraft(o: Org): Org {
  return { ...o, closed_dates: o.closed_dates ?? [], do_not_call: o.do_not_call ?? [] };
}

export function OrgPage({ canEdit }: { canEdit: boolean }) {
  const org = useLoad(() => get<Org>("/v1/org"), []);
  const agents = useOptional<Agent>("/v1/agents", "agents");
  const [draft, setDraft] = useState<Org | null>(null);
  const [dnc, setDnc] = useState("");
  const form = useSubmit(FIELDS);
  useEffect(() => {
    if (org.data && draft === null) {
      setDraft(orgDraft(org.data));
      setDnc((org.data.do_not_call ?? []).join("\n"));
    }
  }, [org.data]);
  const byField = form.byField;

  const save = async (e: Event) => {
    e.preventDefault();
    if (!draft || !canEdit) return;
    const sent = { draft, dnc };
    await form.run(async () => {
      const saved = await put<Org>("/v1/org", orgBody({ ...draft, do_not_call: parseList(dnc) }));
      notify("Organization settings saved.", "success");
      org.set(saved);
      // the form shows what was saved (phone numbers as stored), unless it was edited meanwhile
      setDraft((current) => (current === sent.draft ? orgDraft(saved) : current));
      setDnc((current) => (current === sent.dnc ? (saved.do_not_call ?? []).join("\n") : current));
    });
  };

  const f = <K extends keyof Org>(k: K) => (v: Org[K]) => draft && setDraft({ ...draft, [k]: v });
  return (
    <SettingsPage title="Organization" id="org-title" canEdit={canEdit}>
      <LoadState load={org} missing="organization" />
      {draft && (
        <form class="card form-card" onSubmit={save} noValidate>
          <FormErrors messages={form.other} />
          <fieldset class="plain" disabled={!canEdit}>
            <div class="form-grid">
              <TextField label="Name" value={draft.name} onInput={f("name")} required error={byField.name} />
              <SelectField label="Time zone" value={draft.time_zone} onChange={f("time_zone")} error={byField.time_zone} options={timeZones(draft.time_zone).map((z) => ({ value: z, label: z.replace(/_/g, " ") }))} />
              <Hours value={draft.business_hours} onChange={f("business_hours")} error={byField.business_hours} />
              <ClosedDates value={draft.closed_dates} onChange={f("closed_dates")} error={byField.closed_dates} />
              <TextField
                label="Default country"
                value={draft.default_country ?? "US"}
                onInput={(v) => f("default_country")(v.toUpperCase().slice(0, 2))}
                maxLength={2}
                error={byField.default_country ?? (draft.default_country && !countryName(draft.default_country) ? "Two letters of an ISO country code, e.g. US, GB, IN." : undefined)}
                hint={`${countryName(draft.default_country ?? "US") ?? "ISO two-letter code, e.g. US, GB, IN"}: national phone numbers (without +country code) are read in this country.`}
              />
              <TextField label="Caller ID for calls to agents" type="tel" value={draft.caller_id ?? ""} onInput={f("caller_id")} error={byField.caller_id} />
              <PickerField
                label="Default agent"
                idLabel="Default agent ID"
                value={draft.default_agent_id}
                onChange={f("default_agent_id")}
                error={byField.default_agent_id}
                options={agents?.filter((a) => a.active !== false).map((a) => ({ value: a.agent_id, label: `${personName(a)} (${a.email})` })) ?? null}
                none="None (Lead Exception)"
                hint="Gets every lead that finds no eligible, available agent, of any distribution type: Round Robin, Direct, Distribute All, Waves and Ring All. With none, those leads go to Lead Exception (Waves leads to the fresh bucket)."
                idHint="Gets every lead that finds no eligible, available agent, of any distribution type. Empty: those leads go to Lead Exception (Waves leads to the fresh bucket)."
              />
              <NumberField label="Fresh bucket window (minutes)" value={draft.fresh_window_minutes} min={1} onInput={(v) => f("fresh_window_minutes")(v ?? 0)} error={byField.fresh_window_minutes} hint="The claim limit counts claims in this window." />
              <Fieldset legend="Claiming" class="span-2 claiming">
                <CheckboxField
                  label="Automatically claim leads when a callback time is set"
                  checked={draft.auto_claim_callbacks ?? true}
                  onChange={(v) => f("auto_claim_callbacks")(v)}
                  error={byField.auto_claim_callbacks}
                  hint="A callback with a time claims the lead for the agent who set it: it returns to the top of their queue then. A callback without a time never claims: the lead goes to the end of the queue."
                />
                <NumberField
                  label="Lock time (minutes)"
                  value={draft.lock_expiry_minutes}
                  min={1}
                  onInput={(v) => f("lock_expiry_minutes")(v ?? 0)}
                  error={byField.lock_expiry_minutes}
                  hint="How long a lead opened in the work queue stays locked for its agent when they do nothing; then it goes back to the queues."
                />
              </Fieldset>
              <Fieldset legend="Round robin" class="span-2 rotation">
                <fieldset class="radio-list plain" aria-describedby={byField.rotation_return ? "rotation-error" : undefined}>
                  <legend class="field-static-label">An agent back from unavailability</legend>
                  <label>
                    <input type="radio" name="rotation-return" checked={(draft.rotation_return ?? "level") === "level"} onChange={() => f("rotation_return")("level")} />
                    <span>
                      <strong>starts level with the others</strong> — takes turns with the others from the moment they are back; the leads handed out while away are not made up.
                    </span>
                  </label>
                  <label>
                    <input type="radio" name="rotation-return" checked={draft.rotation_return === "catch_up"} onChange={() => f("rotation_return")("catch_up")} />
                    <span>
                      <strong>catches up on the round-robin leads they missed</strong> — is owed their share of the round-robin leads handed out while away (at most 25) and gets them before anyone else's turn.
                    </span>
                  </label>
                </fieldset>
                {byField.rotation_return && (
                  <p id="rotation-error" class="field-error">
                    {byField.rotation_return}
                  </p>
                )}
              </Fieldset>
              <Duplicates value={draft.dedupe === undefined ? DEFAULT_DEDUPE : draft.dedupe} onChange={(v) => f("dedupe")(v)} error={byField.dedupe} />
              <div class="span-2">
                <TextAreaField label="Do-not-call numbers" value={dnc} onInput={setDnc} rows={4} error={byField.do_not_call} hint="One phone number per line. TCPA campaigns never call these." />
              </div>
            </div>
          </fieldset>
          {canEdit && (
            <div class="form-actions">
              <button type="submit" class="btn btn-primary" disabled={form.busy}>
                {form.busy ? "Saving…" : "Save"}
              </button>
            </div>
          )}
        </form>
      )}
    </SettingsPage>
  );
}
