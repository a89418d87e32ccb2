import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import type { NetworkConnection } from "hardhat/types/network";
import { formatUnits, type Address, type Hex } from "viem";

import {
  assertSameContent,
  cidOfUri,
  contentAddress,
  createClient,
  estimateFineTune,
  indexProtocolEvents,
  readAdapterFolder,
  rebuildProtocolState,
  verifyAttributionEpoch,
  verifyProtocolState,
  DataKind,
  datanetPolicy,
  datanetRegistryAbi,
  hashContent,
  openTokenAbi,
  ProtocolError,
  randomSalt,
  submissionCommitment,
  toSdkError,
  hashMatches,
  InvalidInputError,
  isText,
  judge,
  OpenLedgerError,
  proseQuality,
  type ContributionRecord,
  type Discrepancy,
  type LeaderboardEntry,
  type SignedVerdict,
  type Verdict,
} from "../../sdk/index.ts";
import { openFsStore } from "../../sdk/storage/node/index.ts";
import { deployProtocol } from "./deploy.ts";

const EXAMPLES_ROOT = path.resolve(import.meta.dirname, "..", "..", "examples");
const EXAMPLES = path.join(EXAMPLES_ROOT, "science-explained");
const OPEN = 10n ** 18n;
/** Llama 3.1 8B's shape (its config.json), for the fine-tune estimate. */
const LLAMA_31_8B = { hiddenSize: 4_096, intermediateSize: 14_336, numLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 8, vocabSize: 128_256 };

/** How many steps the story narrates (its progress indicator counts to this). */
const DEMO_STEPS = 18;

/** The contributors and what each does in the story. */
const CAST = [
  { name: "Ada", role: "careful: few, well-written explanations", files: 2 },
  { name: "Ben", role: "regular contributor", files: 2 },
  { name: "Cleo", role: "regular contributor", files: 2 },
  { name: "Dev", role: "one text, then a re-upload and an oversized file", files: 1 },
  { name: "Eve", role: "copies a pending reveal from the mempool", files: 0 },
  { name: "Sam", role: "spammer: many low-effort uploads", files: 0 },
] as const;

/** The validators: stake in OPEN, and whether they judge carefully. */
const VALIDATORS = [
  { name: "Vera", stake: 3_000n, careless: false },
  { name: "Walt", stake: 2_000n, careless: false },
  { name: "Xia", stake: 2_000n, careless: false },
  { name: "Carl", stake: 1_000n, careless: true },
] as const;

export interface DemoValidator {
  name: string;
  address: Address;
  stake: bigint;
  careless: boolean;
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
  rewards: { epoch: bigint; funded: bigint; paid: { name: string; amount: bigint }[]; dust: bigint };
  version: { version: number; root: Hex; contributionCount: bigint; verified: boolean };
  model: {
    modelId: bigint;
    name: string;
    method: string;
    rank: number;
    quantizationBits: number;
    targetModules: string[];
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
  };
  audit: { events: number; contributions: number; models: number; attributionEpochs: number; discrepancies: Discrepancy[] };
  /**
   * The filesystem content store: its folder (removed at the end unless kept), how many registered
   * contributions it holds, how many reads by CID the story made (each verified against the CID),
   * and whether every registered contribution read back intact (CID and content hash).
   */
  storage: { dir: string; kept: boolean; contributions: number; reads: number; verified: boolean };
}

type FsStore = Awaited<ReturnType<typeof openFsStore>>;

/**
 * The end-to-end story on whatever network `connection` is: deploy with the Ignition module, open a
 * datanet, let six contributors submit through the SDK (quotas, duplicates and a front-running
 * attempt refused with readable errors), finalize, publish a version whose root is computed locally,
 * and audit the whole history from events. `log` receives the narration. Contributions' bytes go into
 * the embedded filesystem store in a fresh temporary folder, removed at the end unless `keepStore`.
 */
export async function runDemoStory(
  connection: NetworkConnection,
  log: (line: string) => void,
  options: { keepStore?: boolean } = {},
): Promise<DemoSummary> {
  const keepStore = options.keepStore ?? false;
  // A folder of its own per run, outside the repository: runs never see each other's content.
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-demo-store-"));
  try {
    return await tellStory(connection, log, await openFsStore(dir), keepStore);
  } finally {
    if (!keepStore) await rm(dir, { recursive: true, force: true });
  }
}

async function tellStory(connection: NetworkConnection, log: (line: string) => void, store: FsStore, keepStore: boolean): Promise<DemoSummary> {
  let stepNumber = 0;
  const step = (title: string) => log(`\n== [${++stepNumber}/${DEMO_STEPS}] ${title}`);

  step("Deploying the protocol with the Ignition module (deploy/modules/OpenLedger.ts)");
  const deployment = await deployProtocol(connection);
  const publicClient = await connection.viem.getPublicClient();
  const wallets = await connection.viem.getWalletClients();
  const [treasury, curator, relayer, ...rest] = wallets;
  const validatorWallets = rest.slice(0, VALIDATORS.length);
  const people = rest.slice(VALIDATORS.length);
  const sdk = (wallet: (typeof wallets)[number]) => createClient({ publicClient, walletClient: wallet, deployment });
  log(`OpenToken ${deployment.contracts.openToken}\nDatanetRegistry ${deployment.contracts.datanetRegistry}`);

  step("Opening the datanet 'Science, explained' with quotas");
  const policy = datanetPolicy({
    maxBytesPerContribution: 1_024n,
    maxContributionsPerContributorPerEpoch: 4,
    maxBytesPerContributorPerEpoch: 4_096n,
    maxBytesPerDatanetPerEpoch: 64n * 1_024n,
  });
  const owner = sdk(curator!);
  const { datanetId } = await (
    await owner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://science-explained", policy })
  ).wait();
  log(`datanet ${datanetId}: at most 1 KiB per item, 4 items and 4 KiB per contributor per day; quorum 3, two-thirds of stake`);

  step("Validators stake OPEN (ERC-2612 permit: one transaction each)");
  const validators: ((typeof VALIDATORS)[number] & { client: ReturnType<typeof sdk>; address: Address })[] = [];
  for (const [i, v] of VALIDATORS.entries()) {
    const wallet = validatorWallets[i]!;
    await publicClient.waitForTransactionReceipt({
      hash: await treasury!.writeContract({
        address: deployment.contracts.openToken,
        abi: openTokenAbi,
        functionName: "transfer",
        args: [wallet.account.address, v.stake * 10n ** 18n],
      }),
    });
    const client = sdk(wallet);
    await (await client.validators.stake({ datanetId, amount: v.stake * 10n ** 18n })).wait();
    validators.push({ ...v, client, address: wallet.account.address });
    log(`  ${v.name} staked ${v.stake} OPEN${v.careless ? " (careless: judges without reading)" : ""}`);
  }

  const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith(".txt")).sort();
  const texts = await Promise.all(files.map(async (f) => ({ file: f, bytes: await readFile(path.join(EXAMPLES, f)) })));
  const cast = CAST.map((member, i) => ({
    ...member,
    client: sdk(people[i]!),
    address: people[i]!.account.address,
    hashes: [] as Hex[],
    refusals: [] as string[],
  }));
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

  step("Contributors submit through commit-reveal");
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

  step("Sam floods the datanet");
  const sam = byName("Sam");
  for (let i = 1; i <= 6; i++) {
    const spamText = new TextEncoder().encode(`BEST DEAL!!! science facts ${i} click here click here ${"!".repeat(i)}`);
    try {
      const spam = (await stage(sam, [spamText]))[0]!;
      const { contributionId } = await (await sam.client.contributions.submit({ datanetId, ...spam })).wait();
      sam.hashes.push(spam.contentHash);
      log(`  Sam registered spam #${contributionId}`);
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

  step("Eve copies a pending reveal from the mempool");
  const eve = byName("Eve");
  const ben = byName("Ben");
  const original = texts[texts.length - 1]!;
  const item = (await stage(ben, [original.bytes]))[0]!;
  const salt = randomSalt();
  const registry = { address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi } as const;
  const commitment = submissionCommitment({ contributor: ben.address, datanetId, contentHashes: [item.contentHash], salt });
  await publicClient.waitForTransactionReceipt({
    hash: await people[1]!.writeContract({ ...registry, functionName: "commitSubmission", args: [commitment] }),
  });
  // Eve replays Ben's reveal arguments from her own address before Ben's reveal lands.
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
    refuse("Eve", toSdkError(error));
  }
  const benReveal = await publicClient.waitForTransactionReceipt({
    hash: await people[1]!.writeContract({
      ...registry,
      functionName: "submit",
      args: [datanetId, item.contentHash, item.sizeBytes, item.uri, salt],
    }),
  });
  const benId = BigInt(benReveal.logs[0]!.topics[1]!);
  ben.hashes.push(item.contentHash);
  log(`  Ben's reveal landed as #${benId}; the content is his`);
  try {
    await eve.client.contributions.submit({ datanetId, ...item });
  } catch (error) {
    refuse("Eve", error);
  }

  step("Cleo withdraws a contribution she wants to rework");
  const cleo = byName("Cleo");
  const withdrawn = cleo.hashes[1]!;
  const { contributionId: withdrawnId } = await (await cleo.client.contributions.withdraw({ contentHash: withdrawn })).wait();
  log(`  #${withdrawnId} withdrawn`);

  step("The treasury funds this epoch's reward pool: 10,000 OPEN (permit, one transaction)");
  const rewardEpoch = await owner.datanets.currentEpoch(datanetId).then(BigInt);
  const funded = 10_000n * 10n ** 18n;
  await (await sdk(treasury!).rewards.fund({ datanetId, epoch: rewardEpoch, amount: funded })).wait();
  log(`  epoch ${rewardEpoch}: 80% for contributors by points, 20% for validators by agreeing verdicts`);

  step("Validators judge the pending contributions; signed verdicts go through the aggregator");
  const checks = [hashMatches, isText, proseQuality()];
  const queued: SignedVerdict[] = [];
  // Carl's verdicts reach the aggregator first, so his disagreements are counted.
  for (const v of [...validators].sort((a, b) => Number(b.careless) - Number(a.careless))) {
    const pending = await v.client.validators.pending({ validator: v.address, datanetId });
    for (const c of pending) {
      // Carl waves through whatever is short and rejects what is long, without reading.
      const verdict: Verdict = v.careless
        ? { contentHash: c.contentHash, accept: c.sizeBytes < 300n, quality: 50, reasonCode: 0 }
        : judge(checks, await readByCid(c), c.contentHash);
      queued.push(await v.client.validators.signVerdict(verdict));
    }
  }
  const aggregator = sdk(relayer!).validators.aggregator();
  for (const signed of queued) await aggregator.add(signed);
  const flushed = await aggregator.flush();
  const accepted = flushed.finalized.filter((f) => f.accepted).length;
  log(
    `  ${queued.length} signed verdicts, ${flushed.transactions.length} transaction(s), ${flushed.skipped.length} not needed after quorum; ` +
      `${accepted} accepted, ${flushed.finalized.length - accepted} rejected`,
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

  step("Tess registers a QLoRA fine-tune trained on version 1 (examples/qlora-adapter)");
  const trainerWallet = people[CAST.length]!;
  const providerWallet = people[CAST.length + 1]!;
  const tess = sdk(trainerWallet);
  const adapter = await readAdapterFolder(path.join(EXAMPLES_ROOT, "qlora-adapter"));
  const estimates = estimateFineTune(LLAMA_31_8B, { rank: adapter.adapter.loraRank, targetModules: adapter.adapter.targetModules });
  const gb = (bytes: number) => Number((bytes / 1e9).toFixed(1));
  log(
    `  ${adapter.baseModel}, r=${adapter.adapter.loraRank}, alpha=${adapter.adapter.loraAlpha}, ${adapter.adapter.quantizationBits}-bit base: ` +
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
  const { modelId } = await (
    await tess.models.register({
      baseModelId,
      name: "science-tutor",
      settings: { ...adapter.adapter, learningRate: 2e-4, epochs: 3, batchSize: 16, cutoffLength: 1_024 },
      trainingData: [{ datanetId: Number(datanetId), version: published.version }],
      adapterHash: adapter.adapterHash,
      adapterURI: "ipfs://science-tutor/adapter",
    })
  ).wait();
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

  step("The epoch ends; the attributor runs the engine over the accepted texts and proposes the payouts");
  await connection.networkHelpers.time.increase(24 * 3_600);
  const outputs = JSON.parse(await readFile(path.join(EXAMPLES_ROOT, "science-explained-outputs.json"), "utf8")) as { inferenceId: string; text: string }[];
  const fetchContent = readByCid;
  const attributor = sdk(treasury!);
  const computed = await attributor.attribution.compute({ modelId, epoch: feeEpoch, outputs, fetchContent });
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
  const claims = computed.epoch.leaves.map((l) => computed.epoch.claim(l.index));
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
      careless: v.careless,
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
      quantizationBits: adapter.adapter.quantizationBits,
      targetModules: [...adapter.adapter.targetModules],
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
    },
    audit: {
      events: events.length,
      contributions: state.contributions.size,
      models: 1,
      attributionEpochs: 1,
      discrepancies,
    },
    storage: { dir: store.dir, kept: keepStore, contributions: held, reads, verified: storeVerified },
  };
}
