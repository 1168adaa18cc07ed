// Labelled form controls with their error text wired through aria-describedby / aria-invalid.
import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";
import type { ApiError } from "../api";

export type FieldErrors = Record<string, string>;

interface Base {
  label: string;
  error?: string;
  hint?: string;
  disabled?: boolean;
  required?: boolean;
  name?: string;
}

function Described({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && (
        <span id={`${id}-hint`} class="field-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} class="field-error">
          {error}
        </span>
      )}
    </>
  );
}

/** A control's id and its ARIA state (invalid, described by its hint and error). */
function useControl(hint?: string, error?: string) {
  const id = useId();
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return { id, aria: { "aria-invalid": error ? ("true" as const) : undefined, "aria-describedby": ids || undefined } };
}

/** The frame every field shares: its label (before the control, or after a checkbox), the control, hint and error. */
function Field({ id, label, hint, error, required, check, children }: { id: string; label: string; hint?: string; error?: string; required?: boolean; check?: boolean; children: ComponentChildren }) {
  return (
    <div class={`field${check ? " field-check" : ""}${error ? " field-invalid" : ""}`}>
      {!check && (
        <label for={id}>
          {label}
          {required && <span aria-hidden="true"> *</span>}
        </label>
      )}
      {children}
      {check && <label for={id}>{label}</label>}
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

interface TextProps extends Base {
  value: string;
  onInput: (value: string) => void;
  type?: "text" | "email" | "tel" | "search" | "date" | "time" | "datetime-local";
  placeholder?: string;
  autoComplete?: string;
  list?: string;
  pattern?: string;
  maxLength?: number;
}

export function TextField({ label, error, hint, value, onInput, type = "text", ...rest }: TextProps) {
  const control = useControl(hint, error);
  return (
    <Field id={control.id} label={label} hint={hint} error={error} required={rest.required}>
      <input id={control.id} type={type} value={value} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} {...control.aria} {...rest} />
    </Field>
  );
}

interface NumberProps extends Base {
  value: number | string | null | undefined;
  onInput: (value: number | null) => void;
  min?: number;
  max?: number;
  step?: number | "any";
  placeholder?: string;
}

export function NumberField({ label, error, hint, value, onInput, ...rest }: NumberProps) {
  const control = useControl(hint, error);
  return (
    <Field id={control.id} label={label} hint={hint} error={error} required={rest.required}>
      <input
        id={control.id}
        type="number"
        inputMode={rest.step === "any" || (typeof rest.step === "number" && !Number.isInteger(rest.step)) ? "decimal" : "numeric"}
        value={value === null || value === undefined ? "" : String(value)}
        onInput={(e) => {
          const raw = (e.currentTarget as HTMLInputElement).value;
          onInput(raw === "" ? null : Number(raw));
        }}
        {...control.aria}
        {...rest}
      />
    </Field>
  );
}

interface SelectProps extends Base {
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}

export function SelectField({ label, error, hint, value, onChange, options, ...rest }: SelectProps) {
  const control = useControl(hint, error);
  return (
    <Field id={control.id} label={label} hint={hint} error={error} required={rest.required}>
      <select id={control.id} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)} {...control.aria} {...rest}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** A select of what a lookup list offers ("" for none), or, when the list cannot be loaded, a text field for the ID. */
export function PickerField({ label, idLabel, value, onChange, options, none, hint, idHint, error }: {
  label: string;
  idLabel: string;
  value: string | null;
  onChange: (value: string | null) => void;
  options: { value: string; label: string }[] | null;
  none: string;
  hint: string;
  idHint: string;
  error?: string;
}) {
  return options ? (
    <SelectField label={label} value={value ?? ""} onChange={(v) => onChange(v || null)} error={error} hint={hint} options={[{ value: "", label: none }, ...options]} />
  ) : (
    <TextField label={idLabel} value={value ?? ""} onInput={(v) => onChange(v || null)} error={error} hint={idHint} />
  );
}

interface CheckProps extends Base {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function CheckboxField({ label, error, hint, checked, onChange, disabled, name }: CheckProps) {
  const control = useControl(hint, error);
  return (
    <Field id={control.id} label={label} hint={hint} error={error} check>
      <input id={control.id} type="checkbox" name={name} checked={checked} disabled={disabled} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} {...control.aria} />
    </Field>
  );
}

interface SwitchProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  onLabel?: string;
  offLabel?: string;
  hint?: string;
}

/** An on/off switch (role="switch"), operable with Space and Enter. */
export function Switch({ label, checked, onChange, disabled, onLabel = "On", offLabel = "Off", hint }: SwitchProps) {
  const id = useId();
  return (
    <div class="switch-field">
      <span id={`${id}-label`} class="switch-label">
        {label}
      </span>
      <button
        type="button"
        role="switch"
        class={`switch${checked ? " switch-on" : ""}`}
        aria-checked={checked ? "true" : "false"}
        aria-labelledby={`${id}-label`}
        aria-describedby={hint ? `${id}-hint` : undefined}
        disabled={disabled}
        onClick={() => onChange(!checked)}
      >
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        <span class="switch-state">{checked ? onLabel : offLabel}</span>
      </button>
      <Described id={id} hint={hint} />
    </div>
  );
}

interface AreaProps extends Base {
  value: string;
  onInput: (value: string) => void;
  rows?: number;
  maxLength?: number;
  placeholder?: string;
}

export function TextAreaField({ label, error, hint, value, onInput, rows = 3, ...rest }: AreaProps) {
  const control = useControl(hint, error);
  return (
    <Field id={control.id} label={label} hint={hint} error={error}>
      <textarea id={control.id} rows={rows} value={value} onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)} {...control.aria} {...rest} />
    </Field>
  );
}

export function Fieldset({ legend, children, class: cls }: { legend: string; children: ComponentChildren; class?: string }) {
  return (
    <fieldset class={`fieldset ${cls ?? ""}`}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

/** Field errors from a 400 validation_failed answer: {"field": "message"}; the rest as a list. */
export function fieldErrors(err: ApiError | undefined, known: string[]): { byField: FieldErrors; other: string[] } {
  const byField: FieldErrors = {};
  const other: string[] = [];
  if (!err) return { byField, other };
  for (const d of err.details) {
    const field = d.field ?? "";
    const message = d.message ?? d.code ?? "invalid";
    const match = known.find((k) => field === k || field.startsWith(`${k}.`) || field.endsWith(`.${k}`));
    if (match && !byField[match]) byField[match] = message;
    else other.push(field ? `${field}: ${message}` : message);
  }
  if (!err.details.length) other.push(err.message);
  return { byField, other };
}

export function FormErrors({ messages, title = "Please fix the following:" }: { messages: string[]; title?: string }) {
  if (!messages.length) return null;
  return (
    <div class="form-errors" role="alert">
      <p>{title}</p>
      <ul>
        {messages.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}

export function ErrorBanner({ error, onRetry }: { error: ApiError | Error | undefined | null; onRetry?: () => void }): JSX.Element | null {
  if (!error) return null;
  return (
    <div class="banner banner-error" role="alert">
      <span>{error.message}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
