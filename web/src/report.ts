// What the report pages (Marketing, Speed to lead) share: a day as the API takes it, and the
// CSV download of the same rows the page shows.
import { useState } from "preact/hooks";
import { ApiError, download } from "./api";
import { notify } from "./notify";

/** A local date as YYYY-MM-DD. */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The last 30 days, today included. */
export function lastThirtyDays(): { from: string; to: string } {
  const today = new Date();
  return { from: isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29)), to: isoDay(today) };
}

export interface CsvExport {
  exporting: boolean;
  exportError: ApiError | null;
  exportCsv: (params: Record<string, string | undefined>, filename: string) => Promise<void>;
}

/** ``path`` with ``format=csv`` downloaded as ``filename``; a failure other than a lapsed session is shown. */
export function useCsvExport(path: string): CsvExport {
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<ApiError | null>(null);
  const exportCsv = async (params: Record<string, string | undefined>, filename: string) => {
    setExporting(true);
    setExportError(null);
    try {
      await download(path, { ...params, format: "csv" }, filename);
      notify("The report was downloaded as a CSV file.", "success");
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setExportError(err instanceof ApiError ? err : new ApiError(0, "client_error", String(err)));
    } finally {
      setExporting(false);
    }
  };
  return { exporting, exportError, exportCsv };
}
