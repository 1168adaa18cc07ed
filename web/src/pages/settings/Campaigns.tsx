import { CheckboxField, Fieldset, NumberField, PickerField, SelectField, Switch, TextField } from "../../components/Fields";
import { ACTIONS, DataTable } from "../../components/Page";
import { distribution, DISTRIBUTION_LABELS, text } from "../../format";
import { notify } from "../../notify";
import { get } from "../../api";
import { useLoad } from "../../hooks";
import type { Campaign, DistributionType, Group, Org, WorkflowStatus } from "../../types";
import { EditorDialog, IdField, ListState, RowActions, SettingsPage, useEditor, useList, useOptional, upsert, useRemove, YesNo } from "./common";

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
];

export const NEW_CAMPAIGN: Campaign = {
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
};

const OFFERED: DistributionType[] = ["distribute_all", "waves", "ring_all"];

/** The body sent: the id only when creating (and only if typed); auto_dial only means something for Distribute All. */
export function campaignBody(c: Campaign, creating: boolean): Record<string, unknown> {
  const { campaign_id, ...rest } = c;
  const body: Record<string, unknown> = { ...rest, auto_dial: c.distribution_type === "distribute_all" ? c.auto_dial : false };
  if (creating && campaign_id.trim()) body.campaign_id = campaign_id.trim();
  return body;
}

/** The initial status and activity: selects from the org's workflow (the activities follow the status); text when it cannot be read. */
function InitialStep({ value, set, workflow, errors }: { value: Campaign; set: (c: Campaign) => void; workflow: WorkflowStatus[] | null; errors: Record<string, string> }) {
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

function CampaignForm({ value, set, groups, workflow, creating, errors }: { value: Campaign; set: (c: Campaign) => void; groups: Group[] | null; workflow: WorkflowStatus[] | null; creating: boolean; errors: Record<string, string> }) {
  const f = <K extends keyof Campaign>(k: K) => (v: Campaign[K]) => set({ ...value, [k]: v });
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
        </Fieldset>
      )}
      {t === "distribute_all" && (
        <Switch label="Auto-Dial" checked={value.auto_dial} onChange={f("auto_dial")} hint="Calls the agent who clicks New Lead and bridges to the borrower." />
      )}
      <CheckboxField label="TCPA rules (consent, 8:00–21:00 borrower time, do-not-call list)" checked={value.tcpa} onChange={f("tcpa")} error={errors.tcpa} />
      <CheckboxField label="Active" checked={value.active} onChange={f("active")} error={errors.active} />
    </div>
  );
}

export function CampaignsPage({ canEdit }: { canEdit: boolean }) {
  const list = useList<Campaign>("/v1/campaigns", "campaigns");
  const groups = useOptional<Group>("/v1/groups", "groups");
  const org = useLoad(() => get<Org>("/v1/org").catch(() => null), []);
  const workflow = org.data?.workflow ?? null;
  const remove = useRemove(() => void list.reload());
  const editor = useEditor<Campaign>(
    FIELDS,
    async (value, creating) => {
      await upsert<Campaign>("/v1/campaigns", value.campaign_id, creating, campaignBody(value, creating));
      notify(`Campaign “${value.name}” saved.`, "success");
    },
    () => void list.reload(),
  );
  const groupName = (id: string | null) => (id ? (groups?.find((g) => g.group_id === id)?.name ?? id) : "Everyone");

  const items = list.data ?? [];
  return (
    <SettingsPage title="Campaigns" id="campaigns-title" canEdit={canEdit} newLabel="New campaign" onNew={() => editor.open({ ...NEW_CAMPAIGN, ...(workflow?.length ? { initial_status: workflow[0].name, initial_activity: workflow[0].activities[0] ?? "" } : {}) }, true)}>
      <ListState list={list} what="campaigns" />
      {items.length > 0 && (
        <DataTable caption="Campaigns" columns={["Name", "ID", "Distribution", "Group", "Lead provider", "Channel", "Active", ACTIONS]}>
          {items.map((c) => (
            <tr key={c.campaign_id} data-campaign-id={c.campaign_id}>
              <th scope="row">{c.name}</th>
              <td>
                <code>{c.campaign_id}</code>
              </td>
              <td>{distribution(c.distribution_type)}</td>
              <td>{groupName(c.group_id)}</td>
              <td>{text(c.lead_provider)}</td>
              <td>{c.channel === "phone" ? "Phone" : "Digital"}</td>
              <td>
                <YesNo value={c.active} />
              </td>
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
