// The frame the screens share: the page section with its heading, the loading / error / empty
// state of what it loads, and the data table.
import type { ComponentChildren } from "preact";
import { isMissingRoute } from "../api";
import type { Loaded } from "../hooks";
import { ErrorBanner } from "./Fields";

/** A screen: ``<section>`` labelled by its ``<h1>`` (focused after navigation), with ``tools`` beside the heading. */
export function Page({ id, title, tools, children }: { id: string; title: string; tools?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby={id}>
      <div class="section-head">
        <h1 id={id} tabIndex={-1}>
          {title}
        </h1>
        {tools}
      </div>
      {children}
    </section>
  );
}

export function RefreshButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" class="btn btn-small" onClick={onClick}>
      Refresh
    </button>
  );
}

/** What stands in for loaded data: the error (with Retry; a 401 ends the session elsewhere), "Loading…" until the first answer,
 * then ``empty`` when ``isEmpty``. With ``missing`` (what the API serves), a 404 for a route not deployed yet is a notice. */
export function LoadState<T>({ load, isEmpty, empty, missing, loading = "Loading…" }: { load: Loaded<T>; isEmpty?: (data: T) => boolean; empty?: ComponentChildren; missing?: string; loading?: string }) {
  const { data, error } = load;
  if (missing && error && isMissingRoute(error)) {
    return (
      <p class="banner banner-info" role="status">
        The {missing} API is not available on this server yet (404). This screen works as soon as it is deployed.
      </p>
    );
  }
  return (
    <>
      <ErrorBanner error={error?.status === 401 ? undefined : error} onRetry={() => void load.reload()} />
      {data === undefined ? load.loading && !error && <p aria-live="polite">{loading}</p> : isEmpty?.(data) && <p class="empty">{empty}</p>}
    </>
  );
}

/** A column heading: its text, or its text and class (``num`` for right-aligned amounts). */
export type Column = string | { label: ComponentChildren; class?: string };
/** The heading of a row's buttons, for screen readers only. */
export const ACTIONS: Column = { label: <span class="sr-only">Actions</span> };
export const num = (label: string): Column => ({ label, class: "num" });

/** A ``table.grid`` with its caption (for screen readers) and column headings; ``children`` are the body rows.
 * ``inner``: a table nested in a row (``grid-inner``, not wrapped for scrolling).
 * ``stack``: on a phone's width each row is a card, one line per cell, labelled by the cell's ``data-label``
 * (``Cell``); a cell without one (the row's title, its buttons) spans the card. */
export function DataTable({ caption, columns, inner, stack, children }: { caption: string; columns: Column[]; inner?: boolean; stack?: boolean; children: ComponentChildren }) {
  const table = (
    <table class={["grid", inner ? "grid-inner" : "", stack ? "grid-stack" : ""].filter(Boolean).join(" ")}>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c, i) => {
            const { label, class: cls } = typeof c === "string" ? { label: c, class: undefined } : c;
            return (
              <th key={i} scope="col" class={cls}>
                {label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return inner ? table : <div class="table-wrap">{table}</div>;
}

/** A body cell of a ``stack`` table: ``label`` is its column's heading, shown beside the value on a phone. */
export function Cell({ label, class: cls, title, children }: { label: string; class?: string; title?: string; children?: ComponentChildren }) {
  return (
    <td data-label={label} class={cls} title={title}>
      {children}
    </td>
  );
}

/** One term and its value in a ``<dl>``. */
export function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** What a page of a list read with cursors shows: "Showing a–b of N" when the list's size is known,
 * else "Showing a–b" and whether more follow (a filtered page may even be empty and have more after it). */
export function showing(offset: number, count: number, total: number | null | undefined, more: boolean): string {
  if (count === 0) return more ? "No matching rows on this page; more follow" : offset > 0 ? "No more rows" : "No rows";
  const range = `Showing ${offset + 1}–${offset + count}`;
  if (total !== null && total !== undefined) return `${range} of ${total}`;
  return `${range} · ${more ? "more follow" : "end of list"}`;
}

/** Previous / Next over a list read with cursors (``useCursorPages``), after ``status`` (``showing``) and ``note``;
 * ``children`` (a page-size picker) sit before the buttons. */
export function Pager({ label, statusId, status, note, number, canPrevious, canNext, onPrevious, onNext, previousLabel = "Previous", nextLabel = "Next", children }: {
  label: string;
  statusId?: string;
  status: ComponentChildren;
  note?: ComponentChildren;
  number: number;
  canPrevious: boolean;
  canNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  previousLabel?: string;
  nextLabel?: string;
  children?: ComponentChildren;
}) {
  return (
    <nav class="pager" aria-label={label}>
      <span class="pager-status">
        <span id={statusId} aria-live="polite">
          {status}
        </span>
        {note && <span class="pager-note">{note}</span>}
      </span>
      {children}
      <span class="pager-buttons">
        <button type="button" class="btn btn-small" disabled={!canPrevious} onClick={onPrevious}>
          {previousLabel}
        </button>
        <span class="pager-page">Page {number}</span>
        <button type="button" class="btn btn-small" disabled={!canNext} onClick={onNext}>
          {nextLabel}
        </button>
      </span>
    </nav>
  );
}
