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

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return ids || undefined;
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
  const id = useId();
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>
        {label}
        {rest.required && <span aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        type={type}
        value={value}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

interface NumberProps extends Base {
  value: number | string | null | undefined;
  onInput: (value: number | null) => void;
  min?: number;
  max?: number;
  step?: number | "any";
}

export function NumberField({ label, error, hint, value, onInput, ...rest }: NumberProps) {
  const id = useId();
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>
        {label}
        {rest.required && <span aria-hidden="true"> *</span>}
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        value={value === null || value === undefined ? "" : String(value)}
        onInput={(e) => {
          const raw = (e.currentTarget as HTMLInputElement).value;
          onInput(raw === "" ? null : Number(raw));
        }}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

interface SelectProps extends Base {
  value: string;
  onChange: (value: string) => void;
  options: { value: string; label: string }[];
}

export function SelectField({ label, error, hint, value, onChange, options, ...rest }: SelectProps) {
  const id = useId();
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>
        {label}
        {rest.required && <span aria-hidden="true"> *</span>}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Described id={id} hint={hint} error={error} />
    </div>
  );
}

interface CheckProps extends Base {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function CheckboxField({ label, error, hint, checked, onChange, disabled, name }: CheckProps) {
  const id = useId();
  return (
    <div class={`field field-check${error ? " field-invalid" : ""}`}>
      <input
        id={id}
        type="checkbox"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
      />
      <label for={id}>{label}</label>
      <Described id={id} hint={hint} error={error} />
    </div>
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
      {hint && (
        <span id={`${id}-hint`} class="field-hint">
          {hint}
        </span>
      )}
    </div>
  );
}

interface AreaProps extends Base {
  value: string;
  onInput: (value: string) => void;
  rows?: number;
}

export function TextAreaField({ label, error, hint, value, onInput, rows = 3, ...rest }: AreaProps) {
  const id = useId();
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id}>{label}</label>
      <textarea
        id={id}
        rows={rows}
        value={value}
        onInput={(e) => onInput((e.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
      <Described id={id} hint={hint} error={error} />
    </div>
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
