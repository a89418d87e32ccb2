import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";
import type { Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import { hashContent, randomSalt, submissionCommitment } from "../../sdk/actions/contributions.ts";
import { datanetPolicy } from "../../sdk/policy.ts";
import type { DatanetRegistry } from "../../types/ethers-contracts/index.ts";

export const HOUR = 3_600;
export const DAY = 24 * HOUR;
/** Seconds a commitment may wait for its reveal, and a reveal for its verdicts to open. */
export const REVEAL_WINDOW = 30 * 60;
export const OPEN = 10n ** 18n;

/**
 * A small policy whose limits tests can reach: 100-byte items, 3 items and 250 bytes per contributor,
 * no bond, a one-hour validation window.
 */
export const testPolicy = (overrides: Parameters<typeof datanetPolicy>[0] = {}) =>
  datanetPolicy({
    maxBytesPerContribution: 100n,
    maxContributionsPerContributorPerEpoch: 3,
    maxBytesPerContributorPerEpoch: 250n,
    maxBytesPerDatanetPerEpoch: 400n,
    epochLength: DAY,
    quorum: 2,
    submissionBond: 0n,
    validationWindow: HOUR,
    ...overrides,
  });

let counter = 0;
/** A fresh contribution item with a unique hash. */
export function item(sizeBytes = 10n, text = `contribution ${counter++}`) {
  return { contentHash: hashContent(text).contentHash, sizeBytes, uri: `ipfs://test/${counter}` };
}

export type Item = ReturnType<typeof item>;

/** The registry and signers every registry test starts from: one datanet owned by `owner`. */
export async function registryFixture(connection: NetworkConnection) {
  const { ethers } = connection;
  const [admin, owner, alice, bob, carol, finalizer, outsider] = await ethers.getSigners();
  const deployment = await deployProtocol(connection);
  const registry = await ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);
  await (await registry.connect(admin!).grantRole(await registry.FINALIZER_ROLE(), finalizer!.address)).wait();
  await (await registry.connect(owner!).createDatanet(0, "ipfs://datanet", testPolicy())).wait();
  const token = await ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  // Contributors hold OPEN and have approved the registry, for datanets that ask a bond.
  for (const contributor of [alice!, bob!, carol!]) {
    await (await token.connect(admin!).transfer(contributor.address, 1_000n * OPEN)).wait();
    await (await token.connect(contributor).approve(await registry.getAddress(), 2n ** 255n)).wait();
  }
  return {
    deployment,
    registry,
    token,
    datanetId: 1n,
    admin: admin!,
    owner: owner!,
    alice: alice!,
    bob: bob!,
    carol: carol!,
    finalizer: finalizer!,
    outsider: outsider!,
  };
}

/** The commitment `signer` makes over `items` with `salt`. */
export function commitmentOf(signer: HardhatEthersSigner, datanetId: bigint, items: readonly Item[], salt: Hex): Hex {
  return submissionCommitment({
    contributor: signer.address as Hex,
    datanetId,
    contentHashes: items.map((i) => i.contentHash),
    salt,
  });
}

/** The bytes `items` declare in total: what a commitment to them reserves. */
export const totalBytes = (items: readonly Item[]) => items.reduce((sum, i) => sum + i.sizeBytes, 0n);

/**
 * Commits to `items` as `signer`, reserving their count and total bytes (or `reservedBytes`) and
 * paying the datanet's bond, and returns the salt to reveal with.
 */
export async function commit(
  registry: DatanetRegistry,
  signer: HardhatEthersSigner,
  datanetId: bigint,
  items: readonly Item[],
  reservedBytes = totalBytes(items),
): Promise<Hex> {
  const salt = randomSalt();
  const commitment = commitmentOf(signer, datanetId, items, salt);
  await (await registry.connect(signer).commitSubmission(datanetId, commitment, items.length, reservedBytes)).wait();
  return salt;
}

/** Commits then reveals one item (two blocks). */
export async function submitOne(registry: DatanetRegistry, signer: HardhatEthersSigner, datanetId: bigint, it: Item) {
  const salt = await commit(registry, signer, datanetId, [it]);
  return registry.connect(signer).submit(datanetId, it.contentHash, it.sizeBytes, it.uri, salt);
}

/** Commits then reveals a batch (two blocks). */
export async function submitMany(
  registry: DatanetRegistry,
  signer: HardhatEthersSigner,
  datanetId: bigint,
  items: readonly Item[],
) {
  const salt = await commit(registry, signer, datanetId, items);
  return registry.connect(signer).submitBatch(datanetId, [...items], salt);
}
