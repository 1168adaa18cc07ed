// The posting profile's test console (issue 14): a sample post pasted (or filled in from the mapping) is run
// through the editor's current, unsaved profile by POST /v1/vendors/{id}/profile/test: the lead it becomes, why
// leadwave would refuse it, and the answer the vendor would get. Nothing is stored.
import { useEffect, useId, useState } from "preact/hooks";
import { ApiError, post } from "../../api";
import { CONTENT_TYPES, leadRows, type PostingProfile, type ProfileTest, sampleFields, samplePost } from "./posting";

function contentTypeFor(profile: PostingProfile | null): string {
  const formats = profile?.formats ?? ["json"];
  return CONTENT_TYPES.find((c) => formats.includes(c.format))?.value ?? CONTENT_TYPES[0].value;
}

export function ProfileConsole({ vendorId, profile, campaignId, onRefused, onValid }: {
  vendorId: string;
  /** The editor's profile as it stands (null: leadwave's JSON). */
  profile: PostingProfile | null;
  /** A campaign of the org for the sample post (the API checks the lead's campaign). */
  campaignId: string;
  /** The profile itself was refused (400 validation_failed): the editor marks its rows. */
  onRefused: (err: ApiError) => void;
  onValid: () => void;
}) {
  const id = useId();
  const [contentType, setContentType] = useState(() => contentTypeFor(profile));
  const [body, setBody] = useState("");
  /** The sample last filled in: replaced when the content type changes, unless edited since. */
  const [filled, setFilled] = useState<string | null>(null);
  const [result, setResult] = useState<ProfileTest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fill = (type: string) => {
    const sample = samplePost(type, sampleFields(profile, campaignId));
    setBody(sample);
    setFilled(sample);
  };
  const untouched = body === "" || body === filled;

  // a sample is there from the start (once a campaign is known), and follows the formats while untouched
  const formatsKey = (profile?.formats ?? ["json"]).join(",");
  useEffect(() => {
    if (!untouched) return;
    const accepted = profile?.formats ?? ["json"];
    const current = CONTENT_TYPES.find((c) => c.value === contentType)?.format;
    const type = current && accepted.includes(current) ? contentType : contentTypeFor(profile);
    setContentType(type);
    fill(type);
  }, [formatsKey, campaignId]);

  const tryIt = async () => {
    setBusy(true);
    setError(null);
    try {
      const answer = await post<ProfileTest>(`/v1/vendors/${encodeURIComponent(vendorId)}/profile/test`, { profile, content_type: contentType, body });
      setResult(answer);
      onValid();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      setResult(null);
      if (err instanceof ApiError && err.code === "validation_failed" && err.details.length) {
        onRefused(err);
        setError("The posting format has mistakes, marked in the editor: correct them and try again.");
      } else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card pp-console" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Test console</h2>
      <p class="muted small">Paste a post as the vendor sends it and see what the format above makes of it, before saving. Nothing is stored.</p>
      <form
        class="pp-console-form"
        onSubmit={(e) => {
          e.preventDefault();
          void tryIt();
        }}
      >
        <div class="field">
          <label for={`${id}-type`}>Content type</label>
          <select
            id={`${id}-type`}
            value={contentType}
            onChange={(e) => {
              const type = (e.currentTarget as HTMLSelectElement).value;
              setContentType(type);
              if (untouched) fill(type);
            }}
          >
            {CONTENT_TYPES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.value}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={`${id}-body`}>Paste a sample post</label>
          <textarea id={`${id}-body`} class="mono pp-sample" rows={10} spellcheck={false} value={body} aria-describedby={`${id}-body-hint`} onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)} />
          <span id={`${id}-body-hint`} class="field-hint">
            The raw body, as the vendor posts it to POST /v1/leads with its key.
          </span>
        </div>
        <div class="pp-console-buttons">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? "Trying…" : "Try it"}
          </button>
          <button type="button" class="btn" onClick={() => fill(contentType)}>
            Fill in a sample
          </button>
        </div>
      </form>
      <div aria-live="polite" class="pp-result">
        {error && (
          <p class="banner banner-error" role="alert">
            {error}
          </p>
        )}
        {result && <TestResult result={result} />}
      </div>
    </section>
  );
}

function TestResult({ result }: { result: ProfileTest }) {
  const { lead, problems, answer } = result;
  return (
    <div class="pp-result-body" data-testid="test-result">
      {problems.length === 0 ? (
        <p class="banner banner-success">leadwave would take this lead.</p>
      ) : (
        <div class="banner banner-warn pp-problems">
          <div>
            <p>leadwave would refuse this post:</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  {p.field && <code>{p.field}</code>}
                  {p.field && ": "}
                  {p.message ?? p.code}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <h3>The lead it becomes</h3>
      {lead === null ? (
        <p class="muted">The post cannot be read, so it makes no lead.</p>
      ) : (
        <div class="table-wrap">
          <table class="grid pp-lead">
            <caption class="sr-only">The lead the sample post becomes</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {leadRows(lead).map(([field, value]) => (
                <tr key={field} data-field={field}>
                  <th scope="row">
                    <code>{field}</code>
                  </th>
                  <td>{value === "" ? <span class="muted">(empty)</span> : value}</td>
                </tr>
              ))}
              {leadRows(lead).length === 0 && (
                <tr>
                  <td colSpan={2} class="muted">
                    No field
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <h3>The answer the vendor gets</h3>
      <dl class="pp-answer-facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="answer-status">{answer.status_code}</dd>
        </div>
        <div>
          <dt>Content type</dt>
          <dd data-testid="answer-type">
            <code>{answer.content_type}</code>
          </dd>
        </div>
      </dl>
      {answer.body === null ? (
        <p class="muted small">
          leadwave's own JSON: <code>{'{"prospect_id", "status", …}'}</code> when taken, <code>{'{"code", "message", "details"}'}</code> when refused.
        </p>
      ) : (
        <pre class="pp-pre" data-testid="answer-body">
          {answer.body}
        </pre>
      )}
      {problems.length === 0 && <p class="muted small">A real post is answered 201 when assigned at once, else 202, with the lead's own id (the console says pr_example).</p>}
    </div>
  );
}
