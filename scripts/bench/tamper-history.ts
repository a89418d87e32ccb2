import type { NetworkConnection } from "hardhat/types/network";
import { keccak256, toHex, type Address } from "viem";

import { runDemoStory } from "../lib/demo-story.ts";
import { datanetPolicy, REVEAL_WINDOW } from "../../sdk/index.ts";

const OPEN = 10n ** 18n;
const DAY = 24 * 60 * 60;

/**
 * The history the tamper bench replays: the demo's story (every contract, about 190 protocol logs),
 * then the administration and the rarer paths the story does not take, so that every event a
 * protocol contract can emit appears at least once: a second datanet with its metadata, allowlist,
 * pause and ownership changes; a lapsed commitment and a credit withdrawal; a validator that bumps
 * its signature generation, is slashed, unbonds and withdraws; a verdict skipped; pauses of the
 * protocol and of each pausable contract; a role granted and revoked, and a default-admin transfer
 * and delay change each scheduled and cancelled; a model's ownership moved and its fee split set;
 * an attribution rejected, its fees swept as unattributed; the reward pool and the Merkle epoch
 * swept after their windows. Returns the deployment's contracts.
 */
export async function buildTamperHistory(connection: NetworkConnection): Promise<{ chainId: number; contracts: Record<string, Address> }> {
  const summary = await runDemoStory(connection, () => {});
  const { ethers, networkHelpers } = connection;
  const c = summary.contracts;
  const signers = await ethers.getSigners();
  const [admin] = signers;
  // Accounts the story never uses.
  const [curator, heir, member, newValidator, pendingAdmin, guardianAccount] = signers.slice(13, 19);
  const token = await ethers.getContractAt("OpenToken", c.openToken!);
  const registry = await ethers.getContractAt("DatanetRegistry", c.datanetRegistry!);
  const staking = await ethers.getContractAt("ValidatorStaking", c.validatorStaking!);
  const attestations = await ethers.getContractAt("AttestationRegistry", c.attestationRegistry!);
  const pools = await ethers.getContractAt("RewardPools", c.rewardPools!);
  const factory = await ethers.getContractAt("ModelFactory", c.modelFactory!);
  const attribution = await ethers.getContractAt("ProofOfAttribution", c.proofOfAttribution!);
  const send = async (tx: Promise<{ wait: () => Promise<unknown> }>) => (await tx).wait();
  for (const account of [curator!, member!, newValidator!]) await send(token.connect(admin!).transfer(account.address, 10_000n * OPEN));

  // A second datanet: metadata, allowlist (added, then removed), pause, ownership handed over.
  const policy = datanetPolicy({ allowlistOnly: true, quorum: 1, minValidatorStake: 100n * OPEN });
  await send(registry.connect(curator!).createDatanet(0, "ipfs://tamper/datanet", policy));
  const datanetId = await registry.datanetCount();
  await send(registry.connect(curator!).updateMetadata(datanetId, "ipfs://tamper/datanet-v2"));
  await send(registry.connect(curator!).setAllowlisted(datanetId, [member!.address, curator!.address], true));
  await send(registry.connect(curator!).setAllowlisted(datanetId, [curator!.address], false));
  await send(registry.connect(curator!).setDatanetPaused(datanetId, true));
  await send(registry.connect(curator!).setDatanetPaused(datanetId, false));
  await send(registry.connect(curator!).transferDatanetOwnership(datanetId, heir!.address));
  await send(registry.connect(heir!).acceptDatanetOwnership(datanetId));

  // A commitment never revealed lapses (its bond is credited to the treasury); a credit is withdrawn.
  await send(token.connect(member!).approve(c.datanetRegistry!, 1_000n * OPEN));
  const commitment = keccak256(toHex("a commitment never revealed"));
  await send(registry.connect(member!).commitSubmission(datanetId, commitment, 1, 100n));
  await networkHelpers.time.increase(REVEAL_WINDOW + 1);
  await send(registry.connect(member!).lapseCommitment(member!.address, commitment));
  for (const contributor of summary.contributors) {
    if ((await registry.creditOf(contributor.address)) === 0n) continue;
    await send(registry.connect(await ethers.getSigner(contributor.address)).withdrawCredit());
    break;
  }

  // A validator bumps its signature generation, is slashed, unbonds and withdraws.
  await send(token.connect(newValidator!).approve(c.validatorStaking!, 1_000n * OPEN));
  await send(staking.connect(newValidator!).stake(datanetId, 500n * OPEN));
  await send(staking.connect(newValidator!).invalidateSignatures(datanetId));
  await send(staking.connect(admin!).slash(datanetId, newValidator!.address, 1n * OPEN, keccak256(toHex("incident 1"))));
  await send(staking.connect(newValidator!).requestUnbond(datanetId));
  await networkHelpers.time.increase(Number(await staking.unbondingPeriod()) + 1);
  await send(staking.connect(newValidator!).withdraw(datanetId));

  // A verdict on a contribution already closed is skipped, not recorded.
  const vera = summary.validators[0]!;
  const [first] = await registry.queryFilter(registry.filters.ContributionFinalized());
  const [submitted] = await registry.queryFilter(registry.filters.ContributionSubmitted(first!.args.contributionId));
  await send(attestations.connect(await ethers.getSigner(vera.address)).attestBatch([{ contentHash: submitted!.args.contentHash, accept: true, quality: 50, reasonCode: 0 }]));

  // Pauses: the protocol, then each pausable contract, each lifted.
  await send(registry.connect(admin!).setProtocolPaused(true));
  await send(registry.connect(admin!).setProtocolPaused(false));
  for (const pausable of [staking, pools, attribution]) {
    await send(pausable.connect(admin!).pause(DAY));
    await send(pausable.connect(admin!).unpause());
  }

  // Roles: one granted and revoked; a default-admin transfer and a delay change, each scheduled and cancelled.
  const guardian = await attribution.GUARDIAN_ROLE();
  await send(attribution.connect(admin!).grantRole(guardian, heir!.address));
  await send(attribution.connect(admin!).revokeRole(guardian, heir!.address));
  await send(pools.connect(admin!).beginDefaultAdminTransfer(pendingAdmin!.address));
  await send(pools.connect(admin!).cancelDefaultAdminTransfer());
  await send(pools.connect(admin!).changeDefaultAdminDelay(2 * DAY));
  await send(pools.connect(admin!).rollbackDefaultAdminDelay());

  // The model changes hands and its fee split is set; an epoch's attribution is rejected, then its fees swept.
  const modelId = summary.model.modelId;
  const owner = await ethers.getSigner((await factory.getModel(modelId)).owner);
  await send(factory.connect(owner).transferModelOwnership(modelId, heir!.address));
  await send(factory.connect(heir!).acceptModelOwnership(modelId));
  const split = await attribution.feeSplitOf(modelId);
  // One point of the developer's part moves to the contributors.
  await send(attribution.connect(heir!).setFeeSplit(modelId, { contributorsBps: split.contributorsBps + 100n, developerBps: split.developerBps - 100n, validatorsBps: split.validatorsBps, maxRecipientBps: split.maxRecipientBps }));
  // One epoch's first proposal is rejected and the second released (a Merkle epoch nobody claims
  // from); the next epoch's fees are never attributed and are swept.
  await send(token.connect(member!).approve(c.proofOfAttribution!, 20n * OPEN));
  const epochLength = Number(await attribution.epochLength());
  const attributor = await attribution.ATTRIBUTOR_ROLE();
  if (!(await attribution.hasRole(attributor, admin!.address))) await send(attribution.connect(admin!).grantRole(attributor, admin!.address));
  // The guardian checks the attributor, so it is another account.
  await send(attribution.connect(admin!).grantRole(guardian, guardianAccount!.address));
  const payFees = async (batch: string) => {
    await send(attribution.connect(member!).payFees([{ modelId, amount: 10n * OPEN, inferenceBatchHash: keccak256(toHex(batch)) }]));
    return attribution.currentEpoch();
  };
  const releasedEpoch = await payFees("released batch");
  await networkHelpers.time.increase(epochLength + 1);
  const propose = () => attribution.connect(admin!).proposeAttribution(modelId, releasedEpoch, keccak256(toHex("a root")), 1n * OPEN, keccak256(toHex("records")));
  await send(propose());
  await send(attribution.connect(guardianAccount!).rejectAttribution(modelId, releasedEpoch, keccak256(toHex("wrong root"))));
  await send(propose());
  await networkHelpers.time.increase(Number(await attribution.challengeWindow()) + 1);
  await send(attribution.connect(admin!).releaseAttribution(modelId, releasedEpoch));
  const sweptEpoch = await payFees("unattributed batch");
  await networkHelpers.time.increase(epochLength * (Number(await attribution.ATTRIBUTION_DEADLINE_EPOCHS()) + 2));
  await send(attribution.connect(admin!).sweepUnattributed(modelId, sweptEpoch));

  // After their windows, the story's reward pool and its Merkle epoch are swept.
  const datanet = await registry.getDatanet(summary.datanetId);
  await networkHelpers.time.increase(Number(datanet.policy.epochLength) * (Number(await pools.claimWindowEpochs()) + 2));
  await send(pools.connect(admin!).sweep(summary.datanetId, summary.rewards.epoch));
  const distributor = await ethers.getContractAt("MerkleEpochDistributor", c.merkleEpochDistributor!);
  for (const posted of await distributor.queryFilter(distributor.filters.RootPosted())) {
    const epoch = await ethers.getContractAt("MerkleEpoch", posted.args.epochContract);
    const terms = await epoch.terms();
    if ((await token.balanceOf(posted.args.epochContract)) === 0n) continue;
    const now = (await ethers.provider.getBlock("latest"))!.timestamp;
    if (now < Number(terms.expiresAt)) await networkHelpers.time.increaseTo(Number(terms.expiresAt) + 1);
    await send(epoch.connect(admin!).sweep());
  }
  return { chainId: summary.chainId, contracts: c };
}
