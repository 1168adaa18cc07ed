// Settings → Vendors → Posting format (issue 14): a vendor's posting profile edited beside its test console.
// The formats it posts, its field mapping (a row per lead field: the vendor's field with transforms in order, or a
// constant), whether its other fields are kept in the lead's ``fields``, and the answer it gets (leadwave's JSON, or
// an XML or text template). "Use leadwave's JSON (no profile)" saves null. Opened at
// /app/settings/vendors?profile=<vendor id>.
import { useId, useRef, useState } from "preact/hooks";
import { ApiError, get, put } from "../../api";
import { CheckboxField, Fieldset, FormErrors } from "../../components/Fields";
import { LoadState, Page } from "../../components/Page";
import { useLoad } from "../../hooks";
import { notify } from "../../notify";
import { linkHandler } from "../../router";
import type { Campaign } from "../../types";
import { useOptional } from "./common";
import {
  ANSWERS,
  type AnswerKind,
  CUSTOM,
  DEFAULT_TEMPLATES,
  type Draft,
  draftOf,
  FORMATS,
  LEAD_FIELDS,
  newRule,
  NO_ERRORS,
  PLACEHOLDERS,
  type PostingProfile,
  profileErrors,
  type ProfileErrors,
  profileOf,
  type RowErrors,
  type RuleDraft,
  TRANSFORMS,
  type Transform,
  usualRules,
  type VendorWithProfile,
} from "./posting";
import { ProfileConsole } from "./ProfileConsole";
import "./posting.css";

export const VENDORS_PATH = "/app/settings/vendors";
export const profilePath = (vendorId: string) => `${VENDORS_PATH}?profile=${encodeURIComponent(vendorId)}`;

const MAX_RULES = 100; // the API's limit

/** A control's error, said under it and tied to it (aria-describedby). */
function ErrorText({ id, text }: { id: string; text?: string }) {
  return text ? (
    <span id={id} class="field-error">
      {text}
    </span>
  ) : null;
}

function TargetCell({ rule, n, error, onChange }: { rule: RuleDraft; n: number; error?: string; onChange: (r: RuleDraft) => void }) {
  const id = useId();
  const known = rule.target === "" || rule.target === CUSTOM || LEAD_FIELDS.some((f) => f.value === rule.target);
  return (
    <td data-label="Lead field" class="pp-target">
      <select
        id={`${id}-t`}
        aria-label={`Lead field, row ${n}`}
        value={rule.target}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-e` : undefined}
        onChange={(e) => onChange({ ...rule, target: (e.currentTarget as HTMLSelectElement).value })}
      >
        <option value="">Choose…</option>
        {LEAD_FIELDS.map((f) => (
          <option key={f.value} value={f.value}>
            {f.label}
          </option>
        ))}
        {!known && <option value={rule.target}>{rule.target}</option>}
        <option value={CUSTOM}>Custom field…</option>
      </select>
      {rule.target === CUSTOM && (
        <span class="pp-custom">
          <span class="pp-prefix mono" aria-hidden="true">
            fields.
          </span>
          <input
            type="text"
            class="mono"
            aria-label={`Custom field name, row ${n}`}
            placeholder="name"
            value={rule.custom}
            maxLength={64}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={error ? `${id}-e` : undefined}
            onInput={(e) => onChange({ ...rule, custom: (e.currentTarget as HTMLInputElement).value })}
          />
        </span>
      )}
      <ErrorText id={`${id}-e`} text={error} />
    </td>
  );
}

function FromCell({ rule, n, error, onChange }: { rule: RuleDraft; n: number; error?: string; onChange: (r: RuleDraft) => void }) {
  const id = useId();
  const constant = rule.from === "value";
  return (
    <td data-label="From the post" class="pp-from">
      <span class="pp-from-controls">
        <select aria-label={`Row ${n} takes`} value={rule.from} onChange={(e) => onChange({ ...rule, from: (e.currentTarget as HTMLSelectElement).value as RuleDraft["from"] })}>
          <option value="source">Vendor field</option>
          <option value="value">Constant</option>
        </select>
        <input
          type="text"
          class={constant ? "" : "mono"}
          aria-label={constant ? `Constant, row ${n}` : `Vendor field, row ${n}`}
          placeholder={constant ? "the value for every lead" : "Lead.FirstName or contact.phone"}
          value={rule.text}
          maxLength={constant ? 500 : 200}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${id}-e` : undefined}
          onInput={(e) => onChange({ ...rule, text: (e.currentTarget as HTMLInputElement).value })}
        />
      </span>
      <ErrorText id={`${id}-e`} text={error} />
    </td>
  );
}

function TransformsCell({ rule, n, error, onChange }: { rule: RuleDraft; n: number; error?: string; onChange: (r: RuleDraft) => void }) {
  const id = useId();
  if (rule.from === "value") {
    return (
      <td data-label="Transforms" class="pp-transforms">
        <span class="muted small">A constant is used as typed.</span>
      </td>
    );
  }
  const unused = TRANSFORMS.filter((t) => !rule.transforms.includes(t.value));
  const label = (t: Transform) => TRANSFORMS.find((x) => x.value === t)?.label ?? t;
  return (
    <td data-label="Transforms" class="pp-transforms">
      {rule.transforms.length > 0 && (
        <ol class="pp-chips" aria-label={`Transforms of row ${n}, in order`}>
          {rule.transforms.map((t) => (
            <li key={t} class="pp-chip" title={TRANSFORMS.find((x) => x.value === t)?.hint}>
              <span>{label(t)}</span>
              <button type="button" class="pp-chip-remove" aria-label={`Remove ${label(t)} from row ${n}`} onClick={() => onChange({ ...rule, transforms: rule.transforms.filter((x) => x !== t) })}>
                ×
              </button>
            </li>
          ))}
        </ol>
      )}
      {unused.length > 0 && (
        <select
          class="pp-add-transform"
          aria-label={`Add a transform to row ${n}`}
          value=""
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? `${id}-e` : undefined}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value as Transform;
            if (v) onChange({ ...rule, transforms: [...rule.transforms, v] });
          }}
        >
          <option value="">{rule.transforms.length ? "Then…" : "Add a transform…"}</option>
          {unused.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      )}
      <ErrorText id={`${id}-e`} text={error} />
    </td>
  );
}

function MappingRow({ rule, index, count, errors, twin, onChange, onMove, onRemove }: {
  rule: RuleDraft;
  index: number;
  count: number;
  errors?: RowErrors;
  /** An earlier row with the same lead field (this later one wins). */
  twin?: number;
  onChange: (r: RuleDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const n = index + 1;
  const invalid = !!(errors && (errors.row || errors.target || errors.from || errors.transforms));
  return (
    <>
      <tr class={`pp-row${invalid ? " pp-row-invalid" : ""}`} data-row={n}>
        <th scope="row" class="pp-n">
          <span class="sr-only">Row </span>
          {n}
        </th>
        <TargetCell rule={rule} n={n} error={errors?.target} onChange={onChange} />
        <FromCell rule={rule} n={n} error={errors?.from} onChange={onChange} />
        <TransformsCell rule={rule} n={n} error={errors?.transforms} onChange={onChange} />
        <td class="pp-row-actions">
          <button type="button" class="btn btn-small btn-ghost" disabled={index === 0} onClick={() => onMove(-1)} aria-label={`Move row ${n} up`} title="Move up">
            ↑
          </button>
          <button type="button" class="btn btn-small btn-ghost" disabled={index === count - 1} onClick={() => onMove(1)} aria-label={`Move row ${n} down`} title="Move down">
            ↓
          </button>
          <button type="button" class="btn btn-small btn-danger-outline pp-remove" onClick={onRemove} aria-label={`Remove row ${n}`} title="Remove this row">
            ×
          </button>
        </td>
      </tr>
      {(errors?.row || twin) && (
        <tr class="pp-row-note" data-row-note={n}>
          <td colSpan={5}>
            {errors?.row && (
              <p class="field-error" role="alert">
                Row {n}: {errors.row}
              </p>
            )}
            {twin && <p class="row-warning">Row {twin} sets the same lead field; this row, later, wins when both have a value.</p>}
          </td>
        </tr>
      )}
    </>
  );
}

function Mapping({ draft, errors, onChange }: { draft: Draft; errors: ProfileErrors; onChange: (rules: RuleDraft[]) => void }) {
  const rules = draft.rules;
  const set = (i: number, r: RuleDraft) => onChange(rules.map((x, j) => (j === i ? r : x)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...rules];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    onChange(next);
  };
  const targetOf = (r: RuleDraft) => (r.target === CUSTOM ? `${CUSTOM}${r.custom.trim()}` : r.target);
  const twinOf = (i: number) => {
    const t = targetOf(rules[i]);
    if (!t || t === CUSTOM) return undefined;
    const j = rules.findIndex((r) => targetOf(r) === t);
    return j >= 0 && j < i ? j + 1 : undefined;
  };
  return (
    <Fieldset legend="Field mapping" class="pp-mapping">
      <p class="field-hint pp-hint">
        Each row sets one field of the lead: from the vendor's field (its name as posted, such as <code>Lead.FirstName</code>, or a dotted path into nested
        JSON or XML, such as <code>contact.phone</code>), transformed in order, or a constant. A custom field goes to the lead's <code>fields</code>.
      </p>
      {rules.length === 0 ? (
        <p class="empty pp-empty">No rows: the vendor posts leadwave's own field names (campaign_id, first_name, phone…).</p>
      ) : (
        <div class="table-wrap pp-map-wrap">
          <table class="grid pp-map">
            <caption class="sr-only">Field mapping: a row per lead field</caption>
            <colgroup>
              <col class="pp-col-n" />
              <col class="pp-col-target" />
              <col class="pp-col-from" />
              <col class="pp-col-transforms" />
              <col class="pp-col-actions" />
            </colgroup>
            <thead>
              <tr>
                <th scope="col" class="pp-n">
                  #
                </th>
                <th scope="col">Lead field</th>
                <th scope="col">From the post</th>
                <th scope="col">Transforms, in order</th>
                <th scope="col">
                  <span class="sr-only">Order and remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                <MappingRow
                  key={r.key}
                  rule={r}
                  index={i}
                  count={rules.length}
                  errors={errors.rows[r.key]}
                  twin={twinOf(i)}
                  onChange={(x) => set(i, x)}
                  onMove={(by) => move(i, by)}
                  onRemove={() => onChange(rules.filter((_, j) => j !== i))}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pp-map-buttons">
        <button type="button" class="btn btn-small" disabled={rules.length >= MAX_RULES} onClick={() => onChange([...rules, newRule()])}>
          Add field
        </button>
        {rules.length === 0 && (
          <button type="button" class="btn btn-small" onClick={() => onChange(usualRules())}>
            Add the usual lead fields
          </button>
        )}
      </div>
    </Fieldset>
  );
}

function AnswerEditor({ draft, error, onChange }: { draft: Draft; error?: string; onChange: (d: Draft) => void }) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const kind = draft.answer;
  const template = kind === "json" ? "" : draft.templates[kind];
  const setTemplate = (t: string) => kind !== "json" && onChange({ ...draft, templates: { ...draft.templates, [kind]: t } });
  const insert = (name: string) => {
    const el = area.current;
    const at = el ? el.selectionStart : template.length;
    const end = el ? el.selectionEnd : template.length;
    setTemplate(template.slice(0, at) + name + template.slice(end));
    window.requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + name.length, at + name.length);
    });
  };
  return (
    <Fieldset legend="Answer to the vendor" class="pp-answer">
      <div class="radio-list pp-answer-kinds" role="radiogroup" aria-label="Answer format">
        {ANSWERS.map((a) => (
          <label key={a.value}>
            <input type="radio" name={`${id}-answer`} value={a.value} checked={kind === a.value} onChange={() => onChange({ ...draft, answer: a.value as AnswerKind })} />
            <span>
              {a.label} <span class="field-hint">— {a.hint}</span>
            </span>
          </label>
        ))}
      </div>
      {kind !== "json" && (
        <div class={`field pp-template${error ? " field-invalid" : ""}`}>
          <label for={`${id}-template`}>{kind === "xml" ? "XML template" : "Text template"}</label>
          <textarea
            id={`${id}-template`}
            ref={area}
            class="mono"
            rows={kind === "xml" ? 5 : 3}
            spellcheck={false}
            maxLength={4000}
            placeholder={DEFAULT_TEMPLATES[kind]}
            value={template}
            aria-invalid={error ? "true" : undefined}
            aria-describedby={`${id}-template-hint${error ? ` ${id}-template-error` : ""}`}
            onInput={(e) => setTemplate((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <span id={`${id}-template-hint`} class="field-hint">
            Empty: the default, shown greyed.{" "}
            {!template && (
              <button type="button" class="btn-link" onClick={() => setTemplate(DEFAULT_TEMPLATES[kind])}>
                Start from the default
              </button>
            )}
          </span>
          <ErrorText id={`${id}-template-error`} text={error} />
          <p class="field-static-label pp-placeholders-title">Placeholders (click to insert)</p>
          <ul class="pp-placeholders">
            {PLACEHOLDERS.map((p) => (
              <li key={p.name}>
                <button type="button" class="chip mono" onClick={() => insert(p.name)} aria-label={`Insert ${p.name}: ${p.means}`}>
                  {p.name}
                </button>
                <span class="small muted">{p.means}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {kind === "json" && error && <p class="field-error">{error}</p>}
    </Fieldset>
  );
}

function ProfileEditor({ draft, errors, onChange }: { draft: Draft; errors: ProfileErrors; onChange: (d: Draft) => void }) {
  const id = useId();
  return (
    <>
      <div class="radio-list pp-mode" role="radiogroup" aria-label="How this vendor posts">
        <label>
          <input type="radio" name={`${id}-mode`} checked={!draft.own} onChange={() => onChange({ ...draft, own: false })} />
          <span>
            Use leadwave's JSON (no profile) <span class="field-hint">— the vendor posts leadwave's field names as JSON and gets leadwave's JSON answer</span>
          </span>
        </label>
        <label>
          <input type="radio" name={`${id}-mode`} checked={draft.own} onChange={() => onChange({ ...draft, own: true })} />
          <span>
            The vendor's own format <span class="field-hint">— its formats, field names and answer, below</span>
          </span>
        </label>
      </div>
      {draft.own && (
        <>
          <Fieldset legend="Formats the vendor posts" class={`pp-formats${errors.formats ? " field-invalid" : ""}`}>
            <div class="check-row">
              {FORMATS.map((f) => (
                <CheckboxField
                  key={f.value}
                  label={f.label}
                  hint={f.hint}
                  checked={draft.formats.includes(f.value)}
                  onChange={(on) => onChange({ ...draft, formats: on ? [...draft.formats, f.value] : draft.formats.filter((x) => x !== f.value) })}
                />
              ))}
            </div>
            {errors.formats && <p class="field-error">{errors.formats}</p>}
            <p class="field-hint pp-hint">Another content type is refused with 415, in the vendor's answer format.</p>
          </Fieldset>
          <Mapping draft={draft} errors={errors} onChange={(rules) => onChange({ ...draft, rules })} />
          <CheckboxField
            label="Keep other fields in the lead's fields"
            hint="Every field of the post no row reads, under its dotted name (Lead.CreditRating)."
            checked={draft.keepUnmapped}
            error={errors.keep}
            onChange={(keepUnmapped) => onChange({ ...draft, keepUnmapped })}
          />
          <AnswerEditor draft={draft} error={errors.answer} onChange={onChange} />
        </>
      )}
    </>
  );
}

function errorCount(e: ProfileErrors): string[] {
  const rows = e.rowCount ? [`${e.rowCount === 1 ? "A row" : `${e.rowCount} rows`} of the field mapping: see the row${e.rowCount === 1 ? "" : "s"} marked below.`] : [];
  return [...e.other, ...(e.formats ? [`Formats: ${e.formats}`] : []), ...rows, ...(e.answer ? [`Answer: ${e.answer}`] : [])];
}

/** The editor and its console for one vendor; read-only (the console still works) for who cannot edit. */
export function PostingProfilePage({ vendorId, canEdit }: { vendorId: string; canEdit: boolean }) {
  const vendor = useLoad(() => get<VendorWithProfile>(`/v1/vendors/${encodeURIComponent(vendorId)}`), [vendorId]);
  const campaigns = useOptional<Campaign>("/v1/campaigns", "campaigns");
  const campaignId = campaigns?.find((c) => c.active !== false)?.campaign_id ?? "your-campaign-id";
  const v = vendor.data;
  return (
    <Page
      id="posting-format-title"
      title={v ? `Posting format: ${v.name}` : "Posting format"}
      tools={
        <div class="toolbar">
          <a class="btn btn-small" href={VENDORS_PATH} onClick={linkHandler}>
            ← All vendors
          </a>
          {!canEdit && <span class="badge">Read-only</span>}
        </div>
      }
    >
      <LoadState load={vendor} missing="vendors" />
      {v && <Loaded key={v.vendor_id} vendor={v} canEdit={canEdit} campaignId={campaignId} />}
    </Page>
  );
}

function Loaded({ vendor, canEdit, campaignId }: { vendor: VendorWithProfile; canEdit: boolean; campaignId: string }) {
  const [saved, setSaved] = useState<PostingProfile | null>(vendor.profile ?? null);
  const [draft, setDraft] = useState<Draft>(() => draftOf(vendor.profile));
  const [errors, setErrors] = useState<ProfileErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const current = profileOf(draft);
  const dirty = JSON.stringify(current) !== JSON.stringify(profileOf(draftOf(saved)));

  /** A change to the draft; a refusal stays on what was not touched since. */
  const edit = (next: Draft) => {
    setDraft(next);
    setErrors((e) => {
      if (e === NO_ERRORS) return e;
      const rows = Object.fromEntries(Object.entries(e.rows).filter(([key]) => {
        const before = draft.rules.find((r) => String(r.key) === key);
        const after = next.rules.find((r) => String(r.key) === key);
        return after !== undefined && before === after;
      }));
      return {
        ...e,
        rows,
        rowCount: Object.keys(rows).length,
        formats: next.formats === draft.formats ? e.formats : undefined,
        keep: next.keepUnmapped === draft.keepUnmapped ? e.keep : undefined,
        answer: next.answer === draft.answer && next.templates === draft.templates ? e.answer : undefined,
      };
    });
  };

  const save = async () => {
    if (current && !current.formats.length) {
      setErrors({ ...NO_ERRORS, formats: "Choose at least one format the vendor posts." });
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const answer = await put<{ vendor_id: string; profile: PostingProfile | null }>(`/v1/vendors/${encodeURIComponent(vendor.vendor_id)}/profile`, current);
      setSaved(answer.profile);
      notify(answer.profile ? `Vendor “${vendor.name}”: posting format saved.` : `Vendor “${vendor.name}”: posts leadwave's JSON again (no profile).`, "success");
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setErrors(profileErrors(err, draft.rules));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="pp-layout">
      <form
        class="card pp-editor"
        aria-label="Posting format"
        onSubmit={(e) => {
          e.preventDefault();
          if (canEdit) void save();
        }}
      >
        <p class="muted small pp-intro">
          How <strong>{vendor.name}</strong> posts leads to <code>POST /v1/leads</code> with its key (<code>{vendor.key_prefix}…</code>) and the answer it gets.
          Try a sample in the console before saving.
        </p>
        <FormErrors messages={errorCount(errors)} title="Not saved:" />
        <fieldset class="plain" disabled={!canEdit}>
          <ProfileEditor draft={draft} errors={errors} onChange={edit} />
        </fieldset>
        {canEdit && (
          <div class="form-actions pp-actions">
            {dirty && <span class="badge pp-dirty">Unsaved changes</span>}
            <button type="button" class="btn" disabled={!dirty || busy} onClick={() => { setDraft(draftOf(saved)); setErrors(NO_ERRORS); }}>
              Discard changes
            </button>
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? "Saving…" : "Save posting format"}
            </button>
          </div>
        )}
      </form>
      <ProfileConsole
        vendorId={vendor.vendor_id}
        profile={current}
        campaignId={campaignId}
        onRefused={(err) => setErrors(profileErrors(err, draft.rules))}
        onValid={() => setErrors((e) => (e.formats && current && !current.formats.length ? e : NO_ERRORS))}
      />
    </div>
  );
}
