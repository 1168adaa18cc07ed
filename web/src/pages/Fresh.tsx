// The fresh bucket: leads any eligible agent may claim, under the claim-rate limit (seed 004).
// Newest first, 50 a page, read by key: Next page follows the answer's next_cursor.
import { useState } from "preact/hooks";
import { ApiError, get, post } from "../api";
import { ACTIONS, Cell, DataTable, LoadState, num, Page, Pager, RefreshButton, showing } from "../components/Page";
import { amount, claimedMessage, clock, countdown, fullName, text, when } from "../format";
import { useCursorPages, useLoad, useNow } from "../hooks";
import { notify } from "../notify";
import type { ClaimAnswer, FreshItem, FreshList } from "../types";

export function FreshPage() {
  const pages = useCursorPages("");
  const { here } = pages;
  const fresh = useLoad(
    () => get<FreshList>("/v1/fresh", { cursor: here.cursor }).then((answer) => ({ ...answer, cursor: here.cursor, offset: here.offset })),
    [here.cursor],
    10_000,
  );
  const [blockedUntil, setBlockedUntil] = useState<number | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const now = useNow(1000);
  const blocked = blockedUntil !== null && blockedUntil > now;
  const data = fresh.data;
  /** The answer shown is the page asked for (not the previous one, still shown while the next loads). */
  const current = data !== undefined && data.cursor === here.cursor;
  const atLimit = data ? data.claimed >= data.limit : false;

  const claim = async (item: FreshItem) => {
    setBusy(item.prospect_id);
    try {
      await post<ClaimAnswer>(`/v1/fresh/${encodeURIComponent(item.prospect_id)}/claim`);
      notify(claimedMessage(item.first_name), "success");
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 401) return;
        if (err.status === 429) {
          const seconds = err.retryAfter ?? (data ? data.window_minutes * 60 : 600);
          setBlockedUntil(Date.now() + seconds * 1000);
          notify(`You have reached your fresh-lead limit. You can claim again at ${clock(new Date(Date.now() + seconds * 1000))}.`, "error");
        } else if (err.status === 409) {
          notify("Another agent took this lead.", "error");
        } else if (err.status === 403) {
          notify("You are not eligible for this lead.", "error");
        } else {
          notify(`Could not claim this lead: ${err.message}`, "error");
        }
      }
    } finally {
      setBusy(null);
      void fresh.reload();
    }
  };

  return (
    <Page id="fresh-title" title="Fresh bucket" tools={<RefreshButton onClick={() => void fresh.reload()} />}>
      {data && (
        <p class="usage" data-testid="fresh-usage">
          You have claimed <strong>{data.claimed}</strong> of <strong>{data.limit}</strong> in the last {data.window_minutes} minutes.
        </p>
      )}
      {blocked && blockedUntil !== null && (
        <p class="banner banner-warn" role="status" data-testid="fresh-blocked">
          Claim limit reached. You can claim again at {clock(new Date(blockedUntil))} (in {countdown(blockedUntil - now)}).
        </p>
      )}
      {!blocked && atLimit && (
        <p class="banner banner-warn" role="status">
          You have reached your limit for now; older claims leave the {data?.window_minutes}-minute window one by one.
        </p>
      )}
      <LoadState
        load={fresh}
        isEmpty={(d) => d.items.length === 0}
        empty={
          data?.next_cursor
            ? "No lead you may claim on this page. Next page reads further into the bucket."
            : data && data.offset > 0
              ? "No more leads in the fresh bucket. Previous page goes back."
              : "The fresh bucket is empty."
        }
      />
      {data && data.items.length > 0 && (
        <DataTable caption="Leads in the fresh bucket" stack columns={["First name", "Campaign", "State", "Loan purpose", num("Loan amount"), "Phone", "Received", "Why it is here", ACTIONS]}>
          {data.items.map((item) => (
            <tr key={item.prospect_id} data-prospect-id={item.prospect_id}>
              <td class="cell-title">{fullName(item)}</td>
              <Cell label="Campaign">{text(item.campaign_name)}</Cell>
              <Cell label="State">{text(item.state)}</Cell>
              <Cell label="Loan purpose">{text(item.loan_purpose)}</Cell>
              <Cell label="Loan amount" class="num">
                {amount(item.loan_amount)}
              </Cell>
              <Cell label="Phone">{text(item.phone)}</Cell>
              <Cell label="Received">{when(item.created_at)}</Cell>
              <Cell label="Why it is here">{text(item.failure_reason)}</Cell>
              <td class="cell-actions">
                <button
                  type="button"
                  class="btn btn-primary btn-small"
                  disabled={blocked || busy !== null}
                  onClick={() => void claim(item)}
                  aria-label={item.first_name ? `Claim ${item.first_name}'s lead` : `Claim the lead of ${fullName(item)}`}
                >
                  {busy === item.prospect_id ? "Claiming…" : "Claim"}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {data && (pages.number > 1 || data.next_cursor !== null) && (
        <Pager
          label="Fresh bucket pages"
          status={current ? showing(data.offset, data.items.length, null, data.next_cursor !== null) : "Loading…"}
          number={pages.number}
          canPrevious={pages.number > 1}
          canNext={current && data.next_cursor !== null}
          onPrevious={pages.previous}
          onNext={() => {
            if (current && data.next_cursor) pages.next(data.next_cursor, data.items.length);
          }}
          previousLabel="Previous page"
          nextLabel="Next page"
        />
      )}
    </Page>
  );
}
