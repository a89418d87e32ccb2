/**
 * `npm run bench:app`: the web app's budgets, written to bench/app.json.
 * - initialJsGzipKB: the JavaScript the app loads up front (its entry and static imports; every
 *   page is a lazy chunk), gzip, in kB (budget ≤ 250).
 * - leaderboard10kMs: the leaderboard table (app/src/LeaderboardTable.tsx) rendering 10,000 rows, from
 *   render to the first painted frame in headless Chromium, the median of 5 loads (budget ≤ 1,000).
 * - axeSeriousOrCritical: serious or critical axe-core violations over every page of the app on the
 *   local stack, with a funded burner wallet connected (budget 0).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { build, preview } from "vite";

import { APP_DIR, startAppStack } from "../lib/app-stack.ts";
import { launchChromium, seriousAxeViolations } from "../../test/helpers/app-browser.ts";
import { ROOT } from "../../test/helpers/local-node.ts";
import { initialGzipBytes } from "./bundles.ts";

const BUDGETS = { initialJsGzipKB: 250, leaderboard10kMs: 1_000, axeSeriousOrCritical: 0 } as const;
const ROUTES = ["datanets", "datanet/1", "contribute/1", "mine/1", "validate/1", "leaderboard/1", "rewards/1", "models/1", "attribution", "audit"];
const RUNS = 5;

const browser = await launchChromium();
const dir = await mkdtemp(path.join(tmpdir(), "openledger-bench-app-"));
try {
  // The leaderboard alone, 10,000 synthetic rows.
  await build({ root: APP_DIR, logLevel: "warn", build: { outDir: dir, emptyOutDir: true, rolldownOptions: { input: path.join(APP_DIR, "bench", "leaderboard.html") } } });
  const server = await preview({ root: APP_DIR, logLevel: "warn", build: { outDir: dir }, preview: { host: "127.0.0.1", port: 0 } });
  const times: number[] = [];
  let rowsInDom = 0;
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage();
    await page.goto(`${server.resolvedUrls!.local[0]}bench/leaderboard.html?rows=10000`);
    await page.waitForFunction(() => (globalThis as { benchResult?: unknown }).benchResult !== undefined);
    const result = await page.evaluate(() => (globalThis as unknown as { benchResult: { ms: number; rowsInDom: number } }).benchResult);
    times.push(result.ms);
    rowsInDom = result.rowsInDom;
    await page.close();
  }
  await server.close();
  const leaderboard10kMs = Math.round([...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!);
  console.log(`leaderboard, 10,000 rows: ${leaderboard10kMs} ms (median of ${times.map((t) => Math.round(t)).join(", ")}); ${rowsInDom} rows in the DOM`);

  console.log("starting the local stack (node, demo story, storage, indexer, app)…");
  const stack = await startAppStack();
  let axeSeriousOrCritical = 0;
  let initialJsGzipKB: number;
  try {
    initialJsGzipKB = Math.round((await initialGzipBytes(stack.appDir)) / 102.4) / 10;
    const page = await browser.newPage();
    await page.goto(`${stack.url}#/datanets`);
    await page.getByRole("button", { name: "Use a burner wallet" }).click();
    await page.getByRole("button", { name: "Fund from the local node" }).click();
    await page.getByText("The burner wallet is funded.").waitFor({ timeout: 60_000 });
    for (const route of ROUTES) {
      await page.goto(`${stack.url}#/${route}`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForFunction(() => !(globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes("Loading"), undefined, { timeout: 60_000 });
      const violations = await seriousAxeViolations(page);
      for (const v of violations) console.log(`  ${route}: ${v.impact} ${v.id}: ${v.help} (${v.targets.join(", ")})`);
      axeSeriousOrCritical += violations.length;
    }
  } finally {
    await stack.close();
  }
  const report = { initialJsGzipKB, leaderboard10kMs, axeSeriousOrCritical, budgets: BUDGETS };
  await writeFile(path.join(ROOT, "bench", "app.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  const met = initialJsGzipKB <= BUDGETS.initialJsGzipKB && leaderboard10kMs <= BUDGETS.leaderboard10kMs && axeSeriousOrCritical <= BUDGETS.axeSeriousOrCritical;
  if (!met) process.exitCode = 1;
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
