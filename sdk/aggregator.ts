import { encodeFunctionData, getAddress, type Hex } from "viem";

import { attestationRegistryAbi } from "./abis/index.ts";
import { ContributionStatus } from "./actions/contributions.ts";
import {
  assertNotExpired,
  assertVerdict,
  recoverVerdictSigner,
  submitSignedVerdicts,
  TRANSACTION_GAS_CAP,
  type Finalization,
  type SignedVerdict,
} from "./actions/validators.ts";
import { attestationContract, registryContract, requireWallet, type ProtocolClient } from "./client.ts";
import { InvalidInputError, ProtocolError, toSdkError } from "./errors.ts";
import { readProtocol } from "./transaction.ts";

/** What one `flush()` did. */
export interface AggregatorFlush {
  transactions: { hash: Hex; verdicts: number; gasUsed: bigint }[];
  finalized: Finalization[];
  /** Verdicts not sent: the contribution was no longer pending, already had the validator's verdict,
   * or had enough verdicts in the queue to reach its quorum. */
  skipped: { signed: SignedVerdict; reason: string }[];
}

/**
 * Collects signed verdicts from many validators and submits them in as few transactions as fit under
 * the per-transaction gas cap (EIP-7825, 16,777,216 by default). `add` checks each signature locally;
 * `flush` drops what the chain would refuse, sizes batches by gas estimate, and sends them in order.
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
    assertVerdict(signed.verdict, "signed.verdict");
    const signer = await recoverVerdictSigner(this.#client, signed).catch(() => undefined);
    if (signer === undefined || getAddress(signer) !== getAddress(signed.validator)) {
      throw new ProtocolError("InvalidSignature", [signed.validator], { preflight: true });
    }
    const { timestamp } = await this.#client.publicClient.getBlock();
    assertNotExpired(signed, timestamp);
    const key = (s: SignedVerdict) => `${getAddress(s.validator)}/${s.verdict.contentHash}`;
    if (this.#queue.some((queued) => key(queued) === key(signed))) {
      throw new InvalidInputError("signed", `a verdict by ${signed.validator} on ${signed.verdict.contentHash} is already queued`);
    }
    this.#queue.push(signed);
  }

  /** Submits everything queued; returns the transactions, the finalizations and what was skipped. */
  async flush(): Promise<AggregatorFlush> {
    const queue = this.#queue;
    this.#queue = [];
    const { sendable, skipped } = await this.#select(queue);
    const result: AggregatorFlush = { transactions: [], finalized: [], skipped };
    for (const batch of await this.#split(sendable)) {
      const { finalized, skipped: onChain, receipt } = await (await submitSignedVerdicts(this.#client, batch)).wait();
      result.transactions.push({ hash: receipt.transactionHash, verdicts: batch.length, gasUsed: receipt.gasUsed });
      result.finalized.push(...finalized);
      // The chain may have moved on since selection (a copied verdict landed first): the contract skipped those.
      for (const s of onChain) {
        const signed = batch.find((b) => b.verdict.contentHash === s.contentHash && getAddress(b.validator) === s.validator);
        if (signed !== undefined) result.skipped.push({ signed, reason: "the chain had already moved past it when the batch landed" });
      }
    }
    return result;
  }

  /** Keeps, per contribution, at most the verdicts still missing for its quorum, in queue order. */
  async #select(queue: SignedVerdict[]) {
    const client = this.#client;
    const registry = registryContract(client);
    const attestations = attestationContract(client);
    const sendable: SignedVerdict[] = [];
    const skipped: AggregatorFlush["skipped"] = [];
    const missing = new Map<Hex, number>();
    for (const signed of queue) {
      const { contentHash } = signed.verdict;
      if (!missing.has(contentHash)) {
        const contribution = await readProtocol(() =>
          client.publicClient.readContract({ ...registry, functionName: "getContribution", args: [contentHash] }),
        ).catch(() => undefined);
        if (contribution === undefined || contribution.status !== ContributionStatus.Pending) {
          missing.set(contentHash, 0);
        } else {
          const [settings, tally] = await readProtocol(() =>
            Promise.all([
              client.publicClient.readContract({ ...registry, functionName: "validationSettings", args: [BigInt(contribution.datanetId)] }),
              client.publicClient.readContract({ ...attestations, functionName: "tallyOf", args: [contribution.id] }),
            ]),
          );
          missing.set(contentHash, settings.quorum - Number(tally.verdicts));
        }
      }
      const left = missing.get(contentHash)!;
      const already = await readProtocol(() =>
        client.publicClient.readContract({ ...attestations, functionName: "hasAttested", args: [contentHash, signed.validator] }),
      );
      if (left <= 0) skipped.push({ signed, reason: "the contribution is finalized, withdrawn, unknown, or its quorum is already queued" });
      else if (already) skipped.push({ signed, reason: "the validator already gave a verdict on it" });
      else {
        sendable.push(signed);
        missing.set(contentHash, left - 1);
      }
    }
    return { sendable, skipped };
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
      const sdkError = toSdkError(error);
      if (sdkError instanceof ProtocolError) throw sdkError;
      return undefined;
    }
  }
}
