// Your preferences: "View leads only" (seed 003) lets managers, admins and supervisors look at leads
// in the work queue without locking them, so agents work their queues uninterrupted.
import { useEffect, useState } from "preact/hooks";
import { ApiError, put } from "../api";
import { Switch } from "../components/Fields";
import { Page } from "../components/Page";
import { notify } from "../notify";
import type { Me } from "../types";

export function PreferencesPage({ me, mayViewOnly, onChange }: { me: Me; mayViewOnly: boolean; onChange: () => void }) {
  const [viewOnly, setViewOnly] = useState(!!me.preferences?.view_only);
  const [busy, setBusy] = useState(false);
  useEffect(() => setViewOnly(!!me.preferences?.view_only), [me.preferences?.view_only]);
  const toggle = async (next: boolean) => {
    setBusy(true);
    setViewOnly(next);
    try {
      await put("/v1/me/preferences", { view_only: next });
      notify(next ? "View leads only is on: the work queue shows leads without locking them." : "View leads only is off.", "success");
      onChange();
    } catch (err) {
      setViewOnly(!next);
      if (!(err instanceof ApiError && err.status === 401)) notify(`Could not change View leads only: ${(err as Error).message}`, "error");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page id="prefs-title" title="Preferences">
      <section class="card form-card prefs">
        {mayViewOnly ? (
          <Switch
            label="View leads only"
            checked={viewOnly}
            onChange={(v) => void toggle(v)}
            disabled={busy}
            hint="Inspect leads in the work queue without taking the lock and without changing them, so agents can work their queues uninterrupted."
          />
        ) : (
          <p class="muted">No preferences to set for your role. (View leads only is for managers, admins and supervisors.)</p>
        )}
      </section>
    </Page>
  );
}
