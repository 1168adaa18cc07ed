// An agent's schedule (issue 13): when they may receive leads, in their own time zone (the org's
// when unset): weekly hours (off, or one or more intervals a day) and days out of office. Outside
// it the agent gets no leads, whatever their Lead Availability switch says.
import { useId } from "preact/hooks";
import { ApiError } from "../../api";
import { CheckboxField, Fieldset, SelectField, Switch } from "../../components/Fields";
import { DAY_NAMES, timeZones } from "../../format";
import { type DateRange, type DayHours, type ErrorDetail, type Schedule, WEEKDAYS, type Weekday } from "../../types";

export const WORKDAYS: Partial<Record<Weekday, DayHours[]>> = Object.fromEntries(WEEKDAYS.filter((d) => d !== "sat" && d !== "sun").map((d) => [d, [{ open: "09:00", close: "17:00" }]]));
export const NEW_SCHEDULE: Schedule = { time_zone: null, hours: WORKDAYS, out_of_office: [] };

/** At most this many days-away rows (the server's limit). */
const MAX_AWAY = 100;

/** Where a refusal of the schedule is said: a day's row, an absence's row, the time zone, else under the section. */
export const SCHEDULE_FIELDS = [
  "schedule.time_zone",
  ...WEEKDAYS.map((d) => `schedule.hours.${d}`),
  "schedule.hours",
  ...Array.from({ length: MAX_AWAY }, (_, i) => `schedule.out_of_office.${i}`),
  "schedule.out_of_office",
  "schedule",
];

/** The schedule as sent: days without an interval left out (a day absent is a day off); an absence typed with one
 * date is that one day; rows left empty are dropped. */
export function scheduleBody(s: Schedule): Schedule {
  const hours = s.hours === null ? null : Object.fromEntries(WEEKDAYS.filter((d) => (s.hours?.[d] ?? []).length).map((d) => [d, s.hours?.[d]]));
  const away = s.out_of_office
    .map((r) => ({ start: r.start || r.end, end: r.end || r.start }))
    .filter((r) => r.start);
  return { time_zone: s.time_zone || null, hours, out_of_office: away };
}

/** The server's refusals of a schedule in words (its own message is the bare value: "18:00-09:00"). */
export function scheduleDetails(details: ErrorDetail[]): ErrorDetail[] {
  return details.map((d) => {
    const field = d.field ?? "";
    if (!field.startsWith("schedule")) return d;
    if (d.code === "invalid_hours") return { ...d, message: `Closes before it opens (${(d.message ?? "").replace("-", "–")}): each interval's “to” must be after its “from”.` };
    if (d.code === "unknown_day") return { ...d, message: `Not a day of the week (${d.message ?? ""}).` };
    if (d.code === "unknown_time_zone") return { ...d, message: `Not a time zone (${d.message ?? ""}): choose one from the list.` };
    if (d.code === "invalid_range") return { ...d, message: `Ends before it starts (${(d.message ?? "").replace("..", " to ")}): the last day away must be on or after the first.` };
    if (/^schedule\.out_of_office\.\d+\.(start|end)$/.test(field)) return { ...d, message: "A date is missing or not a date." };
    return d;
  });
}

/** An ApiError with the schedule's details in words (anything else as it came). */
export function scheduleRefusal(err: unknown): unknown {
  if (!(err instanceof ApiError) || !err.details.some((d) => d.field?.startsWith("schedule"))) return err;
  return new ApiError(err.status, err.code, err.message, scheduleDetails(err.details));
}

function TimeInput({ label, value, onInput, invalid }: { label: string; value: string; onInput: (v: string) => void; invalid: boolean }) {
  // a time input cannot show 24:00 (midnight at the end of the day): shown as 23:59, kept until changed
  return <input type="time" class="time-input" aria-label={label} value={value === "24:00" ? "23:59" : value} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} aria-invalid={invalid ? "true" : undefined} />;
}

function Day({ day, list, onChange, error }: { day: Weekday; list: DayHours[]; onChange: (l: DayHours[]) => void; error?: string }) {
  const id = useId();
  const name = DAY_NAMES[day];
  const on = list.length > 0;
  const last = list[list.length - 1];
  return (
    <li class={`sched-day${on ? "" : " sched-off"}${error ? " field-invalid" : ""}`} role="group" aria-label={name} aria-describedby={error ? `${id}-error` : undefined} data-day={day}>
      <label class="sched-day-name">
        <input type="checkbox" checked={on} onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked ? [{ open: "09:00", close: "17:00" }] : [])} />
        <span>{name}</span>
      </label>
      <div class="sched-intervals">
        {!on && <span class="muted">Off</span>}
        {list.map((iv, i) => {
          const n = list.length > 1 ? ` (${i + 1})` : "";
          return (
            <span class="sched-interval" key={i}>
              <TimeInput label={`${name} from${n}`} value={iv.open} invalid={!!error} onInput={(v) => onChange(list.map((x, j) => (j === i ? { ...x, open: v } : x)))} />
              <span aria-hidden="true">–</span>
              <TimeInput label={`${name} to${n}`} value={iv.close} invalid={!!error} onInput={(v) => onChange(list.map((x, j) => (j === i ? { ...x, close: v } : x)))} />
              {list.length > 1 && (
                <button type="button" class="btn btn-small btn-ghost" onClick={() => onChange(list.filter((_, j) => j !== i))}>
                  <span aria-hidden="true">×</span>
                  <span class="sr-only">Remove {name} interval {i + 1}</span>
                </button>
              )}
            </span>
          );
        })}
        {on && list.length < 10 && (
          <button type="button" class="btn btn-small btn-link" onClick={() => onChange([...list, { open: last && last.close < "23:00" ? last.close : "18:00", close: "24:00" }])}>
            Add interval<span class="sr-only"> on {name}</span>
          </button>
        )}
      </div>
      {error && (
        <span id={`${id}-error`} class="field-error sched-error">
          {error}
        </span>
      )}
    </li>
  );
}

function Away({ index, value, onChange, onRemove, error }: { index: number; value: DateRange; onChange: (r: DateRange) => void; onRemove: () => void; error?: string }) {
  const id = useId();
  const n = index + 1;
  return (
    <li class={`sched-away${error ? " field-invalid" : ""}`} data-away-index={index}>
      <label class="sched-date">
        <span>First day away</span>
        <input type="date" value={value.start} aria-label={`First day away ${n}`} onInput={(e) => onChange({ ...value, start: (e.currentTarget as HTMLInputElement).value })} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      </label>
      <label class="sched-date">
        <span>Last day away</span>
        <input type="date" value={value.end} min={value.start || undefined} aria-label={`Last day away ${n}`} onInput={(e) => onChange({ ...value, end: (e.currentTarget as HTMLInputElement).value })} aria-invalid={error ? "true" : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      </label>
      <button type="button" class="btn btn-small btn-danger-outline" onClick={onRemove}>
        Remove<span class="sr-only"> days away {n}</span>
      </button>
      {error && (
        <span id={`${id}-error`} class="field-error sched-error">
          {error}
        </span>
      )}
    </li>
  );
}

/** "Works only on a schedule" and, when on, the time zone, the weekly hours and the days out of office. */
export function ScheduleEditor({ on, value, onToggle, onChange, orgZone, errors }: {
  on: boolean;
  value: Schedule;
  onToggle: (on: boolean) => void;
  onChange: (s: Schedule) => void;
  orgZone: string | null;
  errors: Record<string, string>;
}) {
  const hours = value.hours;
  const days = WEEKDAYS.filter((d) => (hours?.[d] ?? []).length);
  const zone = value.time_zone ?? "";
  const general = errors.schedule ?? errors["schedule.hours"];
  return (
    <Fieldset legend="Schedule" class="span-2 schedule">
      <Switch
        label="Works only on a schedule"
        checked={on}
        onChange={onToggle}
        hint="Outside these hours and on days away the agent gets no leads, whatever the Lead Availability switch says. Off: whenever available."
      />
      {on && (
        <>
          <SelectField
            label="Time zone"
            value={zone}
            onChange={(v) => onChange({ ...value, time_zone: v || null })}
            error={errors["schedule.time_zone"]}
            options={[{ value: "", label: orgZone ? `The organization's (${orgZone.replace(/_/g, " ")})` : "The organization's" }, ...timeZones(zone).map((z) => ({ value: z, label: z.replace(/_/g, " ") }))]}
          />
          <CheckboxField label="Any time of day (no weekly hours)" checked={hours === null} onChange={(any) => onChange({ ...value, hours: any ? null : { ...WORKDAYS } })} />
          {hours !== null && (
            <div role="group" aria-label="Working hours" class="sched-hours">
              <p class="field-static-label">Working hours</p>
              <ul class="sched-days">
                {WEEKDAYS.map((d) => (
                  <Day key={d} day={d} list={hours[d] ?? []} error={errors[`schedule.hours.${d}`]} onChange={(l) => onChange({ ...value, hours: { ...hours, [d]: l } })} />
                ))}
              </ul>
              {days.length === 0 && <p class="field-error">No working day: this agent gets no leads.</p>}
            </div>
          )}
          <div role="group" aria-label="Out of office" class="sched-aways">
            <p class="field-static-label">Out of office (both days included)</p>
            {value.out_of_office.length > 0 && (
              <ul class="sched-away-list">
                {value.out_of_office.map((r, i) => (
                  <Away
                    key={i}
                    index={i}
                    value={r}
                    error={errors[`schedule.out_of_office.${i}`]}
                    onChange={(x) => onChange({ ...value, out_of_office: value.out_of_office.map((y, j) => (j === i ? x : y)) })}
                    onRemove={() => onChange({ ...value, out_of_office: value.out_of_office.filter((_, j) => j !== i) })}
                  />
                ))}
              </ul>
            )}
            {errors["schedule.out_of_office"] && <p class="field-error">{errors["schedule.out_of_office"]}</p>}
            <button type="button" class="btn btn-small" disabled={value.out_of_office.length >= MAX_AWAY} onClick={() => onChange({ ...value, out_of_office: [...value.out_of_office, { start: "", end: "" }] })}>
              Add days away
            </button>
          </div>
        </>
      )}
      {general && <p class="field-error">{general}</p>}
    </Fieldset>
  );
}
