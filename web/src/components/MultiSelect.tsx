// A multi-select with a search box (the seeds' "Multi+search" filter): a button saying what is chosen,
// which opens a panel in the page's flow (never over the edge of a phone's screen) with the search
// and one checkbox per value. Escape closes it and gives the focus back to the button.
import { useEffect, useId, useRef, useState } from "preact/hooks";

export interface Option {
  value: string;
  label: string;
}

export function summary(value: string[], options: Option[], none: string): string {
  if (!value.length) return none;
  const labels = value.map((v) => options.find((o) => o.value === v)?.label ?? v);
  return labels.length <= 2 ? labels.join(", ") : `${labels.length} selected`;
}

export function MultiSelect({ label, options, value, onChange, none = "Any", hint, disabled }: {
  label: string;
  options: Option[];
  value: string[];
  onChange: (value: string[]) => void;
  none?: string;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const selected = new Set(value);
  // values chosen that the options do not list (typed elsewhere, or gone) stay choosable
  const all = [...options, ...value.filter((v) => !options.some((o) => o.value === v)).map((v) => ({ value: v, label: v }))];
  const q = search.trim().toLowerCase();
  const shown = all.filter((o) => !q || o.label.toLowerCase().includes(q) || o.value.toLowerCase().includes(q));

  useEffect(() => {
    if (open) panel.current?.querySelector<HTMLInputElement>("input[type=search]")?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    setSearch("");
    window.setTimeout(() => button.current?.focus(), 0);
  };
  const toggle = (v: string, on: boolean) => onChange(on ? [...value, v] : value.filter((x) => x !== v));

  return (
    <div class="field multi">
      <span class="field-static-label" id={`${id}-label`}>
        {label}
      </span>
      <button
        ref={button}
        type="button"
        class="multi-button"
        aria-expanded={open ? "true" : "false"}
        aria-controls={`${id}-panel`}
        aria-labelledby={`${id}-label ${id}-value`}
        aria-describedby={hint ? `${id}-hint` : undefined}
        disabled={disabled}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span id={`${id}-value`} class={value.length ? "" : "muted"}>
          {summary(value, all, none)}
        </span>
        <span aria-hidden="true" class="multi-caret">
          ▾
        </span>
      </button>
      {hint && (
        <span id={`${id}-hint`} class="field-hint">
          {hint}
        </span>
      )}
      {open && (
        <div
          ref={panel}
          id={`${id}-panel`}
          class="multi-panel"
          role="group"
          aria-label={`Choose ${label}`}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              e.preventDefault();
              close();
            }
          }}
        >
          <input type="search" class="multi-search" placeholder="Search" aria-label={`Search ${label}`} value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} />
          <div class="multi-options">
            {shown.length === 0 && <p class="muted">No values.</p>}
            {shown.map((o) => (
              <label key={o.value} class="multi-option">
                <input type="checkbox" checked={selected.has(o.value)} onChange={(e) => toggle(o.value, (e.currentTarget as HTMLInputElement).checked)} />
                <span>{o.label}</span>
              </label>
            ))}
          </div>
          <div class="multi-actions">
            <button type="button" class="btn btn-small" onClick={() => onChange([])} disabled={!value.length}>
              Clear
            </button>
            <button type="button" class="btn btn-small btn-primary" onClick={close}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
