/**
 * The leaderboard table alone, with `?rows=N` synthetic rows (10,000 by default), for `npm run
 * bench:app`: `window.benchResult` is the time from render to the first painted frame, and the rows
 * in the DOM (few: the table is virtualized).
 */
import { createRoot } from "react-dom/client";
import { getAddress, numberToHex } from "viem";

import { reputationScore } from "@openledger-evm/sdk";

import { LeaderboardTable, type LeaderboardRow } from "../src/LeaderboardTable.tsx";

const count = Number(new URLSearchParams(location.search).get("rows") ?? 10_000);
const rows: LeaderboardRow[] = Array.from({ length: count }, (_, i) => {
  const submitted = 1 + ((i * 7) % 60);
  const accepted = Math.floor(submitted * (0.3 + ((i * 13) % 70) / 100));
  const rejected = submitted - accepted;
  const qualitySum = accepted * (50 + (i % 50));
  return {
    contributor: getAddress(numberToHex(i + 1, { size: 20 })),
    submitted,
    accepted,
    rejected,
    meanQuality: accepted === 0 ? 0 : qualitySum / accepted,
    score: reputationScore(BigInt(accepted), BigInt(rejected), BigInt(qualitySum)),
  };
}).sort((a, b) => (a.score === b.score ? 0 : a.score > b.score ? -1 : 1));

const started = performance.now();
createRoot(document.getElementById("root")!).render(<LeaderboardTable rows={rows} />);
requestAnimationFrame(() =>
  setTimeout(() => {
    (window as { benchResult?: unknown }).benchResult = { ms: performance.now() - started, rows: count, rowsInDom: document.querySelectorAll('[role="row"]').length - 1 };
  }),
);
