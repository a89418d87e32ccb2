import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";
import { formatUnits, parseEventLogs, type Address, type Hex } from "viem";

import {
  assertSameContent,
  cidOfUri,
  contentAddress,
  createClient,
  estimateFineTune,
  formatAttributionResultFile,
  rebuildProtocolState,
  verifyAttributionEpoch,
  verifyProtocolState,
  DataKind,
  datanetPolicy,
  datanetRegistryAbi,
  hashContent,
  openTokenAbi,
  ProtocolError,
  REVEAL_WINDOW,
  toSdkError,
  hashMatches,
  InvalidInputError,
  isText,
  judge,
  OpenLedgerError,
  proseQuality,
  withDefaults,
  type ContributionRecord,
  type Discrepancy,
  type LeaderboardEntry,
  type SignedVerdict,
  type Verdict,
} from "../../sdk/index.ts";
import {
  exportDatasetTo,
  indexProtocolEvents,
  openFsStore,
  readAdapterFolder,
  registerTrainedAdapter,
  verifyDatasetExport,
  writeTrainConfig,
} from "../../sdk/node/index.ts";
import { deployProtocol } from "./deploy.ts";

const EXAMPLES_ROOT = path.resolve(import.meta.dirname, "..", "..", "examples");
const EXAMPLES = path.join(EXAMPLES_ROOT, "science-explained");
const OPEN = 10n ** 18n;
/** Llama 3.1 8B's shape (its config.json), for the fine-tune estimate. */
const LLAMA_31_8B = { hiddenSize: 4_096, intermediateSize: 14_336, numLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 8, vocabSize: 128_256 };

/**
 * The settings that trained the adapter in examples/qlora-adapter (Tess's in the story): its LoRA
 * settings (r 16, alpha 32, dropout 0.05, attention projections, 4-bit base) and the rest as a QLoRA
 * run of Llama 3.1 8B would set them.
 */
export const EXAMPLE_ADAPTER_TRAINING = withDefaults({
  finetuningType: "lora",
  loraRank: 16,
  loraAlpha: 32,
  loraDropout: 0.05,
  loraTarget: ["q_proj", "k_proj", "v_proj", "o_proj"],
  quantizationBit: 4,
  learningRate: 2e-4,
  numTrainEpochs: 3,
  perDeviceTrainBatchSize: 4,
  gradientAccumulationSteps: 4,
  lrSchedulerType: "cosine",
  cutoffLen: 1_024,
  template: "llama3",
});

/** How many steps the story narrates (its progress indicator counts to this). */
const DEMO_STEPS = 19;

/** The contributors and what each does in the story. */
const CAST = [
  { name: "Ada", role: "careful: few, well-written explanations", files: 2 },
  { name: "Ben", role: "regular contributor", files: 2 },
  { name: "Cleo", role: "regular contributor", files: 2 },
  { name: "Dev", role: "one text, then a re-upload and an oversized file", files: 1 },
  { name: "Eve", role: "copies a pending reveal from the mempool", files: 0 },
  { name: "Sam", role: "Sybil farmer: junk, rejected by its own validators", files: 0 },
] as const;

/**
 * The validators: stake in OPEN, and how they judge. Vera's stake outweighs the others together;
 * Sam runs two minimum-stake validators to reject its own junk (and anything else) first.
 */
const VALIDATORS = [
  { name: "Vera", stake: 10_000n, judges: "carefully" },
  { name: "Walt", stake: 2_000n, judges: "carefully" },
  { name: "Xia", stake: 2_000n, judges: "carefully" },
  { name: "Carl", stake: 1_000n, judges: "carelessly" },
  { name: "Sam-1", stake: 1_000n, judges: "for Sam" },
  { name: "Sam-2", stake: 1_000n, judges: "for Sam" },
] as const;

/** OPEN each contributor starts with, for its bonds. */
const CONTRIBUTOR_FUNDS = 100n;

export interface DemoValidator {
  name: string;
  address: Address;
  stake: bigint;
  /** "carefully" (reads and checks), "carelessly" (by size, unread) or "for Sam" (the farmer's). */
  judges: string;
  agreed: number;
  disagreed: number;
}

export interface DemoContributor {
  name: string;
  role: string;
  address: Address;
  submitted: number;
  accepted: number;
  rejected: number;
  withdrawn: number;
  displaced: number;
  bytes: bigint;
  refusals: string[];
}

export interface DemoSummary {
  chainId: number;
  contracts: Record<string, Address>;
  datanetId: bigint;
  contributors: DemoContributor[];
  refusals: { who: string; error: string; message: string }[];
  validators: DemoValidator[];
  leaderboard: LeaderboardEntry[];
  aggregator: { transactions: number; verdicts: number; skipped: number };
  /**
   * The scenes of the validation redesign: what the Sybil farmer (Sam and its two validators) holds
   * in OPEN before and after (wallet, registry credit, stake), the first contribution's tally (two
   * small rejections first, then the large stake), the dodger's refused withdrawal, and the funded
   * epoch's terms against the curator's later change.
   */
  farmer: { before: bigint; after: bigint; bondsForfeited: bigint; recovered: bigint };
  firstMovers: { contributionId: bigint; rejectWeight: bigint; acceptWeight: bigint; eligibleWeight: bigint; accepted: boolean };
  dodger: { contributionId: bigint; refusal: string };
  terms: { epoch: bigint; contributorRewardBps: number; quorum: number; scheduledFrom: number; scheduledContributorRewardBps: number };
  rewards: { epoch: bigint; funded: bigint; paid: { name: string; amount: bigint }[]; dust: bigint };
  version: { version: number; root: Hex; contributionCount: bigint; verified: boolean };
  model: {
    modelId: bigint;
    name: string;
    method: string;
    rank: number;
    quantizationBit: number | null;
    loraTarget: string[];
    adapterHash: Hex;
    trainedOn: { datanetId: bigint; version: number; versionRoot: Hex }[];
    estimate: { method: string; trainableParameters: number; memoryGB: number }[];
  };
  attribution: {
    epoch: bigint;
    fees: bigint;
    parts: { contributors: bigint; developer: bigint; validators: bigint; protocol: bigint };
    outputs: { inferenceId: string; spans: number; drawsOn: string[] }[];
    payouts: { name: string; weightPercent: number; amount: bigint }[];
    claimed: bigint;
    developerWithdrawn: bigint;
    toTreasury: bigint;
    /** With `publishAttribution`: the result file's CID in the content store, and the leaf left unclaimed. */
    published?: { cid: string; unclaimed: bigint };
  };
  audit: { events: number; contributions: number; models: number; attributionEpochs: number; discrepancies: Discrepancy[] };
  /**
   * The filesystem content store: its folder (removed at the end unless kept), how many registered
   * contributions it holds, how many reads by CID the story made (each verified against the CID),
   * and whether every registered contribution read back intact (CID and content hash).
   */
  storage: { dir: string; kept: boolean; contributions: number; reads: number; verified: boolean };
  /** Version 1 exported as alpaca rows: how many, the root they were checked against, and whether the audit traced the model's lineage back to them. */
  dataset: { rows: number; root: Hex; verified: boolean };
  /** The LLaMA-Factory YAML written for the fine-tune (removed with the store unless kept). */
  trainConfig: string;
}

type FsStore = Awaited<ReturnType<typeof openFsStore>>;

/**
 * The end-to-end story on whatever network `connection` is: deploy with the Ignition module, open a
 * datanet, let six contributors submit through the SDK (quotas, duplicates and a front-running
 * attempt refused with readable errors), finalize, publish a version whose root is computed locally,
 * and audit the whole history from events. `log` receives the narration. Contributions' bytes go into
 * the embedded filesystem store in a fresh temporary folder, and the dataset export and training
 * config into another; both are removed at the end unless `keepStore`.
 */
export async function runDemoStory(
  connection: NetworkConnection,
  log: (line: string) => void,
  options: {
    keepStore?: boolean;
    deploymentId?: string;
    /**
     * For the web app's seed (scripts/lib/app-stack.ts): the attributor also publishes its result file
     * into the content store, and the relayer leaves the last leaf unclaimed, so the Attribution page
     * has a payout to claim. `npm run demo` claims every leaf and publishes nothing.
     */
    publishAttribution?: boolean;
  } = {},
): Promise<DemoSummary> {
  const keepStore = options.keepStore ?? false;
  // A folder of its own per run, outside the repository: runs never see each other's content.
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-demo-store-"));
  const workDir = await mkdtemp(path.join(tmpdir(), "openledger-demo-training-"));
  try {
    return await tellStory(connection, log, await openFsStore(dir), workDir, keepStore, options.deploymentId, options.publishAttribution ?? false);
  } finally {
    if (!keepStore) for (const folder of [dir, workDir]) await rm(folder, { recursive: true, force: true });
  }
}

async function tellStory(
  connection: NetworkConnection,
  log: (line: string) => void,
  store: FsStore,
  workDir: string,
  keepStore: boolean,
  deploymentId: string | undefined,
  publishAttribution: boolean,
): Promise<DemoSummary> {
  let stepNumber = 0;
  const step = (title: string) => log(`\n== [${++stepNumber}/${DEMO_STEPS}] ${title}`);

  step("Deploying the protocol with the Ignition module (deploy/modules/OpenLedger.ts)");
  const deployment = await deployProtocol(connection, { deploymentId });
  const publicClient = await connection.viem.getPublicClient();
  const wallets = await connection.viem.getWalletClients();
  const [treasury, curator, relayer, ...rest] = wallets;
  const validatorWallets = rest.slice(0, VALIDATORS.length);
  const people = rest.slice(VALIDATORS.length);
  const sdk = (wallet: (typeof wallets)[number]) => createClient({ publicClient, walletClient: wallet, deployment });
  log(`OpenToken ${deployment.contracts.openToken}\nDatanetRegistry ${deployment.contracts.datanetRegistry}`);

  const give = async (to: Address, amount: bigint) =>
    publicClient.waitForTransactionReceipt({
      hash: await treasury!.writeContract({ address: deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [to, amount] }),
    });

  step("Opening the datanet 'Science, explained' with quotas, a bond and a validation window");
  const policy = datanetPolicy({
    maxBytesPerContribution: 1_024n,
    maxContributionsPerContributorPerEpoch: 4,
    maxBytesPerContributorPerEpoch: 4_096n,
    maxBytesPerDatanetPerEpoch: 64n * 1_024n,
    submissionBond: 10n * OPEN,
    validationWindow: 3_600,
  });
  const owner = sdk(curator!);
  const { datanetId } = await (
    await owner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://science-explained", policy })
  ).wait();
  log(
    `datanet ${datanetId}: at most 1 KiB per item, 4 items and 4 KiB per contributor per day; a 10-OPEN bond per item; ` +
      `verdicts open 30 minutes after a reveal, for an hour; quorum 3, two-thirds of stake`,
  );

  step("Validators stake OPEN (ERC-2612 permit: one transaction each), before anything is revealed");
  const validators: ((typeof VALIDATORS)[number] & { client: ReturnType<typeof sdk>; address: Address })[] = [];
  for (const [i, v] of VALIDATORS.entries()) {
    const wallet = validatorWallets[i]!;
    await give(wallet.account.address, v.stake * OPEN);
    const client = sdk(wallet);
    await (await client.validators.stake({ datanetId, amount: v.stake * OPEN })).wait();
    validators.push({ ...v, client, address: wallet.account.address });
    log(`  ${v.name} staked ${v.stake} OPEN (judges ${v.judges})`);
  }
  const validator = (name: string) => validators.find((v) => v.name === name)!;

  const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith(".txt")).sort();
  const texts = await Promise.all(files.map(async (f) => ({ file: f, bytes: await readFile(path.join(EXAMPLES, f)) })));
  const cast = CAST.map((member, i) => ({
    ...member,
    client: sdk(people[i]!),
    address: people[i]!.account.address,
    hashes: [] as Hex[],
    refusals: [] as string[],
  }));
  for (const member of cast) await give(member.address, CONTRIBUTOR_FUNDS * OPEN);
  const byName = (name: string) => cast.find((c) => c.name === name)!;
  const refusals: DemoSummary["refusals"] = [];
  /**
   * Addresses contents the way `datanet submit` does: the content hash and the `ipfs://<cid>` URI the
   * SDK computes, every registry rule checked (a `ProtocolError` when one is broken), and only then
   * the bytes put in the store, so it never holds content the chain refused.
   */
  const stage = async (member: (typeof cast)[number], contents: readonly Uint8Array[]) => {
    const items = await Promise.all(
      contents.map(async (bytes) => {
        const { contentHash, sizeBytes, uri } = await contentAddress(bytes);
        return { contentHash, sizeBytes, uri };
      }),
    );
    await member.client.contributions.check({ datanetId, contributor: member.address, items });
    for (const bytes of contents) await store.put(bytes);
    return items;
  };
  let reads = 0;
  /** A contribution's bytes by the CID in its URI, verified block by block by the store (the demo registers no other URI). */
  const readByCid = async (c: Pick<ContributionRecord, "uri">) => {
    const cid = cidOfUri(c.uri);
    if (cid === undefined) throw new InvalidInputError("uri", `${c.uri} is not an ipfs://<cid> URI`);
    const bytes = await store.get(cid);
    reads++;
    return bytes;
  };
  const refuse = (who: string, error: unknown) => {
    if (!(error instanceof ProtocolError)) throw error;
    refusals.push({ who, error: error.errorName, message: error.shortMessage });
    byName(who).refusals.push(error.errorName);
    log(`  refused for ${who}: ${error.errorName}: ${error.shortMessage}`);
  };
  /** What an account set holds in OPEN: wallets, registry credit (refunds, forfeit shares) and stake. */
  const holdings = async (accounts: Address[]) => {
    let total = 0n;
    for (const account of accounts) {
      total += await publicClient.readContract({ address: deployment.contracts.openToken, abi: openTokenAbi, functionName: "balanceOf", args: [account] });
      total += await owner.contributions.credit({ account });
      total += (await owner.validators.getStake({ datanetId, validator: account })).amount;
    }
    return total;
  };
  const farmerAccounts = [byName("Sam").address, validator("Sam-1").address, validator("Sam-2").address];
  const farmerBefore = await holdings(farmerAccounts);

  step(`Contributors submit through commit-reveal, each bonding 10 OPEN per item (they hold ${CONTRIBUTOR_FUNDS} OPEN)`);
  let next = 0;
  for (const member of cast) {
    if (member.files === 0) continue;
    const mine = texts.slice(next, next + member.files);
    next += member.files;
    const items = await stage(member, mine.map((t) => t.bytes));
    const { contributionIds } = await (await member.client.contributions.submitBatch({ datanetId, items })).wait();
    member.hashes.push(...items.map((i) => i.contentHash));
    for (const [i, t] of mine.entries()) log(`  ${member.name} registered ${t.file} as #${contributionIds[i]}: ${items[i]!.uri}`);
  }

  step("Sam, a Sybil farmer, floods the datanet with junk, bonds and all");
  const sam = byName("Sam");
  for (let i = 1; i <= 6; i++) {
    const spamText = new TextEncoder().encode(`BEST DEAL!!! science facts ${i} click here click here ${"!".repeat(i)}`);
    try {
      const spam = (await stage(sam, [spamText]))[0]!;
      const { contributionId } = await (await sam.client.contributions.submit({ datanetId, ...spam })).wait();
      sam.hashes.push(spam.contentHash);
      log(`  Sam registered junk #${contributionId}`);
    } catch (error) {
      refuse("Sam", error);
    }
  }

  step("Refused uploads");
  const dev = byName("Dev");
  // Both are refused before anything is stored: the copy has the same CID as Ada's #1, the large file is never kept.
  for (const bytes of [texts[0]!.bytes, new TextEncoder().encode("x".repeat(2_000))]) {
    try {
      await dev.client.contributions.submit({ datanetId, ...(await stage(dev, [bytes]))[0]! });
    } catch (error) {
      refuse("Dev", error);
    }
  }

  step("Eve copies a pending reveal from the mempool; the older commitment wins");
  const eve = byName("Eve");
  const ben = byName("Ben");
  const original = texts[texts.length - 1]!;
  const item = (await stage(ben, [original.bytes]))[0]!;
  const registry = { address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi } as const;
  const { salt } = await ben.client.contributions.commit({ datanetId, contentHashes: [item.contentHash], reservedBytes: item.sizeBytes });
  // Eve first replays Ben's reveal arguments from her own address: the commitment binds its sender.
  try {
    await eve.client.publicClient.simulateContract({
      ...registry,
      functionName: "submit",
      args: [datanetId, item.contentHash, item.sizeBytes, item.uri, salt],
      account: eve.client.walletClient!.account,
      blockTag: "pending",
    });
    throw new Error("the copied reveal should have been refused");
  } catch (error) {
    refuse("Eve", await toSdkError(error));
  }
  // Then she commits to the hash she read and reveals before Ben's underpriced reveal lands.
  const { contributionId: eveId } = await (await eve.client.contributions.submit({ datanetId, ...item })).wait();
  eve.hashes.push(item.contentHash);
  log(`  Eve's copy landed first as #${eveId}`);
  const benReveal = await publicClient.waitForTransactionReceipt({
    hash: await people[1]!.writeContract({
      ...registry,
      functionName: "submit",
      args: [datanetId, item.contentHash, item.sizeBytes, item.uri, salt],
    }),
  });
  const revealLogs = parseEventLogs({ abi: datanetRegistryAbi, logs: benReveal.logs });
  const benId = revealLogs.find((l) => l.eventName === "ContributionSubmitted")!.args.contributionId as bigint;
  const displaced = revealLogs.find((l) => l.eventName === "ContributionDisplaced");
  ben.hashes.push(item.contentHash);
  log(
    `  Ben's older commitment revealed as #${benId}: the content is his; Eve's #${eveId} was displaced` +
      (displaced ? ` and her ${formatUnits(displaced.args.bondForfeited as bigint, 18)}-OPEN bond went to the treasury` : ""),
  );
  try {
    await eve.client.contributions.submit({ datanetId, ...item });
  } catch (error) {
    refuse("Eve", error);
  }

  step("Cleo withdraws a contribution she wants to rework, before verdicts open (her bond is forfeited)");
  const cleo = byName("Cleo");
  const withdrawn = cleo.hashes[1]!;
  const { contributionId: withdrawnId } = await (await cleo.client.contributions.withdraw({ contentHash: withdrawn })).wait();
  log(`  #${withdrawnId} withdrawn`);

  step("The treasury funds this epoch's reward pool: 10,000 OPEN, under terms fixed before the money came");
  const rewardEpoch = await owner.datanets.currentEpoch(datanetId).then(BigInt);
  const funded = 10_000n * 10n ** 18n;
  await (await sdk(treasury!).rewards.fund({ datanetId, epoch: rewardEpoch, amount: funded })).wait();
  // The curator then tries to move the funded epoch's split and quorum: the change waits two epochs.
  const rigged = { ...policy, contributorRewardBps: 5_000, quorum: 1 };
  const { effectiveEpoch } = await (await owner.datanets.updatePolicy({ datanetId, policy: rigged })).wait();
  const terms = await owner.datanets.epochTerms({ datanetId, epoch: rewardEpoch });
  log(
    `  epoch ${rewardEpoch}: ${terms.contributorRewardBps / 100}% for contributors by points, the rest for validators by settled accepting stake; ` +
      `quorum ${terms.quorum}. The curator's change (50%, quorum 1) applies from epoch ${effectiveEpoch}, not to the funded one`,
  );

  step("Verdicts open; a dodger cannot withdraw, the farmer's validators move first, the rest go through the aggregator");
  await connection.networkHelpers.time.increase(REVEAL_WINDOW);
  const checks = [hashMatches, isText, proseQuality()];
  const contributionOf = async (contentHash: Hex) => owner.contributions.get(contentHash);
  // Vera's rejection of Sam's first junk lands; Sam sees it and tries to withdraw.
  const dodged = sam.hashes[0]!;
  const [dodgedRecord] = (await validator("Vera").client.validators.pending({ validator: validator("Vera").address, datanetId })).filter((c) => c.contentHash === dodged);
  await (await validator("Vera").client.validators.attest(judge(checks, await readByCid(dodgedRecord!), dodged))).wait();
  let dodgerRefusal = "";
  try {
    await sam.client.contributions.withdraw({ contentHash: dodged });
    throw new Error("the dodger's withdrawal should have been refused");
  } catch (error) {
    refuse("Sam", error);
    dodgerRefusal = (error as ProtocolError).errorName;
  }
  // Sam's two validators reject Sam's junk (to farm its bonds) and Ada's first text (to push it out), first.
  const ada = byName("Ada");
  for (const name of ["Sam-1", "Sam-2"]) {
    const { client } = validator(name);
    const targets = [...sam.hashes, ada.hashes[0]!];
    await (await client.validators.attestBatch(targets.map((contentHash) => ({ contentHash, accept: false, quality: 0, reasonCode: 1 })))).wait();
  }
  const adaFirst = await contributionOf(ada.hashes[0]!);
  const early = await owner.validators.tally({ contributionId: adaFirst.id });
  log(
    `  Ada's #${adaFirst.id}: two 1,000-OPEN rejections first, ${formatUnits(early.rejectWeight * 10n ** 15n, 18)} of ${formatUnits(early.eligibleWeight * 10n ** 15n, 18)} OPEN eligible: nothing decided`,
  );
  const queued: SignedVerdict[] = [];
  // Carl's verdicts reach the aggregator first, so his disagreements are counted.
  const honest = validators.filter((v) => v.judges !== "for Sam").sort((a, b) => Number(b.judges === "carelessly") - Number(a.judges === "carelessly"));
  for (const v of honest) {
    const pending = await v.client.validators.pending({ validator: v.address, datanetId });
    for (const c of pending) {
      // Carl waves through whatever is short and rejects what is long, without reading.
      const verdict: Verdict =
        v.judges === "carelessly"
          ? { contentHash: c.contentHash, accept: c.sizeBytes < 300n, quality: 50, reasonCode: 0 }
          : judge(checks, await readByCid(c), c.contentHash);
      queued.push(await v.client.validators.signVerdict(verdict));
    }
  }
  const aggregator = sdk(relayer!).validators.aggregator();
  for (const signed of queued) await aggregator.add(signed);
  const flushed = await aggregator.flush();
  // Whatever the verdicts did not decide early closes after the validation window.
  const stillPending: Hex[] = [];
  for (const member of cast) {
    for (const hash of member.hashes) if ((await contributionOf(hash)).status === 1 && !stillPending.includes(hash)) stillPending.push(hash);
  }
  let afterWindow = 0;
  if (stillPending.length > 0) {
    const last = await contributionOf(stillPending[stillPending.length - 1]!);
    await connection.networkHelpers.time.increaseTo(BigInt(last.votingEndsAt));
    afterWindow = (await (await sdk(relayer!).validators.finalize({ contentHashes: stillPending })).wait()).finalized.length;
  }
  const adaTally = await owner.validators.tally({ contributionId: adaFirst.id });
  const adaAccepted = (await contributionOf(ada.hashes[0]!)).status === 2;
  log(
    `  ${queued.length} signed verdicts, ${flushed.transactions.length} transaction(s), ${flushed.skipped.length} not needed; ` +
      `${afterWindow} closed by finalize after the window`,
  );
  log(
    `  Ada's #${adaFirst.id}: ${adaAccepted ? "accepted" : "rejected"} by stake, ${formatUnits(adaTally.acceptWeight * 10n ** 15n, 18)} OPEN accepting ` +
      `against ${formatUnits(adaTally.rejectWeight * 10n ** 15n, 18)} rejecting: Vera's verdict counted over the two early ones`,
  );

  step("Validators settle their verdicts: stake weight for accepting accepted work, forfeited bonds for rejecting rejected work");
  let recovered = 0n;
  for (const v of validators) {
    const contributionIds = await v.client.validators.unsettled({ validator: v.address });
    if (contributionIds.length === 0) continue;
    const { points, credit } = await (await v.client.validators.settle({ contributionIds })).wait();
    if (v.judges === "for Sam") recovered += credit;
    log(`  ${v.name}: ${contributionIds.length} verdicts settled, ${points} validator points (stake weight), ${formatUnits(credit, 18)} OPEN of forfeited bonds credited`);
  }
  const bondsForfeited = BigInt(sam.hashes.length) * policy.submissionBond;
  const farmerAfter = await holdings(farmerAccounts);
  log(
    `  Sam bonded ${formatUnits(bondsForfeited, 18)} OPEN of junk, all rejected; its validators recovered ${formatUnits(recovered, 18)}: ` +
      `the farmer ends ${formatUnits(farmerBefore - farmerAfter, 18)} OPEN poorer`,
  );

  step("Publishing version 1: root computed locally from events");
  const published = await (await owner.versions.publish({ datanetId, uri: "ipfs://science-explained/v1" })).wait();
  const check = await owner.versions.verify({ datanetId, version: published.version });
  log(`  version ${published.version}: ${published.contributionCount} contributions, root ${published.root}`);

  step("The epoch ends; contributors and validators claim their rewards");
  await connection.networkHelpers.time.increase(BigInt(policy.epochLength));
  const claimants = [
    ...cast.map((m) => ({ name: m.name, client: m.client })),
    ...validators.map((v) => ({ name: v.name, client: v.client })),
  ];
  const paid: DemoSummary["rewards"]["paid"] = [];
  for (const { name, client } of claimants) {
    const [share] = await client.rewards.claimable({
      datanetId,
      account: client.walletClient!.account.address,
      epochs: [rewardEpoch],
    });
    if (share!.contributorShare + share!.validatorShare === 0n) continue;
    const { paid: amount } = await (await client.rewards.claim({ datanetId, epochs: [rewardEpoch] })).wait();
    paid.push({ name, amount });
    log(`  ${name} claimed ${formatUnits(amount, 18)} OPEN`);
  }
  const dust = funded - paid.reduce((sum, p) => sum + p.amount, 0n);
  log(`  left in the pool (rounding dust, swept to the treasury after the claim window): ${dust} wei`);

  step("Tess exports version 1 as alpaca rows (hashes and root checked), writes a LLaMA-Factory config and registers the QLoRA adapter");
  const trainerWallet = people[CAST.length]!;
  const providerWallet = people[CAST.length + 1]!;
  const tess = sdk(trainerWallet);
  const datasetDir = path.join(workDir, "dataset");
  const exported = await exportDatasetTo(tess, { datanetId, version: published.version, format: "alpaca", out: datasetDir, fetchContent: readByCid });
  log(`  ${exported.rows.length} alpaca rows in ${datasetDir}: each contribution's content hash and the version root ${exported.manifest.root} checked`);
  const adapterFolder = path.join(EXAMPLES_ROOT, "qlora-adapter");
  const adapter = await readAdapterFolder(adapterFolder);
  const trainConfigFile = path.join(workDir, "train.yaml");
  await writeTrainConfig({ file: trainConfigFile, modelNameOrPath: adapter.baseModel, datasetDir, settings: EXAMPLE_ADAPTER_TRAINING });
  log(`  wrote ${trainConfigFile}: \`llamafactory-cli train\` runs it as is (examples/qlora-adapter stands in for what it produces)`);
  const estimates = estimateFineTune(LLAMA_31_8B, { rank: adapter.adapter.loraRank, targetModules: adapter.adapter.loraTarget });
  const gb = (bytes: number) => Number((bytes / 1e9).toFixed(1));
  log(
    `  ${adapter.baseModel}, r=${adapter.adapter.loraRank}, alpha=${adapter.adapter.loraAlpha}, ${adapter.adapter.quantizationBit}-bit base: ` +
      `${estimates.qlora4.trainableParameters.toLocaleString("en")} trainable parameters; ` +
      `~${gb(estimates.qlora4.totalBytes)} GB as QLoRA vs ~${gb(estimates.lora.totalBytes)} GB as LoRA (weights and optimizer state)`,
  );
  const { baseModelId } = await (
    await tess.models.registerBase({
      name: "Llama-3.1-8B",
      family: "llama",
      parameterCount: 8_030_261_248n,
      artifactHash: hashContent("meta-llama/Llama-3.1-8B weights").contentHash,
      artifactURI: `hf://${adapter.baseModel}`,
      license: "llama3.1",
    })
  ).wait();
  // adapter_config.json checked against the config, the config's export against the chain, then sent.
  const registration = await registerTrainedAdapter(tess, {
    adapterFolder,
    configFile: trainConfigFile,
    baseModelId,
    name: "science-tutor",
    adapterURI: "ipfs://science-tutor/adapter",
  });
  const { modelId } = await registration.handle.wait();
  const lineage = await tess.models.lineage({ modelId });
  log(`  model ${modelId} "${lineage.name}" v1 trained on datanet ${datanetId} version ${published.version} (root ${lineage.versions[0]!.trainingData[0]!.versionRoot})`);

  step("An inference provider pays 2,000 OPEN of fees for three inference batches (permit, one transaction)");
  const provider = sdk(providerWallet);
  await publicClient.waitForTransactionReceipt({
    hash: await treasury!.writeContract({
      address: deployment.contracts.openToken,
      abi: openTokenAbi,
      functionName: "transfer",
      args: [providerWallet.account.address, 2_000n * OPEN],
    }),
  });
  const { epoch: feeEpoch, total: fees } = await (
    await provider.attribution.payFees(
      [900n, 700n, 400n].map((amount, i) => ({ modelId, amount: amount * OPEN, inferenceBatchHash: hashContent(`inference batch ${i}`).contentHash })),
    )
  ).wait();
  const parts = await provider.attribution.splitAmounts({ modelId, epoch: feeEpoch });
  log(
    `  attribution epoch ${feeEpoch}: contributors ${formatUnits(parts.contributors, 18)}, developer ${formatUnits(parts.developer, 18)}, ` +
      `validators ${formatUnits(parts.validators, 18)}, protocol ${formatUnits(parts.protocol, 18)} OPEN`,
  );

  step("The epoch ends; the attributor runs the engine over the rows the model was trained on and proposes the payouts");
  await connection.networkHelpers.time.increase(24 * 3_600);
  const outputs = JSON.parse(await readFile(path.join(EXAMPLES_ROOT, "science-explained-outputs.json"), "utf8")) as { inferenceId: string; text: string }[];
  const fetchContent = readByCid;
  const attributor = sdk(treasury!);
  // The corpus is Tess's export, checked row for row against the version the model records.
  const computed = await attributor.attribution.compute({ modelId, epoch: feeEpoch, outputs, datasets: [exported], fetchContent });
  const nameOf = (address: string) =>
    [...cast, ...validators, { name: "Tess", address: trainerWallet.account.address }].find((m) => m.address.toLowerCase() === address.toLowerCase())?.name ??
    address;
  const contributorOf = new Map(computed.inputs.documents.map((d) => [d.contributionId, nameOf(computed.inputs.earners.get(d.contributionId)!.contributor)]));
  const outputRows = outputs.map((o) => {
    const result = computed.perOutput.get(o.inferenceId)!;
    return { inferenceId: o.inferenceId, spans: result.spans.length, drawsOn: [...result.weights.keys()].map((id) => `#${id} (${contributorOf.get(id)})`) };
  });
  for (const row of outputRows) log(`  ${row.inferenceId}: ${row.spans} span(s) → ${row.drawsOn.join(", ") || "nothing in the corpus"}`);
  const weightOf = (name: string) =>
    Number(([...computed.weights].filter(([id]) => contributorOf.get(id) === name).reduce((sum, [, w]) => sum + w, 0n) * 10_000n) / 10n ** 18n) /
    100;
  const { challengeEndsAt } = await (await attributor.attribution.propose({ modelId, epoch: feeEpoch, result: computed })).wait();
  log(`  root ${computed.epoch.root} over ${computed.payouts.length} payouts; records hash ${computed.recordsHash}; challenge window until ${challengeEndsAt}`);

  step("No guardian objects; after the challenge window anyone releases the epoch");
  await connection.networkHelpers.time.increase(2 * 24 * 3_600);
  const released = await (await sdk(relayer!).attribution.release({ modelId, epoch: feeEpoch })).wait();
  log(`  Merkle epoch ${released.epochContract}: developer credited ${formatUnits(released.developerAmount, 18)} OPEN, treasury ${formatUnits(released.protocolAmount, 18)} OPEN`);

  step("Contributors and validators are paid in one relayed claim; Tess withdraws the developer share");
  let publishedResult: DemoSummary["attribution"]["published"];
  if (publishAttribution) {
    const text = formatAttributionResultFile(computed, { modelId, epoch: feeEpoch, poolId: attributor.attribution.poolId(modelId) });
    const { cid } = await store.put(new TextEncoder().encode(text));
    publishedResult = { cid, unclaimed: computed.epoch.leaves.at(-1)!.index };
    log(`  the attributor published its result file as ${cid}; leaf ${publishedResult.unclaimed} is left for the web app to claim`);
  }
  const claims = computed.epoch.leaves.filter((l) => l.index !== publishedResult?.unclaimed).map((l) => computed.epoch.claim(l.index));
  const { paid: attributionPaid } = await (await sdk(relayer!).attribution.claim({ modelId, epoch: feeEpoch, claims })).wait();
  for (const p of attributionPaid) log(`  ${nameOf(p.account)} received ${formatUnits(p.amount, 18)} OPEN`);
  const { amount: developerWithdrawn } = await (await tess.attribution.withdrawEarnings()).wait();
  const attributionClaimed = attributionPaid.reduce((sum, p) => sum + p.amount, 0n);
  log(`  Tess withdrew ${formatUnits(developerWithdrawn, 18)} OPEN`);

  step("Auditing the whole history: every event indexed, all state rebuilt and compared with every view; attribution recomputed");
  const auditor = createClient({ publicClient, deployment });
  const { events } = await indexProtocolEvents(auditor);
  const protocol = rebuildProtocolState(auditor, events);
  const state = protocol.registry;
  const discrepancies = [
    ...(await verifyProtocolState(auditor, protocol)),
    ...(await verifyAttributionEpoch(auditor, { modelId, epoch: feeEpoch, outputs, fetchContent })),
  ];
  log(
    `  ${events.length} events: ${state.contributions.size} contributions, ${protocol.stakes.size} stakes, ${protocol.tallies.size} tallies, ` +
      `${protocol.rewardPools.size} reward pool, ${protocol.models.size} model, ${protocol.merkleEpochs.size} Merkle epoch: ${discrepancies.length} discrepancies`,
  );
  // The model's lineage back to the rows: the export is exactly what the recorded version's contributions
  // map to (contents re-fetched, hashes and root checked again), and it is the version the model names.
  const reexported = await verifyDatasetExport(auditor, { dir: datasetDir, fetchContent: readByCid });
  const trainedOn = (await auditor.models.lineage({ modelId })).versions[0]!.trainingData;
  const datasetVerified =
    trainedOn.length === 1 &&
    trainedOn[0]!.datanetId === BigInt(reexported.manifest.datanetId) &&
    trainedOn[0]!.version === reexported.manifest.version &&
    trainedOn[0]!.versionRoot === reexported.manifest.root;
  log(`  model ${modelId}'s training data: ${reexported.rows.length} rows of ${datasetDir}, each traced to its contribution and content hash: ${datasetVerified ? "verified" : "MISMATCH"}`);
  // Every registered contribution, withdrawn and rejected ones too, must read back by its CID and hash to its content hash.
  let held = 0;
  let intact = 0;
  for (const c of state.contributions.values()) {
    const cid = cidOfUri(c.uri);
    if (cid === undefined || !(await store.has(cid))) continue;
    held++;
    try {
      await assertSameContent(await readByCid(c), { contentHash: c.contentHash, cid });
      intact++;
    } catch (error) {
      if (!(error instanceof OpenLedgerError)) throw error;
    }
  }
  const storeVerified = intact === state.contributions.size;
  log(
    `  content store ${store.dir}${keepStore ? "" : " (removed at the end)"}: ${held} of ${state.contributions.size} contributions by CID; ` +
      `all ${reads} reads (validators, attributor, auditor) verified against their CIDs${storeVerified ? "" : `, but only ${intact} intact`}`,
  );

  const leaderboard = await auditor.reputation.leaderboard({ datanetId });
  const validatorRows: DemoValidator[] = [];
  for (const v of validators) {
    const agreement = await auditor.validators.agreement({ datanetId, validator: v.address });
    validatorRows.push({
      name: v.name,
      address: v.address,
      stake: v.stake,
      judges: v.judges,
      agreed: agreement.agreed,
      disagreed: agreement.disagreed,
    });
  }

  const contributors: DemoContributor[] = cast.map((member) => {
    const mine = [...state.contributions.values()].filter((c) => c.contributor.toLowerCase() === member.address.toLowerCase());
    return {
      name: member.name,
      role: member.role,
      address: member.address,
      submitted: mine.length,
      accepted: mine.filter((c) => c.status === 2).length,
      rejected: mine.filter((c) => c.status === 3).length,
      withdrawn: mine.filter((c) => c.status === 4).length,
      displaced: mine.filter((c) => c.status === 6).length,
      bytes: mine.reduce((sum, c) => sum + c.sizeBytes, 0n),
      refusals: member.refusals,
    };
  });

  return {
    chainId: deployment.chainId,
    contracts: deployment.contracts,
    datanetId,
    contributors,
    refusals,
    validators: validatorRows,
    leaderboard,
    rewards: { epoch: rewardEpoch, funded, paid, dust },
    farmer: { before: farmerBefore, after: farmerAfter, bondsForfeited, recovered },
    firstMovers: {
      contributionId: adaFirst.id,
      rejectWeight: adaTally.rejectWeight,
      acceptWeight: adaTally.acceptWeight,
      eligibleWeight: adaTally.eligibleWeight,
      accepted: adaAccepted,
    },
    dodger: { contributionId: dodgedRecord!.contributionId, refusal: dodgerRefusal },
    terms: {
      epoch: rewardEpoch,
      contributorRewardBps: terms.contributorRewardBps,
      quorum: terms.quorum,
      scheduledFrom: effectiveEpoch,
      scheduledContributorRewardBps: rigged.contributorRewardBps,
    },
    aggregator: {
      transactions: flushed.transactions.length,
      verdicts: flushed.transactions.reduce((n, t) => n + t.verdicts, 0),
      skipped: flushed.skipped.length,
    },
    version: { ...published, verified: check.matches },
    model: {
      modelId,
      name: lineage.name,
      method: lineage.versions[0]!.method,
      rank: adapter.adapter.loraRank,
      quantizationBit: adapter.adapter.quantizationBit,
      loraTarget: [...adapter.adapter.loraTarget],
      adapterHash: adapter.adapterHash,
      trainedOn: lineage.versions[0]!.trainingData.map(({ datanetId: d, version, versionRoot }) => ({ datanetId: d, version, versionRoot })),
      estimate: [
        { method: "LoRA (bf16 base)", ...estimates.lora },
        { method: "QLoRA 8-bit", ...estimates.qlora8 },
        { method: "QLoRA 4-bit NF4", ...estimates.qlora4 },
      ].map((e) => ({ method: e.method, trainableParameters: e.trainableParameters, memoryGB: gb(e.totalBytes) })),
    },
    attribution: {
      epoch: feeEpoch,
      fees,
      parts: { contributors: parts.contributors, developer: parts.developer, validators: parts.validators, protocol: parts.protocol },
      outputs: outputRows,
      payouts: attributionPaid.map((p) => ({ name: nameOf(p.account), weightPercent: weightOf(nameOf(p.account)), amount: p.amount })),
      claimed: attributionClaimed,
      developerWithdrawn,
      toTreasury: released.protocolAmount,
      ...(publishedResult === undefined ? {} : { published: publishedResult }),
    },
    audit: {
      events: events.length,
      contributions: state.contributions.size,
      models: 1,
      attributionEpochs: 1,
      discrepancies,
    },
    storage: { dir: store.dir, kept: keepStore, contributions: held, reads, verified: storeVerified },
    dataset: { rows: reexported.rows.length, root: reexported.manifest.root, verified: datasetVerified },
    trainConfig: trainConfigFile,
  };
}
