import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import type { AttestationRegistry } from "../../types/ethers-contracts/index.ts";
import { OPEN, REVEAL_WINDOW, item, submitMany, testPolicy, type Item } from "./registry.ts";

export { OPEN };
export const MIN_STAKE = 1_000n * OPEN;
export const WEEK = 7 * 24 * 3_600;

/** The EIP-712 verdict type, written out independently of the SDK's so that each checks the other. */
export const SIGNED_VERDICT_TYPE = [
  { name: "contentHash", type: "bytes32" },
  { name: "contributionId", type: "uint256" },
  { name: "accept", type: "bool" },
  { name: "quality", type: "uint8" },
  { name: "reasonCode", type: "uint16" },
  { name: "generation", type: "uint32" },
  { name: "deadline", type: "uint64" },
] as const;

export interface VerdictInput {
  contentHash: string;
  accept: boolean;
  quality: number;
  reasonCode: number;
}

/** The bond each contribution carries in the validator fixture. */
export const BOND = 10n * OPEN;

/**
 * The protocol with one datanet (quorum 3, two-thirds threshold, 1,000 OPEN minimum stake, a 10-OPEN
 * bond, a one-hour validation window), five validators staked 1,000 / 1,000 / 2,000 / 1,000 / 3,000 OPEN
 * (8,000 eligible) before six contributions by `contributor` were revealed, and their verdicts open.
 */
export async function validatorFixture(connection: NetworkConnection) {
  const { ethers } = connection;
  const signers = await ethers.getSigners();
  const [admin, owner, contributor, outsider, v1, v2, v3, v4, v5, lazy] = signers as HardhatEthersSigner[];
  const deployment = await deployProtocol(connection);
  const registry = await ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);
  const token = await ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  const staking = await ethers.getContractAt("ValidatorStaking", deployment.contracts.validatorStaking);
  const attestations = await ethers.getContractAt("AttestationRegistry", deployment.contracts.attestationRegistry);

  const policy = testPolicy({
    minValidatorStake: MIN_STAKE,
    quorum: 3,
    acceptanceThresholdBps: 6_667,
    maxContributionsPerContributorPerEpoch: 100,
    maxBytesPerContributorPerEpoch: 10_000n,
    maxBytesPerDatanetPerEpoch: 100_000n,
    submissionBond: BOND,
  });
  await (await registry.connect(owner!).createDatanet(0, "ipfs://validated", policy)).wait();
  const datanetId = 1n;

  const validators = [v1!, v2!, v3!, v4!, v5!];
  const stakes = [1_000n, 1_000n, 2_000n, 1_000n, 3_000n].map((n) => n * OPEN);
  for (const [i, validator] of validators.entries()) {
    await (await token.connect(admin!).transfer(validator.address, 10_000n * OPEN)).wait();
    await (await token.connect(validator).approve(await staking.getAddress(), 2n ** 255n)).wait();
    await (await staking.connect(validator).stake(datanetId, stakes[i]!)).wait();
  }
  await (await token.connect(admin!).transfer(lazy!.address, 10_000n * OPEN)).wait();
  await (await token.connect(lazy!).approve(await staking.getAddress(), 2n ** 255n)).wait();

  for (const account of [contributor!, outsider!]) {
    await (await token.connect(admin!).transfer(account.address, 1_000n * OPEN)).wait();
    await (await token.connect(account).approve(await registry.getAddress(), 2n ** 255n)).wait();
  }
  const items: Item[] = Array.from({ length: 6 }, () => item(10n));
  await (await submitMany(registry, contributor!, datanetId, items)).wait();
  await connection.networkHelpers.time.increase(REVEAL_WINDOW);

  return {
    deployment,
    registry,
    token,
    staking,
    attestations,
    datanetId,
    policy,
    items,
    admin: admin!,
    owner: owner!,
    contributor: contributor!,
    outsider: outsider!,
    validators,
    lazy: lazy!,
  };
}

export type ValidatorFixture = Awaited<ReturnType<typeof validatorFixture>>;

/** Moves time past a contribution's validation window, so it can be finalized. */
export async function pastWindow(connection: NetworkConnection, f: Pick<ValidatorFixture, "registry">, contentHash: string) {
  const { votingEndsAt } = await f.registry.getContribution(contentHash);
  await connection.networkHelpers.time.increaseTo(votingEndsAt);
}

/** Signs a verdict as `validator` with its current generation (or the one given). */
export async function signVerdict(
  f: Pick<ValidatorFixture, "attestations" | "staking" | "registry">,
  validator: HardhatEthersSigner,
  verdict: VerdictInput,
  options: { deadline?: bigint; generation?: bigint; domain?: { chainId?: bigint; verifyingContract?: string } } = {},
) {
  const provider = validator.provider!;
  const { chainId } = await provider.getNetwork();
  const { datanetId, id: contributionId } = await f.registry.getContribution(verdict.contentHash);
  const generation = options.generation ?? (await f.staking.signatureGeneration(datanetId, validator.address));
  const deadline = options.deadline ?? BigInt((await provider.getBlock("latest"))!.timestamp + 3_600);
  const signature = await validator.signTypedData(
    {
      name: "OpenLedger Attestations",
      version: "1",
      chainId: options.domain?.chainId ?? chainId,
      verifyingContract: options.domain?.verifyingContract ?? (await f.attestations.getAddress()),
    },
    { Verdict: [...SIGNED_VERDICT_TYPE] },
    { ...verdict, contributionId, generation, deadline },
  );
  return { validator: validator.address, verdict, generation, deadline, signature };
}

/** The three entry points, each giving the same verdicts by `validator`. */
export const ENTRY_PATHS = {
  direct: async (f: ValidatorFixture, validator: HardhatEthersSigner, verdicts: VerdictInput[]) => {
    let last;
    for (const v of verdicts) last = await f.attestations.connect(validator).attest(v);
    return last!;
  },
  batch: (f: ValidatorFixture, validator: HardhatEthersSigner, verdicts: VerdictInput[]) =>
    f.attestations.connect(validator).attestBatch(verdicts),
  signed: async (f: ValidatorFixture, validator: HardhatEthersSigner, verdicts: VerdictInput[]) => {
    const signed = [];
    for (const v of verdicts) signed.push(await signVerdict(f, validator, v));
    return f.attestations.connect(f.outsider).attestSigned(signed);
  },
} satisfies Record<string, (f: ValidatorFixture, v: HardhatEthersSigner, verdicts: VerdictInput[]) => Promise<unknown>>;

export type EntryPath = keyof typeof ENTRY_PATHS;
export type { AttestationRegistry };
