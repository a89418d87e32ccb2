/**
 * Indexer benchmark: a validation history of `--events` protocol events (1,000,000 by default) on a
 * separate local node, then, side by side in one run, the project's own replay (events read over HTTP
 * and applied to the rebuilt state as they come, in this process) and Ponder's sync (`npm run indexer` on a fresh PGlite,
 * from start until it has indexed the head block); then the API under 20 concurrent clients asking for a leaderboard page and
 * a pending queue. Writes bench/indexer.json.
 *
 *   npm run bench:indexer                      (-- --events 20000 for a quick look)
 *   npm run bench:indexer -- --postgres        Ponder on a throwaway PostgreSQL cluster (Debian's binaries) instead of PGlite,
 *                                              written to bench/indexer-postgres.json
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { privateKeyToAccount } from "viem/accounts";

import { createClient, createIndexerClient, protocolStateRebuild } from "../../sdk/index.ts";
import { indexProtocolEvents } from "../../sdk/node/index.ts";
import { startIndexer, waitForBlock } from "../../test/helpers/indexer.ts";
import { NODE_KEYS, ROOT, startLocalNode } from "../../test/helpers/local-node.ts";
import { postgresBinaries, startPostgres, type PostgresServer } from "../../test/helpers/postgres.ts";
import { buildValidationHistory } from "./validation-history.ts";

const { values } = parseArgs({ options: { events: { type: "string", default: "1000000" }, postgres: { type: "boolean", default: false } } });
const TARGET_EVENTS = Number(values.events);
if (!Number.isSafeInteger(TARGET_EVENTS) || TARGET_EVENTS <= 0) throw new Error(`--events must be a positive integer, not ${values.events}`);
const TARGETS = { replayEventsPerSecond: 20_000, replayPeakRssMB: 800, apiP95Ms: 50 };
const CLIENTS = 20;
const REQUESTS_PER_CLIENT = 100;
/** Contributions left waiting for verdicts: the pending queue the API serves a page of. */
const PENDING = 200;

/**
 * The replay: every event over HTTP, each range's events applied to the state as they are read
 * (streamed, never all held: the state is what stays), with this process's memory peak. The rebuilt
 * state goes when this returns, so the API's clients below do not carry it: a heap of hundreds of MB
 * left in their process would make its garbage collector, not the API, set their slowest answers.
 */
async function measureReplay({ publicClient, deployment }: Pick<Awaited<ReturnType<typeof buildValidationHistory>>, "publicClient" | "deployment">) {
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const replayStarted = performance.now();
  const client = createClient({ publicClient, deployment });
  const rebuild = protocolStateRebuild(client);
  let eventCount = 0;
  await indexProtocolEvents(client, {
    onEvents: (events) => {
      for (const event of events) rebuild.apply(event);
      eventCount += events.length;
    },
  });
  const { registry, tallies } = rebuild.finish();
  const replaySeconds = (performance.now() - replayStarted) / 1000;
  clearInterval(sampler);
  // Every contribution but the pending ones was judged: the rebuilt state must say so.
  if (registry.contributions.size !== tallies.size + PENDING) throw new Error(`the replay rebuilt ${registry.contributions.size} contributions but ${tallies.size} tallies`);
  return { eventCount, replaySeconds, peakRss };
}

const node = await startLocalNode();
const dir = await mkdtemp(path.join(tmpdir(), "openledger-indexer-bench-"));
let postgres: PostgresServer | undefined;
try {
  const { deployment, deploymentFile, publicClient } = await buildValidationHistory(node, dir, TARGET_EVENTS, { pending: PENDING });

  const { eventCount, replaySeconds, peakRss } = await measureReplay({ publicClient, deployment });

  // Ponder: from `npm run indexer` until it has indexed the head block, on a fresh PGlite folder.
  const bin = values.postgres ? await postgresBinaries() : undefined;
  if (values.postgres && bin === undefined) throw new Error("--postgres needs Debian's postgresql binaries (apt-get install -y postgresql)");
  postgres = bin === undefined ? undefined : await startPostgres(bin);
  const database: Record<string, string> = postgres === undefined ? { OPENLEDGER_INDEXER_DIR: path.join(dir, "pglite") } : { DATABASE_URL: postgres.url };
  const ponderStarted = performance.now();
  const indexer = await startIndexer({ OPENLEDGER_RPC_URL: node.url, OPENLEDGER_DEPLOYMENT: deploymentFile, ...database }, { timeoutMs: 6 * 3_600_000 });
  await waitForBlock(indexer, await publicClient.getBlockNumber());
  const ponderSeconds = (performance.now() - ponderStarted) / 1000;
  let latencies: number[] = [];
  try {
    // The two reads apps make most, through the SDK's readers: a page of the datanet's leaderboard,
    // and the history's validator's pending queue (every contribution left waiting for it).
    const api = createIndexerClient({ url: indexer.url });
    const validator = privateKeyToAccount(NODE_KEYS[3]).address;
    const reads = [() => api.leaderboard(1n, { limit: 50, offset: 0 }), () => api.pendingQueue({ validator })];
    const queue = await api.pendingQueue({ validator });
    if (queue.length !== PENDING) throw new Error(`the pending queue has ${queue.length} contributions, not ${PENDING}`);
    if ((await api.leaderboard(1n, { limit: 50 })).items.length === 0) throw new Error("the leaderboard is empty");
    const askRepeatedly = async (n: number) => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const started = performance.now();
        await reads[(n + i) % reads.length]!();
        latencies.push(performance.now() - started);
      }
    };
    // One untimed round first, as a service that has been answering is warm (its code compiled, Ponder's
    // cache of query results filled); then the timed round.
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => askRepeatedly(n)));
    latencies = [];
    await Promise.all(Array.from({ length: CLIENTS }, (_, n) => askRepeatedly(n)));
  } finally {
    await indexer.stop();
  }
  latencies = latencies.sort((a, b) => a - b);

  const figures = {
    events: eventCount,
    ponderEventsPerSecond: Math.round(eventCount / ponderSeconds),
    replayEventsPerSecond: Math.round(eventCount / replaySeconds),
    replayPeakRssMB: Math.round(peakRss / 1e6),
    database: postgres === undefined ? "PGlite" : "PostgreSQL",
    apiP95Ms: Number(latencies[Math.ceil(latencies.length * 0.95) - 1]!.toFixed(1)),
  };
  console.table([
    { figure: `Ponder sync (npm run indexer to the head block, ${figures.database})`, value: `${figures.ponderEventsPerSecond.toLocaleString("en")} events/s (${ponderSeconds.toFixed(1)} s, startup included)`, target: "", met: "" },
    { figure: "replay (events over HTTP, streamed into the rebuilt state)", value: `${figures.replayEventsPerSecond.toLocaleString("en")} events/s (${replaySeconds.toFixed(1)} s)`, target: `>= ${TARGETS.replayEventsPerSecond.toLocaleString("en")}`, met: figures.replayEventsPerSecond >= TARGETS.replayEventsPerSecond },
    { figure: "replay peak RSS", value: `${figures.replayPeakRssMB} MB`, target: `<= ${TARGETS.replayPeakRssMB} MB`, met: figures.replayPeakRssMB <= TARGETS.replayPeakRssMB },
    { figure: `API p95 (${CLIENTS} clients, leaderboard page and pending queue)`, value: `${figures.apiP95Ms} ms`, target: `<= ${TARGETS.apiP95Ms} ms`, met: figures.apiP95Ms <= TARGETS.apiP95Ms },
  ]);
  // The figures are PGlite's (the embedded default); a PostgreSQL run is kept beside them.
  const results = `bench/${postgres === undefined ? "indexer" : "indexer-postgres"}.json`;
  await writeFile(path.join(ROOT, results), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`Wrote ${results} (${eventCount.toLocaleString("en")} events)`);
} finally {
  await postgres?.stop();
  await node.stop();
  await rm(dir, { recursive: true, force: true });
}
