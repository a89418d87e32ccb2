import { useState, type KeyboardEvent } from "react";

import { wilsonLowerBound, type LeaderboardEntry } from "@openledger-evm/sdk";

/** A leaderboard row: what the table shows (the SDK's `LeaderboardEntry` has these and more). */
export type LeaderboardRow = Pick<LeaderboardEntry, "contributor" | "submitted" | "accepted" | "rejected" | "meanQuality" | "score">;

const ROW_HEIGHT = 36;
const VIEW_ROWS = 14;
/** Rows rendered above and below the visible ones, so a fast scroll does not show blanks. */
const OVERSCAN = 6;
const percent = (wad: bigint) => `${(Number(wad) / 1e16).toFixed(1)}%`;

/** Why a row ranks where it does: the Wilson lower bound of its acceptance rate, in plain words. */
export function ConfidenceExplanation({ row, rank }: { row: LeaderboardRow; rank: number }) {
  const judged = row.accepted + row.rejected;
  const bound = wilsonLowerBound(BigInt(row.accepted), BigInt(judged));
  const rate = judged === 0 ? 0 : (row.accepted / judged) * 100;
  return (
    <section aria-labelledby="why-title" className="card">
      <h2 id="why-title">Why rank {rank}?</h2>
      <p>
        {row.accepted} of {judged} judged contribution(s) were accepted ({rate.toFixed(0)}%), but so few or so many verdicts do not prove the same thing. The score uses the lower
        end of the 95% confidence interval for the true acceptance rate (the Wilson bound): with this record we can be 95% sure the rate is at least{" "}
        <strong>{percent(bound)}</strong>. That bound times the mean quality of the accepted work ({row.meanQuality.toFixed(1)} of 100) gives the score{" "}
        <strong>{percent(row.score)}</strong>.
      </p>
      <p>
        So volume alone does not rank: 2 of 2 accepted bounds at {percent(wilsonLowerBound(2n, 2n))}, 40 of 50 at {percent(wilsonLowerBound(40n, 50n))}, and 40 of 100 (a prolific
        contributor whose work is mostly rejected) at only {percent(wilsonLowerBound(40n, 100n))}. A careful record builds confidence; rejections take it away.
      </p>
    </section>
  );
}

/**
 * The leaderboard as a virtualized table: only the rows in view (and a few around them) are in the
 * DOM, so 10,000 rows render as fast as 20. A row's button explains its rank.
 */
export function LeaderboardTable({ rows }: { rows: readonly LeaderboardRow[] }) {
  const [top, setTop] = useState(0);
  const [chosen, setChosen] = useState<number | undefined>();
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + VIEW_ROWS * ROW_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const step = { PageDown: VIEW_ROWS, PageUp: -VIEW_ROWS }[event.key];
    if (step !== undefined) event.currentTarget.scrollTop += step * ROW_HEIGHT;
  };
  return (
    <>
      <div role="table" aria-label={`Leaderboard, ${rows.length} contributors`} aria-rowcount={rows.length + 1} className="grid">
        <div role="rowgroup">
          <div role="row" aria-rowindex={1} className="grid-row grid-head">
            {["Rank", "Contributor", "Accepted / submitted", "Mean quality", "Score", "Why"].map((name) => (
              <span role="columnheader" key={name}>
                {name}
              </span>
            ))}
          </div>
        </div>
        <div
          role="rowgroup"
          className="grid-body"
          tabIndex={0}
          aria-label="Leaderboard rows (scroll)"
          style={{ height: VIEW_ROWS * ROW_HEIGHT }}
          onScroll={(e) => setTop(e.currentTarget.scrollTop)}
          onKeyDown={onKey}
        >
          <div style={{ height: rows.length * ROW_HEIGHT, position: "relative" }}>
            {rows.slice(first, last).map((row, i) => {
              const index = first + i;
              return (
                <div role="row" aria-rowindex={index + 2} key={row.contributor} className="grid-row" style={{ position: "absolute", top: index * ROW_HEIGHT, height: ROW_HEIGHT }}>
                  <span role="cell">{index + 1}</span>
                  <span role="cell" className="mono" title={row.contributor}>
                    {row.contributor.slice(0, 10)}…{row.contributor.slice(-6)}
                  </span>
                  <span role="cell">
                    {row.accepted} / {row.submitted}
                  </span>
                  <span role="cell">{row.meanQuality.toFixed(1)}</span>
                  <span role="cell">{percent(row.score)}</span>
                  <span role="cell">
                    <button type="button" onClick={() => setChosen(index)} aria-label={`Why is ${row.contributor} ranked ${index + 1}?`}>
                      Why?
                    </button>
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {chosen !== undefined && rows[chosen] !== undefined && <ConfidenceExplanation row={rows[chosen]} rank={chosen + 1} />}
    </>
  );
}
