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

  return { data, error, loading, reload };
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
