// Live offers, pushed over the live socket (feed.ts; polled every 15 s only while it is down): a
// beep for each new one (a system notification when the tab is hidden), a countdown to expires_at,
// Claim and Decline (Distribute All: one big New Lead button, first click wins).
import { useEffect, useRef, useState } from "preact/hooks";
import { type AlertPermission, alertCardDismissed, alertPermission, askAlertPermission, dismissAlertCard } from "../alerts";
import { ApiError, post } from "../api";
import { Fact } from "../components/Page";
import type { AgentFeed } from "../feed";
import { amount, claimedMessage, countdown, distribution, fullName, offerHeadline, text } from "../format";
import { useNow } from "../hooks";
import { notify } from "../notify";
import { linkHandler } from "../router";
import type { ClaimAnswer, Offer } from "../types";

export type OffersState = Pick<AgentFeed, "offers" | "error" | "reload" | "ended">;

type Outcome =
  | { kind: "busy"; action: "claim" | "decline"; offer: Offer }
  | { kind: "won"; offer: Offer; answer: ClaimAnswer }
  | { kind: "lost" | "expired" | "refused" | "failed"; offer: Offer; message: string };

function outcomeFor(err: unknown, offer: Offer): Outcome {
  if (err instanceof ApiError) {
    if (err.status === 409) return { kind: "lost", offer, message: "Another agent took this lead." };
    if (err.status === 410) return { kind: "expired", offer, message: "This offer has expired." };
    if (err.status === 403 && err.code === "cap_reached") return { kind: "refused", offer, message: sentence(err.message) };
    if (err.status === 403) return { kind: "refused", offer, message: "This lead was not offered to you." };
    return { kind: "failed", offer, message: `Could not claim this lead: ${err.message}` };
  }
  return { kind: "failed", offer, message: `Could not claim this lead: ${String(err)}` };
}

/** The server's words as a sentence: "You have reached a cap on leads (per day)." */
function sentence(message: string): string {
  const m = message.trim();
  return m ? `${m[0].toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? "" : "."}` : "You have reached a cap on leads.";
}

/** Whose lead, for a notification ("Declined Ava's lead."): nobody's name while the offer is blind. */
function whose(o: Offer): string {
  if (o.blind) return "the lead";
  const name = (o.first_name ?? "").trim();
  return name ? `${name}'s lead` : `the lead of ${fullName(o)}`;
}

function OfferCard({ offer, outcome, now, onClaim, onDecline, onDismiss }: {
  offer: Offer;
  outcome: Outcome | undefined;
  now: number;
  onClaim: () => void;
  onDecline: () => void;
  onDismiss: () => void;
}) {
  const firstSeen = useRef(now);
  const expires = Date.parse(offer.expires_at);
  const left = expires - now;
  const total = Math.max(1, expires - firstSeen.current);
  const expired = left <= 0;
  const busy = outcome?.kind === "busy";
  const ended = outcome && outcome.kind !== "busy";
  const distributeAll = offer.distribution_type === "distribute_all";
  const headingId = `offer-${offer.prospect_id}`;
  return (
    <li class={`offer-card${ended ? ` offer-${outcome.kind}` : ""}${distributeAll ? " offer-newlead" : ""}`} data-prospect-id={offer.prospect_id} aria-labelledby={headingId}>
      <div class="offer-head">
        <h3 id={headingId}>{offerHeadline(offer)}</h3>
        <span class="offer-amount">{amount(offer.loan_amount)}</span>
      </div>
      {offer.blind && (
        <p class="offer-blind">
          <span class="badge badge-blind">Blind offer</span>
          <span class="muted">The name and phone show once you claim.</span>
        </p>
      )}
      <dl class="offer-facts">
        <Fact term="Campaign">{text(offer.campaign_name)}</Fact>
        <Fact term="Distribution">{distribution(offer.distribution_type)}</Fact>
        <Fact term="Phone">{offer.blind ? "Hidden until you claim" : text(offer.phone)}</Fact>
        <Fact term="Channel">{offer.channel === "phone" ? "Phone" : "Digital"}</Fact>
        {offer.wave > 1 && <Fact term="Wave">{offer.wave}</Fact>}
      </dl>
      {ended ? (
        <div class="offer-outcome">
          <p class={`offer-message offer-message-${outcome.kind}`} role={outcome.kind === "won" ? "status" : "alert"}>
            {outcome.kind === "won" ? (
              <>
                You got this lead.{" "}
                <a href="/app/leads" onClick={linkHandler}>
                  Open My leads
                </a>
              </>
            ) : (
              outcome.message
            )}
          </p>
          <button type="button" class="btn btn-small" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      ) : (
        <>
          <div class="offer-timer">
            <span class="offer-countdown" aria-label={expired ? "Offer expired" : `Expires in ${countdown(left)}`}>
              {expired ? "Expired" : `Expires in ${countdown(left)}`}
            </span>
            <span class="bar" aria-hidden="true">
              <span class="bar-fill" style={{ width: `${Math.max(0, Math.min(100, (left / total) * 100))}%` }} />
            </span>
          </div>
          <div class="offer-actions">
            {distributeAll ? (
              <button type="button" class="btn btn-newlead" disabled={busy || expired} onClick={onClaim} aria-describedby={headingId}>
                {busy && outcome?.action === "claim" ? "Claiming…" : "New Lead"}
              </button>
            ) : (
              <button type="button" class="btn btn-primary" disabled={busy || expired} onClick={onClaim} aria-describedby={headingId}>
                {busy && outcome?.action === "claim" ? "Claiming…" : "Claim"}
              </button>
            )}
            <button type="button" class="btn" disabled={busy || expired} onClick={onDecline} aria-describedby={headingId}>
              {busy && outcome?.action === "decline" ? "Declining…" : "Decline"}
            </button>
          </div>
        </>
      )}
    </li>
  );
}

export function OffersPanel({ state, showEmpty, onClaimed }: { state: OffersState; showEmpty: boolean; onClaimed?: () => void }) {
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const now = useNow(250);
  const set = (id: string, o: Outcome | undefined) =>
    setOutcomes((all) => {
      const next = { ...all };
      if (o) next[id] = o;
      else delete next[id];
      return next;
    });

  // the answer settles the offer here (no need to wait for its offer_end push); a failure that
  // settles nothing (the network, a 5xx) asks for the open offers again
  const claim = async (offer: Offer) => {
    set(offer.prospect_id, { kind: "busy", action: "claim", offer });
    try {
      const answer = await post<ClaimAnswer>(`/v1/offers/${encodeURIComponent(offer.prospect_id)}/claim`);
      set(offer.prospect_id, { kind: "won", offer, answer });
      state.ended(offer);
      notify(claimedMessage(offer.blind ? null : offer.first_name), "success");
      onClaimed?.();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      const o = outcomeFor(err, offer);
      set(offer.prospect_id, o);
      if (o.kind !== "busy" && o.kind !== "won") notify(o.message, o.kind === "failed" ? "error" : "info");
      if (o.kind === "failed") void state.reload();
      else state.ended(offer);
    }
  };

  const decline = async (offer: Offer) => {
    set(offer.prospect_id, { kind: "busy", action: "decline", offer });
    try {
      await post(`/v1/offers/${encodeURIComponent(offer.prospect_id)}/decline`);
      state.ended(offer);
      set(offer.prospect_id, undefined);
      notify(`Declined ${whose(offer)}.`, "info");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      set(offer.prospect_id, { kind: "failed", offer, message: `Could not decline: ${(err as Error).message}` });
      void state.reload();
    }
  };

  // what to show: the open offers, plus any whose claim is in flight or whose outcome is unread
  const live = new Map(state.offers.map((o) => [o.prospect_id, o]));
  const shown: Offer[] = [...state.offers];
  for (const [id, o] of Object.entries(outcomes)) if (!live.has(id)) shown.push(o.offer);

  // an outcome is kept until dismissed, or for a minute
  useEffect(() => {
    const t = window.setTimeout(() => setOutcomes((all) => Object.fromEntries(Object.entries(all).filter(([, o]) => o.kind === "busy"))), 60_000);
    return () => window.clearTimeout(t);
  }, [outcomes]);

  if (!shown.length && !showEmpty && !state.error) return null;
  return (
    <section class="offers" aria-labelledby="offers-title">
      <div class="section-head">
        {showEmpty ? (
          <h1 id="offers-title" tabIndex={-1}>
            Lead offers
          </h1>
        ) : (
          <h2 id="offers-title">Lead offers</h2>
        )}
        <span class="muted" aria-live="polite">
          {state.offers.length ? `${state.offers.length} open` : ""}
        </span>
      </div>
      {showEmpty && <AlertsCard />}
      {state.error && state.error.status !== 401 && (
        <p class="banner banner-warn" role="status">
          Offers could not be refreshed: {state.error.message}
        </p>
      )}
      {shown.length === 0 ? (
        <p class="empty">No open offers. New leads appear here the moment they are offered while Lead Availability is on.</p>
      ) : (
        <ul class="offer-list">
          {shown.map((o) => (
            <OfferCard
              key={o.prospect_id}
              offer={o}
              outcome={outcomes[o.prospect_id]}
              now={now}
              onClaim={() => void claim(o)}
              onDecline={() => void decline(o)}
              onDismiss={() => set(o.prospect_id, undefined)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

export function OffersBanner({ count }: { count: number }) {
  if (!count) return null;
  return (
    <p class="banner banner-info" role="status">
      You have {count} open lead offer{count === 1 ? "" : "s"}.{" "}
      <a href="/app/offers" onClick={linkHandler}>
        Go to offers
      </a>
    </p>
  );
}

/** The soft pre-prompt for system notifications: asked only when the agent clicks, never on load. */
export function AlertsCard() {
  const [permission, setPermission] = useState<AlertPermission>(alertPermission);
  const [dismissed, setDismissed] = useState(alertCardDismissed);
  if (permission !== "default" || dismissed) return null;
  const turnOn = async () => {
    const answer = await askAlertPermission();
    setPermission(answer);
    if (answer === "granted") notify("Alerts are on: a new offer shows a notification, with its sound, while leadwave is in the background.", "success");
    else if (answer === "denied") notify("Your browser blocked notifications from leadwave. You can allow them in the site settings.", "info");
  };
  return (
    <aside class="alerts-card" aria-labelledby="alerts-card-title">
      <div>
        <h2 id="alerts-card-title">Alert me when offers arrive</h2>
        <p class="muted">Get a notification with sound when a lead is offered while leadwave is in the background.</p>
      </div>
      <div class="alerts-card-actions">
        <button type="button" class="btn btn-primary btn-small" onClick={() => void turnOn()}>
          Turn on alerts
        </button>
        <button
          type="button"
          class="btn btn-ghost btn-small"
          onClick={() => {
            dismissAlertCard();
            setDismissed(true);
          }}
        >
          Not now
        </button>
      </div>
    </aside>
  );
}
