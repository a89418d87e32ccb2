import { encodeAbiParameters, getAddress, keccak256, type Address, type ContractFunctionReturnType, type Hex } from "viem";

import type { proofOfAttributionAbi } from "../abis/index.ts";

// The engine (suffix arrays, span matching, the payout tree) is loaded when an attribution runs, so a
// page that only reads and writes does not download it.
import type { AttributionOptions, CorpusDocument, SpanIndex } from "../attribution/engine.ts";
import type { OutputExplanation } from "../attribution/explain.ts";
import { verifyAttributionResultFile, type AttributionResultFile } from "../attribution/result-file.ts";
import type { AttributionResult, ContributionEarners, InferenceOutput } from "../attribution/run.ts";
import { loadTokenizer, wordTokenizer } from "../attribution/tokenizer.ts";
import { attributionContract, requireWallet, type ProtocolClient } from "../client.ts";
import { InvalidInputError, LineageMismatchError, protocolError } from "../errors.ts";
import { fetchRegistryLogs, rebuildRegistryState, type ContributionRecord } from "../history.ts";
import { readLogRanges } from "../indexer/ranges.ts";
import type { EpochClaim, MerkleEpoch } from "../merkle.ts";
import { signPermit } from "../permit.ts";
import { only, readProtocol, sendContractTransaction, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertBytes32, assertPositiveId } from "../validate.ts";
import { hashContent } from "./contributions.ts";
import type { DatasetExport, TextRow } from "./datasets.ts";
import { claimFromEpochs } from "./epochs.ts";
import { modelLineage } from "./models.ts";
import { fetchAttestationLogs } from "./validators.ts";
import { buildVersionTree, versionLeaves } from "./versions.ts";

/** Where an epoch's attribution stands (the contract's `AttributionStatus`). */
export const AttributionStatus = {
  /** No proposal yet: fees are coming in, or waiting for a proposal. */
  None: 0,
  /** A proposal waits out its challenge window. */
  Proposed: 1,
  /** The guardian rejected the last proposal; a new one may be made. */
  Rejected: 2,
  Released: 3,
  /** Nothing was released within the deadline; the fees went to the treasury. */
  Unattributed: 4,
} as const;
export type AttributionStatus = (typeof AttributionStatus)[keyof typeof AttributionStatus];

export type FeeSplit = ContractFunctionReturnType<typeof proofOfAttributionAbi, "view", "feeSplitOf">;
export type FeePool = ContractFunctionReturnType<typeof proofOfAttributionAbi, "view", "feePool">;
export type SplitAmounts = ContractFunctionReturnType<typeof proofOfAttributionAbi, "view", "splitAmounts">;

/** One inference fee payment. */
export interface FeePayment {
  modelId: bigint;
  amount: bigint;
  /** Hash of the inference batch the fee pays for (e.g. keccak256 of its request ids). */
  inferenceBatchHash: Hex;
}

const MIN_FEE = 10_000n;

/** Sets the split of a model's future epochs (the model's owner only). */
export async function setFeeSplit(
  client: ProtocolClient,
  params: { modelId: bigint; split: FeeSplit },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("modelId", params.modelId);
  return sendContractTransaction(
    requireWallet(client, "setFeeSplit"),
    { ...attributionContract(client), functionName: "setFeeSplit", args: [params.modelId, params.split] },
    () => ({}),
  );
}

/**
 * Pays inference fees into the models' pools for the current attribution epoch, with one permit for
 * their sum, in one transaction. `wait()` gives the epoch they went to.
 */
export async function payInferenceFees(
  client: ProtocolClient,
  payments: readonly FeePayment[],
): Promise<TransactionHandle<{ epoch: bigint; total: bigint }>> {
  if (payments.length === 0) throw new InvalidInputError("payments", "name at least one payment");
  payments.forEach((p, i) => {
    assertPositiveId(`payments[${i}].modelId`, p.modelId);
    if (typeof p.amount !== "bigint" || p.amount < MIN_FEE) {
      throw new InvalidInputError(`payments[${i}].amount`, `must be at least ${MIN_FEE} wei, the smallest fee that splits`);
    }
    assertBytes32(`payments[${i}].inferenceBatchHash`, p.inferenceBatchHash);
  });
  const total = payments.reduce((sum, p) => sum + p.amount, 0n);
  const wallet = requireWallet(client, "payInferenceFees");
  const { deadline, v, r, s } = await signPermit(wallet, { spender: attributionContract(client).address, amount: total });
  return sendContractTransaction(
    wallet,
    { ...attributionContract(client), functionName: "payFeesWithPermit", args: [[...payments], deadline, v, r, s] },
    (logs) => ({ epoch: logs.find((l) => l.eventName === "InferenceFeesPaid")!.args.epoch as bigint, total }),
  );
}

/** The current attribution epoch. */
export async function currentAttributionEpoch(client: ProtocolClient): Promise<bigint> {
  return readProtocol(() => client.publicClient.readContract({ ...attributionContract(client), functionName: "currentEpoch" }));
}

/** A model epoch's pool, its split and where its attribution stands. */
export async function getFeePool(client: ProtocolClient, params: { modelId: bigint; epoch: bigint }): Promise<FeePool> {
  assertPositiveId("modelId", params.modelId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...attributionContract(client), functionName: "feePool", args: [params.modelId, params.epoch] }),
  );
}

/** The attribution epochs in which a model took fees (its pools opened), oldest first, from the chain's events. */
export async function modelFeeEpochs(client: ProtocolClient, params: { modelId: bigint }): Promise<bigint[]> {
  assertPositiveId("modelId", params.modelId);
  const logs = await readProtocol(() =>
    readLogRanges(client, {}, (fromBlock, toBlock) =>
      client.publicClient.getContractEvents({ ...attributionContract(client), eventName: "FeePoolOpened", args: { modelId: params.modelId }, fromBlock, toBlock, strict: true }),
    ),
  );
  return logs.map((log) => log.args.epoch);
}

/**
 * Checks a published result file (parsed with `parseAttributionResultFile`) against the payouts
 * proposed on chain for a model epoch: an `InvalidInputError` saying why when nothing is proposed
 * there or the file does not match it (see `verifyAttributionResultFile`); the pool when it does.
 */
export async function verifyPublishedAttribution(
  client: ProtocolClient,
  params: { modelId: bigint; epoch: bigint; file: AttributionResultFile },
): Promise<FeePool> {
  const pool = await getFeePool(client, params);
  if (pool.status !== AttributionStatus.Proposed && pool.status !== AttributionStatus.Released) {
    const state = Object.entries(AttributionStatus).find(([, value]) => value === pool.status)?.[0] ?? String(pool.status);
    throw new InvalidInputError("result", `no payouts are proposed on chain for model ${params.modelId}'s attribution epoch ${params.epoch} (its attribution status is ${state})`);
  }
  verifyAttributionResultFile(params.file, { modelId: params.modelId, epoch: params.epoch, root: pool.root, total: pool.merkleTotal });
  return pool;
}

/** How a pool's fees divide between contributors, developer, validators and protocol. */
export async function getSplitAmounts(client: ProtocolClient, params: { modelId: bigint; epoch: bigint }): Promise<SplitAmounts> {
  assertPositiveId("modelId", params.modelId);
  return readProtocol(() =>
    client.publicClient.readContract({ ...attributionContract(client), functionName: "splitAmounts", args: [params.modelId, params.epoch] }),
  );
}

/** The distributor pool of a model's payouts: `keccak256(abi.encode(attribution, modelId))`. */
export function attributionPoolId(client: ProtocolClient, modelId: bigint): bigint {
  return BigInt(
    keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [client.deployment.contracts.proofOfAttribution, modelId])),
  );
}

/** The most one recipient may receive, as the contract computes it at release. */
export function leafCap(share: bigint, maxRecipientBps: number): bigint {
  const cap = (share * BigInt(maxRecipientBps)) / 10_000n;
  return cap === 0n ? 1n : cap;
}

/** Fetches a contribution's content (from its URI, a local store...); the SDK checks it against the content hash. */
export type ContentFetcher = (contribution: ContributionRecord) => Promise<Uint8Array | string>;

/** What running (or auditing) one model epoch's attribution takes. */
export interface EpochAttributionInputs {
  modelId: bigint;
  epoch: bigint;
  outputs: readonly InferenceOutput[];
  fetchContent: ContentFetcher;
  /** The model version whose training corpus to use (the latest by default). */
  version?: number;
  /**
   * The dataset exports the model version was trained on (`exportDataset`'s result, or
   * `readDatasetExport` of the folders the trainer used). Each must be one of the version's
   * training datasets exactly: same datanet version and root, and row for row the same
   * contributions and content hashes; so the payouts credit the rows the model saw. A text export's
   * rows are the contributions' content, so nothing is fetched for them.
   */
  datasets?: readonly Pick<DatasetExport, "manifest" | "rows">[];
  options?: AttributionOptions;
  /** The tokenizer by name (`loadTokenizer`): `unicode-words/1` by default, or e.g. `tiktoken/o200k_base`. */
  tokenizer?: string;
  /**
   * Opens index shards to match against instead of an index built in memory, given the corpus
   * gathered: e.g. `() => openIndexShards(files)`, or `(inputs) => openDatasetShards(dir, inputs)`
   * to build the missing ones first (both from `@openledger-evm/sdk/node`); they must hold exactly
   * the model version's training contributions.
   */
  openIndex?: (inputs: AttributionInputs) => Promise<SpanIndex & { close(): void }>;
}

/** What anyone needs besides the chain to recompute an attribution: recorded in its result. */
export interface AttributionPublicInputs {
  tokenizer: string;
  minSpanTokens: number;
  maxOccurrences: number;
}

/** What attribution reads from the chain for a model version, and the content it fetched. */
export interface AttributionInputs {
  modelId: bigint;
  version: number;
  documents: CorpusDocument[];
  earners: Map<bigint, ContributionEarners>;
  /** Each dataset, with whether the root recomputed from the registry's events matches the one published. */
  datasets: { datanetId: bigint; version: number; contributionCount: bigint; versionRoot: Hex; rootMatches: boolean; contributionIds: bigint[] }[];
}

/**
 * Gathers the corpus of a model version: the accepted contributions of each datanet version it was
 * trained on (rebuilt from the registry's events), their content from `fetchContent` (checked
 * against the content hash), their contributors, and the validators whose verdicts accepted them.
 */
export async function gatherAttributionInputs(
  client: ProtocolClient,
  params: Pick<EpochAttributionInputs, "modelId" | "version" | "fetchContent" | "datasets">,
): Promise<AttributionInputs> {
  const lineage = await modelLineage(client, { modelId: params.modelId });
  const run = params.version === undefined ? lineage.versions.at(-1) : lineage.versions.find((v) => v.version === params.version);
  if (run === undefined) throw await protocolError("UnknownModelVersion", [params.modelId, params.version ?? 0], { preflight: true });
  const [registryLogs, attestationLogs] = await Promise.all([fetchRegistryLogs(client), fetchAttestationLogs(client)]);
  const state = rebuildRegistryState(registryLogs);
  const acceptors = new Map<Hex, Address[]>();
  for (const log of attestationLogs) {
    if (log.eventName !== "VerdictRecorded" || !log.args.accept) continue;
    acceptors.set(log.args.contentHash, [...(acceptors.get(log.args.contentHash) ?? []), getAddress(log.args.validator)]);
  }
  const contributions = new Map<bigint, ContributionRecord>();
  const datasets: AttributionInputs["datasets"] = [];
  for (const ref of run.trainingData) {
    const leaves = versionLeaves(state.contributions.values(), ref.datanetId, ref.contributionCount);
    const recomputed = buildVersionTree(leaves).root;
    datasets.push({ ...ref, rootMatches: recomputed === ref.versionRoot, contributionIds: leaves.map(([contributionId]) => contributionId) });
    for (const [contributionId] of leaves) contributions.set(contributionId, state.contributions.get(contributionId)!);
  }
  // What the given exports hold as content (a text export's rows), once they are found to be exactly the training data.
  const exported = params.datasets === undefined ? new Map<bigint, string>() : checkDatasetExports(params.modelId, run.version, datasets, contributions, params.datasets);
  const documents: CorpusDocument[] = [];
  const earners = new Map<bigint, ContributionEarners>();
  for (const contribution of [...contributions.values()].sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1))) {
    const content = exported.get(contribution.contributionId) ?? (await params.fetchContent(contribution));
    if (hashContent(content).contentHash !== contribution.contentHash) {
      throw new InvalidInputError("content", `the content fetched for contribution ${contribution.contributionId} does not match its hash`);
    }
    const text = typeof content === "string" ? content : new TextDecoder().decode(content);
    documents.push({ contributionId: contribution.contributionId, text });
    earners.set(contribution.contributionId, { contributor: contribution.contributor, validators: acceptors.get(contribution.contentHash) ?? [] });
  }
  return { modelId: params.modelId, version: run.version, documents, earners, datasets };
}

/**
 * Checks that `exports` are exactly the model version's training datasets (see
 * `EpochAttributionInputs.datasets`); `LineageMismatchError` names the first export, field or row
 * that differs. Returns the content of each contribution a text export holds, by contribution id.
 */
function checkDatasetExports(
  modelId: bigint,
  version: number,
  trainedOn: AttributionInputs["datasets"],
  contributions: ReadonlyMap<bigint, ContributionRecord>,
  exports: readonly Pick<DatasetExport, "manifest" | "rows">[],
): Map<bigint, string> {
  const contents = new Map<bigint, string>();
  const nameOf = (datanetId: bigint | string, v: number) => `datanet ${datanetId} version ${v}`;
  for (const { manifest } of exports) {
    if (!trainedOn.some((d) => String(d.datanetId) === manifest.datanetId && d.version === manifest.version)) {
      throw new LineageMismatchError("datasets", `the export of ${nameOf(manifest.datanetId, manifest.version)} is not one of model ${modelId} version ${version}'s training datasets`);
    }
  }
  for (const dataset of trainedOn) {
    const name = nameOf(dataset.datanetId, dataset.version);
    const given = exports.filter((e) => e.manifest.datanetId === String(dataset.datanetId) && e.manifest.version === dataset.version);
    if (given.length !== 1) {
      throw new LineageMismatchError("datasets", `model ${modelId} version ${version} was trained on ${name}, and ${given.length === 0 ? "no export of it was" : `${given.length} exports of it were`} given`);
    }
    const { manifest, rows } = given[0]!;
    const field = `the export of ${name}`;
    if (manifest.root !== dataset.versionRoot) throw new LineageMismatchError(field, `its root is ${manifest.root}, the model was trained on ${dataset.versionRoot}`);
    if (manifest.rows.length !== dataset.contributionIds.length || rows.length !== manifest.rows.length) {
      throw new LineageMismatchError(field, `it has ${rows.length} rows and ${manifest.rows.length} in its manifest, the version holds ${dataset.contributionIds.length} accepted contributions`);
    }
    for (const [i, row] of manifest.rows.entries()) {
      const expected = contributions.get(dataset.contributionIds[i]!)!;
      if (row.contributionId !== String(expected.contributionId) || row.contentHash !== expected.contentHash) {
        throw new LineageMismatchError(field, `row ${i} is contribution #${row.contributionId} (${row.contentHash}), the version's row ${i} is #${expected.contributionId} (${expected.contentHash})`);
      }
      if (manifest.format !== "text") continue;
      const text = (rows[i] as Partial<TextRow> | null)?.text;
      if (typeof text !== "string" || hashContent(text).contentHash !== expected.contentHash) {
        throw new LineageMismatchError(field, `row ${i}'s text is not contribution #${expected.contributionId}'s content (its hash differs)`);
      }
      contents.set(expected.contributionId, text);
    }
  }
  return contents;
}

/**
 * Runs the engine for one model epoch: reads the pool's split, gathers the corpus, attributes the
 * outputs, and returns the payouts tree ready to propose, with the amounts it was computed from.
 * Anyone (an auditor) running it on the same inputs gets the same root and records hash.
 */
export async function computeEpochAttribution(
  client: ProtocolClient,
  params: EpochAttributionInputs,
): Promise<AttributionResult & { amounts: SplitAmounts; maxLeafAmount: bigint; inputs: AttributionInputs; publicInputs: AttributionPublicInputs }> {
  const pool = await getFeePool(client, params);
  if (pool.fees === 0n) throw await protocolError("NoFees", [params.modelId, params.epoch], { preflight: true });
  const amounts = await getSplitAmounts(client, params);
  const inputs = await gatherAttributionInputs(client, params);
  const maxLeafAmount = leafCap(amounts.contributors + amounts.validators, pool.split.maxRecipientBps);
  const { index, close } = await attributionIndex(inputs, params);
  try {
    const { runAttribution } = await import("../attribution/run.ts");
    const result = runAttribution({
      index,
      outputs: params.outputs,
      earners: inputs.earners,
      contributorsAmount: amounts.contributors,
      validatorsAmount: amounts.validators,
      maxLeafAmount,
      options: params.options,
    });
    const publicInputs = {
      tokenizer: index.tokenizer.name,
      minSpanTokens: params.options?.minSpanTokens ?? 4,
      maxOccurrences: params.options?.maxOccurrences ?? 32,
    };
    return { ...result, amounts, maxLeafAmount, inputs, publicInputs };
  } finally {
    close();
  }
}

/** The index for a model version's corpus: its shards on disk when given (checked to hold exactly that corpus), else built in memory. */
async function attributionIndex(
  inputs: AttributionInputs,
  params: Pick<EpochAttributionInputs, "modelId" | "tokenizer" | "openIndex">,
): Promise<{ index: SpanIndex; close: () => void }> {
  if (inputs.documents.length === 0) throw new InvalidInputError("model", `model ${params.modelId} was trained on no accepted contribution`);
  const tokenizer = await loadTokenizer(params.tokenizer ?? wordTokenizer.name);
  if (params.openIndex === undefined) {
    const { buildCorpusIndex } = await import("../attribution/engine.ts");
    return { index: buildCorpusIndex(inputs.documents, { tokenizer }), close: () => {} };
  }
  const shards = await params.openIndex(inputs);
  const expected = inputs.documents.map((d) => d.contributionId).join(",");
  const problem =
    shards.tokenizer.name !== tokenizer.name
      ? `they were tokenized with ${shards.tokenizer.name}, not ${tokenizer.name}`
      : shards.contributionIds.join(",") !== expected
        ? `they hold contributions ${shards.contributionIds.join(", ")}, the model version was trained on ${expected.replaceAll(",", ", ")}`
        : undefined;
  if (problem !== undefined) {
    shards.close();
    throw new InvalidInputError("openIndex", `the index shards do not fit model ${params.modelId}: ${problem}`);
  }
  return { index: shards, close: () => shards.close() };
}

/**
 * Explains a model's outputs against its training corpus: for each output, the matched spans
 * with their credit and the passages of the contributions they come from (`explainOutput`).
 */
export async function explainAttribution(
  client: ProtocolClient,
  params: Pick<EpochAttributionInputs, "modelId" | "version" | "fetchContent" | "datasets" | "outputs" | "options" | "tokenizer" | "openIndex">,
): Promise<{ inferenceId: string; explanation: OutputExplanation }[]> {
  const inputs = await gatherAttributionInputs(client, params);
  const { index, close } = await attributionIndex(inputs, params);
  try {
    const { explainOutput } = await import("../attribution/explain.ts");
    const documents = new Map(inputs.documents.map((d) => [d.contributionId, d.text]));
    return params.outputs.map((o) => ({ inferenceId: o.inferenceId, explanation: explainOutput(index, o.text, { ...params.options, documents }) }));
  } finally {
    close();
  }
}

/** Proposes an epoch's payouts (ATTRIBUTOR_ROLE); opens the challenge window. */
export async function proposeAttribution(
  client: ProtocolClient,
  params: { modelId: bigint; epoch: bigint; result: { epoch: Pick<MerkleEpoch, "root" | "total">; recordsHash: Hex } },
): Promise<TransactionHandle<{ challengeEndsAt: number }>> {
  assertPositiveId("modelId", params.modelId);
  const { root, total } = params.result.epoch;
  return sendContractTransaction(
    requireWallet(client, "proposeAttribution"),
    {
      ...attributionContract(client),
      functionName: "proposeAttribution",
      args: [params.modelId, params.epoch, root, total, params.result.recordsHash],
    },
    (logs) => ({ challengeEndsAt: only(logs, "AttributionProposed").args.challengeEndsAt }),
  );
}

/** Rejects a proposal within its challenge window (GUARDIAN_ROLE). */
export async function rejectAttribution(
  client: ProtocolClient,
  params: { modelId: bigint; epoch: bigint; reason: Hex },
): Promise<TransactionHandle<Record<string, never>>> {
  assertPositiveId("modelId", params.modelId);
  assertBytes32("reason", params.reason);
  return sendContractTransaction(
    requireWallet(client, "rejectAttribution"),
    { ...attributionContract(client), functionName: "rejectAttribution", args: [params.modelId, params.epoch, params.reason] },
    () => ({}),
  );
}

/** Releases a proposal whose window has closed. `wait()` gives the Merkle epoch to claim from. */
export async function releaseAttribution(
  client: ProtocolClient,
  params: { modelId: bigint; epoch: bigint },
): Promise<TransactionHandle<{ epochContract: Address; developerAmount: bigint; protocolAmount: bigint }>> {
  assertPositiveId("modelId", params.modelId);
  return sendContractTransaction(
    requireWallet(client, "releaseAttribution"),
    { ...attributionContract(client), functionName: "releaseAttribution", args: [params.modelId, params.epoch] },
    (logs) => {
      const { epochContract, developerAmount, protocolAmount } = only(logs, "AttributionReleased").args;
      return { epochContract, developerAmount, protocolAmount };
    },
  );
}

/** Claims released attribution payouts (each paid to its own account) for a model epoch, from Proof of Attribution's namespace. */
export async function claimAttribution(
  client: ProtocolClient,
  params: { modelId: bigint; epoch: bigint; claims: readonly EpochClaim[] },
) {
  assertPositiveId("modelId", params.modelId);
  const poolId = attributionPoolId(client, params.modelId);
  const poster = client.deployment.contracts.proofOfAttribution;
  return claimFromEpochs(client, params.claims.map((c) => ({ poster, poolId, epoch: params.epoch, ...c })));
}

/** Developer shares credited to `account` and not yet withdrawn. */
export async function developerEarnings(client: ProtocolClient, params: { account: Address }): Promise<bigint> {
  assertAddress("account", params.account);
  return readProtocol(() => client.publicClient.readContract({ ...attributionContract(client), functionName: "earningsOf", args: [params.account] }));
}

/** Withdraws the wallet's developer shares. `wait()` gives the amount. */
export async function withdrawDeveloperEarnings(client: ProtocolClient): Promise<TransactionHandle<{ amount: bigint }>> {
  return sendContractTransaction(
    requireWallet(client, "withdrawDeveloperEarnings"),
    { ...attributionContract(client), functionName: "withdrawEarnings", args: [] },
    (logs) => ({ amount: only(logs, "EarningsWithdrawn").args.amount }),
  );
}
