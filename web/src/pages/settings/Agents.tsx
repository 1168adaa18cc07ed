import { useState } from "preact/hooks";
import { get } from "../../api";
import { CheckboxField, Fieldset, NumberField, TextField } from "../../components/Fields";
import { ACTIONS, Cell, DataTable, Fact } from "../../components/Page";
import { listText, parseList, personName, text, when } from "../../format";
import { notify } from "../../notify";
import { useLoad } from "../../hooks";
import { type Agent, type ApiWarning, type Caps, NO_CAPS, type Org, type Role, type Schedule } from "../../types";
import { CAP_FIELDS, CapsFields, capsBody, EditorDialog, limitsRefusal, IdField, ListState, RowActions, SettingsPage, useEditor, useList, upsert, useRemove, YesNo } from "./common";
import { NEW_SCHEDULE, SCHEDULE_FIELDS, scheduleBody, ScheduleEditor, scheduleRefusal } from "./Schedule";

const ROLES: { value: Role; label: string; hint: string }[] = [
  { value: "agent", label: "Agent", hint: "receives and claims leads" },
  { value: "manager", label: "Manager", hint: "Lead Exception and settings" },
  { value: "admin", label: "Admin", hint: "everything a manager can do" },
  { value: "supervisor", label: "Supervisor", hint: "sees everything, changes nothing" },
];
const FIELDS = ["weight", ...CAP_FIELDS, ...SCHEDULE_FIELDS, "agent_id", "email", "first_name", "last_name", "roles", "work_phone", "mobile_phone", "caller_id", "active", "available", "states", "loan_purposes", "loan_amount_min", "loan_amount_max", "lead_providers", "campaigns", "attributes"];

interface Draft {
  agent_id: string;
  email: string;
  first_name: string;
  last_name: string;
  roles: Role[];
  work_phone: string;
  mobile_phone: string;
  caller_id: string;
  active: boolean;
  available: boolean;
  states: string;
  loan_purposes: string;
  loan_amount_min: number | null;
  loan_amount_max: number | null;
  lead_providers: string;
  campaigns: string;
  attributes: { key: string; value: string }[];
  /** null: left empty (sent as 1, the normal share). */
  weight: number | null;
  caps: Caps;
  /** "Works only on a schedule"; the schedule is kept while off, so turning it back on restores it. */
  scheduled: boolean;
  schedule: Schedule;
  last_assigned_at?: string | null;
  last_claimed_at?: string | null;
  /** Read-only, as last saved: round-robin leads owed, the unworked leads held, the cap on them. */
  rr_owed?: number;
  open_held?: number;
  saved_open_cap?: number | null;
}

const EMPTY: Draft = {
  agent_id: "",
  email: "",
  first_name: "",
  last_name: "",
  roles: ["agent"],
  work_phone: "",
  mobile_phone: "",
  caller_id: "",
  active: true,
  available: true,
  states: "",
  loan_purposes: "",
  loan_amount_min: null,
  loan_amount_max: null,
  lead_providers: "",
  campaigns: "",
  attributes: [],
  weight: 1,
  caps: { ...NO_CAPS },
  scheduled: false,
  schedule: NEW_SCHEDULE,
};

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function toDraft(a: Agent): Draft {
  const f = a.filters ?? ({} as Agent["filters"]);
  return {
    agent_id: a.agent_id,
    email: a.email ?? "",
    first_name: a.first_name ?? "",
    last_name: a.last_name ?? "",
    roles: [...(a.roles ?? [])],
    work_phone: a.work_phone ?? "",
    mobile_phone: a.mobile_phone ?? "",
    caller_id: a.caller_id ?? "",
    active: a.active !== false,
    available: a.available !== false,
    states: listText(f.states),
    loan_purposes: listText(f.loan_purposes),
    loan_amount_min: num(f.loan_amount_min),
    loan_amount_max: num(f.loan_amount_max),
    lead_providers: listText(f.lead_providers),
    campaigns: listText(f.campaigns),
    attributes: Object.entries(a.attributes ?? {}).map(([key, value]) => ({ key, value: typeof value === "string" ? value : JSON.stringify(value) })),
    weight: num(a.weight) ?? 1,
    caps: { ...NO_CAPS, ...(a.caps ?? {}) },
    scheduled: !!a.schedule,
    schedule: a.schedule ? { time_zone: a.schedule.time_zone ?? null, hours: a.schedule.hours ?? null, out_of_office: a.schedule.out_of_office ?? [] } : NEW_SCHEDULE,
    last_assigned_at: a.last_assigned_at,
    last_claimed_at: a.last_claimed_at,
    rr_owed: a.rr_owed ?? 0,
    open_held: (a.open_held ?? []).length,
    saved_open_cap: a.caps?.open_leads ?? null,
  };
}

function attributeValue(raw: string): unknown {
  const v = raw.trim();
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

export function agentBody(d: Draft, creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    email: d.email.trim(),
    first_name: d.first_name.trim(),
    last_name: d.last_name.trim(),
    roles: d.roles,
    work_phone: d.work_phone.trim() || null,
    mobile_phone: d.mobile_phone.trim() || null,
    caller_id: d.caller_id.trim() || null,
    active: d.active,
    available: d.available,
    filters: {
      states: parseList(d.states).map((s) => s.toUpperCase()),
      loan_purposes: parseList(d.loan_purposes),
      loan_amount_min: d.loan_amount_min,
      loan_amount_max: d.loan_amount_max,
      lead_providers: parseList(d.lead_providers),
      campaigns: parseList(d.campaigns),
    },
    attributes: Object.fromEntries(d.attributes.filter((a) => a.key.trim()).map((a) => [a.key.trim(), attributeValue(a.value)])),
    weight: d.weight ?? 1,
    caps: capsBody(d.caps),
    schedule: d.scheduled ? scheduleBody(d.schedule) : null,
  };
  if (creating && d.agent_id.trim()) body.agent_id = d.agent_id.trim();
  return body;
}

function AgentForm({ d, set, creating, errors, orgZone }: { d: Draft; set: (d: Draft) => void; creating: boolean; errors: Record<string, string>; orgZone: string | null }) {
  const f = <K extends keyof Draft>(k: K) => (v: Draft[K]) => set({ ...d, [k]: v });
  return (
    <div class="form-grid">
      <IdField label="Agent ID" creating={creating} value={d.agent_id} onInput={f("agent_id")} error={errors.agent_id} hint="Leave empty to have one generated." />
      <TextField label="Email" type="email" value={d.email} onInput={f("email")} required error={errors.email} hint="The address the user signs in with." />
      <TextField label="First name" value={d.first_name} onInput={f("first_name")} error={errors.first_name} />
      <TextField label="Last name" value={d.last_name} onInput={f("last_name")} error={errors.last_name} />
      <Fieldset legend="Roles" class="span-2">
        <div class="check-row">
          {ROLES.map((r) => (
            <CheckboxField
              key={r.value}
              label={`${r.label} (${r.hint})`}
              checked={d.roles.includes(r.value)}
              onChange={(on) => f("roles")(on ? [...d.roles, r.value] : d.roles.filter((x) => x !== r.value))}
            />
          ))}
        </div>
        {errors.roles && <p class="field-error">{errors.roles}</p>}
      </Fieldset>
      <TextField label="Work phone" type="tel" value={d.work_phone} onInput={f("work_phone")} error={errors.work_phone} hint="Rung by Ring All; must be unique." />
      <TextField label="Mobile phone" type="tel" value={d.mobile_phone} onInput={f("mobile_phone")} error={errors.mobile_phone} />
      <TextField label="Caller ID" type="tel" value={d.caller_id} onInput={f("caller_id")} error={errors.caller_id} hint="Shown to borrowers this agent calls." />
      <div class="field-stack">
        <CheckboxField label="Active (app status)" checked={d.active} onChange={f("active")} error={errors.active} />
        <CheckboxField label="Lead Availability (receives offers)" checked={d.available} onChange={f("available")} error={errors.available} />
      </div>
      <Fieldset legend="Distribution filters (empty: no restriction)" class="span-2">
        <div class="form-grid">
          <TextField label="States" value={d.states} onInput={f("states")} error={errors.states} hint="Comma-separated, e.g. CA, TX" />
          <TextField label="Loan purposes" value={d.loan_purposes} onInput={f("loan_purposes")} error={errors.loan_purposes} hint="e.g. Purchase, Refinance" />
          <NumberField label="Loan amount from" value={d.loan_amount_min} min={0} onInput={f("loan_amount_min")} error={errors.loan_amount_min} />
          <NumberField label="Loan amount to" value={d.loan_amount_max} min={0} onInput={f("loan_amount_max")} error={errors.loan_amount_max} />
          <TextField label="Lead providers" value={d.lead_providers} onInput={f("lead_providers")} error={errors.lead_providers} />
          <TextField label="Campaigns (IDs)" value={d.campaigns} onInput={f("campaigns")} error={errors.campaigns} />
        </div>
      </Fieldset>
      <Fieldset legend="Distribution" class="span-2 distribution">
        <NumberField
          label="Weight"
          value={d.weight}
          min={0.1}
          max={10}
          step="any"
          placeholder="1"
          onInput={f("weight")}
          error={errors.weight}
          hint="1 = normal share; 2 = about twice the leads; 0.5 = half (of round robin and of wave draws)."
        />
        <CapsFields legend="Caps (empty: no limit)" hint="The most leads this agent receives by distribution: in the last hour, on their calendar day, and held unworked at once (assigned, no call, status change or note yet)." value={d.caps} onChange={f("caps")} errors={errors}>
          {!creating && (d.rr_owed || d.saved_open_cap) ? (
            <dl class="readonly-facts caps-facts">
              {d.rr_owed ? <Fact term="Round robin">Owed {d.rr_owed} lead{d.rr_owed === 1 ? "" : "s"} (catching up)</Fact> : null}
              {d.saved_open_cap ? <Fact term="Unworked leads held">{d.open_held ?? 0}</Fact> : null}
            </dl>
          ) : null}
        </CapsFields>
      </Fieldset>
      <ScheduleEditor on={d.scheduled} value={d.schedule} onToggle={f("scheduled")} onChange={f("schedule")} orgZone={orgZone} errors={errors} />
      <Fieldset legend="Attributes (used by distribution group conditions)" class="span-2">
        {d.attributes.map((a, i) => (
          <div class="condition-row" key={i}>
            <TextField label={`Name ${i + 1}`} value={a.key} onInput={(v) => f("attributes")(d.attributes.map((x, j) => (j === i ? { ...x, key: v } : x)))} />
            <TextField label={`Value ${i + 1}`} value={a.value} onInput={(v) => f("attributes")(d.attributes.map((x, j) => (j === i ? { ...x, value: v } : x)))} />
            <button type="button" class="btn btn-small btn-danger-outline" onClick={() => f("attributes")(d.attributes.filter((_, j) => j !== i))}>
              Remove<span class="sr-only"> attribute {i + 1}</span>
            </button>
          </div>
        ))}
        <button type="button" class="btn btn-small" onClick={() => f("attributes")([...d.attributes, { key: "", value: "" }])}>
          Add attribute
        </button>
        {errors.attributes && <p class="field-error">{errors.attributes}</p>}
      </Fieldset>
      {!creating && (
        <dl class="readonly-facts span-2">
          <Fact term="Last lead assigned">{when(d.last_assigned_at)}</Fact>
          <Fact term="Last lead claimed">{when(d.last_claimed_at)}</Fact>
        </dl>
      )}
    </div>
  );
}

export function AgentsPage({ canEdit }: { canEdit: boolean }) {
  const list = useList<Agent>("/v1/agents", "agents");
  const org = useLoad(() => get<Org>("/v1/org").catch(() => null), []);
  const [filter, setFilter] = useState("");
  const remove = useRemove(() => void list.reload());
  const editor = useEditor<Draft>(
    FIELDS,
    async (value, creating) => {
      let answer: (Agent & { warnings?: ApiWarning[] }) | undefined;
      try {
        answer = await upsert<Agent & { warnings?: ApiWarning[] }>("/v1/agents", value.agent_id, creating, agentBody(value, creating));
      } catch (err) {
        throw scheduleRefusal(limitsRefusal(err));
      }
      const warned = answer?.warnings ?? [];
      notify(
        warned.length ? `${personName(value) || value.email} saved, but ${warned.map((w) => w.message).join("; ")}.` : `${personName(value) || value.email} saved.`,
        warned.length ? "info" : "success",
      );
    },
    () => list.reload(),
  );

  const items = (list.data ?? []).filter((a) => `${personName(a)} ${a.email} ${a.agent_id}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <SettingsPage title="Agents" id="agents-title" canEdit={canEdit} newLabel="New agent" onNew={() => editor.open({ ...EMPTY }, true)} tools={<TextField label="Find" type="search" value={filter} onInput={setFilter} />}>
      <ListState list={list} what="agents" />
      {items.length > 0 && (
        <DataTable caption="Agents" stack columns={["Name", "Email", "Roles", "Work phone", "Active", "Available", "Last assigned", ACTIONS]}>
          {items.map((a) => (
            <tr key={a.agent_id}>
              <th scope="row" class="cell-title">
                {personName(a)}
              </th>
              <Cell label="Email" class="cell-break">
                {a.email}
              </Cell>
              <Cell label="Roles">{listText(a.roles)}</Cell>
              <Cell label="Work phone">{text(a.work_phone)}</Cell>
              <Cell label="Active">
                <YesNo value={a.active !== false} />
              </Cell>
              <Cell label="Available">
                <YesNo value={a.available !== false} />
              </Cell>
              <Cell label="Last assigned">{when(a.last_assigned_at)}</Cell>
              <RowActions
                name={personName(a)}
                canEdit={canEdit}
                onEdit={() => editor.open(toDraft(a), false)}
                remove={a.active !== false && { path: `/v1/agents/${encodeURIComponent(a.agent_id)}`, name: personName(a), verb: "Deactivate", question: "Do you really want to deactivate this user? They will no longer sign in or receive leads." }}
                ask={remove.ask}
              />
            </tr>
          ))}
        </DataTable>
      )}
      <EditorDialog {...editor.dialog} title={editor.editing?.creating ? "New agent" : `Agent: ${editor.editing ? personName(editor.editing.value) : ""}`} canEdit={canEdit}>
        {editor.editing && <AgentForm d={editor.editing.value} set={editor.set} creating={editor.editing.creating} errors={editor.errors} orgZone={org.data?.time_zone ?? null} />}
      </EditorDialog>
      {remove.dialog}
    </SettingsPage>
  );
}
