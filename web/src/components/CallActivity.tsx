// Call Activity (seed 001): Talk Time (number filter), Date (date+time), Phone and By (multi-select
// + search), Status; a Ring All wave is one row that opens to its legs; an Auto-Dial is its agent's
// leg and the borrower's call, two rows. A recording plays in a popup, never in a new tab.
import { useMemo, useState } from "preact/hooks";
import { duration, text, whenSeconds } from "../format";
import type { CallRow } from "../types";
import { Dialog } from "./Dialog";
import { NumberField, TextField } from "./Fields";
import { MultiSelect } from "./MultiSelect";
import { Cell, DataTable } from "./Page";

const KIND_LABELS: Record<string, string> = {
  ring_wave: "Ring All wave",
  agent_leg: "Call to the agent's phone",
  borrower: "Call to the borrower",
  blocked: "Blocked (TCPA)",
  leg: "Ring All leg",
};

export function callKind(kind: string | null | undefined): string {
  return kind ? (KIND_LABELS[kind] ?? kind.replace(/_/g, " ")) : "Call";
}

interface CallFilters {
  talkMin: number | null;
  talkMax: number | null;
  from: string; // datetime-local, the browser's zone
  to: string;
  phones: string[];
  by: string[];
}

const NONE: CallFilters = { talkMin: null, talkMax: null, from: "", to: "", phones: [], by: [] };

function active(f: CallFilters): number {
  return [f.talkMin !== null, f.talkMax !== null, !!f.from, !!f.to, f.phones.length > 0, f.by.length > 0].filter(Boolean).length;
}

function who(c: CallRow): string {
  return c.by || c.agent_id || "";
}

/** The call itself (not its legs) passes the filters. */
function passes(c: CallRow, f: CallFilters): boolean {
  if (f.talkMin !== null && (c.talk_seconds ?? -1) < f.talkMin) return false;
  if (f.talkMax !== null && (c.talk_seconds ?? 0) > f.talkMax) return false;
  const at = c.started_at ? new Date(c.started_at).getTime() : NaN;
  if (f.from && !(at >= new Date(f.from).getTime())) return false;
  if (f.to && !(at <= new Date(f.to).getTime() + 59_999)) return false;
  if (f.phones.length && !f.phones.includes(c.phone ?? "")) return false;
  if (f.by.length && !f.by.includes(who(c))) return false;
  return true;
}

/** A row shows when it passes, or (a Ring All wave) when one of its legs does. */
export function filterCalls(calls: CallRow[], f: CallFilters): CallRow[] {
  if (!active(f)) return calls;
  return calls.filter((c) => passes(c, f) || (c.legs ?? []).some((l) => passes(l, f)));
}

function distinct(values: (string | null | undefined)[]): { value: string; label: string }[] {
  return [...new Set(values.filter((v): v is string => !!v))].sort().map((v) => ({ value: v, label: v }));
}

/** A recording to play: its URL and what call it is. */
export interface Recording {
  url: string;
  about: string;
}

/** The Recording popup: an audio player in a dialog (never a link to a new tab). */
export function RecordingDialog({ recording, onClose }: { recording: Recording | null; onClose: () => void }) {
  return (
    <Dialog
      open={recording !== null}
      title="Recording"
      onClose={onClose}
      actions={
        <button type="button" class="btn" onClick={onClose}>
          Close
        </button>
      }
    >
      {recording && (
        <div class="recording">
          <p class="muted">{recording.about}</p>
          <audio controls preload="metadata" src={recording.url} aria-label="Call recording">
            Your browser cannot play this recording.
          </audio>
        </div>
      )}
    </Dialog>
  );
}

function aboutCall(call: CallRow): string {
  return [callKind(call.kind), whenSeconds(call.started_at), call.phone, who(call), `talk time ${duration(call.talk_seconds)}`].filter(Boolean).join(" · ");
}

function CallCells({ c, leg, onPlay }: { c: CallRow; leg?: boolean; onPlay: (c: CallRow) => void }) {
  return (
    <>
      <Cell label="Talk Time" class="num">
        {duration(c.talk_seconds)}
      </Cell>
      <Cell label="Date">{whenSeconds(c.started_at)}</Cell>
      <Cell label="Phone">{c.kind === "ring_wave" && !c.phone ? `${(c.legs ?? []).length} agents' phones` : text(c.phone)}</Cell>
      <Cell label="By">{text(who(c))}</Cell>
      <Cell label="Status">
        {text(c.status)}
        {c.reason && <span class="muted call-reason">{c.reason}</span>}
      </Cell>
      <td class="cell-actions">
        {c.recording_url ? (
          <button type="button" class="btn btn-small" onClick={() => onPlay(c)}>
            Recording
            <span class="sr-only">
              {" "}
              of the {leg ? "leg" : "call"} at {whenSeconds(c.started_at)}
            </span>
          </button>
        ) : (
          <span class="sr-only">No recording</span>
        )}
      </td>
    </>
  );
}

export function CallActivity({ calls, caption = "Call Activity" }: { calls: CallRow[]; caption?: string }) {
  const [filters, setFilters] = useState<CallFilters>(NONE);
  const [showFilters, setShowFilters] = useState(false);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [playing, setPlaying] = useState<CallRow | null>(null);
  const everyCall = useMemo(() => calls.flatMap((c) => [c, ...(c.legs ?? [])]), [calls]);
  const phones = useMemo(() => distinct(everyCall.map((c) => c.phone)), [everyCall]);
  const people = useMemo(() => distinct(everyCall.map(who)), [everyCall]);
  const rows = filterCalls(calls, filters);
  const n = active(filters);
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div class="call-activity">
      <div class="toolbar">
        <button type="button" class="btn btn-small" aria-expanded={showFilters ? "true" : "false"} aria-controls="call-filters" onClick={() => setShowFilters(!showFilters)}>
          Filter calls{n ? ` (${n} active)` : ""}
        </button>
        {n > 0 && (
          <button type="button" class="btn btn-link btn-small" onClick={() => setFilters(NONE)}>
            Clear filters
          </button>
        )}
        <span class="muted" aria-live="polite">
          {rows.length === calls.length ? `${calls.length} call${calls.length === 1 ? "" : "s"}` : `${rows.length} of ${calls.length} calls`}
        </span>
      </div>
      {showFilters && (
        <div id="call-filters" class="filter-panel call-filters" role="group" aria-label="Filter calls">
          <div class="filter-range">
            <NumberField label="Talk Time at least (seconds)" value={filters.talkMin} min={0} onInput={(v) => setFilters({ ...filters, talkMin: v })} />
            <NumberField label="Talk Time at most (seconds)" value={filters.talkMax} min={0} onInput={(v) => setFilters({ ...filters, talkMax: v })} />
          </div>
          <div class="filter-range">
            <TextField label="Date from" type="datetime-local" value={filters.from} onInput={(v) => setFilters({ ...filters, from: v })} />
            <TextField label="Date to" type="datetime-local" value={filters.to} onInput={(v) => setFilters({ ...filters, to: v })} />
          </div>
          <div class="filter-range">
            <MultiSelect label="Phone" options={phones} value={filters.phones} onChange={(v) => setFilters({ ...filters, phones: v })} />
            <MultiSelect label="By" options={people} value={filters.by} onChange={(v) => setFilters({ ...filters, by: v })} />
          </div>
        </div>
      )}
      {calls.length === 0 ? (
        <p class="empty">No calls yet.</p>
      ) : rows.length === 0 ? (
        <p class="empty">No calls match these filters.</p>
      ) : (
        <DataTable caption={caption} stack columns={["Call", { label: "Talk Time", class: "num" }, "Date", "Phone", "By", "Status", { label: <span class="sr-only">Recording</span> }]}>
          {rows.map((c) => {
            const legs = c.legs ?? [];
            const expanded = open.has(c.row_id);
            return [
              <tr key={c.row_id} data-call-kind={c.kind} data-row-id={c.row_id} class={c.kind === "blocked" ? "row-blocked" : undefined}>
                <th scope="row" class="cell-title call-kind">
                  {callKind(c.kind)}
                  {legs.length > 0 && (
                    <button type="button" class="btn btn-link btn-small call-legs-toggle" aria-expanded={expanded ? "true" : "false"} onClick={() => toggle(c.row_id)}>
                      {expanded ? "Hide" : "Show"} {legs.length} leg{legs.length === 1 ? "" : "s"}
                    </button>
                  )}
                </th>
                <CallCells c={c} onPlay={setPlaying} />
              </tr>,
              ...(expanded
                ? legs.map((l, i) => (
                    <tr key={`${c.row_id}-${l.row_id || i}`} class="call-leg" data-call-kind="leg">
                      <th scope="row" class="cell-title call-kind">
                        <span aria-hidden="true">↳ </span>Leg {i + 1}
                      </th>
                      <CallCells c={l} leg onPlay={setPlaying} />
                    </tr>
                  ))
                : []),
            ];
          })}
        </DataTable>
      )}
      <RecordingDialog recording={playing?.recording_url ? { url: playing.recording_url, about: aboutCall(playing) } : null} onClose={() => setPlaying(null)} />
    </div>
  );
}
