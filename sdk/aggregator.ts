import { encodeFunctionData, getAddress, type Hex } from "viem";

import { attestationRegistryAbi } from "./abis/index.ts";
import { ContributionStatus, type Contribution } from "./actions/contributions.ts";
import {
  assertNotExpired,
  assertVerdict,
  recoverVerdictSigner,
  SkipReason,
  submitSignedVerdicts,
  TRANSACTION_GAS_CAP,
  type Finalization,
  type SignedVerdict,
} from "./actions/validators.ts";
import { attestationContract, registryContract, requireWallet, stakingContract, type ProtocolClient } from "./client.ts";
import { InvalidInputError, protocolError, ProtocolError, toSdkError } from "./errors.ts";
import { WEIGHT_UNIT } from "./indexer/state.ts";
import { readProtocol } from "./transaction.ts";
import { parseSignedVerdicts } from "./verdict-wire.ts";

/** Why the aggregator did not relay a verdict. */
export type AggregatorSkip =
  /** The contribution is unknown, closed, withdrawn or displaced. */
  | "not-pending"
  /** Its validation window has ended: only `finalize` can close it now. */
  | "window-closed"
  /** The validator's verdict is already on chain. */
  | "already-attested"
  /** Verdicts earlier in this flush close it (the outcome can no longer change), so this one would be skipped. */
  | "closed-early"
  /** The validator's stake before the reveal, or its bonded stake now, is below the datanet's minimum. */
  | "not-eligible"
  /** The validator signed with an old signature generation (unbonded, slashed or cancelled since). */
  | "stale-generation"
  /** The signature's deadline has passed. */
  | "expired"
  /** The validator made the contribution. */
  | "own-contribution"
  /** The chain moved on between selection and inclusion, and the contract skipped it. */
  | "skipped-on-chain";

/** What one `flush()` did. */
export interface AggregatorFlush {
  transactions: { hash: Hex; verdicts: number; gasUsed: bigint }[];
  finalized: Finalization[];
  /** Verdicts dropped: relaying them would be refused or skipped by the contract. */
  skipped: { signed: SignedVerdict; code: AggregatorSkip; reason: string }[];
  /** Verdicts kept in the queue because their contribution's verdicts have not opened yet. */
  waiting: { signed: SignedVerdict; opensAt: number }[];
}

/** What the aggregator tracks per contribution while selecting: the tally as it will be on chain. */
interface Projection {
  contribution: Contribution;
  snapshotAt: bigint;
  minStake: bigint;
  quorum: number;
  thresholdBps: bigint;
  eligible: bigint;
  accept: bigint;
  reject: bigint;
  verdicts: bigint;
  closed: boolean;
}

const BPS = 10_000n;

/** Why the contract skipped a verdict of a batch, by `SkipReason`. */
const SKIPPED_BECAUSE: Record<number, string> = {
  [SkipReason.AlreadyAttested]: "the verdict was already recorded",
  [SkipReason.NotPending]: "it had closed",
  [SkipReason.VotingClosed]: "its window closed",
  [SkipReason.ValidatorNotActive]: "the validator's stake was no longer bonded",
  [SkipReason.StaleSignature]: "the validator voided its signatures",
};

/**
 * Collects signed verdicts from many validators and relays them in as few transactions as fit under
 * the per-transaction gas cap (EIP-7825, 16,777,216 by default). `add` checks each signature locally.
 * `flush` respects every contribution's voting window (verdicts not open yet stay queued; those past
 * their window are dropped and reported), drops what the contract would refuse or skip, including
 * verdicts that arrive after earlier ones in the same flush have closed the contribution early, sizes
 * batches by gas estimate, and sends them in queue order.
 */
export class VerdictAggregator {
  readonly #client: ProtocolClient;
  readonly #gasCap: bigint;
  #queue: SignedVerdict[] = [];

  constructor(client: ProtocolClient, options: { gasCap?: bigint } = {}) {
    requireWallet(client, "VerdictAggregator");
    this.#client = client;
    this.#gasCap = options.gasCap ?? TRANSACTION_GAS_CAP;
  }

  /** Verdicts waiting for `flush`. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues a signed verdict after checking its fields, signer and deadline. */
  async add(signed: SignedVerdict): Promise<void> {
    await this.#check(signed, this.#queue);
    this.#queue.push(signed);
  }

  /**
   * Queues the verdicts of a wire-format body (what `serializeSignedVerdicts` wrote, as posted to a
   * relayer), each checked as `add` does; all or none. Returns how many were queued.
   */
  async addSerialized(body: string | unknown): Promise<number> {
    const verdicts = parseSignedVerdicts(body);
    const accepted: SignedVerdict[] = [];
    for (const signed of verdicts) {
      await this.#check(signed, [...this.#queue, ...accepted]);
      accepted.push(signed);
    }
    this.#queue.push(...accepted);
    return accepted.length;
  }

  async #check(signed: SignedVerdict, queued: readonly SignedVerdict[]): Promise<void> {
    assertVerdict(signed.verdict, "signed.verdict");
    const signer = await recoverVerdictSigner(this.#client, signed).catch(() => undefined);
    if (signer === undefined || getAddress(signer) !== getAddress(signed.validator)) {
      throw await protocolError("InvalidSignature", [signed.validator], { preflight: true });
    }
    const { timestamp } = await this.#client.publicClient.getBlock();
    await assertNotExpired(signed, timestamp);
    const key = (s: SignedVerdict) => `${getAddress(s.validator)}/${s.verdict.contentHash.toLowerCase()}`;
    if (queued.some((q) => key(q) === key(signed))) {
      throw new InvalidInputError("signed", `a verdict by ${signed.validator} on ${signed.verdict.contentHash} is already queued`);
    }
  }

  /**
   * Relays every queued verdict whose contribution is open for verdicts; returns the transactions,
   * the closings they caused, what was dropped and why, and what stays queued until its window opens.
   */
  async flush(): Promise<AggregatorFlush> {
    const queue = this.#queue;
    this.#queue = [];
    const { sendable, skipped, waiting } = await this.#select(queue);
    this.#queue.push(...waiting.map((w) => w.signed));
    const result: AggregatorFlush = { transactions: [], finalized: [], skipped, waiting };
    for (const batch of await this.#split(sendable)) {
      const { finalized, skipped: onChain, receipt } = await (await submitSignedVerdicts(this.#client, batch)).wait();
      result.transactions.push({ hash: receipt.transactionHash, verdicts: batch.length, gasUsed: receipt.gasUsed });
      result.finalized.push(...finalized);
      for (const s of onChain) {
        const signed = batch.find((b) => b.verdict.contentHash === s.contentHash && getAddress(b.validator) === s.validator);
        if (signed === undefined) continue;
        const why = SKIPPED_BECAUSE[s.reason];
        result.skipped.push({ signed, code: "skipped-on-chain", reason: `the contract skipped it: ${why} before the batch landed` });
      }
    }
    return result;
  }

  /**
   * Decides, in queue order, which verdicts the contract would count, projecting each contribution's
   * tally so that verdicts arriving after it closes early are not paid for.
   */
  async #select(queue: SignedVerdict[]) {
    const client = this.#client;
    const attestations = attestationContract(client);
    const { timestamp: now } = await client.publicClient.getBlock();
    const sendable: SignedVerdict[] = [];
    const skipped: AggregatorFlush["skipped"] = [];
    const waiting: AggregatorFlush["waiting"] = [];
    const projections = new Map<string, Projection | undefined>();
    for (const signed of queue) {
      const { contentHash } = signed.verdict;
      const key = contentHash.toLowerCase();
      if (!projections.has(key)) projections.set(key, await this.#project(contentHash));
      const p = projections.get(key);
      const skip = (code: AggregatorSkip, reason: string) => skipped.push({ signed, code, reason });
      if (p === undefined) {
        skip("not-pending", "the contribution is unknown, closed, withdrawn or displaced");
        continue;
      }
      const { contribution: c } = p;
      if (now < BigInt(c.votingOpensAt)) {
        waiting.push({ signed, opensAt: c.votingOpensAt });
        continue;
      }
      if (now >= BigInt(c.votingEndsAt)) {
        skip("window-closed", `its validation window closed at ${c.votingEndsAt}; finalize it instead`);
        continue;
      }
      if (now > signed.deadline) {
        skip("expired", `the signature expired at ${signed.deadline}`);
        continue;
      }
      if (p.closed) {
        skip("closed-early", "verdicts before it in this flush already decide the contribution");
        continue;
      }
      if (getAddress(c.contributor) === getAddress(signed.validator)) {
        skip("own-contribution", "the validator made the contribution");
        continue;
      }
      const already = await readProtocol(() =>
        client.publicClient.readContract({ ...attestations, functionName: "hasAttested", args: [contentHash, signed.validator] }),
      );
      if (already) {
        skip("already-attested", "the validator's verdict is already on chain");
        continue;
      }
      const [atSnapshot, active, generation] = await readProtocol(() =>
        client.publicClient.readContract({
          ...stakingContract(client),
          functionName: "votingPower",
          args: [BigInt(c.datanetId), signed.validator, p.snapshotAt],
        }),
      );
      const weight = atSnapshot / WEIGHT_UNIT;
      if (atSnapshot < p.minStake || active < atSnapshot || weight === 0n) {
        skip("not-eligible", `the validator had ${atSnapshot} wei bonded before the reveal and has ${active} now; at least ${p.minStake} before the reveal, all still bonded, are needed`);
        continue;
      }
      if (generation !== signed.generation) {
        skip("stale-generation", `signed for generation ${signed.generation}; the validator's is now ${generation}`);
        continue;
      }
      sendable.push(signed);
      if (signed.verdict.accept) p.accept += weight;
      else p.reject += weight;
      p.verdicts += 1n;
      p.closed = decidedEarly(p);
    }
    return { sendable, skipped, waiting };
  }

  /** A pending contribution's tally as on chain now, with what deciding it early needs; undefined when not pending. */
  async #project(contentHash: Hex): Promise<Projection | undefined> {
    const client = this.#client;
    const contribution = await readProtocol(() =>
      client.publicClient.readContract({ ...registryContract(client), functionName: "getContribution", args: [contentHash] }),
    ).catch(() => undefined);
    if (contribution === undefined || contribution.status !== ContributionStatus.Pending) return undefined;
    const datanetId = BigInt(contribution.datanetId);
    const snapshotAt = BigInt(contribution.revealedAt) - 1n;
    // The contribution's own terms, frozen at its reveal, decide it.
    const [tally, total] = await readProtocol(() =>
      Promise.all([
        client.publicClient.readContract({ ...attestationContract(client), functionName: "tallyOf", args: [contribution.id] }),
        client.publicClient.readContract({ ...stakingContract(client), functionName: "totalStakeAt", args: [datanetId, snapshotAt] }),
      ]),
    );
    return {
      contribution,
      snapshotAt,
      minStake: contribution.minValidatorStake,
      quorum: contribution.quorum,
      thresholdBps: BigInt(contribution.acceptanceThresholdBps),
      // The tally fixes the eligible stake at its first verdict; before that it is the snapshot total.
      eligible: tally.verdicts === 0n ? total / WEIGHT_UNIT : tally.eligibleWeight,
      accept: tally.acceptWeight,
      reject: tally.rejectWeight,
      verdicts: tally.verdicts,
      closed: false,
    };
  }

  /** Splits verdicts into consecutive batches whose estimated gas stays under the cap. */
  async #split(verdicts: SignedVerdict[]): Promise<SignedVerdict[][]> {
    if (verdicts.length === 0) return [];
    const fits = await this.#estimate(verdicts);
    if (fits !== undefined && fits <= this.#gasCap) return [verdicts];
    if (verdicts.length === 1) {
      throw new InvalidInputError("signed", `one verdict needs ${fits} gas, more than the cap of ${this.#gasCap}`);
    }
    const half = Math.ceil(verdicts.length / 2);
    return [...(await this.#split(verdicts.slice(0, half))), ...(await this.#split(verdicts.slice(half)))];
  }

  /** The gas a batch needs, or undefined when the node cannot estimate it (too large for a block). */
  async #estimate(verdicts: SignedVerdict[]): Promise<bigint | undefined> {
    const client = requireWallet(this.#client, "VerdictAggregator");
    try {
      return await client.publicClient.estimateGas({
        account: client.walletClient.account,
        to: client.deployment.contracts.attestationRegistry,
        data: encodeFunctionData({ abi: attestationRegistryAbi, functionName: "attestSigned", args: [verdicts] }),
      });
    } catch (error) {
      const sdkError = await toSdkError(error);
      if (sdkError instanceof ProtocolError) throw sdkError;
      return undefined;
    }
  }
}

/**
 * The contract's early close: once `quorum` verdicts are in, the outcome is decided when the
 * accepting stake already reaches the threshold of all eligible stake, or the rejecting stake makes
 * that impossible.
 */
function decidedEarly(p: Projection): boolean {
  if (p.verdicts < BigInt(p.quorum)) return false;
  const needed = p.thresholdBps * p.eligible;
  return p.accept * BPS >= needed || (p.eligible - p.reject) * BPS < needed;
}
