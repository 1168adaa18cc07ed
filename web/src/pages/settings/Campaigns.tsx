import { useState } from "preact/hooks";
import { ApiError, post, put } from "../../api";
import { CheckboxField, fieldErrors, Fieldset, NumberField, SelectField, Switch, TextField } from "../../components/Fields";
import { distribution, DISTRIBUTION_LABELS, text } from "../../format";
import { notify } from "../../notify";
import type { Campaign, DistributionType, Group } from "../../types";
import { EditorDialog, LoadState, PageHead, useList, useOptional, useRemove, YesNo } from "./common";

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

function CampaignForm({ value, set, groups, creating, errors }: { value: Campaign; set: (c: Campaign) => void; groups: Group[] | null; creating: boolean; errors: Record<string, string> }) {
  const f = <K extends keyof Campaign>(k: K) => (v: Campaign[K]) => set({ ...value, [k]: v });
  const t = value.distribution_type;
  return (
    <div class="form-grid">
      {creating ? (
        <TextField label="Campaign ID" value={value.campaign_id} onInput={f("campaign_id")} error={errors.campaign_id} hint="What vendors post as campaign_id. Leave empty to have one generated." />
      ) : (
        <div class="field">
          <span class="field-static-label">Campaign ID</span>
          <code>{value.campaign_id}</code>
        </div>
      )}
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
      {groups ? (
        <SelectField
          label="Distribution group"
          value={value.group_id ?? ""}
          onChange={(v) => f("group_id")(v || null)}
          error={errors.group_id}
          hint="No group: every agent of the organization."
          options={[{ value: "", label: "No group (everyone)" }, ...groups.map((g) => ({ value: g.group_id, label: g.name }))]}
        />
      ) : (
        <TextField label="Distribution group ID" value={value.group_id ?? ""} onInput={(v) => f("group_id")(v.trim() || null)} error={errors.group_id} hint="Empty: every agent of the organization." />
      )}
      <TextField label="Initial status" value={value.initial_status} onInput={f("initial_status")} error={errors.initial_status} />
      <TextField label="Initial activity" value={value.initial_activity} onInput={f("initial_activity")} error={errors.initial_activity} />
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
        hint="Ring All leads after hours always go to Lead Exception and the fresh bucket."
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
            {(t === "waves" || t === "ring_all") && <NumberField label="Maximum waves" value={value.max_waves} min={1} max={50} onInput={(v) => f("max_waves")(v ?? 0)} error={errors.max_waves} />}
            {t === "ring_all" && <NumberField label="Phones rung at once" value={value.ring_batch} min={1} max={10} onInput={(v) => f("ring_batch")(v ?? 0)} error={errors.ring_batch} />}
            {t === "ring_all" && <CheckboxField label="Ring the next agents when nobody answers" checked={value.ring_next_waves} onChange={f("ring_next_waves")} error={errors.ring_next_waves} />}
          </div>
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
  const [editing, setEditing] = useState<{ value: Campaign; creating: boolean } | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const remove = useRemove(() => void list.reload());
  const groupName = (id: string | null) => (id ? (groups?.find((g) => g.group_id === id)?.name ?? id) : "Everyone");
  const { byField, other } = fieldErrors(error, FIELDS);

  const save = async () => {
    if (!editing) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = campaignBody(editing.value, editing.creating);
      if (editing.creating) await post<Campaign>("/v1/campaigns", body);
      else await put<Campaign>(`/v1/campaigns/${encodeURIComponent(editing.value.campaign_id)}`, body);
      notify(`Campaign “${editing.value.name}” saved.`, "success");
      setEditing(null);
      void list.reload();
    } catch (err) {
      if (err instanceof ApiError && err.status !== 401) setError(err);
    } finally {
      setBusy(false);
    }
  };

  const items = list.data ?? [];
  return (
    <section class="page" aria-labelledby="campaigns-title">
      <PageHead title="Campaigns" id="campaigns-title" canEdit={canEdit} newLabel="New campaign" onNew={() => { setError(undefined); setEditing({ value: { ...NEW_CAMPAIGN }, creating: true }); }} />
      <LoadState error={list.error} loading={list.loading && !list.data} empty={!!list.data && !items.length} reload={() => void list.reload()} what="campaigns" />
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="grid">
            <caption class="sr-only">Campaigns</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Distribution</th>
                <th scope="col">Group</th>
                <th scope="col">Lead provider</th>
                <th scope="col">Channel</th>
                <th scope="col">Active</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
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
                  <td class="actions">
                    <button type="button" class="btn btn-small" onClick={() => { setError(undefined); setEditing({ value: { ...NEW_CAMPAIGN, ...c }, creating: false }); }}>
                      {canEdit ? "Edit" : "View"}
                      <span class="sr-only"> {c.name}</span>
                    </button>
                    {canEdit && c.active && (
                      <button
                        type="button"
                        class="btn btn-small btn-danger-outline"
                        onClick={() => remove.ask({ path: `/v1/campaigns/${encodeURIComponent(c.campaign_id)}`, name: `campaign “${c.name}”`, verb: "Deactivate", question: "Do you really want to deactivate this campaign? Vendors posting to it will be refused." })}
                      >
                        Deactivate<span class="sr-only"> {c.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <EditorDialog
        open={editing !== null}
        title={editing?.creating ? "New campaign" : `Campaign: ${editing?.value.name ?? ""}`}
        canEdit={canEdit}
        busy={busy}
        errors={other}
        onClose={() => setEditing(null)}
        onSave={() => void save()}
      >
        {editing && <CampaignForm value={editing.value} set={(value) => setEditing({ ...editing, value })} groups={groups} creating={editing.creating} errors={byField} />}
      </EditorDialog>
      {remove.dialog}
    </section>
  );
}
