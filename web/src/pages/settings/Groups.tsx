import { useState } from "preact/hooks";
import { CheckboxField, Fieldset, TextField } from "../../components/Fields";
import { ACTIONS, Cell, DataTable } from "../../components/Page";
import { listText, parseList, personName } from "../../format";
import { notify } from "../../notify";
import type { Agent, ApiWarning, Group, GroupCondition } from "../../types";
import { EditorDialog, ListState, RowActions, SettingsPage, useEditor, useList, useOptional, upsert, useRemove } from "./common";

const FIELDS = ["group_id", "name", "members", "conditions"];
const NEW_GROUP: Group = { group_id: "", name: "", members: [], conditions: [] };

interface ConditionRow {
  attribute: string;
  values: string; // comma-separated while editing
}

interface Draft {
  group_id: string;
  name: string;
  members: string[];
  conditions: ConditionRow[];
}

function toDraft(g: Group): Draft {
  return { group_id: g.group_id, name: g.name, members: [...(g.members ?? [])], conditions: (g.conditions ?? []).map((c) => ({ attribute: c.attribute, values: listText(c.values) })) };
}

export function groupBody(d: Draft, creating: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    members: d.members,
    conditions: d.conditions.filter((c) => c.attribute.trim()).map((c) => ({ attribute: c.attribute.trim(), values: parseList(c.values) })),
  };
  if (creating && d.group_id.trim()) body.group_id = d.group_id.trim();
  return body;
}

function agentValue(a: Agent, attribute: string): unknown {
  if (a.attributes && Object.hasOwn(a.attributes, attribute)) return a.attributes[attribute];
  return (a as unknown as Record<string, unknown>)[attribute];
}

/** What the engine decides (leadwave.rules.eligibility.in_group): an agent meeting every condition, each by one
 * of its values (case-insensitive; a list attribute by any of its items). */
export function meetsConditions(a: Agent, conditions: GroupCondition[]): boolean {
  if (!conditions.length) return false;
  return conditions.every((c) => {
    const wanted = new Set(c.values.map((v) => v.toLowerCase()));
    const value = agentValue(a, c.attribute);
    if (Array.isArray(value)) return value.some((v) => wanted.has(String(v).toLowerCase()));
    return value !== null && value !== undefined && wanted.has(String(value).toLowerCase());
  });
}

function orList(values: string[]): string {
  return values.length <= 1 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/** "team is floor and state is TX or OK". */
export function conditionsText(conditions: GroupCondition[]): string {
  return conditions.map((c) => `${c.attribute} is ${orList(c.values)}`).join(" and ");
}

/** Who is in a group: its members by name, and "By conditions: …" for the agents its conditions take in. */
function GroupMembers({ group, agentName }: { group: Group; agentName: (id: string) => string }) {
  const members = group.members ?? [];
  const conditions = group.conditions ?? [];
  if (!members.length && !conditions.length) return <span class="muted">None: the group is empty</span>;
  return (
    <>
      {members.length > 0 && <span class="group-members">{members.map(agentName).join(", ")}</span>}
      {members.length > 0 && conditions.length > 0 && <br />}
      {conditions.length > 0 && (
        <span class="group-conditions">
          {members.length > 0 ? "and by conditions: " : "By conditions: "}
          {conditionsText(conditions)}
        </span>
      )}
    </>
  );
}

function Members({ value, agents, onChange, error }: { value: string[]; agents: Agent[] | null; onChange: (v: string[]) => void; error?: string }) {
  const [filter, setFilter] = useState("");
  if (!agents) {
    return <TextField label="Members (agent IDs, comma-separated)" value={listText(value)} onInput={(v) => onChange(parseList(v))} error={error} />;
  }
  const selected = new Set(value);
  const shown = agents.filter((a) => `${personName(a)} ${a.email} ${a.agent_id}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Fieldset legend={`Members (${value.length} selected)`} class="span-2">
      <TextField label="Find agents" type="search" value={filter} onInput={setFilter} />
      <div class="check-columns">
        {shown.map((a) => (
          <CheckboxField
            key={a.agent_id}
            label={`${personName(a)} (${a.email})`}
            checked={selected.has(a.agent_id)}
            onChange={(on) => onChange(on ? [...value, a.agent_id] : value.filter((x) => x !== a.agent_id))}
          />
        ))}
      </div>
      {error && <p class="field-error">{error}</p>}
    </Fieldset>
  );
}

function Conditions({ rows, onChange, error }: { rows: ConditionRow[]; onChange: (rows: ConditionRow[]) => void; error?: string }) {
  const set = (i: number, row: ConditionRow) => onChange(rows.map((r, j) => (j === i ? row : r)));
  return (
    <Fieldset legend="Conditions (an agent matching all of them is in the group)" class="span-2">
      {rows.length === 0 && <p class="muted">No conditions: only the members above.</p>}
      {rows.map((r, i) => (
        <div class="condition-row" key={i}>
          <TextField label={`Attribute ${i + 1}`} value={r.attribute} onInput={(v) => set(i, { ...r, attribute: v })} hint="An agent attribute (e.g. team) or field (e.g. state)." />
          <TextField label={`Values ${i + 1}`} value={r.values} onInput={(v) => set(i, { ...r, values: v })} hint="Comma-separated; any of them matches." />
          <button type="button" class="btn btn-small btn-danger-outline" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove<span class="sr-only"> condition {i + 1}</span>
          </button>
        </div>
      ))}
      <button type="button" class="btn btn-small" onClick={() => onChange([...rows, { attribute: "", values: "" }])}>
        Add condition
      </button>
      {error && <p class="field-error">{error}</p>}
    </Fieldset>
  );
}

export function Warnings({ title, warnings, onDismiss }: { title: string; warnings: ApiWarning[]; onDismiss: () => void }) {
  if (!warnings.length) return null;
  return (
    <div class="banner banner-warn warnings" role="alert">
      <div>
        <p>
          <strong>{title}</strong>
        </p>
        <ul>
          {warnings.map((w, i) => (
            <li key={i}>
              {w.message}
              {w.code === "duplicate_work_phone" && <>. Ring All cannot tell these agents apart; give each a distinct work phone.</>}
            </li>
          ))}
        </ul>
      </div>
      <button type="button" class="btn btn-small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

export function GroupsPage({ canEdit }: { canEdit: boolean }) {
  const list = useList<Group>("/v1/groups", "groups");
  const agents = useOptional<Agent>("/v1/agents", "agents");
  const [warnings, setWarnings] = useState<{ name: string; list: ApiWarning[] } | null>(null);
  const remove = useRemove(() => void list.reload());
  const editor = useEditor<Draft>(
    FIELDS,
    async (value, creating) => {
      const answer = await upsert<Group & { warnings?: ApiWarning[] }>("/v1/groups", value.group_id, creating, groupBody(value, creating));
      const found = answer?.warnings ?? [];
      setWarnings(found.length ? { name: value.name, list: found } : null);
      notify(found.length ? `Group “${value.name}” saved, with ${found.length} warning${found.length > 1 ? "s" : ""}.` : `Group “${value.name}” saved.`, found.length ? "info" : "success");
    },
    () => list.reload(),
  );
  /** The active users with the agent role the group takes in: its members and whoever meets its conditions. */
  const agentCount = (g: Group, all: Agent[]) => {
    const n = all.filter((a) => a.roles.includes("agent") && a.active !== false && ((g.members ?? []).includes(a.agent_id) || meetsConditions(a, g.conditions ?? []))).length;
    return `${n} agent${n === 1 ? "" : "s"}`;
  };
  const agentName = (id: string) => {
    const a = agents?.find((x) => x.agent_id === id);
    return a ? personName(a) : id;
  };

  const items = list.data ?? [];
  const draft = editor.editing?.value;
  const f = <K extends keyof Draft>(k: K) => (v: Draft[K]) => draft && editor.set({ ...draft, [k]: v });
  return (
    <SettingsPage title="Distribution groups" id="groups-title" canEdit={canEdit} newLabel="New group" onNew={() => editor.open(toDraft(NEW_GROUP), true)}>
      {warnings && <Warnings title={`Group “${warnings.name}” was saved, but:`} warnings={warnings.list} onDismiss={() => setWarnings(null)} />}
      <ListState list={list} what="groups" />
      {items.length > 0 && (
        <DataTable caption="Distribution groups" stack columns={["Name", "Members", "Agents in the group", ACTIONS]}>
          {items.map((g) => (
            <tr key={g.group_id}>
              <th scope="row" class="cell-title">
                {g.name}
              </th>
              <Cell label="Members">
                <GroupMembers group={g} agentName={agentName} />
                {(g.warnings ?? []).map((w, i) => (
                  <p key={i} class="row-warning" role="note">
                    ⚠ {w.message}
                  </p>
                ))}
              </Cell>
              <Cell label="Agents in the group">{agents ? agentCount(g, agents) : "—"}</Cell>
              <RowActions
                name={g.name}
                canEdit={canEdit}
                onEdit={() => editor.open(toDraft(g), false)}
                remove={{ path: `/v1/groups/${encodeURIComponent(g.group_id)}`, name: `group “${g.name}”`, verb: "Delete", question: "Do you really want to delete this group? Campaigns must not use it any more." }}
                ask={remove.ask}
              />
            </tr>
          ))}
        </DataTable>
      )}
      <EditorDialog {...editor.dialog} title={editor.editing?.creating ? "New distribution group" : `Group: ${draft?.name ?? ""}`} canEdit={canEdit}>
        {draft && (
          <div class="form-grid">
            {editor.editing?.creating && <TextField label="Group ID" value={draft.group_id} onInput={f("group_id")} error={editor.errors.group_id} hint="Leave empty to have one generated." />}
            <TextField label="Name" value={draft.name} required onInput={f("name")} error={editor.errors.name} />
            <Members value={draft.members} agents={agents} onChange={f("members")} error={editor.errors.members} />
            <Conditions rows={draft.conditions} onChange={f("conditions")} error={editor.errors.conditions} />
          </div>
        )}
      </EditorDialog>
      {remove.dialog}
    </SettingsPage>
  );
}
