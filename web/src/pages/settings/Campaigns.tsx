import { useId, useRef } from "preact/hooks";
import { CheckboxField, Fieldset, NumberField, PickerField, SelectField, Switch, TextField } from "../../components/Fields";
import { ACTIONS, Cell, DataTable } from "../../components/Page";
import { distribution, DISTRIBUTION_LABELS, minutesText, phoneText, text } from "../../format";
import { notify } from "../../notify";
import { ApiError, get } from "../../api";
import { useLoad } from "../../hooks";
import { type Campaign, type DistributionType, type ErrorDetail, type FollowUp, type Group, NO_CAPS, type Org, type WorkflowStatus } from "../../types";
import { CAP_FIELDS, CapsFields, capsBody, EditorDialog, limitsRefusal, IdField, ListState, RowActions, SettingsPage, useEditor, useList, useOptional, upsert, useRemove, YesNo } from "./common";

/** A refusal of the follow-up deadline is said next to its field ("follow_up.<name>"), the whole setting's under it. */
const FOLLOW_UP_FIELDS = ["follow_up.deadline_minutes", "follow_up.remind_minutes_before", "follow_up.then", "follow_up.max_takebacks", "follow_up"];

const FIELDS = [
  "campaign_id",
  "name",
  "description",
  "distribution_type",
  "group_id",
  "lead_provider",
  "initial_status",
  "initial_activity",
  "channel",
  "wave_size",
  "max_waves",
  "offer_timeout_seconds",
  "ring_batch",
  "ring_next_waves",
  "after_hours",
  "tcpa",
  "auto_dial",
  "active",
  "blind_offers",
  ...CAP_FIELDS,
  ...FOLLOW_UP_FIELDS,
];

/** The follow-up deadline as typed: an emptied number is null until saved (the server says what is missing). */
type FollowUpDraft = { [K in keyof FollowUp]: K extends "then" ? FollowUp[K] : number | null };

/** A campaign in the editor: its follow-up deadline as typed. */
export type CampaignDraft = Omit<Campaign, "follow_up"> & { follow_up: FollowUpDraft | null };

/** What a new deadline starts from (the server's defaults, and half an hour). */
const DEFAULT_FOLLOW_UP: FollowUpDraft = { deadline_minutes: 30, remind_minutes_before: 5, then: "redistribute", max_takebacks: 2 };

/** At most this many virtual numbers per campaign (the server's limit). */
const MAX_NUMBERS = 20;
/** A refusal about one number is said next to its row: "inbound_numbers.<row>" before "inbound_numbers" (the list's own). */
const NUMBER_ROWS = Array.from({ length: MAX_NUMBERS }, (_, i) => `inbound_numbers.${i}`);
const FORM_FIELDS = [...FIELDS, ...NUMBER_ROWS, "inbound_numbers"];

export const NEW_CAMPAIGN: CampaignDraft = {
  campaign_id: "",
  name: "",
  description: "",
  distribution_type: "round_robin",
  group_id: null,
  lead_provider: "",
  initial_status: "New",
  initial_activity: "New Lead",
  channel: "digital",
  wave_size: 5,
  max_waves: 3,
  offer_timeout_seconds: 60,
  ring_batch: 10,
  ring_next_waves: false,
  after_hours: "hold",
  tcpa: false,
  auto_dial: false,
  active: true,
  inbound_numbers: [],
  blind_offers: false,
  caps: NO_CAPS,
  follow_up: null,
};

const OFFERED: DistributionType[] = ["distribute_all", "waves", "ring_all"];

/** The follow-up deadline as sent: null when off; an emptied reminder is 0 (none), an emptied number otherwise
 * null (refused by the server next to its field). */
export function followUpBody(f: FollowUpDraft | null | undefined): Record<string, unknown> | null {
  if (!f) return null;
  const v = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? null : n);
  return { deadline_minutes: v(f.deadline_minutes), remind_minutes_before: v(f.remind_minutes_before) ?? 0, then: f.then, max_takebacks: v(f.max_takebacks) };
}

/** The body sent: the id only when creating (and only if typed); auto_dial only means something for Distribute All. */
export function campaignBody(c: CampaignDraft, creating: boolean): Record<string, unknown> {
  const { campaign_id, ...rest } = c;
  const body: Record<string, unknown> = { ...rest, auto_dial: c.distribution_type === "distribute_all" ? c.auto_dial : false, inbound_numbers: typedNumbers(c).map((n) => n.number), caps: capsBody(c.caps), follow_up: followUpBody(c.follow_up) };
  if (creating && campaign_id.trim()) body.campaign_id = campaign_id.trim();
  return body;
}

/** The numbers typed (empty rows are left out), each with its row in the editor. */
function typedNumbers(c: CampaignDraft): { number: string; row: number }[] {
  return (c.inbound_numbers ?? []).map((n, row) => ({ number: n.trim(), row })).filter((n) => n.number);
}

/** The row where ``e164`` was typed, however it was typed ("312 555 0199", "+1 (312) 555-0199"). */
function rowOf(sent: { number: string; row: number }[], e164: string): number | undefined {
  const digits = e164.replace(/\D/g, "");
  return sent.find((n) => {
    const typed = n.number.replace(/\D/g, "");
    return typed.length >= 7 && digits.endsWith(typed);
  })?.row;
}

/** A refusal of the numbers in words, each next to its row (or under the list): "inbound_numbers.<i>" of the
 * numbers sent becomes the editor's row; a number of another campaign (409 number_in_use) names that campaign. */
export function numbersRefusal(err: unknown, c: CampaignDraft, campaigns: Campaign[]): unknown {
  if (!(err instanceof ApiError)) return err;
  const sent = typedNumbers(c);
  if (err.code === "number_in_use") {
    const number = /\+\d{6,15}/.exec(err.message)?.[0] ?? "";
    const other = campaigns.find((x) => x.campaign_id !== c.campaign_id && (x.inbound_numbers ?? []).includes(number));
    const message = `${number ? phoneText(number) : "This number"} already belongs to another campaign${other ? ` (“${other.name}”)` : ""}: a number rings one campaign only, so remove it there first.`;
    const row = rowOf(sent, number);
    return new ApiError(err.status, err.code, err.message, [{ field: row === undefined ? "inbound_numbers" : `inbound_numbers.${row}`, code: err.code, message }]);
  }
  if (!err.details.some((d) => d.field?.startsWith("inbound_numbers"))) return err;
  const details: ErrorDetail[] = err.details.map((d) => {
    const m = /^inbound_numbers\.(\d+)$/.exec(d.field ?? "");
    if (m) {
      const typed = sent[Number(m[1])];
      const field = typed ? `inbound_numbers.${typed.row}` : "inbound_numbers";
      return { ...d, field, message: typed ? `“${typed.number}” is not a valid phone number: type it with + and its country code, or as a national number of your organization's country.` : (d.message ?? "not a valid phone number") };
    }
    if (d.field === "inbound_numbers" && d.code === "number_not_owned") {
      const number = d.message ?? "";
      const row = rowOf(sent, number);
      const message = `${phoneText(number) || "This number"} is not a number of your organization's Twilio account: buy it (or port it) there first.`;
      return { ...d, field: row === undefined ? "inbound_numbers" : `inbound_numbers.${row}`, message };
    }
    return d;
  });
  return new ApiError(err.status, err.code, err.message, details);
}

const FOLLOW_UP_WORDS: Record<string, string> = {
  "follow_up.deadline_minutes": "A whole number of minutes from 1 to 10,080 (a week).",
  "follow_up.remind_minutes_before": "A whole number of minutes from 0 (no reminder) to 10,079.",
  "follow_up.then": "Choose what happens to a lead not worked in time.",
  "follow_up.max_takebacks": "A whole number from 1 to 10.",
};

/** A refusal of the follow-up deadline in words (the server's are a validator's: "must be from 1 to 10080"). */
export function followUpRefusal(err: unknown): unknown {
  if (!(err instanceof ApiError) || !err.details.some((d) => (d.field ?? "").startsWith("follow_up."))) return err;
  const details = err.details.map((d) => (FOLLOW_UP_WORDS[d.field ?? ""] ? { ...d, message: FOLLOW_UP_WORDS[d.field ?? ""] } : d));
  return new ApiError(err.status, err.code, err.message, details);
}

/** The follow-up deadline (issue 13): off (null), or the minutes, the reminder, what a miss does and how often. The
 * numbers typed are kept while it is off, until the editor closes. */
function FollowUpFields({ value, onChange, type, errors }: { value: FollowUpDraft | null; onChange: (v: FollowUpDraft | null) => void; type: DistributionType; errors: Record<string, string> }) {
  const kept = useRef<FollowUpDraft>(value ?? DEFAULT_FOLLOW_UP);
  const name = useId();
  const set = (v: FollowUpDraft) => {
    kept.current = v;
    onChange(v);
  };
  const f = value;
  const remindTooLate = !!f && f.deadline_minutes !== null && !!f.remind_minutes_before && f.remind_minutes_before >= f.deadline_minutes;
  const thenError = errors["follow_up.then"];
  return (
    <Fieldset legend="Follow-up deadline" class="span-2 follow-up">
      <CheckboxField
        label="Leads must be worked within a deadline"
        checked={f !== null}
        onChange={(on) => onChange(on ? kept.current : null)}
        error={errors.follow_up}
        hint="A lead distribution gives an agent (round robin, a claim, a press of 1, the fresh bucket, the default agent) must be worked in time: a call, a status change, a note, a call outcome or a callback. Leads a manager or a colleague gives have no deadline."
      />
      {type === "none" && <p class="field-hint follow-up-note">This campaign stores its leads without giving them to anyone, so no deadline ever starts.</p>}
      {f && (
        <>
          <div class="follow-up-grid">
            <NumberField
              label="Deadline (minutes)"
              value={f.deadline_minutes}
              min={1}
              max={10080}
              step={1}
              onInput={(v) => set({ ...f, deadline_minutes: v })}
              error={errors["follow_up.deadline_minutes"]}
              hint={f.deadline_minutes ? `From the assignment: ${minutesText(f.deadline_minutes)}.` : "From the assignment, 1 to 10,080 (a week)."}
            />
            <NumberField
              label="Remind this many minutes before"
              value={f.remind_minutes_before}
              min={0}
              max={10079}
              step={1}
              onInput={(v) => set({ ...f, remind_minutes_before: v })}
              error={errors["follow_up.remind_minutes_before"]}
              hint={remindTooLate ? "Not less than the deadline: the reminder comes as soon as the lead is given." : "In the agent's app. 0: no reminder."}
            />
          </div>
          <fieldset class="radio-list plain follow-up-then" aria-describedby={thenError ? `${name}-then-error` : undefined}>
            <legend class="field-static-label">When the deadline is missed</legend>
            <label>
              <input type="radio" name={`${name}-then`} checked={f.then === "redistribute"} onChange={() => set({ ...f, then: "redistribute" })} />
              <span>
                <strong>Take the lead back and distribute it again</strong> without the agent who missed it
              </span>
            </label>
            <label>
              <input type="radio" name={`${name}-then`} checked={f.then === "manager"} onChange={() => set({ ...f, then: "manager" })} />
              <span>
                <strong>Send it to a manager</strong> on Lead Exception
              </span>
            </label>
          </fieldset>
          {thenError && (
            <p id={`${name}-then-error`} class="field-error">
              {thenError}
            </p>
          )}
          {type === "direct" && f.then === "redistribute" && <p class="field-hint follow-up-note">Direct leads name their agent, so a missed one always goes to a manager.</p>}
          {f.then === "redistribute" && (
            <div class="follow-up-grid">
              <NumberField
                label="Take-backs at most, then a manager"
                value={f.max_takebacks}
                min={1}
                max={10}
                step={1}
                onInput={(v) => set({ ...f, max_takebacks: v })}
                error={errors["follow_up.max_takebacks"]}
                hint="After this many take-backs of one lead, its next miss goes to Lead Exception."
              />
            </div>
          )}
        </>
      )}
    </Fieldset>
  );
}

/** One number: its label, the number and Remove on one line (on a phone too), what is wrong with it under both. */
function NumberRow({ index, value, error, onInput, onRemove }: { index: number; value: string; error?: string; onInput: (v: string) => void; onRemove: () => void }) {
  const id = useId();
  const shown = value.trim() ? phoneText(value.trim()) : String(index + 1);
  return (
    <li class={`field${error ? " field-invalid" : ""}`} data-number-index={index}>
      <label for={id}>Inbound number {index + 1}</label>
      <div style={{ display: "flex", gap: "0.5rem", alignItems: "center" }}>
        <input id={id} type="tel" autoComplete="off" maxLength={32} placeholder="+1 312 555 0100" value={value} style={{ flex: "1 1 auto", minWidth: 0 }} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-error` : undefined} />
        <button type="button" class="btn btn-small btn-danger-outline" onClick={onRemove}>
          Remove<span class="sr-only"> inbound number {shown}</span>
        </button>
      </div>
      {error && (
        <span id={`${id}-error`} class="field-error">
          {error}
        </span>
      )}
    </li>
  );
}

/** The campaign's virtual numbers: a row each (Remove), Add number, and what a call to them does. */
function InboundNumbers({ value, onChange, errors }: { value: string[]; onChange: (v: string[]) => void; errors: Record<string, string> }) {
  const listError = errors.inbound_numbers;
  return (
    <Fieldset legend="Inbound numbers" class="span-2">
      <p class="field-hint" style={{ margin: "0 0 0.5rem" }}>
        Borrowers call these numbers: each call rings up to 5 agents of the distribution group, the first to press 1 gets the caller; if nobody does, the caller may leave a voicemail and the lead goes to the fresh bucket.
      </p>
      {value.length > 0 && (
        <ul aria-label="Inbound numbers" style={{ listStyle: "none", padding: 0, margin: "0 0 0.5rem" }}>
          {value.map((n, i) => (
            <NumberRow key={i} index={i} value={n} error={errors[`inbound_numbers.${i}`]} onInput={(v) => onChange(value.map((x, j) => (j === i ? v : x)))} onRemove={() => onChange(value.filter((_, j) => j !== i))} />
          ))}
        </ul>
      )}
      {listError && (
        <p class="field-error" role="alert" style={{ marginBottom: "0.5rem" }}>
          {listError}
        </p>
      )}
      <button type="button" class="btn btn-small" disabled={value.length >= MAX_NUMBERS} onClick={() => onChange([...value, ""])}>
        Add number
      </button>
      {value.length >= MAX_NUMBERS && <span class="field-hint"> At most {MAX_NUMBERS} numbers.</span>}
    </Fieldset>
  );
}

/** The initial status and activity: selects from the org's workflow (the activities follow the status); text when it cannot be read. */
function InitialStep({ value, set, workflow, errors }: { value: CampaignDraft; set: (c: CampaignDraft) => void; workflow: WorkflowStatus[] | null; errors: Record<string, string> }) {
  if (!workflow || !workflow.length) {
    return (
      <>
        <TextField label="Initial status" value={value.initial_status} onInput={(v) => set({ ...value, initial_status: v })} error={errors.initial_status} />
        <TextField label="Initial activity" value={value.initial_activity} onInput={(v) => set({ ...value, initial_activity: v })} error={errors.initial_activity} />
      </>
    );
  }
  const names = workflow.map((w) => w.name);
  const known = names.includes(value.initial_status);
  const activities = workflow.find((w) => w.name === value.initial_status)?.activities ?? [];
  const activityKnown = activities.includes(value.initial_activity);
  return (
    <>
      <SelectField
        label="Initial status"
        value={value.initial_status}
        onChange={(s) => set({ ...value, initial_status: s, initial_activity: workflow.find((w) => w.name === s)?.activities[0] ?? "" })}
        error={errors.initial_status ?? (known ? undefined : "Not a status of the workflow any more: choose one.")}
        hint="Where the campaign's leads start (the org's workflow)."
        options={[...(known ? [] : [{ value: value.initial_status, label: `${value.initial_status || "—"} (not in the workflow)` }]), ...names.map((n) => ({ value: n, label: n }))]}
      />
      <SelectField
        label="Initial activity"
        value={value.initial_activity}
        onChange={(a) => set({ ...value, initial_activity: a })}
        error={errors.initial_activity ?? (known && !activityKnown ? "Not an activity of this status: choose one." : undefined)}
        options={[...(activityKnown ? [] : [{ value: value.initial_activity, label: `${value.initial_activity || "—"} (not under this status)` }]), ...activities.map((a) => ({ value: a, label: a }))]}
      />
    </>
  );
}

function CampaignForm({ value, set, groups, workflow, creating, errors }: { value: CampaignDraft; set: (c: CampaignDraft) => void; groups: Group[] | null; workflow: WorkflowStatus[] | null; creating: boolean; errors: Record<string, string> }) {
  const f = <K extends keyof CampaignDraft>(k: K) => (v: CampaignDraft[K]) => set({ ...value, [k]: v });
  const t = value.distribution_type;
  return (
    <div class="form-grid">
      <IdField label="Campaign ID" creating={creating} value={value.campaign_id} onInput={f("campaign_id")} error={errors.campaign_id} hint="What vendors post as campaign_id. Leave empty to have one generated." />
      <TextField label="Name" value={value.name} onInput={f("name")} required error={errors.name} />
      <TextField label="Description" value={value.description} onInput={f("description")} error={errors.description} />
      <TextField label="Lead provider" value={value.lead_provider} onInput={f("lead_provider")} error={errors.lead_provider} hint="The marketing channel, e.g. Zillow." />
      <SelectField
        label="Distribution type"
        value={t}
        onChange={(v) => set({ ...value, distribution_type: v as DistributionType })}
        error={errors.distribution_type}
        options={Object.entries(DISTRIBUTION_LABELS).map(([v, label]) => ({ value: v, label }))}
      />
      <PickerField
        label="Distribution group"
        idLabel="Distribution group ID"
        value={value.group_id}
        onChange={(v) => f("group_id")(v?.trim() || null)}
        error={errors.group_id}
        options={groups?.map((g) => ({ value: g.group_id, label: g.name })) ?? null}
        none="No group (everyone)"
        hint="No group: every agent of the organization."
        idHint="Empty: every agent of the organization."
      />
      <InitialStep value={value} set={set} workflow={workflow} errors={errors} />
      <SelectField
        label="Channel"
        value={value.channel}
        onChange={(v) => f("channel")(v as Campaign["channel"])}
        error={errors.channel}
        options={[
          { value: "digital", label: "Digital" },
          { value: "phone", label: "Phone" },
        ]}
      />
      <SelectField
        label="After business hours"
        value={value.after_hours}
        onChange={(v) => f("after_hours")(v as Campaign["after_hours"])}
        error={errors.after_hours}
        hint="Ring All leads after hours always go to Lead Exception."
        options={[
          { value: "hold", label: "Hold until opening" },
          { value: "fresh", label: "Fresh bucket" },
          { value: "exception", label: "Lead Exception" },
        ]}
      />
      {OFFERED.includes(t) && (
        <Fieldset legend="Offers" class="span-2">
          <div class="form-grid">
            <NumberField label="Offer timeout (seconds)" value={value.offer_timeout_seconds} min={1} max={86400} onInput={(v) => f("offer_timeout_seconds")(v ?? 0)} error={errors.offer_timeout_seconds} />
            {t === "waves" && <NumberField label="Agents per wave" value={value.wave_size} min={1} max={100} onInput={(v) => f("wave_size")(v ?? 0)} error={errors.wave_size} />}
            {t === "waves" && <NumberField label="Maximum waves" value={value.max_waves} min={1} max={50} onInput={(v) => f("max_waves")(v ?? 0)} error={errors.max_waves} />}
            {t === "ring_all" && <NumberField label="Phones rung at once" value={value.ring_batch} min={1} max={10} onInput={(v) => f("ring_batch")(v ?? 0)} error={errors.ring_batch} />}
          </div>
          {t === "ring_all" && <p class="field-hint">Ring All calls every eligible agent, ten at a time (the next ones ring as soon as a call ends unanswered), up to 100 agents.</p>}
          <CheckboxField
            label="Blind offers (hide the borrower's name and phone until claimed)"
            checked={!!value.blind_offers}
            onChange={f("blind_offers")}
            error={errors.blind_offers}
            hint="Agents see the loan, the state and the campaign, never who the borrower is, so nobody picks leads by name."
          />
        </Fieldset>
      )}
      {t === "distribute_all" && (
        <Switch label="Auto-Dial" checked={value.auto_dial} onChange={f("auto_dial")} hint="Calls the agent who clicks New Lead and bridges to the borrower." />
      )}
      <CapsFields
        legend="Caps per agent for this campaign (empty: no limit)"
        hint="The most of this campaign's leads each agent receives by distribution: in the last hour, on their calendar day, and held unworked at once (assigned, no call, status change or note yet)."
        value={value.caps ?? NO_CAPS}
        onChange={f("caps")}
        errors={errors}
      />
      <FollowUpFields value={value.follow_up ?? null} onChange={f("follow_up")} type={t} errors={errors} />
      <InboundNumbers value={value.inbound_numbers ?? []} onChange={f("inbound_numbers")} errors={errors} />
      <CheckboxField label="TCPA rules (consent, 8:00–21:00 borrower time, do-not-call list)" checked={value.tcpa} onChange={f("tcpa")} error={errors.tcpa} />
      <CheckboxField label="Active" checked={value.active} onChange={f("active")} error={errors.active} />
    </div>
  );
}

/** A campaign's deadline in one sentence (the list's tooltip). */
function followUpTitle(f: FollowUp): string {
  const remind = f.remind_minutes_before ? `, reminded ${minutesText(f.remind_minutes_before)} before` : "";
  const then = f.then === "manager" ? "a manager on Lead Exception" : `distributed again (at most ${f.max_takebacks} times, then a manager)`;
  return `Worked within ${minutesText(f.deadline_minutes)}${remind}; if not, ${then}.`;
}

export function CampaignsPage({ canEdit }: { canEdit: boolean }) {
  const list = useList<Campaign>("/v1/campaigns", "campaigns");
  const groups = useOptional<Group>("/v1/groups", "groups");
  const org = useLoad(() => get<Org>("/v1/org").catch(() => null), []);
  const workflow = org.data?.workflow ?? null;
  const remove = useRemove(() => void list.reload());
  const editor = useEditor<CampaignDraft>(
    FORM_FIELDS,
    async (value, creating) => {
      try {
        await upsert<Campaign>("/v1/campaigns", value.campaign_id, creating, campaignBody(value, creating));
      } catch (err) {
        throw numbersRefusal(followUpRefusal(limitsRefusal(err)), value, list.data ?? []);
      }
      notify(`Campaign “${value.name}” saved.`, "success");
    },
    () => list.reload(),
  );
  const groupName = (id: string | null) => (id ? (groups?.find((g) => g.group_id === id)?.name ?? id) : "Everyone");

  const items = list.data ?? [];
  return (
    <SettingsPage title="Campaigns" id="campaigns-title" canEdit={canEdit} newLabel="New campaign" onNew={() => editor.open({ ...NEW_CAMPAIGN, ...(workflow?.length ? { initial_status: workflow[0].name, initial_activity: workflow[0].activities[0] ?? "" } : {}) }, true)}>
      <ListState list={list} what="campaigns" />
      {items.length > 0 && (
        <DataTable caption="Campaigns" stack columns={["Name", "ID", "Distribution", "Group", "Inbound numbers", "Lead provider", "Channel", "Active", ACTIONS]}>
          {items.map((c) => (
            <tr key={c.campaign_id} data-campaign-id={c.campaign_id}>
              <th scope="row" class="cell-title">
                {c.name}
              </th>
              <Cell label="ID">
                <code>{c.campaign_id}</code>
              </Cell>
              <Cell label="Distribution">
                {distribution(c.distribution_type)}
                {c.blind_offers && OFFERED.includes(c.distribution_type) && <span class="badge badge-blind">Blind offers</span>}
                {c.follow_up && (
                  <span class="badge badge-follow-up" title={followUpTitle(c.follow_up)}>
                    Follow-up {minutesText(c.follow_up.deadline_minutes)}
                  </span>
                )}
              </Cell>
              <Cell label="Group">{groupName(c.group_id)}</Cell>
              <Cell label="Inbound numbers" class="inbound-numbers">
                {c.inbound_numbers?.length
                  ? c.inbound_numbers.map((n) => (
                      <span key={n} class="nowrap" style={{ display: "block" }}>
                        {phoneText(n)}
                      </span>
                    ))
                  : "—"}
              </Cell>
              <Cell label="Lead provider">{text(c.lead_provider)}</Cell>
              <Cell label="Channel">{c.channel === "phone" ? "Phone" : "Digital"}</Cell>
              <Cell label="Active">
                <YesNo value={c.active} />
              </Cell>
              <RowActions
                name={c.name}
                canEdit={canEdit}
                onEdit={() => editor.open({ ...NEW_CAMPAIGN, ...c }, false)}
                remove={c.active && { path: `/v1/campaigns/${encodeURIComponent(c.campaign_id)}`, name: `campaign “${c.name}”`, verb: "Deactivate", question: "Do you really want to deactivate this campaign? Vendors posting to it will be refused." }}
                ask={remove.ask}
              />
            </tr>
          ))}
        </DataTable>
      )}
      <EditorDialog {...editor.dialog} title={editor.editing?.creating ? "New campaign" : `Campaign: ${editor.editing?.value.name ?? ""}`} canEdit={canEdit}>
        {editor.editing && <CampaignForm value={editor.editing.value} set={editor.set} groups={groups} workflow={workflow} creating={editor.editing.creating} errors={editor.errors} />}
      </EditorDialog>
      {remove.dialog}
    </SettingsPage>
  );
}
