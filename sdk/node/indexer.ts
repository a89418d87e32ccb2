import { readFile, rename, writeFile } from "node:fs/promises";

import { getAddress, toEventSelector, type Address, type Hex, type Log } from "viem";

import {
  attestationRegistryAbi,
  datanetRegistryAbi,
  merkleEpochAbi,
  merkleEpochDistributorAbi,
  modelFactoryAbi,
  proofOfAttributionAbi,
  rewardPoolsAbi,
  validatorStakingAbi,
} from "../abis/index.ts";
import type { ProtocolClient } from "../client.ts";
import { InvalidInputError } from "../errors.ts";
import { withSdkErrors } from "../transaction.ts";
import { splitRanges } from "../indexer/ranges.ts";
import { createEventDecoder } from "./event-decoder.ts";

/** Every event any protocol contract (and every Merkle epoch) emits. */
export const protocolEventsAbi = [
  ...datanetRegistryAbi,
  ...validatorStakingAbi,
  ...attestationRegistryAbi,
  ...rewardPoolsAbi,
  ...merkleEpochDistributorAbi,
  ...merkleEpochAbi,
  ...modelFactoryAbi,
  ...proofOfAttributionAbi,
].filter((item) => item.type === "event");

/** One decoded protocol event with where it happened. A log from a protocol contract that does not
 * decode as the event its topic names (or names none) is kept as `UndecodableLog`, with the event
 * its topic names (or `unknown topic 0x…`) in `args.eventName`, and its raw topics and data: only a
 * tampered or corrupted log reads so. */
export interface ProtocolEvent {
  address: Address;
  eventName: (typeof protocolEventsAbi)[number]["name"] | "UndecodableLog";
  args: Record<string, unknown>;
  blockNumber: bigint;
  blockHash: Hex;
  /** The block's second: always on staking events (stake checkpoints are kept by time) and on
   * `ModelVersionPublished` and `BaseModelRegistered`, on others when the node's logs carry it. */
  blockTimestamp?: number;
  logIndex: number;
  transactionHash: Hex;
}

/** What `onProgress` is told after each block range. */
export interface IndexProgress {
  blocksDone: bigint;
  blocksTotal: bigint;
  events: number;
  eventsPerSecond: number;
  rangeSize: bigint;
}

export interface IndexOptions {
  /** Blocks behind the head that count as final (default 0: everything). */
  confirmations?: number;
  /** Where to keep progress between runs (JSON; written atomically after every range). */
  checkpointFile?: string;
  /** Blocks per `eth_getLogs` to start with (default 10: a refused query costs a whole response);
   * halved when the node refuses one, then steered towards about 1,000 logs per query (`splitRanges`). */
  rangeSize?: bigint;
  maxRangeSize?: bigint;
  onProgress?: (progress: IndexProgress) => void;
  /** Given: each range's confirmed events go to it, in chain order, as they are read, and are not kept
   * (`events` comes back empty), so a history far larger than memory can be streamed through
   * (`protocolStateRebuild`). Not with `checkpointFile`, which keeps every event. */
  onEvents?: (events: readonly ProtocolEvent[]) => void;
}

/** The result of an indexing run. */
export interface IndexResult {
  /** Events in confirmed blocks, in chain order (persisted in the checkpoint). */
  events: ProtocolEvent[];
  /** Events in the unconfirmed tail, read fresh on every run (never persisted: a reorg there just changes them). */
  unconfirmed: ProtocolEvent[];
  /** The last confirmed block, and the head when read. */
  confirmedBlock: bigint;
  headBlock: bigint;
  /** Blocks of a reorg found below the confirmation depth and rolled back, if any. */
  rolledBack: bigint;
}

interface Checkpoint {
  version: 2;
  chainId: number;
  contracts: string;
  nextBlock: string;
  /** Hash of the block before `nextBlock`, to detect a reorg under the checkpoint. */
  lastHash: Hex | null;
  epochContracts: Address[];
  events: ProtocolEvent[];
}

const CHECKPOINT_INTERVAL_MS = 2_000;

/** Each protocol event's name by its topic. */
const EVENT_NAMES = new Map(protocolEventsAbi.map((item) => [toEventSelector(item), item.name]));

/** Events outside staking that carry their block's second (the views answer with it). */
const TIMED_EVENTS = new Set<string>(["ModelVersionPublished", "BaseModelRegistered"]);

const jsonReplacer = (_: string, v: unknown) => (typeof v === "bigint" ? { $bigint: v.toString() } : v);
const jsonReviver = (_: string, v: unknown) =>
  v !== null && typeof v === "object" && "$bigint" in (v as object) ? BigInt((v as { $bigint: string }).$bigint) : v;

function staticAddresses(client: ProtocolClient): Address[] {
  const c = client.deployment.contracts;
  return [c.datanetRegistry, c.validatorStaking, c.attestationRegistry, c.rewardPools, c.merkleEpochDistributor, c.modelFactory, c.proofOfAttribution].map((a) =>
    getAddress(a),
  );
}

const order = (a: ProtocolEvent, b: ProtocolEvent) =>
  a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;

/**
 * Reads every protocol event of a deployment from its start block: the seven contracts and every
 * Merkle epoch the distributor creates. Block ranges adapt as `splitRanges` does (halved when the
 * node refuses one as too large, otherwise steered towards about 1,000 logs per query); transient
 * failures are retried by the client's retry layer (`createClient`'s `retry`). Progress goes
 * to `onProgress` after every range, and to the checkpoint file every two seconds and after the
 * last range, so a later run resumes there. Only blocks at least `confirmations` deep are
 * checkpointed; the tail is returned separately and read again each run.
 * A checkpoint whose last block is no longer on the chain (a reorg deeper than `confirmations`)
 * is rolled back to the newest event block still on the chain.
 */
export async function indexProtocolEvents(client: ProtocolClient, options: IndexOptions = {}): Promise<IndexResult> {
  // What viem throws becomes an SDK error (a node that kept failing: `NodeUnavailableError`).
  return withSdkErrors(() => indexEvents(client, options));
}

async function indexEvents(client: ProtocolClient, options: IndexOptions): Promise<IndexResult> {
  const confirmations = BigInt(options.confirmations ?? 0);
  if (confirmations < 0n) throw new InvalidInputError("confirmations", "must not be negative");
  if (options.onEvents !== undefined && options.checkpointFile !== undefined) throw new InvalidInputError("onEvents", "streams events that a checkpoint file would have to keep");
  const addresses = staticAddresses(client);
  const contractsKey = addresses.join(",");

  let checkpoint: Checkpoint = {
    version: 2,
    chainId: client.deployment.chainId,
    contracts: contractsKey,
    nextBlock: client.deployment.startBlock.toString(),
    lastHash: null,
    epochContracts: [],
    events: [],
  };
  if (options.checkpointFile !== undefined) {
    const saved = await readFile(options.checkpointFile, "utf8").catch(() => undefined);
    if (saved !== undefined) {
      const parsed = JSON.parse(saved, jsonReviver) as Checkpoint;
      if (parsed.chainId !== checkpoint.chainId || parsed.contracts !== contractsKey) {
        throw new InvalidInputError("checkpointFile", `${options.checkpointFile} belongs to another deployment`);
      }
      // Version 1 kept staking events without their timestamps: such a checkpoint is read again from the start.
      if (parsed.version === checkpoint.version) checkpoint = parsed;
    }
  }

  // A reorg below the checkpoint: keep only events whose blocks are still on the chain.
  let rolledBack = 0n;
  let next = BigInt(checkpoint.nextBlock);
  if (checkpoint.lastHash !== null) {
    const last = await client.publicClient.getBlock({ blockNumber: next - 1n });
    if (last.hash !== checkpoint.lastHash) {
      const kept: ProtocolEvent[] = [];
      for (const event of checkpoint.events) {
        const block = await client.publicClient.getBlock({ blockNumber: event.blockNumber });
        if (block.hash !== event.blockHash) break;
        kept.push(event);
      }
      const resume = kept.length === 0 ? client.deployment.startBlock : kept.at(-1)!.blockNumber + 1n;
      rolledBack = next - resume;
      checkpoint.events = kept;
      checkpoint.epochContracts = [...new Set(kept.filter((e) => e.eventName === "RootPosted").map((e) => e.args.epochContract as Address))];
      next = resume;
      checkpoint.lastHash = null;
    }
  }

  const head = await client.publicClient.getBlockNumber({ cacheTime: 0 });
  const confirmed = head - confirmations;
  const started = performance.now();
  const startBlock = next;
  let lastSaved = performance.now();
  const epochContracts = new Set(checkpoint.epochContracts);

  const staking = getAddress(client.deployment.contracts.validatorStaking);
  const decodeEvent = createEventDecoder(protocolEventsAbi);
  const fetchRange = async (from: bigint, to: bigint): Promise<ProtocolEvent[]> => {
    const logs: Log[] = await client.publicClient.getLogs({ address: addresses, fromBlock: from, toBlock: to });
    const decoded = decode(logs, decodeEvent);
    // Stake checkpoints are kept by second, and a model version's or base model's views tell their
    // second; such events are few, so their blocks are read when the node's logs do not carry `blockTimestamp`.
    const times = new Map<bigint, number>();
    for (const e of decoded) {
      if ((e.address !== staking && !TIMED_EVENTS.has(e.eventName)) || e.blockTimestamp !== undefined) continue;
      let at = times.get(e.blockNumber);
      if (at === undefined) {
        const block = await client.publicClient.getBlock({ blockNumber: e.blockNumber });
        times.set(e.blockNumber, (at = Number(block.timestamp)));
      }
      e.blockTimestamp = at;
    }
    for (const e of decoded) if (e.eventName === "RootPosted") epochContracts.add(getAddress(e.args.epochContract as Address));
    if (epochContracts.size > 0) {
      const epochLogs: Log[] = await client.publicClient.getLogs({ address: [...epochContracts], fromBlock: from, toBlock: to });
      return decoded.concat(decode(epochLogs, decodeEvent)).sort(order);
    }
    return decoded.sort(order);
  };

  const ranges = splitRanges({ fromBlock: next, toBlock: confirmed }, fetchRange, {
    rangeSize: options.rangeSize ?? 10n,
    maxRangeSize: options.maxRangeSize ?? 100_000n,
  });
  let indexed = checkpoint.events.length;
  for await (const { items: events, toBlock: to, rangeSize } of ranges) {
    if (options.onEvents !== undefined) options.onEvents(events);
    else for (const event of events) checkpoint.events.push(event);
    indexed += events.length;
    next = to + 1n;
    // The checkpoint holds every event so far, so it is rewritten at most every two seconds (and
    // after the last range): a crash costs at most that much work again, not quadratic writes.
    const due = performance.now() - lastSaved >= CHECKPOINT_INTERVAL_MS || next > confirmed;
    if (options.checkpointFile !== undefined && due) {
      lastSaved = performance.now();
      const block = await client.publicClient.getBlock({ blockNumber: to });
      checkpoint.nextBlock = next.toString();
      checkpoint.lastHash = block.hash;
      checkpoint.epochContracts = [...epochContracts];
      await writeFile(`${options.checkpointFile}.tmp`, JSON.stringify(checkpoint, jsonReplacer));
      await rename(`${options.checkpointFile}.tmp`, options.checkpointFile);
    }
    const seconds = (performance.now() - started) / 1_000;
    options.onProgress?.({
      blocksDone: next - startBlock,
      blocksTotal: confirmed + 1n - startBlock,
      events: indexed,
      eventsPerSecond: seconds > 0 ? indexed / seconds : 0,
      rangeSize,
    });
  }
  const unconfirmed = next <= head ? await fetchRange(next > confirmed + 1n ? next : confirmed + 1n, head) : [];
  return { events: checkpoint.events, unconfirmed, confirmedBlock: confirmed, headBlock: head, rolledBack };
}

/** Decodes protocol logs (every log read comes from a protocol contract) with `decodeEvent`; one that
 * does not decode as its event becomes an `UndecodableLog`. Block and transaction hashes and block
 * numbers are shared by the events of a block (one string each, not one per event). */
function decode(logs: Log[], decodeEvent: ReturnType<typeof createEventDecoder>): ProtocolEvent[] {
  const decoded: ProtocolEvent[] = [];
  const checksummed = new Map<string, Address>();
  const hashes = new Map<Hex, Hex>();
  const blocks = new Map<bigint, bigint>();
  const shared = <K, V extends K>(map: Map<K, V>, value: V): V => {
    const found = map.get(value);
    if (found !== undefined) return found;
    map.set(value, value);
    return value;
  };
  for (const log of logs) {
    const name = log.topics[0] === undefined ? undefined : EVENT_NAMES.get(log.topics[0]);
    let event: { eventName: string; args: unknown };
    try {
      if (name === undefined) throw new Error("unknown topic");
      event = decodeEvent(log.topics, log.data);
    } catch {
      event = { eventName: "UndecodableLog", args: { eventName: name ?? `unknown topic ${log.topics[0] ?? "(none)"}`, topics: log.topics, data: log.data } };
    }
    let address = checksummed.get(log.address);
    if (address === undefined) checksummed.set(log.address, (address = getAddress(log.address)));
    decoded.push({
      address,
      eventName: event.eventName as ProtocolEvent["eventName"],
      args: event.args as Record<string, unknown>,
      blockNumber: shared(blocks, log.blockNumber!),
      blockHash: shared(hashes, log.blockHash!),
      ...(log.blockTimestamp != null ? { blockTimestamp: Number(log.blockTimestamp) } : {}),
      logIndex: log.logIndex!,
      transactionHash: shared(hashes, log.transactionHash!),
    });
  }
  return decoded;
}
