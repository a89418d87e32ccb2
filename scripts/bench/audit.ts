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

import { createPublicClient, createWalletClient, defineChain, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  attestationRegistryAbi,
  createClient,
  datanetPolicy,
  datanetRegistryAbi,
  hashContent,
  openTokenAbi,
  randomSalt,
  REVEAL_WINDOW,
  rebuildProtocolState,
  submissionCommitment,
  validatorStakingAbi,
  verifyProtocolState,
} from "../../sdk/index.ts";
import { indexProtocolEvents, readDeploymentFile } from "../../sdk/node/index.ts";
import { deployToNode, NODE_KEYS, ROOT, startLocalNode } from "../../test/helpers/local-node.ts";

const TARGET_EVENTS = Number(process.env.EVENTS ?? 100_000);
/** Events per contribution: submitted; then (quorum 1, one validator holding all stake, so the verdict
 * closes it) verdict, validation closed, finalized, bond credited; then its settlement. */
const EVENTS_PER_CONTRIBUTION = 6;
/** Bond per contribution: small, but every refund is a credit the audit balances against the registry's OPEN. */
const BOND = 10n ** 15n;
const SUBMIT_BATCH = 250;
const ATTEST_BATCH = 120;
const GAS = 16_000_000n;
const TARGETS = { eventsPerSecond: 20_000, verifySeconds: 20 };

const node = await startLocalNode();
const dir = await mkdtemp(path.join(tmpdir(), "openledger-audit-bench-"));
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
try {
  const deployment = await readDeploymentFile(await deployToNode(node.url, dir));
  const chainBase = { id: 31_337, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } };
  const transport = http(node.url, { timeout: 120_000 });
  const [owner, contributor, validator] = [NODE_KEYS[1], NODE_KEYS[2], NODE_KEYS[3]].map((k) =>
    createWalletClient({ account: privateKeyToAccount(k as Hex), chain: defineChain(chainBase), transport }),
  );
  const treasury = createWalletClient({ account: privateKeyToAccount(NODE_KEYS[0] as Hex), chain: defineChain(chainBase), transport });
  const publicClient = createPublicClient({ chain: defineChain(chainBase), transport });
  const send = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  };
  const c = deployment.contracts;

  // A local Multicall3, as every real chain has one.
  const artifact = JSON.parse(await readFile(path.join(ROOT, "artifacts", "contracts", "mocks", "Multicall3.sol", "Multicall3.json"), "utf8")) as { abi: never; bytecode: Hex };
  const deployHash = await treasury.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
  const multicall3 = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;

  const policy = datanetPolicy({
    quorum: 1,
    maxContributionsPerContributorPerEpoch: 1_000_000,
    maxBytesPerContribution: 1_000n,
    maxBytesPerContributorPerEpoch: 10n ** 12n,
    maxBytesPerDatanetPerEpoch: 10n ** 12n,
    submissionBond: BOND,
  });
  await send(owner!.writeContract({ address: c.datanetRegistry, abi: datanetRegistryAbi, functionName: "createDatanet", args: [0, "ipfs://bench", policy] }));
  await send(treasury.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "transfer", args: [validator!.account.address, policy.minValidatorStake] }));
  await send(validator!.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "approve", args: [c.validatorStaking, policy.minValidatorStake] }));
  await send(validator!.writeContract({ address: c.validatorStaking, abi: validatorStakingAbi, functionName: "stake", args: [1n, policy.minValidatorStake] }));
  const contributions = Math.ceil(TARGET_EVENTS / EVENTS_PER_CONTRIBUTION);
  await send(treasury.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "transfer", args: [contributor!.account.address, BOND * BigInt(contributions)] }));
  await send(contributor!.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "approve", args: [c.datanetRegistry, BOND * BigInt(contributions)] }));
  // Verdicts open REVEAL_WINDOW after a reveal: the bench node's clock is moved on, as a real chain's would be.
  const waitRevealWindow = async () => {
    await publicClient.request({ method: "evm_increaseTime" as never, params: [REVEAL_WINDOW] as never });
    await publicClient.request({ method: "evm_mine" as never });
  };

  const generationStarted = performance.now();
  for (let done = 0; done < contributions; done += SUBMIT_BATCH) {
    const items = Array.from({ length: Math.min(SUBMIT_BATCH, contributions - done) }, (_, i) => ({
      ...hashContent(`audit bench contribution ${done + i}`),
      uri: `ipfs://bench/${done + i}`,
    }));
    const salt = randomSalt();
    const commitment = submissionCommitment({ contributor: contributor!.account.address, datanetId: 1n, contentHashes: items.map((i) => i.contentHash), salt });
    const reservedBytes = items.reduce((sum, it) => sum + it.sizeBytes, 0n);
    await send(contributor!.writeContract({ address: c.datanetRegistry, abi: datanetRegistryAbi, functionName: "commitSubmission", args: [1n, commitment, items.length, reservedBytes], gas: 300_000n }));
    await send(contributor!.writeContract({ address: c.datanetRegistry, abi: datanetRegistryAbi, functionName: "submitBatch", args: [1n, items, salt], gas: GAS }));
    await waitRevealWindow();
    for (let i = 0; i < items.length; i += ATTEST_BATCH) {
      const batch = items.slice(i, i + ATTEST_BATCH);
      const verdicts = batch.map((it) => ({ contentHash: it.contentHash, accept: true, quality: 80, reasonCode: 0 }));
      await send(validator!.writeContract({ address: c.attestationRegistry, abi: attestationRegistryAbi, functionName: "attestBatch", args: [verdicts], gas: GAS }));
      const ids = batch.map((_, j) => BigInt(done + i + j + 1));
      await send(validator!.writeContract({ address: c.attestationRegistry, abi: attestationRegistryAbi, functionName: "settle", args: [validator!.account.address, ids], gas: GAS }));
    }
    process.stderr.write(`\rhistory: ${done + items.length}/${contributions} contributions`);
  }
  process.stderr.write(`\nhistory built in ${((performance.now() - generationStarted) / 1000).toFixed(0)} s\n`);

  const client = createClient({ publicClient: createPublicClient({ chain: defineChain({ ...chainBase, contracts: { multicall3: { address: multicall3 } } }), transport }), deployment });
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
