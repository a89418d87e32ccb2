import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import type { BaseWallet } from "ethers";
import type { Hex } from "viem";

import { keccak256, toBytes } from "viem";

import { submissionCommitment } from "../../sdk/actions/contributions.ts";
import { hashContent } from "../../sdk/index.ts";
import { deployProtocol } from "../lib/deploy.ts";

export type Signer = HardhatEthersSigner | BaseWallet;

export const OPEN = 10n ** 18n;

/**
 * A fixed 32-byte value per label (salts, private keys): calldata bytes, and so gas, are the same in
 * every run, where a random salt's zero bytes would move a commit's cost by a few gas.
 */
export const benchBytes32 = (label: string): Hex => keccak256(toBytes(`openledger bench ${label}`));

/** Deploys the protocol and provides measured, repeatable operations on it. */
export async function createBench(connection: NetworkConnection) {
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const deployment = await deployProtocol(connection);
  const registry = await ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);
  const token = await ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  const staking = await ethers.getContractAt("ValidatorStaking", deployment.contracts.validatorStaking);
  const attestations = await ethers.getContractAt("AttestationRegistry", deployment.contracts.attestationRegistry);
  const gas: Record<string, number> = {};
  const registryAddress = await registry.getAddress();

  /** Gives `signer` OPEN for bonds and lets the registry pull them, as a regular contributor has. */
  async function fund(signer: Signer, amount = 1_000_000n * OPEN) {
    await (await token.connect(signers[0]!).transfer(signer.address, amount)).wait();
    await (await token.connect(signer).approve(registryAddress, 2n ** 255n)).wait();
  }

  /** Records gasUsed (divided by `items`) under `key`. */
  async function measure(key: string, tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>, items = 1) {
    const receipt = await (await tx).wait();
    if (receipt === null) throw new Error(`${key}: no receipt`);
    gas[key] = Math.round(Number(receipt.gasUsed) / items);
    return receipt;
  }

  let nonce = 0;
  let salts = 0;
  function nextItems(count: number) {
    return Array.from({ length: count }, () => {
      const { contentHash, sizeBytes } = hashContent(`bench contribution ${nonce++}`);
      return { contentHash, sizeBytes, uri: `ipfs://bench/${nonce}` };
    });
  }

  /** Commits to `items` (reserving their count and bytes, paying their bonds); measures it under `key`. */
  async function commit(signer: Signer, datanetId: bigint, items: { contentHash: Hex; sizeBytes: bigint }[], key?: string) {
    const salt = benchBytes32(`salt ${salts++}`);
    const hashes = items.map((i) => i.contentHash);
    const commitment = submissionCommitment({ contributor: signer.address as Hex, datanetId, contentHashes: hashes, salt });
    const reserved = items.reduce((sum, i) => sum + i.sizeBytes, 0n);
    const tx = registry.connect(signer).commitSubmission(datanetId, commitment, items.length, reserved);
    if (key) await measure(key, tx);
    else await (await tx).wait();
    return salt;
  }

  /**
   * Commits and reveals `count` new contributions from `signer`; measures the reveal under `key` and
   * the commit under `commitKey`.
   */
  async function submit(signer: Signer, datanetId: bigint, count: number, key?: string, commitKey?: string) {
    const items = nextItems(count);
    const salt = await commit(signer, datanetId, items, commitKey);
    const tx =
      count === 1
        ? registry.connect(signer).submit(datanetId, items[0]!.contentHash, items[0]!.sizeBytes, items[0]!.uri, salt)
        : registry.connect(signer).submitBatch(datanetId, items, salt);
    if (key) await measure(key, tx, count);
    else await (await tx).wait();
    return items;
  }

  /** Moves the chain's clock `seconds` forward (verdicts open `REVEAL_WINDOW` after a reveal). */
  const wait = (seconds: number) => connection.networkHelpers.time.increase(seconds);

  return { connection, ethers, signers, deployment, registry, token, staking, attestations, gas, measure, nextItems, fund, commit, submit, wait };
}

export type Bench = Awaited<ReturnType<typeof createBench>>;

/** EIP-7825: the most gas one transaction may use. */
export const GAS_CAP = 16_777_216;

/**
 * The largest batch that fits the cap, from the measured per-item and fixed costs, confirmed by
 * sending it: `send(n)` must run a batch of n items and return its gasUsed.
 */
export async function largestBatch(perItem: number, fixed: number, send: (n: number) => Promise<bigint>) {
  let n = Math.floor((GAS_CAP - fixed) / perItem);
  for (;;) {
    // A batch over the cap runs out of gas (sent with gasLimit = GAS_CAP) and throws.
    const used = await send(n).catch(() => undefined);
    if (used !== undefined && used <= BigInt(GAS_CAP)) return { items: n, gasUsed: Number(used) };
    n = Math.floor(n * 0.98);
  }
}
