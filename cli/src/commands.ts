import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { formatUnits, getAddress, isAddress, isHex, keccak256, parseUnits, toBytes, type Address, type Hex } from "viem";

import {
  attributionPoolId,
  type AttributionInputs,
  cidOfUri,
  contentAddress,
  firstOf,
  gatewayFetcher,
  ReasonCode,
  storageServiceStore,
  type ContentSource,
  type ContentStore,
  ContributionStatus,
  DataKind,
  datanetPolicy,
  DATASET_FORMATS,
  estimateFineTune,
  FINETUNING_TYPES,
  LLAMA_FACTORY_DEFAULTS,
  withDefaults,
  preflightSettings,
  toHyperparameters,
  trainingMethod,
  type DatasetFormat,
  type FineTuneSettings,
  explanationJson,
  fetchRegistryLogs,
  formatAttributionResultFile,
  hashMatches,
  ClientConfigError,
  createIndexerClient,
  InvalidInputError,
  isText,
  judge,
  notDuplicateOf,
  openTokenAbi,
  proseQuality,
  rebuildProtocolState,
  rebuildRegistryState,
  reputationScore,
  sizeMatches,
  sizeWithin,
  textFingerprint,
  verifyAttributionEpoch,
  verifyIndexerTables,
  verifyProtocolState,
  parseAttributionResultFile,
  type AttributionResultFile,
  type OpenLedgerClient,
  type ProtocolState,
} from "@openledger-evm/sdk";
import { exportDatasetTo, indexProtocolEvents, openDatasetShards, openFsStore, readDatasetExport, registerTrainedAdapter, startStorageService, writeTrainConfig } from "@openledger-evm/sdk/node";
import { readInput, type Session, type SigningClient } from "./context.ts";
import { fetchContent } from "./content.ts";

/** What a command prints: `text` for people, `data` for `--json`. */
export interface CommandOutput {
  text: string;
  data: unknown;
}

/** One option of a command, as `node:util` parseArgs takes it. */
type OptionSpec = { type: "string" | "boolean"; multiple?: boolean; description: string };
/** A command's options as parsed. */
type Options = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  usage: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  run(session: Session, positionals: string[], options: Options): Promise<CommandOutput>;
}

// ------------------------------------------------------------------ argument parsing

const need = (value: string | undefined, field: string): string => {
  if (value === undefined || value === "") throw new InvalidInputError(field, "is required");
  return value;
};

export function parseId(value: string | undefined, field: string): bigint {
  const v = need(value, field);
  if (!/^\d+$/.test(v) || BigInt(v) === 0n) throw new InvalidInputError(field, `${v} is not an id (a whole number from 1)`);
  return BigInt(v);
}

export function parseCount(value: string | undefined, field: string): bigint {
  const v = need(value, field);
  if (!/^\d+$/.test(v)) throw new InvalidInputError(field, `${v} is not a whole number`);
  return BigInt(v);
}

/** A count (`parseCount`) small enough for a number: ports, intervals, scores, model sizes. */
function parseCountNumber(value: string | undefined, field: string): number {
  return Number(parseCount(value, field));
}

/** OPEN amounts as people write them ("1000", "12.5"), to wei; zero only where `zero` allows it. */
export function parseOpen(value: string | undefined, field: string, options: { zero?: boolean } = {}): bigint {
  const v = need(value, field);
  if (!/^\d+(\.\d{1,18})?$/.test(v)) throw new InvalidInputError(field, `${v} is not an amount of OPEN (like 100 or 12.5)`);
  const wei = parseUnits(v, 18);
  if (wei === 0n && options.zero !== true) throw new InvalidInputError(field, "must be more than zero");
  return wei;
}

/** Comma-separated ids ("1,2,3"). */
function parseIds(value: string | undefined, field: string): bigint[] {
  return need(value, field).split(",").map((id) => parseId(id.trim(), field));
}

/** A chain timestamp as UTC. */
const when = (seconds: number) => new Date(seconds * 1000).toISOString();

function parseNumber(value: string | undefined, field: string): number {
  const v = need(value, field);
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidInputError(field, `${v} is not a number`);
  return n;
}

function parseHash(value: string | undefined, field: string): Hex {
  const v = need(value, field);
  if (!isHex(v) || v.length !== 66) throw new InvalidInputError(field, `${v} is not a 32-byte hex hash`);
  return v;
}

function parseAddress(value: string | undefined, field: string): Address {
  const v = need(value, field);
  if (!isAddress(v)) throw new InvalidInputError(field, `${v} is not an address`);
  return getAddress(v);
}

const STATUS_NAME: Record<number, string> = Object.fromEntries(Object.entries(ContributionStatus).map(([name, code]) => [code, name]));
const open = (wei: bigint) => `${formatUnits(wei, 18)} OPEN`;
const str = (o: Options, key: string) => o[key] as string | undefined;
/** Option `--key` read by `parse`, or undefined when it was not given. */
const optional = <T>(o: Options, key: string, parse: (value: string, field: string) => T): T | undefined => {
  const value = str(o, key);
  return value === undefined ? undefined : parse(value, `--${key}`);
};

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return "(none)";
  const keys = Object.keys(rows[0]!);
  const cells = rows.map((r) => keys.map((k) => String(r[k] ?? "")));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(keys), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

// ------------------------------------------------------------------ commands

const text = (description: string): OptionSpec => ({ type: "string", description });
const flag = (description: string): OptionSpec => ({ type: "boolean", description });

const POLICY_OPTIONS: Record<string, OptionSpec> = {
  metadata: text("where the datanet's description lives (required)"),
  "max-item-bytes": text("largest contribution in bytes (default 1 MiB)"),
  quota: text("contributions per contributor per epoch (default 50)"),
  "contributor-bytes": text("bytes per contributor per epoch (default 10 MiB)"),
  "datanet-bytes": text("bytes for the whole datanet per epoch (default 1 GiB)"),
  "epoch-length": text("seconds per epoch (default 86400)"),
  quorum: text("fewest verdicts that decide a contribution; with fewer it expires (default 3)"),
  "threshold-bps": text("stake share that must accept, in basis points (default 6667)"),
  bond: text("OPEN bonded per contribution, refunded unless rejected, withdrawn or lapsed (default 10; 0 for none)"),
  "validation-window": text("seconds verdicts stay open, from 30 minutes after the reveal (default 86400)"),
  "min-stake": text("OPEN a validator must bond (default 1000)"),
  "contributor-reward-bps": text("contributors' share of reward pools (default 8000)"),
  "allowlist-only": flag("only allowlisted contributors may submit"),
};

function policyFrom(o: Options) {
  const num = (key: string) => optional(o, key, parseCountNumber);
  const big = (key: string) => optional(o, key, parseCount);
  const overrides = {
    maxBytesPerContribution: big("max-item-bytes"),
    maxContributionsPerContributorPerEpoch: num("quota"),
    maxBytesPerContributorPerEpoch: big("contributor-bytes"),
    maxBytesPerDatanetPerEpoch: big("datanet-bytes"),
    epochLength: num("epoch-length"),
    quorum: num("quorum"),
    acceptanceThresholdBps: num("threshold-bps"),
    minValidatorStake: optional(o, "min-stake", parseOpen),
    contributorRewardBps: num("contributor-reward-bps"),
    submissionBond: optional(o, "bond", (v, field) => parseOpen(v, field, { zero: true })),
    validationWindow: num("validation-window"),
    allowlistOnly: o["allowlist-only"] === true ? true : undefined,
  };
  return datanetPolicy(Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)));
}

/**
 * Items per transaction, so every batch stays well under the 16,777,216-gas per-transaction cap
 * (EIP-7825 on Ethereum; OP Stack chains cap blocks higher): a reveal costs about 55,000 gas per
 * item, its record being two slots with the validation terms frozen in (304 fit, `bench/batch-limits.json`),
 * and a Merkle claim through the distributor about 65,000 (about 250 fit).
 */
const SUBMISSIONS_PER_TX = 250;

/** Chain ids of local development nodes (hardhat node and anvil use 31337; ganache and geth --dev 1337). */
const LOCAL_CHAIN_IDS = [31337, 1337];
const CLAIMS_PER_TX = 150;

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

const CONTENT_DIR: Record<string, OptionSpec> = {
  "content-dir": text("where to find contributions whose URI is not file:// or http(s):// (by file name)"),
};

const STORE_DIR: Record<string, OptionSpec> = {
  "store-dir": text("the embedded content store's folder (default: OPENLEDGER_STORE_DIR, else .openledger/store)"),
};

/** Where ipfs:// contributions are read from: the embedded store, a storage service, any trustless gateways. */
const TRAINING_DATASETS: Record<string, OptionSpec> = {
  dataset: {
    type: "string",
    multiple: true,
    description: "a dataset export folder the model was trained on (dataset export; repeat for each): checked row for row against the model's training data, its rows used as the corpus",
  },
};

const INDEX_DIR: Record<string, OptionSpec> = {
  "index-dir": text("keep the corpus index on disk here, one shard per datanet version (built once, then reused); default: built in memory"),
};

/** `openIndex` for the `--index-dir` folder: the model's shards there, the missing ones built first (undefined: an index in memory). */
function indexOnDisk(o: Options) {
  const dir = str(o, "index-dir");
  return dir === undefined ? undefined : (inputs: AttributionInputs) => openDatasetShards(dir, inputs, { tokenizer: str(o, "tokenizer") });
}

/** The `--dataset` export folders, read (undefined when none is given: the corpus comes from the chain and the stores alone). */
async function trainingDatasets(o: Options) {
  const dirs = (o.dataset as string[] | undefined) ?? [];
  return dirs.length === 0 ? undefined : Promise.all(dirs.map((dir) => readDatasetExport(dir)));
}

const CONTENT_SOURCES: Record<string, OptionSpec> = {
  ...STORE_DIR,
  store: text("a storage service (openledger storage serve) to read from, as a trustless gateway"),
  gateway: { type: "string", multiple: true, description: "an IPFS trustless gateway to read from (repeat for more)" },
};

/** The embedded store, then --store, then each --gateway: every read verified against the CID. */
async function contentSources(o: Options): Promise<ContentSource> {
  const urls = [...(str(o, "store") === undefined ? [] : [str(o, "store")!]), ...((o.gateway as string[] | undefined) ?? [])];
  const gateways = urls.map((url) => gatewayFetcher(url));
  return firstOf([await openFsStore(storeDir(o)), ...gateways]);
}

/** The embedded filesystem store's folder: --store-dir, else OPENLEDGER_STORE_DIR, else .openledger/store in the working folder. */
function storeDir(o: Options): string {
  return path.resolve(str(o, "store-dir") ?? (process.env.OPENLEDGER_STORE_DIR || path.join(".openledger", "store")));
}

/** Where `datanet submit` puts files: the storage service named by --store (signed by the key), else the embedded store. */
async function contentStore(client: SigningClient, o: Options): Promise<ContentStore> {
  const url = str(o, "store");
  if (url === undefined) return openFsStore(storeDir(o));
  return storageServiceStore({
    url,
    walletClient: client.walletClient,
    chainId: client.deployment.chainId,
    registry: client.deployment.contracts.datanetRegistry,
    reader: gatewayFetcher(url),
  });
}

/** Every command, by `group command` (or a single word). */
export const COMMANDS: Record<string, Command> = {
  "token balance": {
    usage: "token balance [address]",
    summary: "OPEN held by an address (the key's, by default)",
    async run(session, [address]) {
      const account = address === undefined ? (await session.wallet()).walletClient.account.address : parseAddress(address, "address");
      const client = await session.client();
      const balance = await client.publicClient.readContract({ address: client.deployment.contracts.openToken, abi: openTokenAbi, functionName: "balanceOf", args: [account] });
      return { text: `${account} holds ${open(balance)}`, data: { account, balance } };
    },
  },
  "token transfer": {
    usage: "token transfer <to> <amount>",
    summary: "send OPEN",
    async run(session, [to, amount]) {
      const recipient = parseAddress(to, "to");
      const wei = parseOpen(amount, "amount");
      const client = await session.wallet();
      const hash = await client.walletClient.writeContract({ address: client.deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [recipient, wei], chain: client.walletClient.chain });
      await client.publicClient.waitForTransactionReceipt({ hash });
      return { text: `sent ${open(wei)} to ${recipient} (${hash})`, data: { to: recipient, amount: wei, hash } };
    },
  },
  "datanet create": {
    usage: "datanet create --metadata <uri> [policy options]",
    summary: "open a datanet owned by the key, with its quotas and validation policy",
    options: POLICY_OPTIONS,
    async run(session, _, o) {
      const metadataURI = need(str(o, "metadata"), "--metadata");
      const policy = policyFrom(o);
      const { datanetId } = await (await (await session.wallet()).datanets.create({ kind: DataKind.Text, metadataURI, policy })).wait();
      return { text: `datanet ${datanetId} created`, data: { datanetId, policy } };
    },
  },
  "datanet show": {
    usage: "datanet show <datanetId>",
    summary: "a datanet's owner, policy, counters and versions",
    async run(session, [id]) {
      const datanetId = parseId(id, "datanetId");
      const client = await session.client();
      const info = await client.datanets.get(datanetId);
      const versions = [];
      for (let v = 1; v <= info.versionCount; v++) {
        const version = await client.versions.get({ datanetId, version: v });
        versions.push({ version: v, ...version, publishedAt: when(version.publishedAt) });
      }
      const policyRows = Object.entries(info.policy).map(([field, value]) => ({ field, value: String(value) }));
      const text = [
        `datanet ${datanetId}: owner ${info.owner}, created ${when(info.createdAt)}, ${info.acceptedCount} accepted, ${info.versionCount} version(s)${info.paused ? ", paused" : ""}`,
        table(policyRows),
        ...versions.map((v) => `version ${v.version}: ${v.contributionCount} contributions, root ${v.root}, published ${v.publishedAt}`),
      ].join("\n");
      return { text, data: { datanetId, ...info, createdAt: when(info.createdAt), versions } };
    },
  },
  "datanet submit": {
    usage: "datanet submit <datanetId> <file...> [--store <url>] [--store-dir <dir>] [--uri-prefix <prefix>]",
    summary: "store files (embedded store, or a storage service) and register them as contributions (approve the bond, commit, reveal)",
    options: {
      ...STORE_DIR,
      store: text("put the files through this storage service (openledger storage serve) instead of the embedded store"),
      "uri-prefix": text("the files are published elsewhere, under this URI prefix: store nothing, register <prefix>/<file name>"),
    },
    async run(session, [id, ...files], o) {
      const datanetId = parseId(id, "datanetId");
      if (files.length === 0) throw new InvalidInputError("file", "name at least one file");
      const prefix = str(o, "uri-prefix");
      if (prefix !== undefined && str(o, "store") !== undefined) throw new InvalidInputError("--uri-prefix", "give either --uri-prefix or --store, not both");
      const contents = await Promise.all(files.map((file) => readInput(file)));
      const addresses = await Promise.all(contents.map((bytes) => contentAddress(bytes)));
      const items = addresses.map(({ contentHash, sizeBytes, uri }, i) => ({
        contentHash,
        sizeBytes,
        uri: prefix === undefined ? uri : `${prefix.replace(/\/$/, "")}/${path.basename(files[i]!)}`,
      }));
      const client = await session.wallet();
      // Every registry rule first, so nothing is stored for a submission the chain would refuse.
      await client.contributions.check({ datanetId, contributor: client.walletClient.account.address, items });
      if (prefix === undefined) {
        const store = await contentStore(client, o);
        for (const bytes of contents) await store.put(bytes, { datanetId });
      }
      const contributionIds: bigint[] = [];
      for (const batch of chunks(items, SUBMISSIONS_PER_TX)) {
        contributionIds.push(...(await (await client.contributions.submitBatch({ datanetId, items: batch })).wait()).contributionIds);
      }
      const stored = await Promise.all(items.map((it) => client.contributions.get(it.contentHash)));
      const rows = items.map((it, i) => ({
        id: contributionIds[i],
        contentHash: it.contentHash,
        bytes: it.sizeBytes,
        bond: formatUnits(stored[i]!.bond, 18),
        votingOpensAt: when(stored[i]!.votingOpensAt),
        uri: it.uri,
      }));
      return { text: table(rows), data: rows };
    },
  },
  "datanet withdraw": {
    usage: "datanet withdraw <contentHash>",
    summary: "withdraw one of the key's pending contributions before its verdicts open (its bond is forfeited)",
    async run(session, [hash]) {
      const contentHash = parseHash(hash, "contentHash");
      const { contributionId, bondForfeited } = await (await (await session.wallet()).contributions.withdraw({ contentHash })).wait();
      return { text: `contribution ${contributionId} withdrawn; bond of ${open(bondForfeited)} forfeited`, data: { contributionId, contentHash, bondForfeited } };
    },
  },
  "datanet lapse": {
    usage: "datanet lapse <commitment> [--committer <address>]",
    summary: "end a commitment nobody revealed within 30 minutes (its bond goes to the treasury, or back after a protocol pause)",
    options: { committer: text("the account that made it (default: the key's)") },
    async run(session, [value], o) {
      const commitment = parseHash(value, "commitment");
      const committer = optional(o, "committer", parseAddress);
      const { datanetId, bond, refunded } = await (await (await session.wallet()).contributions.lapse({ committer, commitment })).wait();
      const to = refunded ? "back to the committer's credit (a protocol pause overlapped its reveal window)" : "to the treasury";
      return { text: `commitment ${commitment} lapsed; ${open(bond)} ${to}`, data: { commitment, datanetId, bond, refunded } };
    },
  },
  "datanet finalize": {
    usage: "datanet finalize [contentHash...] [--datanet <id>]",
    summary: "close contributions whose validation window has ended (those named, or every one of a datanet): expired ones get their bond back",
    options: { datanet: text("close every contribution of this datanet whose window has ended") },
    async run(session, hashes, o) {
      const named = hashes.map((h) => parseHash(h, "contentHash"));
      const datanetId = optional(o, "datanet", parseId);
      if ((named.length === 0) === (datanetId === undefined)) {
        throw new InvalidInputError("contentHash", "name the contributions to close, or give --datanet (not both)");
      }
      const client = await session.wallet();
      const contentHashes = datanetId === undefined ? named : await client.validators.finalizable({ datanetId });
      if (contentHashes.length === 0) return { text: "nothing to finalize: no contribution's window has ended", data: { finalized: [], skipped: [] } };
      const { finalized, skipped } = await (await client.validators.finalize({ contentHashes })).wait();
      const rows = finalized.map((f) => ({ id: f.contributionId, contentHash: f.contentHash, outcome: STATUS_NAME[f.outcome], quality: f.quality, epoch: f.epoch }));
      const text = [table(rows), ...(skipped.length === 0 ? [] : [`${skipped.length} already closed`])].join("\n");
      return { text, data: { finalized, skipped } };
    },
  },
  "datanet publish-version": {
    usage: "datanet publish-version <datanetId> --uri <uri>",
    summary: "publish the next version: the root over every accepted contribution, computed from events",
    options: { uri: text("where the version's manifest lives (required)") },
    async run(session, [id], o) {
      const datanetId = parseId(id, "datanetId");
      const uri = need(str(o, "uri"), "--uri");
      const published = await (await (await session.wallet()).versions.publish({ datanetId, uri })).wait();
      return { text: `version ${published.version}: ${published.contributionCount} contributions, root ${published.root}`, data: published };
    },
  },
  "validator stake": {
    usage: "validator stake <datanetId> <amount>",
    summary: "bond OPEN on a datanet (permit: one transaction)",
    async run(session, [id, amount]) {
      const datanetId = parseId(id, "datanetId");
      const wei = parseOpen(amount, "amount");
      const { newStake } = await (await (await session.wallet()).validators.stake({ datanetId, amount: wei })).wait();
      return { text: `staked; ${open(newStake)} bonded on datanet ${datanetId}`, data: { datanetId, stake: newStake } };
    },
  },
  "validator unbond": {
    usage: "validator unbond <datanetId>",
    summary: "start unbonding the whole stake on a datanet",
    async run(session, [id]) {
      const datanetId = parseId(id, "datanetId");
      const { unlocksAt } = await (await (await session.wallet()).validators.requestUnbond({ datanetId })).wait();
      return { text: `unbonding; withdrawable from ${when(unlocksAt)}`, data: { datanetId, unlocksAt: when(unlocksAt) } };
    },
  },
  "validator withdraw": {
    usage: "validator withdraw <datanetId>",
    summary: "withdraw an unbonded stake",
    async run(session, [id]) {
      const datanetId = parseId(id, "datanetId");
      const { amount } = await (await (await session.wallet()).validators.withdraw({ datanetId })).wait();
      return { text: `withdrew ${open(amount)}`, data: { datanetId, amount } };
    },
  },
  "validator attest": {
    usage: "validator attest <contentHash> (--accept | --reject) [--quality 0-100] [--reason <code>]",
    summary: "give a verdict directly",
    options: {
      accept: flag("accept the contribution"),
      reject: flag("reject it"),
      quality: text("quality 0-100 (default 80 when accepting, 0 when rejecting)"),
      reason: text("reason code (default 0)"),
    },
    async run(session, [hash], o) {
      const contentHash = parseHash(hash, "contentHash");
      if ((o.accept === true) === (o.reject === true)) throw new InvalidInputError("--accept/--reject", "give exactly one of them");
      const accept = o.accept === true;
      const quality = optional(o, "quality", parseCountNumber) ?? (accept ? 80 : 0);
      const reasonCode = optional(o, "reason", parseCountNumber) ?? 0;
      const { finalized } = await (await (await session.wallet()).validators.attest({ contentHash, accept, quality, reasonCode })).wait();
      const outcome = finalized.length === 0 ? "counted" : `closed: ${STATUS_NAME[finalized[0]!.outcome]}`;
      return { text: `verdict on ${contentHash} ${outcome}`, data: { contentHash, accept, quality, reasonCode, finalized } };
    },
  },
  "validator settle": {
    usage: "validator settle [--validator <address>] [--ids <id1,id2,...>]",
    summary: "settle a validator's verdicts on closed contributions: points for accepting accepted work, bond shares for rejecting rejected work",
    options: {
      validator: text("whose verdicts (default: the key's; anyone may settle for a validator)"),
      ids: text("comma-separated contribution ids (default: every closed one it has not settled)"),
    },
    async run(session, _, o) {
      const given = optional(o, "validator", parseAddress);
      const ids = optional(o, "ids", parseIds);
      const client = await session.wallet();
      const validator = given ?? client.walletClient.account.address;
      const contributionIds = ids ?? (await client.validators.unsettled({ validator }));
      if (contributionIds.length === 0) return { text: `${validator} has no verdict to settle`, data: { validator, points: 0n, credit: 0n, settled: [] } };
      const { points, credit, settled } = await (await client.validators.settle({ validator, contributionIds })).wait();
      return {
        text: `settled ${settled.length} verdict(s) of ${validator}: ${points} validator points, ${open(credit)} of credit (withdraw it with: credit withdraw)`,
        data: { validator, points, credit, settled },
      };
    },
  },
  "validator pending": {
    usage: "validator pending [--validator <address>] [--datanet <id>]",
    summary: "contributions a validator can judge now: window open, not its own, not judged by it, its stake bonded before the reveal (from the indexer API when OPENLEDGER_INDEXER_URL is set, else from logs)",
    options: {
      validator: text("whose queue (default: the key's)"),
      datanet: text("only this datanet (default: every datanet it has stake on)"),
    },
    async run(session, _, o) {
      const given = optional(o, "validator", parseAddress);
      const datanetId = optional(o, "datanet", parseId);
      const validator = given ?? (await session.wallet()).walletClient.account.address;
      const pending = await (await session.client()).validators.pending({ validator, datanetId });
      const rows = pending.map((c) => ({ id: c.contributionId, datanet: c.datanetId, contentHash: c.contentHash, bytes: c.sizeBytes, "window ends": when(c.votingEndsAt), uri: c.uri }));
      return { text: pending.length === 0 ? `nothing open for ${validator} to judge` : table(rows), data: pending };
    },
  },
  "validator serve": {
    usage: "validator serve [--datanet <id>] [--store-dir <dir>] [--store <url>] [--gateway <url>...] [--content-dir <dir>] [--interval <seconds>] [--once]",
    summary: "judge contributions open for verdicts in a loop: fetch by CID and verify, check (size limit, hash, declared size, format, duplicate), sign, batch",
    options: {
      datanet: text("only this datanet (default: every datanet the key has stake on)"),
      interval: text("seconds between rounds (default 30)"),
      once: flag("one round, then exit"),
      ...CONTENT_SOURCES,
      ...CONTENT_DIR,
    },
    async run(session, _, o) {
      const client = await session.wallet();
      const validator = client.walletClient.account.address;
      const datanetId = optional(o, "datanet", parseId);
      const interval = optional(o, "interval", parseCountNumber) ?? 30;
      const cache: ServeCache = { contents: new Map(), known: new Map() };
      const sources = await contentSources(o);
      for (;;) {
        const round = await serveRound(client, validator, datanetId, { contentDir: str(o, "content-dir"), sources }, cache);
        // A single round prints its summary as the result; a loop reports each round as it goes.
        if (o.once === true) return { text: round.summary, data: round };
        if (!process.argv.includes("--json")) process.stderr.write(`${round.summary}\n`);
        await new Promise((resolve) => setTimeout(resolve, interval * 1000));
      }
    },
  },
  "storage serve": {
    usage: "storage serve --datanet <id> [--datanet <id>...] [--store-dir <dir>] [--host <host>] [--port <port>]",
    summary: "run the storage service: signed uploads checked against each datanet's rules, and a trustless gateway (/ipfs/<cid>)",
    options: {
      datanet: { type: "string", multiple: true, description: "a datanet to take uploads for (required; repeat for more)" },
      ...STORE_DIR,
      host: text("interface to listen on (default 127.0.0.1)"),
      port: text("port (default 8090; 0 for any free port)"),
    },
    async run(session, _, o) {
      const ids = (o.datanet as string[] | undefined) ?? [];
      if (ids.length === 0) throw new InvalidInputError("--datanet", "name at least one datanet to serve");
      const datanetIds = ids.map((id) => parseId(id, "--datanet"));
      const port = optional(o, "port", parseCountNumber) ?? 8090;
      const dir = storeDir(o);
      const service = await startStorageService({ client: await session.client(), datanetIds, store: await openFsStore(dir), host: str(o, "host"), port });
      // The one line a supervisor (or a test) waits for; then serve until told to stop.
      process.stderr.write(`storage service for datanet(s) ${datanetIds.join(", ")} on ${service.url} (store ${dir})\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await service.close();
      return { text: "storage service stopped", data: { url: service.url, dir, datanetIds } };
    },
  },
  "credit show": {
    usage: "credit show [address]",
    summary: "OPEN an address can withdraw from the registry: refunded bonds and forfeit shares (the key's, by default)",
    async run(session, [address]) {
      const account = address === undefined ? (await session.wallet()).walletClient.account.address : parseAddress(address, "address");
      const credit = await (await session.client()).contributions.credit({ account });
      return { text: `${account} can withdraw ${open(credit)}`, data: { account, credit } };
    },
  },
  "credit withdraw": {
    usage: "credit withdraw",
    summary: "withdraw the key's whole registry credit in OPEN",
    async run(session) {
      const { amount } = await (await (await session.wallet()).contributions.withdrawCredit()).wait();
      return { text: `withdrew ${open(amount)}`, data: { amount } };
    },
  },
  leaderboard: {
    usage: "leaderboard <datanetId>",
    summary: "contributors ranked by reputation, from the indexer API when OPENLEDGER_INDEXER_URL is set (else rebuilt from events), each row checked on chain",
    async run(session, [id]) {
      const datanetId = parseId(id, "datanetId");
      const client = await session.client();
      await client.datanets.get(datanetId); // an unknown datanet is an error, not an empty board
      const rows = await client.reputation.leaderboard({ datanetId });
      const text = table(
        rows.map((r, i) => ({
          rank: i + 1,
          contributor: r.contributor,
          "accepted/submitted": `${r.accepted}/${r.submitted}`,
          "mean quality": r.meanQuality.toFixed(1),
          score: (Number(r.score) / 1e18).toFixed(4),
          "matches chain": r.verified,
        })),
      );
      return { text, data: rows };
    },
  },
  "rewards fund": {
    usage: "rewards fund <datanetId> <amount> [--epoch <n>]",
    summary: "fund a datanet epoch's reward pool (the current epoch by default; permit: one transaction)",
    options: { epoch: text("the epoch (default: current)") },
    async run(session, [id, amount], o) {
      const datanetId = parseId(id, "datanetId");
      const wei = parseOpen(amount, "amount");
      const client = await session.wallet();
      const epoch = str(o, "epoch") === undefined ? BigInt(await client.datanets.currentEpoch(datanetId)) : parseCount(str(o, "epoch"), "--epoch");
      const { fundedTotal } = await (await client.rewards.fund({ datanetId, epoch, amount: wei })).wait();
      return { text: `epoch ${epoch} of datanet ${datanetId} now holds ${open(fundedTotal)}`, data: { datanetId, epoch, fundedTotal } };
    },
  },
  "rewards claim": {
    usage: "rewards claim <datanetId> --epochs <e1,e2,...>",
    summary: "claim the key's contributor and validator shares of ended epochs",
    options: { epochs: text("comma-separated epochs (required)") },
    async run(session, [id], o) {
      const datanetId = parseId(id, "datanetId");
      const epochs = need(str(o, "epochs"), "--epochs").split(",").map((e) => parseCount(e.trim(), "--epochs"));
      const { paid } = await (await (await session.wallet()).rewards.claim({ datanetId, epochs })).wait();
      return { text: `claimed ${open(paid)}`, data: { datanetId, epochs, paid } };
    },
  },
  "rewards claimable": {
    usage: "rewards claimable [account] [--datanet <id>]",
    summary: "ended epochs an account can claim now, with its shares (the key's, by default; from the indexer API when OPENLEDGER_INDEXER_URL is set, else from logs)",
    options: { datanet: text("only this datanet (default: every datanet)") },
    async run(session, [address], o) {
      const account = address === undefined ? (await session.wallet()).walletClient.account.address : parseAddress(address, "account");
      const datanetId = optional(o, "datanet", parseId);
      const epochs = await (await session.client()).rewards.claimableEpochs({ account, datanetId });
      const rows = epochs.map((e) => ({ datanet: e.datanetId, epoch: e.epoch, contributor: open(e.contributorShare), validator: open(e.validatorShare) }));
      return { text: epochs.length === 0 ? `${account} has nothing to claim` : table(rows), data: { account, epochs } };
    },
  },
  "model register-base": {
    usage: "model register-base --name <n> --family <f> --parameters <count> --artifact-hash <0x…> [--artifact-uri <uri>] [--license <id>]",
    summary: "register a base model",
    options: {
      name: text("model name (required)"),
      family: text("architecture family (required)"),
      parameters: text("parameter count (required)"),
      "artifact-hash": text("hash of the weights (required)"),
      "artifact-uri": text("where the weights live"),
      license: text("license id"),
    },
    async run(session, _, o) {
      const spec = {
        name: need(str(o, "name"), "--name"),
        family: need(str(o, "family"), "--family"),
        parameterCount: parseId(str(o, "parameters"), "--parameters"),
        artifactHash: parseHash(str(o, "artifact-hash"), "--artifact-hash"),
        artifactURI: str(o, "artifact-uri") ?? "",
        license: str(o, "license") ?? "",
      };
      const { baseModelId } = await (await (await session.wallet()).models.registerBase(spec)).wait();
      return { text: `base model ${baseModelId} registered`, data: { baseModelId } };
    },
  },
  "dataset export": {
    usage: "dataset export <datanetId> --version <n> --format alpaca|sharegpt|text --out <dir> [--name <dataset>] [--content-dir <dir>] [--store <url>] [--gateway <url>]",
    summary:
      "write a published datanet version as LLaMA-Factory rows (data.json, dataset_info.json) and a manifest, every content hash and the version root checked; nothing is written if one fails",
    options: {
      version: text("the published datanet version (required)"),
      format: text(`row format: ${DATASET_FORMATS.join(", ")} (required)`),
      out: text("the export folder; it must not exist yet (required)"),
      name: text("the dataset_info.json entry name (default datanet_<id>_v<version>)"),
      ...CONTENT_SOURCES,
      ...CONTENT_DIR,
    },
    async run(session, [id], o) {
      const datanetId = parseId(id, "datanetId");
      const version = Number(parseId(str(o, "version"), "--version"));
      const format = need(str(o, "format"), "--format") as DatasetFormat;
      if (!DATASET_FORMATS.includes(format)) throw new InvalidInputError("--format", `${format} is not one of ${DATASET_FORMATS.join(", ")}`);
      const out = need(str(o, "out"), "--out");
      const sources = await contentSources(o);
      const client = await session.client();
      const exported = await exportDatasetTo(client, {
        datanetId,
        version,
        format,
        datasetName: str(o, "name"),
        out,
        fetchContent: (c) => fetchContent(c, str(o, "content-dir"), sources),
      });
      const { manifest } = exported;
      return {
        text: `datanet ${datanetId} version ${version}: ${manifest.rows.length} ${format} rows, every content hash and the root ${manifest.root} verified; wrote ${exported.dir} (dataset "${manifest.datasetName}")`,
        data: { dir: exported.dir, manifest },
      };
    },
  },
  "model train-config": {
    usage:
      "model train-config --model <name_or_path> --dataset <exportDir> --template <name> --out <file.yaml> [--finetuning-type lora|freeze|full] [--lora-rank <r>] [--lora-alpha <a>] [--lora-dropout <p>] [--lora-target <a,b,...>] [--quantization-bit 4|8] [--learning-rate <lr>] [--num-train-epochs <n>] [--per-device-train-batch-size <n>] [--gradient-accumulation-steps <n>] [--lr-scheduler-type <name>] [--cutoff-len <n>] [--output-dir <dir>]",
    summary: "write the LLaMA-Factory YAML (llamafactory-cli train <file>) for a base model, an exported dataset and settings, checked as ModelFactory checks them",
    options: {
      model: text("model_name_or_path: the base model (required)"),
      dataset: text("an export folder from dataset export (required)"),
      template: text("the chat template, e.g. llama3 (required)"),
      out: text("the YAML file to write (required)"),
      "output-dir": text("where LLaMA-Factory saves the adapter (default saves/<dataset>)"),
      "finetuning-type": text(`${FINETUNING_TYPES.join(", ")} (default ${LLAMA_FACTORY_DEFAULTS.finetuningType})`),
      "lora-rank": text(`lora_rank, 1 to 1024 (default ${LLAMA_FACTORY_DEFAULTS.loraRank})`),
      "lora-alpha": text("lora_alpha, 1 to 2048 (default 2 × rank)"),
      "lora-dropout": text(`lora_dropout, 0 to 1 (default ${LLAMA_FACTORY_DEFAULTS.loraDropout})`),
      "lora-target": text("lora_target modules, comma-separated (default all)"),
      "quantization-bit": text("quantization_bit: 4 or 8 quantizes the base (QLoRA); default none"),
      "learning-rate": text(`learning_rate (default ${LLAMA_FACTORY_DEFAULTS.learningRate})`),
      "num-train-epochs": text(`num_train_epochs (default ${LLAMA_FACTORY_DEFAULTS.numTrainEpochs})`),
      "per-device-train-batch-size": text(`per_device_train_batch_size, 1 to 1024 (default ${LLAMA_FACTORY_DEFAULTS.perDeviceTrainBatchSize})`),
      "gradient-accumulation-steps": text(`gradient_accumulation_steps, 1 to 1024 (default ${LLAMA_FACTORY_DEFAULTS.gradientAccumulationSteps})`),
      "lr-scheduler-type": text(`lr_scheduler_type (default ${LLAMA_FACTORY_DEFAULTS.lrSchedulerType})`),
      "cutoff-len": text(`cutoff_len in tokens, 4 to 131072 (default ${LLAMA_FACTORY_DEFAULTS.cutoffLen})`),
    },
    async run(_session, __, o) {
      const number = (key: string) => optional(o, key, parseNumber);
      const type = str(o, "finetuning-type") ?? LLAMA_FACTORY_DEFAULTS.finetuningType;
      if (!(FINETUNING_TYPES as readonly string[]).includes(type)) throw new InvalidInputError("--finetuning-type", `${type} is not one of ${FINETUNING_TYPES.join(", ")}`);
      const bits = number("quantization-bit");
      const settings = withDefaults({
        finetuningType: type as FineTuneSettings["finetuningType"],
        loraRank: number("lora-rank"),
        loraAlpha: number("lora-alpha"),
        loraDropout: number("lora-dropout"),
        loraTarget: str(o, "lora-target")?.split(","),
        quantizationBit: bits as 4 | 8 | undefined,
        learningRate: number("learning-rate"),
        numTrainEpochs: number("num-train-epochs"),
        perDeviceTrainBatchSize: number("per-device-train-batch-size"),
        gradientAccumulationSteps: number("gradient-accumulation-steps"),
        lrSchedulerType: str(o, "lr-scheduler-type"),
        cutoffLen: number("cutoff-len"),
        template: need(str(o, "template"), "--template"),
      });
      // The contract's checks, before anything is written: a config the chain would refuse is never produced.
      await preflightSettings(toHyperparameters(settings));
      const file = need(str(o, "out"), "--out");
      const config = await writeTrainConfig({
        file,
        modelNameOrPath: need(str(o, "model"), "--model"),
        datasetDir: need(str(o, "dataset"), "--dataset"),
        settings,
        outputDir: str(o, "output-dir"),
      });
      return { text: `wrote ${file}: llamafactory-cli train ${file}`, data: { file: path.resolve(file), config } };
    },
  },
  "model register": {
    usage: "model register <peftFolder> --config <train.yaml> --base <id> --name <n> [--adapter-uri <uri>] [--evaluation-hash <0x…>]",
    summary:
      "register a LoRA/QLoRA fine-tune from its PEFT adapter folder and training config: adapter_config.json checked against the config, the config's dataset export against the chain; the weights hashed",
    options: {
      config: text("the LLaMA-Factory YAML it was trained with (model train-config) (required)"),
      base: text("base model id (required)"),
      name: text("model name (required)"),
      "adapter-uri": text("where the adapter is published"),
      "evaluation-hash": text("hash of the evaluation results"),
    },
    async run(session, [folder], o) {
      const adapterFolder = need(folder, "peftFolder");
      const weights = str(o, "adapter-uri");
      const registered = await registerTrainedAdapter(await session.wallet(), {
        adapterFolder,
        configFile: need(str(o, "config"), "--config"),
        baseModelId: parseId(str(o, "base"), "--base"),
        name: need(str(o, "name"), "--name"),
        adapterURI: weights ?? pathToFileURL(path.resolve(adapterFolder)).href,
        evaluationHash: optional(o, "evaluation-hash", parseHash),
      });
      const { modelId, version } = await registered.handle.wait();
      const { settings, manifest, adapter } = registered;
      return {
        text:
          `model ${modelId} version ${version}: ${trainingMethod(settings)}, r=${settings.loraRank}, adapter ${adapter.adapterHash}; ` +
          `trained on datanet ${manifest.datanetId} version ${manifest.version} (root ${manifest.root}, ${manifest.rows.length} rows)`,
        data: { modelId, version, adapter, settings, trainingData: { datanetId: manifest.datanetId, version: manifest.version, root: manifest.root } },
      };
    },
  },
  "model lineage": {
    usage: "model lineage <modelId>",
    summary: "a model's versions, settings and the exact datanet version roots, from the indexer API when OPENLEDGER_INDEXER_URL is set, else from events",
    async run(session, [id]) {
      const lineage = await (await session.client()).models.lineage({ modelId: parseId(id, "modelId") });
      const rows = lineage.versions.flatMap((v) =>
        v.trainingData.map((d) => ({
          version: v.version,
          method: v.method,
          rank: v.hyperparameters.loraRank,
          adapter: v.adapterHash,
          "trained on": `datanet ${d.datanetId} v${d.version}`,
          root: d.versionRoot,
        })),
      );
      return { text: `model ${lineage.modelId} "${lineage.name}" (base ${lineage.baseModelId}), owner ${lineage.owner}\n${table(rows)}`, data: lineage };
    },
  },
  "model estimate": {
    usage: "model estimate --hidden <n> --intermediate <n> --layers <n> --heads <n> [--kv-heads <n>] --vocab <n> --rank <r> --modules <a,b,...>",
    summary: "trainable parameters and memory for LoRA vs QLoRA on a base model shape (no chain)",
    options: {
      hidden: text("hidden size (required)"),
      intermediate: text("MLP intermediate size (required)"),
      layers: text("transformer layers (required)"),
      heads: text("attention heads (required)"),
      "kv-heads": text("key/value heads (default: heads)"),
      vocab: text("vocabulary size (required)"),
      rank: text("LoRA rank (required)"),
      modules: text("target modules, comma-separated (required)"),
    },
    async run(_session, __, o) {
      const n = (key: string) => parseCountNumber(str(o, key), `--${key}`);
      const shape = {
        hiddenSize: n("hidden"),
        intermediateSize: n("intermediate"),
        numLayers: n("layers"),
        numAttentionHeads: n("heads"),
        numKeyValueHeads: optional(o, "kv-heads", parseCountNumber),
        vocabSize: n("vocab"),
      };
      const estimate = estimateFineTune(shape, { rank: n("rank"), targetModules: need(str(o, "modules"), "--modules").split(",") });
      const rows = Object.entries(estimate).map(([method, e]) => ({
        method,
        "trainable parameters": e.trainableParameters.toLocaleString("en"),
        "trainable %": e.trainablePercent.toFixed(3),
        "memory GB": (e.totalBytes / 1e9).toFixed(1),
      }));
      return { text: table(rows), data: estimate };
    },
  },
  "attribution pay": {
    usage: "attribution pay <modelId> <amount> --batch <inference batch id or 0x hash>",
    summary: "pay inference fees into a model's pool for the current epoch (permit: one transaction)",
    options: { batch: text("the inference batch the fee covers (required)") },
    async run(session, [id, amount], o) {
      const modelId = parseId(id, "modelId");
      const batch = need(str(o, "batch"), "--batch");
      const inferenceBatchHash = isHex(batch) && batch.length === 66 ? batch : keccak256(toBytes(batch));
      const { epoch } = await (await (await session.wallet()).attribution.payFees([{ modelId, amount: parseOpen(amount, "amount"), inferenceBatchHash }])).wait();
      return { text: `paid into model ${modelId}'s pool for attribution epoch ${epoch}`, data: { modelId, epoch, inferenceBatchHash } };
    },
  },
  "attribution run": {
    usage: "attribution run <modelId> --epoch <e> --outputs <outputs.json> --out <result.json> [--dataset <export dir>]... [--index-dir <dir>] [--tokenizer <name>] [--content-dir <dir>]",
    summary: "run the engine over the model's training corpus and the epoch's outputs; write root, records and proofs",
    options: {
      epoch: text("attribution epoch (required)"),
      outputs: text("JSON list of { inferenceId, text } (required)"),
      out: text("where to write the result (required)"),
      tokenizer: text("unicode-words/1 (default) or tiktoken/o200k_base; recorded in the result"),
      ...TRAINING_DATASETS,
      ...INDEX_DIR,
      ...CONTENT_SOURCES,
      ...CONTENT_DIR,
    },
    async run(session, [id], o) {
      const modelId = parseId(id, "modelId");
      const epoch = parseCount(str(o, "epoch"), "--epoch");
      const outputs = await readOutputs(need(str(o, "outputs"), "--outputs"));
      const out = need(str(o, "out"), "--out");
      const datasets = await trainingDatasets(o);
      const sources = await contentSources(o);
      const client = await session.client();
      await client.models.get({ modelId }); // says the model is unknown, rather than that it received no fees
      const result = await client.attribution.compute({ modelId, epoch, outputs, datasets, openIndex: indexOnDisk(o), tokenizer: str(o, "tokenizer"), fetchContent: (c) => fetchContent(c, str(o, "content-dir"), sources) });
      const text = formatAttributionResultFile(result, { modelId, epoch, poolId: attributionPoolId(client, modelId) });
      await mkdir(path.dirname(path.resolve(out)), { recursive: true });
      await writeFile(out, text);
      const rows = result.payouts.map((p) => ({ account: p.account, amount: formatUnits(p.amount, 18) }));
      return { text: `root ${result.epoch.root}, ${result.payouts.length} payouts, records hash ${result.recordsHash}; wrote ${out}\n${table(rows)}`, data: JSON.parse(text) as unknown };
    },
  },
  "attribution explain": {
    usage: "attribution explain <modelId> --outputs <outputs.json> [--inference <id>] [--dataset <export dir>]... [--index-dir <dir>] [--tokenizer <name>] [--content-dir <dir>] [--store <url>] [--gateway <url>]",
    summary: "show each output's matched spans, their credit and the passages of the contributions they come from",
    options: {
      outputs: text("JSON list of { inferenceId, text } (required)"),
      inference: text("explain only this inference"),
      tokenizer: text("unicode-words/1 (default) or tiktoken/o200k_base"),
      ...TRAINING_DATASETS,
      ...INDEX_DIR,
      ...CONTENT_SOURCES,
      ...CONTENT_DIR,
    },
    async run(session, [id], o) {
      const modelId = parseId(id, "modelId");
      const file = need(str(o, "outputs"), "--outputs");
      const inference = str(o, "inference");
      const outputs = (await readOutputs(file)).filter((x) => inference === undefined || x.inferenceId === inference);
      if (outputs.length === 0) throw new InvalidInputError("--inference", `${inference} is not in ${file}`);
      const datasets = await trainingDatasets(o);
      const sources = await contentSources(o);
      const client = await session.client();
      await client.models.get({ modelId });
      const explained = await client.attribution.explain({ modelId, outputs, datasets, openIndex: indexOnDisk(o), tokenizer: str(o, "tokenizer"), fetchContent: (c) => fetchContent(c, str(o, "content-dir"), sources) });
      const lines = explained.flatMap(({ inferenceId, explanation: e }) => [
        `${inferenceId}: ${e.spans.length} span(s) in ${e.tokenCount} tokens`,
        ...e.spans.flatMap((s) => [
          `  "${s.text}" (${s.length} tokens, found ${s.occurrences} time(s); credit ${s.credit.numerator}/${s.credit.denominator} to each of:)`,
          ...s.sources.map((src) => `    #${src.contributionId}: ${src.snippet ? `…${src.snippet.before} [${src.snippet.match}] ${src.snippet.after}…` : "(its text is not available)"}`),
        ]),
      ]);
      return { text: lines.join("\n"), data: explained.map((x) => ({ inferenceId: x.inferenceId, ...explanationJson(x.explanation) })) };
    },
  },
  "attribution post": {
    usage: "attribution post <result.json>",
    summary: "propose a computed epoch's root (ATTRIBUTOR_ROLE); opens the challenge window",
    async run(session, [file]) {
      const result = await readResult(need(file, "result.json"));
      const { challengeEndsAt } = await (
        await (await session.wallet()).attribution.propose({ modelId: result.modelId, epoch: result.epoch, result: { epoch: { root: result.root, total: result.total }, recordsHash: result.recordsHash } })
      ).wait();
      return { text: `proposed; releasable from ${when(challengeEndsAt)}`, data: { challengeEndsAt: when(challengeEndsAt) } };
    },
  },
  "attribution release": {
    usage: "attribution release <modelId> --epoch <e>",
    summary: "release a proposal whose challenge window has closed",
    options: { epoch: text("attribution epoch (required)") },
    async run(session, [id], o) {
      const released = await (await (await session.wallet()).attribution.release({ modelId: parseId(id, "modelId"), epoch: parseCount(str(o, "epoch"), "--epoch") })).wait();
      return { text: `released to ${released.epochContract}; developer ${open(released.developerAmount)}, treasury ${open(released.protocolAmount)}`, data: released };
    },
  },
  "attribution claim": {
    usage: "attribution claim <result.json> [--account <address>]",
    summary: "pay released payouts to their accounts (all of them, or one)",
    options: { account: text("only this account's leaf") },
    async run(session, [file], o) {
      const result = await readResult(need(file, "result.json"));
      const account = optional(o, "account", parseAddress);
      const claims = result.claims.filter((c) => account === undefined || getAddress(c.account) === account);
      if (claims.length === 0) throw new InvalidInputError("--account", `${account} has no payout in ${file}`);
      const client = await session.wallet();
      const paid = [];
      for (const batch of chunks(claims, CLAIMS_PER_TX)) {
        paid.push(...(await (await client.attribution.claim({ modelId: result.modelId, epoch: result.epoch, claims: batch })).wait()).paid);
      }
      return { text: table(paid.map((p) => ({ account: p.account, amount: formatUnits(p.amount, 18) }))), data: paid };
    },
  },
  "dev advance-time": {
    usage: "dev advance-time <seconds>",
    summary: "move a local development node's clock forward and mine a block (hardhat node or anvil, chain 31337 or 1337; refused elsewhere)",
    async run(session, [value]) {
      const seconds = parseCount(value, "seconds");
      if (seconds === 0n) throw new InvalidInputError("seconds", "must be more than zero");
      if (session.rpc === undefined) {
        throw new ClientConfigError("dev advance-time needs a node (--rpc or OPENLEDGER_RPC_URL): the embedded network lasts for one command.");
      }
      const { publicClient } = await session.client();
      const chainId = await publicClient.getChainId();
      // Only a development chain has a clock anyone may move; refuse before asking a real node.
      if (!LOCAL_CHAIN_IDS.includes(chainId)) {
        throw new ClientConfigError(`dev advance-time only moves the clock of a local development node (chain ${LOCAL_CHAIN_IDS.join(" or ")}); ${session.rpc} serves chain ${chainId}.`);
      }
      // Test-node methods that viem's public RPC schema does not type.
      const request = publicClient.request as (call: { method: string; params: unknown[] }) => Promise<unknown>;
      await request({ method: "evm_increaseTime", params: [Number(seconds)] });
      await request({ method: "evm_mine", params: [] });
      const block = await publicClient.getBlock();
      const at = when(Number(block.timestamp));
      return { text: `moved the clock ${seconds} s forward: block ${block.number} at ${at}`, data: { seconds, block: block.number, timestamp: at } };
    },
  },
  "audit verify": {
    usage: "audit verify [--checkpoint <file>] [--confirmations <n>] [--attribution <result.json> --outputs <outputs.json> [--content-dir <dir>]]",
    summary: "index every event, rebuild all state, compare it with every view; optionally recompute an attribution",
    options: {
      checkpoint: text("keep indexing progress here and resume from it"),
      confirmations: text("blocks behind the head treated as final (default 0)"),
      attribution: text("a result file whose epoch to recompute"),
      outputs: text("the epoch's outputs"),
      ...CONTENT_SOURCES,
      ...CONTENT_DIR,
    },
    async run(session, _, o) {
      const attribution = await optional(o, "attribution", readResult);
      const outputs = attribution === undefined ? undefined : await readOutputs(need(str(o, "outputs"), "--outputs"));
      const sources = await contentSources(o);
      const { client, state, events, block } = await indexed(session, o);
      const discrepancies = await verifyProtocolState(client, state, { blockNumber: block });
      if (attribution !== undefined) {
        discrepancies.push(
          ...(await verifyAttributionEpoch(client, { modelId: attribution.modelId, epoch: attribution.epoch, outputs: outputs!, tokenizer: attribution.tokenizer, fetchContent: (c) => fetchContent(c, str(o, "content-dir"), sources) })),
        );
      }
      const text = discrepancies.length === 0 ? `${events} events verified at block ${block}: 0 discrepancies` : `${discrepancies.length} discrepancies\n${table(discrepancies as never)}`;
      if (discrepancies.length > 0) process.exitCode = 3;
      return { text, data: { events, block, discrepancies } };
    },
  },
  "audit indexer": {
    usage: "audit indexer [--indexer <url>]",
    summary:
      "compare every row of the indexer service's database (over its API) with the auditor's own rebuild at the block it has indexed, and that rebuild with the chain's views; one line per difference",
    options: { indexer: text("the indexer API (default: OPENLEDGER_INDEXER_URL)") },
    async run(session, _, o) {
      const url = str(o, "indexer") ?? (process.env.OPENLEDGER_INDEXER_URL || undefined);
      if (url === undefined) throw new InvalidInputError("--indexer", "name the indexer API (or set OPENLEDGER_INDEXER_URL)");
      const indexer = createIndexerClient({ url });
      const at = await indexer.indexedBlock();
      const { client, state, events, block } = await indexed(session, o, at.number);
      if (block < at.number) throw new ClientConfigError(`${url} has indexed block ${at.number}, past the node's head ${block}: is it indexing another chain?`);
      const differences = [
        ...(await verifyProtocolState(client, state, { blockNumber: at.number })).map((d) => ({ source: "chain", ...d })),
        ...(await verifyIndexerTables(indexer, state)).map((d) => ({ source: "indexer", ...d })),
      ];
      const moved = await indexer.indexedBlock();
      // Rows read after the indexer moved on are of a later block: the comparison says nothing then.
      if (moved.number !== at.number) differences.push({ source: "indexer", entity: "indexed block (it moved while audited: run again)", field: "number", expected: String(at.number), actual: String(moved.number) });
      const lines = differences.map((d) => `${d.entity} ${d.field}: replay ${d.expected}, ${d.source} ${d.actual}`);
      if (differences.length > 0) process.exitCode = 3;
      const text = differences.length === 0 ? `${events} events, every indexer row and chain view verified at block ${at.number}: 0 differences` : `${differences.length} differences at block ${at.number}\n${lines.join("\n")}`;
      return { text, data: { events, block: at.number, differences } };
    },
  },
  "audit export": {
    usage: "audit export --out <dir> [--checkpoint <file>] [--confirmations <n>]",
    summary: "write JSON and CSV snapshots (contributions, leaderboard, rewards, lineage, attribution) with the block they are valid at",
    options: {
      out: text("directory to write into (required)"),
      checkpoint: text("keep indexing progress here and resume from it"),
      confirmations: text("blocks behind the head treated as final (default 0)"),
    },
    async run(session, _, o) {
      const dir = need(str(o, "out"), "--out");
      const { state, block } = await indexed(session, o);
      const snapshots = exportSnapshots(state);
      await mkdir(dir, { recursive: true });
      for (const [name, snapshot] of Object.entries(snapshots)) {
        const rows = project(snapshot);
        await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify({ block, rows }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
        await writeFile(path.join(dir, `${name}.csv`), toCsv(snapshot, block));
      }
      return { text: `wrote ${Object.keys(snapshots).map((n) => `${n}.json/.csv`).join(", ")} to ${dir} (valid at block ${block})`, data: { block, files: Object.keys(snapshots) } };
    },
  },
};

// ------------------------------------------------------------------ helpers

/**
 * Indexes every confirmed protocol event (progress on stderr) and rebuilds the state at that block,
 * or at block `upTo` when given (and confirmed).
 */
async function indexed(session: Session, o: Options, upTo?: bigint) {
  const confirmations = optional(o, "confirmations", parseCountNumber) ?? 0;
  const client = await session.client();
  const quiet = process.argv.includes("--json");
  const { events, confirmedBlock } = await indexProtocolEvents(client, {
    confirmations,
    checkpointFile: str(o, "checkpoint"),
    onProgress: (p) => {
      if (!quiet) process.stderr.write(`\rindexed ${p.blocksDone}/${p.blocksTotal} blocks, ${p.events} events (${Math.round(p.eventsPerSecond)}/s)`);
    },
  });
  if (!quiet) process.stderr.write("\n");
  const replayed = upTo === undefined ? events : events.filter((e) => e.blockNumber <= upTo);
  return { client, state: rebuildProtocolState(client, replayed), events: replayed.length, block: confirmedBlock };
}

/** One export: its columns in order (so that an empty CSV still has its header row) and its rows. */
interface Snapshot {
  columns: readonly string[];
  rows: Record<string, unknown>[];
}

/** The auditor's snapshots, one list of flat rows each. */
function exportSnapshots(state: ProtocolState): Record<string, Snapshot> {
  return {
    contributions: {
      columns: ["contributionId", "datanetId", "contributor", "contentHash", "sizeBytes", "status", "uri"],
      rows: [...state.registry.contributions.values()].map((c) => ({ ...c, status: STATUS_NAME[c.status] ?? c.status })),
    },
    leaderboard: {
      columns: ["datanetId", "contributor", "accepted", "rejected", "qualitySum", "score"],
      rows: [...state.reputation.values()]
        .map((r) => ({ ...r, score: reputationScore(BigInt(r.accepted), BigInt(r.rejected), r.qualitySum) }))
        .sort((a, b) => (a.datanetId !== b.datanetId ? Number(a.datanetId - b.datanetId) : a.score > b.score ? -1 : a.score < b.score ? 1 : 0)),
    },
    rewards: {
      columns: ["datanetId", "epoch", "funded", "claimed", "contributorBps", "swept", "claimants"],
      rows: [...state.rewardPools.values()].map((pool) => ({ ...pool, claimants: pool.claimants.size })),
    },
    lineage: {
      columns: ["modelId", "version", "method", "adapterHash", "datanetId", "datanetVersion", "versionRoot"],
      rows: [...state.models.values()].flatMap((m) =>
        m.versions.flatMap((v) =>
          v.trainingData.map((d) => ({ modelId: m.modelId, version: v.version, method: v.method, adapterHash: v.adapterHash, datanetId: d.datanetId, datanetVersion: d.version, versionRoot: d.versionRoot })),
        ),
      ),
    },
    attribution: {
      columns: ["modelId", "epoch", "fees", "status", "root", "recordsHash", "merkleTotal", "developerAmount", "protocolAmount", "epochContract"],
      rows: [...state.feePools.values()].map((p) => ({
        ...p,
        status: ["open", "proposed", "rejected", "released"][p.status],
        developerAmount: p.released?.developerAmount ?? 0n,
        protocolAmount: p.released?.protocolAmount ?? 0n,
        epochContract: p.released?.epochContract ?? "",
      })),
    },
  };
}

/** The snapshot's own columns of each row, for JSON. */
const project = ({ columns, rows }: Snapshot) => rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[c]])));

/** A CSV with a header row first, always: the block the snapshot is valid at is its first column. */
function toCsv({ columns, rows }: Snapshot, block: bigint): string {
  const escape = (v: unknown) => {
    const s = String(v ?? "");
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [["validAtBlock", ...columns].join(","), ...rows.map((r) => [block, ...columns.map((c) => escape(r[c]))].join(","))].join("\n") + "\n";
}

/** A JSON file the user named: "not found" when it is missing, "not JSON" only when it does not parse. */
async function readJson(file: string, field: string): Promise<unknown> {
  const text = (await readInput(file)).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError(field, `${file} is not JSON`);
  }
}

async function readOutputs(file: string): Promise<{ inferenceId: string; text: string }[]> {
  const parsed = await readJson(file, "outputs");
  if (!Array.isArray(parsed) || !parsed.every((o) => typeof o?.inferenceId === "string" && typeof o?.text === "string")) {
    throw new InvalidInputError("outputs", `${file} must be a list of { "inferenceId": string, "text": string }`);
  }
  return parsed as { inferenceId: string; text: string }[];
}

/** A result file written by `attribution run`, read with the SDK's parser (the app reads it with the same one). */
async function readResult(file: string): Promise<AttributionResultFile> {
  return parseAttributionResultFile((await readInput(file)).toString("utf8"), file);
}

/** What `validator serve` keeps between rounds: content already fetched, and the fingerprint of each text's first copy. */
interface ServeCache {
  contents: Map<Hex, Uint8Array>;
  known: Map<Hex, Hex>;
}

async function serveRound(
  client: OpenLedgerClient,
  validator: Address,
  datanetId: bigint | undefined,
  { contentDir, sources }: { contentDir: string | undefined; sources: ContentSource },
  cache: ServeCache,
) {
  const pending = await client.validators.pending({ validator, datanetId });
  const state = rebuildRegistryState(await fetchRegistryLogs(client));
  const { contents, known } = cache;
  // Every live contribution whose content we can read, in id order, feeds the duplicate check;
  // each is fetched once per process (unreadable ones are tried again next round).
  for (const c of state.contributions.values()) {
    // Only live registrations (pending or accepted) can make a later copy a duplicate.
    if ((c.status !== ContributionStatus.Pending && c.status !== ContributionStatus.Accepted) || contents.has(c.contentHash)) continue;
    const data = await fetchContent(c, contentDir, sources).catch(() => undefined);
    if (data === undefined) continue;
    contents.set(c.contentHash, data);
    const fingerprint = textFingerprint(data);
    if (!known.has(fingerprint)) known.set(fingerprint, c.contentHash);
  }
  const aggregator = client.validators.aggregator();
  const verdicts: { contributionId: bigint; accept: boolean; quality: number; reasonCode: number }[] = [];
  const unreadable: bigint[] = [];
  for (const c of pending) {
    const content = contents.get(c.contentHash);
    // Content addressed by CID that no store or gateway returns intact is rejected for that reason;
    // other URIs that cannot be read now are tried again next round.
    if (content === undefined && cidOfUri(c.uri) === undefined) {
      unreadable.push(c.contributionId);
      continue;
    }
    const maxBytes = (await client.datanets.get(c.datanetId)).policy.maxBytesPerContribution;
    const verdict =
      content === undefined
        ? { contentHash: c.contentHash, accept: false, quality: 0, reasonCode: ReasonCode.ContentUnavailable }
        : judge([sizeWithin(maxBytes), hashMatches, sizeMatches(c.sizeBytes), isText, notDuplicateOf(known), proseQuality()], content, c.contentHash);
    verdicts.push({ contributionId: c.contributionId, ...verdict });
    await aggregator.add(await client.validators.signVerdict(verdict));
  }
  const flushed = verdicts.length === 0 ? { transactions: [], finalized: [], skipped: [], waiting: [] } : await aggregator.flush();
  return {
    summary: `${pending.length} open for verdicts, ${verdicts.length} judged (${verdicts.filter((v) => v.accept).length} accepted), ${unreadable.length} unreadable; ${flushed.transactions.length} transaction(s), ${flushed.finalized.length} closed, ${flushed.skipped.length} not relayed`,
    verdicts,
    unreadable,
    transactions: flushed.transactions.length,
    finalized: flushed.finalized.length,
    skipped: flushed.skipped.map((s) => ({ contentHash: s.signed.verdict.contentHash, code: s.code, reason: s.reason })),
  };
}

