/**
 * Auditor benchmark: builds a history of about 100,000 protocol events on a separate local node
 * (hardhat node on 127.0.0.1, deployed through `npm run deploy`), then indexes it from scratch over
 * HTTP, rebuilds all state and verifies it against every view through Multicall3, printing events
 * per second indexed, seconds for the full verify and the memory peak, and writing bench/audit.json.
 *
 *   npm run bench:audit            (EVENTS=20000 for a quick look)
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { createPublicClient, defineChain, type Hex } from "viem";

import { createClient, rebuildProtocolState, verifyProtocolState } from "../../sdk/index.ts";
import { indexProtocolEvents } from "../../sdk/node/index.ts";
import { ROOT, startLocalNode } from "../../test/helpers/local-node.ts";
import { buildValidationHistory } from "./validation-history.ts";

const TARGET_EVENTS = Number(process.env.EVENTS ?? 100_000);
const TARGETS = { eventsPerSecond: 20_000, verifySeconds: 20 };

const node = await startLocalNode();
const dir = await mkdtemp(path.join(tmpdir(), "openledger-audit-bench-"));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
try {
  const { deployment, chain, transport, treasury, publicClient } = await buildValidationHistory(node, dir, TARGET_EVENTS);

  // A local Multicall3, as every real chain has one.
  const artifact = JSON.parse(await readFile(path.join(ROOT, "artifacts", "contracts", "mocks", "Multicall3.sol", "Multicall3.json"), "utf8")) as { abi: never; bytecode: Hex };
  const deployHash = await treasury.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
  const multicall3 = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;

  const client = createClient({ publicClient: createPublicClient({ chain: defineChain({ ...chain, contracts: { multicall3: { address: multicall3 } } }), transport }), deployment });
  global.gc?.();
  const indexStarted = performance.now();
  const { events, confirmedBlock } = await indexProtocolEvents(client);
  const indexSeconds = (performance.now() - indexStarted) / 1000;
  const rebuildStarted = performance.now();
  const state = rebuildProtocolState(client, events);
  const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
  const verifyStarted = performance.now();
  const discrepancies = await verifyProtocolState(client, state, { blockNumber: confirmedBlock });
  const verifySeconds = (performance.now() - verifyStarted) / 1000;

  const figures = {
    events: events.length,
    contributions: state.registry.contributions.size,
    indexSeconds: Number(indexSeconds.toFixed(2)),
    eventsPerSecond: Math.round(events.length / indexSeconds),
    rebuildSeconds: Number(rebuildSeconds.toFixed(2)),
    verifySeconds: Number(verifySeconds.toFixed(2)),
    fullAuditSeconds: Number((indexSeconds + rebuildSeconds + verifySeconds).toFixed(2)),
    discrepancies: discrepancies.length,
    peakRssMB: Math.round(peakRss / 1e6),
  };
  console.table([
    { figure: "indexed (eth_getLogs over HTTP, decoded)", value: `${figures.eventsPerSecond.toLocaleString("en")} events/s (${figures.events.toLocaleString("en")} in ${figures.indexSeconds} s)`, target: `>= ${TARGETS.eventsPerSecond.toLocaleString("en")} events/s`, met: figures.eventsPerSecond >= TARGETS.eventsPerSecond },
    { figure: "verify() against every view (Multicall3)", value: `${figures.verifySeconds} s (rebuild ${figures.rebuildSeconds} s), ${figures.discrepancies} discrepancies`, target: `<= ${TARGETS.verifySeconds} s`, met: figures.verifySeconds <= TARGETS.verifySeconds },
    { figure: "memory peak (RSS)", value: `${figures.peakRssMB} MB`, target: "", met: "" },
  ]);
  if (TARGET_EVENTS === 100_000) {
    await writeFile(path.join(ROOT, "bench", "audit.json"), `${JSON.stringify(figures, null, 2)}\n`);
    console.log("Wrote bench/audit.json");
  }
} finally {
  clearInterval(sampler);
  await node.stop();
  await rm(dir, { recursive: true, force: true });
}
