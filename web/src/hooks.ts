import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";

/** A value that changes every ``ms`` milliseconds (for countdowns). */
export function useNow(ms = 500): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => Promise<void>;
  /** Take ``value`` as loaded (a save's answer), dropping any load still on its way. */
  set: (value: T) => void;
}

/** Loads with ``load`` now and whenever ``deps`` change; ``every`` ms keeps it fresh (while the
 * tab is visible, unless ``alsoHidden``: offers must ring in a background tab too). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], every?: number, alsoHidden = false): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const reload = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    try {
      const value = await loadRef.current();
      if (mine === seq.current) {
        setData(value);
        setError(undefined);
      }
    } catch (err) {
      if (mine === seq.current) setError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, []);

  const set = useCallback((value: T) => {
    ++seq.current;
    setData(value);
    setError(undefined);
    setLoading(false);
  }, []);

  useEffect(() => {
    void reload();
    if (!every) return undefined;
    let timer = 0;
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      if (alsoHidden || !document.hidden) await reload();
      if (!stopped) timer = window.setTimeout(tick, every);
    };
    timer = window.setTimeout(tick, every);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { data, error, loading, reload, set };
}

/** The value, ``ms`` after it stopped changing (search boxes). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** A page of a list read by key, as visited: the cursor it was read with (null: the first page) and how many rows came before it. */
export interface Visited {
  cursor: string | null;
  offset: number;
}

export interface CursorPages {
  /** The page to read now. */
  here: Visited;
  /** 1 for the first page. */
  number: number;
  /** To the page after the one shown, which held ``rows`` rows and answered ``cursor`` as its next_cursor. */
  next: (cursor: string, rows: number) => void;
  previous: () => void;
}

const FIRST_PAGE: Visited = { cursor: null, offset: 0 };

/** Previous / Next over a list read with cursors: a stack of the pages visited (so Previous needs no
 * cursor of its own), back to the first page whenever ``base`` (the query without its cursor:
 * filters, sort, order, page size...) changes. */
export function useCursorPages(base: string): CursorPages {
  const [trail, setTrail] = useState<{ base: string; pages: Visited[] }>({ base, pages: [FIRST_PAGE] });
  useEffect(() => {
    setTrail((t) => (t.base === base ? t : { base, pages: [FIRST_PAGE] }));
  }, [base]);
  const pages = trail.base === base ? trail.pages : [FIRST_PAGE];
  const here = pages[pages.length - 1];
  return {
    here,
    number: pages.length,
    next: (cursor, rows) => setTrail({ base, pages: [...pages, { cursor, offset: here.offset + rows }] }),
    previous: () => {
      if (pages.length > 1) setTrail({ base, pages: pages.slice(0, -1) });
    },
  };
}

/** Whether the media query matches now (it follows the window: a phone's width, say). */
export function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setMatches(m.matches);
    on();
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, [query]);
  return matches;
}
