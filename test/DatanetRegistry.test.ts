import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash } from "ethers";

import { datanetPolicy } from "../sdk/policy.ts";
import {
  commit,
  commitmentOf,
  DAY,
  item,
  OPEN,
  REVEAL_WINDOW,
  registryFixture,
  submitMany,
  submitOne,
  testPolicy,
  type Item,
} from "./helpers/registry.ts";
import { pinNextBlockTime } from "./helpers/clock.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const fixture = () => registryFixture(connection);

const Status = { None: 0n, Pending: 1n, Accepted: 2n, Rejected: 3n, Withdrawn: 4n, Expired: 5n, Displaced: 6n };
const Field = {
  MaxBytesPerContribution: 0,
  MaxContributionsPerContributorPerEpoch: 1,
  MaxBytesPerContributorPerEpoch: 2,
  MaxBytesPerDatanetPerEpoch: 3,
  EpochLength: 4,
  MinValidatorStake: 5,
  Quorum: 6,
  AcceptanceThresholdBps: 7,
  ContributorRewardBps: 8,
  ValidationWindow: 9,
};

describe("DatanetRegistry", function () {
  describe("datanets", function () {
    it("creates datanets with sequential ids and an event carrying the whole configuration", async function () {
      const { registry, alice } = await networkHelpers.loadFixture(fixture);
      const policy = testPolicy({ allowlistOnly: true });
      const createdAt = await pinNextBlockTime(networkHelpers.time);
      const tx = registry.connect(alice).createDatanet(2, "ipfs://audio", policy);
      await expect(tx)
        .to.emit(registry, "DatanetCreated")
        .withArgs(2n, alice.address, 2, "ipfs://audio", Object.values(policy), createdAt);
      const info = await registry.getDatanet(2n);
      expect(info.owner).to.equal(alice.address);
      expect(info.kind).to.equal(2n);
      expect(info.createdAt).to.equal(BigInt(createdAt));
      expect(info.policy.allowlistOnly).to.equal(true);
      expect(info.policy.maxBytesPerContribution).to.equal(policy.maxBytesPerContribution);
      expect(info.policy.contributorRewardBps).to.equal(BigInt(policy.contributorRewardBps));
      expect(await registry.datanetCount()).to.equal(2n);
    });

    const invalid: [string, Partial<ReturnType<typeof datanetPolicy>>, number, bigint][] = [
      ["zero item size", { maxBytesPerContribution: 0n }, Field.MaxBytesPerContribution, 0n],
      ["zero count quota", { maxContributionsPerContributorPerEpoch: 0 }, Field.MaxContributionsPerContributorPerEpoch, 0n],
      ["contributor bytes below item size", { maxBytesPerContributorPerEpoch: 99n }, Field.MaxBytesPerContributorPerEpoch, 99n],
      ["datanet bytes below contributor bytes", { maxBytesPerDatanetPerEpoch: 249n }, Field.MaxBytesPerDatanetPerEpoch, 249n],
      ["epoch shorter than an hour", { epochLength: 3_599 }, Field.EpochLength, 3_599n],
      ["epoch longer than 366 days", { epochLength: 366 * DAY + 1 }, Field.EpochLength, BigInt(366 * DAY + 1)],
      ["zero validator stake", { minValidatorStake: 0n }, Field.MinValidatorStake, 0n],
      ["zero quorum", { quorum: 0 }, Field.Quorum, 0n],
      ["quorum above 100", { quorum: 101 }, Field.Quorum, 101n],
      ["threshold at half", { acceptanceThresholdBps: 5_000 }, Field.AcceptanceThresholdBps, 5_000n],
      ["threshold above 100%", { acceptanceThresholdBps: 10_001 }, Field.AcceptanceThresholdBps, 10_001n],
      ["contributor share below half", { contributorRewardBps: 4_999 }, Field.ContributorRewardBps, 4_999n],
      ["contributor share above 100%", { contributorRewardBps: 10_001 }, Field.ContributorRewardBps, 10_001n],
      ["validation window under 10 minutes", { validationWindow: 599 }, Field.ValidationWindow, 599n],
      ["validation window over 30 days", { validationWindow: 30 * DAY + 1 }, Field.ValidationWindow, BigInt(30 * DAY + 1)],
    ];
    for (const [name, override, field, value] of invalid) {
      it(`rejects a policy with ${name} (InvalidPolicy) on create and update`, async function () {
        const { registry, owner, datanetId } = await networkHelpers.loadFixture(fixture);
        await expect(registry.connect(owner).createDatanet(0, "x", testPolicy(override)))
          .to.be.revertedWithCustomError(registry, "InvalidPolicy")
          .withArgs(field, value);
        if (override.epochLength === undefined) {
          await expect(registry.connect(owner).updatePolicy(datanetId, testPolicy(override)))
            .to.be.revertedWithCustomError(registry, "InvalidPolicy")
            .withArgs(field, value);
        }
        expect(await registry.datanetCount()).to.equal(1n);
      });
    }

    it("accepts the boundary values of every range", async function () {
      const { registry, owner } = await networkHelpers.loadFixture(fixture);
      const edge = testPolicy({
        maxBytesPerContributorPerEpoch: 100n,
        maxBytesPerDatanetPerEpoch: 100n,
        epochLength: 3_600,
        quorum: 100,
        acceptanceThresholdBps: 5_001,
        contributorRewardBps: 5_000,
      });
      await expect(registry.connect(owner).createDatanet(3, "x", edge)).to.emit(registry, "DatanetCreated");
      await expect(
        registry.connect(owner).createDatanet(3, "y", testPolicy({ epochLength: 366 * DAY, acceptanceThresholdBps: 10_000, contributorRewardBps: 10_000 })),
      ).to.emit(registry, "DatanetCreated");
    });

    it("lets only the owner change the policy, never the epoch length, from two epochs on", async function () {
      const { registry, owner, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      const stricter = testPolicy({ maxBytesPerContribution: 5n });
      await expect(registry.connect(alice).updatePolicy(datanetId, stricter))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(datanetId, alice.address);
      await expect(registry.connect(owner).updatePolicy(datanetId, testPolicy({ epochLength: 2 * DAY })))
        .to.be.revertedWithCustomError(registry, "EpochLengthImmutable")
        .withArgs(datanetId, DAY, 2 * DAY);
      await expect(registry.connect(owner).updatePolicy(datanetId, stricter))
        .to.emit(registry, "DatanetPolicyUpdated")
        .withArgs(datanetId, Object.values(stricter), 2);
      await expect(registry.connect(owner).updatePolicy(datanetId, testPolicy()))
        .to.be.revertedWithCustomError(registry, "PolicyChangePending")
        .withArgs(datanetId, 2);
      // Epochs 0 and 1 keep their terms; the change governs epoch 2 on.
      expect((await registry.getDatanet(datanetId)).policy.maxBytesPerContribution).to.equal(testPolicy().maxBytesPerContribution);
      expect((await registry.epochTerms(datanetId, 1n)).maxBytesPerContribution).to.equal(testPolicy().maxBytesPerContribution);
      expect((await registry.epochTerms(datanetId, 2n)).maxBytesPerContribution).to.equal(5n);
      const [current, scheduled, from] = await registry.policySchedule(datanetId);
      expect([current.maxBytesPerContribution, scheduled.maxBytesPerContribution, from]).to.deep.equal([testPolicy().maxBytesPerContribution, 5n, 2n]);
      await expect(submitOne(registry, alice, datanetId, item(10n))).to.emit(registry, "ContributionSubmitted");
      // Committed a minute before epoch 2 under the old terms, revealed a minute into it under the new.
      const { createdAt } = await registry.getDatanet(datanetId);
      await networkHelpers.time.increaseTo(createdAt + BigInt(2 * DAY) - 60n);
      const it = item(10n);
      const salt = await commit(registry, alice, datanetId, [it]);
      await networkHelpers.time.increase(120);
      await expect(registry.connect(alice).submit(datanetId, it.contentHash, it.sizeBytes, it.uri, salt))
        .to.be.revertedWithCustomError(registry, "ContributionTooLarge")
        .withArgs(it.contentHash, 10n, 5n);
      await expect(submitOne(registry, alice, datanetId, item(10n)))
        .to.be.revertedWithCustomError(registry, "InvalidReservation")
        .withArgs(1, 10n);
      await expect(registry.epochTerms(datanetId, 1n)).to.be.revertedWithCustomError(registry, "EpochTermsPassed").withArgs(datanetId, 1n, 2n);
      // Once applied, the next change may be scheduled (and the applied one becomes the current terms).
      await expect(registry.connect(owner).updatePolicy(datanetId, testPolicy())).to.emit(registry, "DatanetPolicyUpdated");
      expect((await registry.policySchedule(datanetId))[0].maxBytesPerContribution).to.equal(5n);
    });

    it("lets only the owner update the metadata URI", async function () {
      const { registry, owner, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).updateMetadata(datanetId, "ipfs://new"))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(datanetId, alice.address);
      await expect(registry.connect(owner).updateMetadata(datanetId, "ipfs://new"))
        .to.emit(registry, "DatanetMetadataUpdated")
        .withArgs(datanetId, "ipfs://new");
    });

    it("reverts DatanetUnknown for every call naming a datanet that does not exist", async function () {
      const { registry, owner, alice } = await networkHelpers.loadFixture(fixture);
      const unknown = 7n;
      const calls = [
        () => registry.getDatanet(unknown),
        () => registry.currentEpoch(unknown),
        () => registry.isAllowlisted(unknown, alice.address),
        () => registry.contributorUsage(unknown, alice.address),
        () => registry.datanetBytesUsed(unknown),
        () => registry.connect(owner).updateMetadata(unknown, "x"),
        () => registry.connect(owner).updatePolicy(unknown, testPolicy()),
        () => registry.connect(owner).setAllowlisted(unknown, [alice.address], true),
        () => registry.connect(owner).setDatanetPaused(unknown, true),
        () => registry.connect(owner).transferDatanetOwnership(unknown, alice.address),
        () => registry.connect(alice).acceptDatanetOwnership(unknown),
        () => registry.connect(owner).publishVersion(unknown, ZeroHash, 0n, "x"),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(registry, "DatanetUnknown").withArgs(unknown);
      }
      await expect(submitOne(registry, alice, unknown, item()))
        .to.be.revertedWithCustomError(registry, "DatanetUnknown")
        .withArgs(unknown);
      await expect(submitMany(registry, alice, unknown, [item()]))
        .to.be.revertedWithCustomError(registry, "DatanetUnknown")
        .withArgs(unknown);
    });

    it("enforces the allowlist when the datanet is allowlist-only", async function () {
      const { registry, owner, alice, bob } = await networkHelpers.loadFixture(fixture);
      await (await registry.connect(owner).createDatanet(0, "closed", testPolicy({ allowlistOnly: true }))).wait();
      await expect(registry.connect(alice).setAllowlisted(2n, [alice.address], true))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(2n, alice.address);
      await expect(registry.connect(owner).setAllowlisted(2n, [alice.address, ZeroAddress], true))
        .to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(submitOne(registry, alice, 2n, item()))
        .to.be.revertedWithCustomError(registry, "ContributorNotAllowlisted")
        .withArgs(2n, alice.address);
      // Additions apply at once: they only widen who may take part.
      await expect(registry.connect(owner).setAllowlisted(2n, [alice.address, bob.address], true))
        .to.emit(registry, "AllowlistUpdated")
        .withArgs(2n, bob.address, true, 0);
      expect(await registry.isAllowlisted(2n, alice.address)).to.equal(true);
      await expect(submitOne(registry, alice, 2n, item())).to.emit(registry, "ContributionSubmitted");
      // A removal applies two epochs on, so nobody is shut out of an epoch whose terms are fixed.
      await expect(registry.connect(owner).setAllowlisted(2n, [alice.address], false))
        .to.emit(registry, "AllowlistUpdated")
        .withArgs(2n, alice.address, false, 2);
      expect(await registry.allowlistEntry(2n, alice.address)).to.deep.equal([true, 2n]);
      await expect(submitOne(registry, alice, 2n, item())).to.emit(registry, "ContributionSubmitted");
      await networkHelpers.time.increase(2 * DAY);
      expect(await registry.isAllowlisted(2n, alice.address)).to.equal(false);
      await expect(submitMany(registry, alice, 2n, [item()]))
        .to.be.revertedWithCustomError(registry, "ContributorNotAllowlisted")
        .withArgs(2n, alice.address);
      // Listing again applies at once.
      await (await registry.connect(owner).setAllowlisted(2n, [alice.address], true)).wait();
      expect(await registry.allowlistEntry(2n, alice.address)).to.deep.equal([true, 0n]);
      await expect(submitOne(registry, alice, 2n, item())).to.emit(registry, "ContributionSubmitted");
    });

    it("lets only the owner pause a datanet, which stops its submissions", async function () {
      const { registry, owner, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).setDatanetPaused(datanetId, true))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(datanetId, alice.address);
      await expect(registry.connect(owner).setDatanetPaused(datanetId, true))
        .to.emit(registry, "DatanetPauseSet")
        .withArgs(datanetId, true);
      await expect(submitOne(registry, alice, datanetId, item()))
        .to.be.revertedWithCustomError(registry, "DatanetPaused")
        .withArgs(datanetId);
      await (await registry.connect(owner).setDatanetPaused(datanetId, false)).wait();
      await expect(submitOne(registry, alice, datanetId, item())).to.emit(registry, "ContributionSubmitted");
    });

    it("transfers ownership in two steps", async function () {
      const { registry, owner, alice, bob, datanetId } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).transferDatanetOwnership(datanetId, alice.address))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(datanetId, alice.address);
      await expect(registry.connect(owner).transferDatanetOwnership(datanetId, alice.address))
        .to.emit(registry, "DatanetOwnershipTransferStarted")
        .withArgs(datanetId, owner.address, alice.address);
      await expect(registry.connect(bob).acceptDatanetOwnership(datanetId))
        .to.be.revertedWithCustomError(registry, "NotPendingDatanetOwner")
        .withArgs(datanetId, bob.address);
      expect((await registry.getDatanet(datanetId)).owner).to.equal(owner.address);
      await expect(registry.connect(alice).acceptDatanetOwnership(datanetId))
        .to.emit(registry, "DatanetOwnershipTransferred")
        .withArgs(datanetId, owner.address, alice.address);
      const info = await registry.getDatanet(datanetId);
      expect([info.owner, info.pendingOwner]).to.deep.equal([alice.address, ZeroAddress]);
      await expect(registry.connect(owner).updateMetadata(datanetId, "x"))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(datanetId, owner.address);
    });

    it("cancels a pending transfer when the owner names the zero address", async function () {
      const { registry, owner, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await (await registry.connect(owner).transferDatanetOwnership(datanetId, alice.address)).wait();
      await (await registry.connect(owner).transferDatanetOwnership(datanetId, ZeroAddress)).wait();
      await expect(registry.connect(alice).acceptDatanetOwnership(datanetId))
        .to.be.revertedWithCustomError(registry, "NotPendingDatanetOwner")
        .withArgs(datanetId, alice.address);
    });
  });

  describe("protocol roles", function () {
    it("refuses a zero admin at deployment", async function () {
      const factory = await ethers.getContractFactory("DatanetRegistry");
      const { deployment, admin } = await networkHelpers.loadFixture(fixture);
      const token = deployment.contracts.openToken;
      await expect(factory.deploy(token, admin.address, ZeroAddress, 0))
        .to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin")
        .withArgs(ZeroAddress);
      await expect(factory.deploy(ZeroAddress, admin.address, admin.address, 0)).to.be.revertedWithCustomError(factory, "ZeroAddress");
      await expect(factory.deploy(token, ZeroAddress, admin.address, 0)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    });

    it("binds its validation contract once, by the admin, and only a contract", async function () {
      const { deployment, registry, admin, alice, outsider } = await networkHelpers.loadFixture(fixture);
      const attestations = deployment.contracts.attestationRegistry;
      // The deployment binds the attestation contract, which thereby holds FINALIZER_ROLE.
      expect(await registry.validation()).to.equal(attestations);
      expect(await registry.hasRole(await registry.FINALIZER_ROLE(), attestations)).to.equal(true);
      await expect(registry.connect(admin).bindValidation(deployment.contracts.validatorStaking))
        .to.be.revertedWithCustomError(registry, "ValidationAlreadyBound")
        .withArgs(attestations);

      // A registry not bound yet: an outsider cannot bind it, nor can the admin bind an account without
      // code or a contract judging another registry's contributions.
      const unbound = await (await ethers.getContractFactory("DatanetRegistry")).deploy(deployment.contracts.openToken, admin.address, admin.address, 0);
      const own = await (await ethers.getContractFactory("AttestationRegistry")).deploy(unbound, deployment.contracts.validatorStaking);
      expect(await unbound.validation()).to.equal(ZeroAddress);
      await expect(unbound.connect(outsider).bindValidation(own))
        .to.be.revertedWithCustomError(unbound, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await unbound.DEFAULT_ADMIN_ROLE());
      for (const wrong of [alice.address, attestations]) {
        await expect(unbound.connect(admin).bindValidation(wrong))
          .to.be.revertedWithCustomError(unbound, "ValidationNotForThisRegistry")
          .withArgs(wrong);
      }
      expect(await unbound.validation()).to.equal(ZeroAddress);
      // Unbound, a commitment reserves nothing and works all the same.
      await (await unbound.connect(alice).createDatanet(0, "ipfs://unbound", testPolicy())).wait();
      await (await submitOne(unbound, alice, 1n, item())).wait();
      expect(await unbound.contributionCount()).to.equal(1n);

      await expect(unbound.connect(admin).bindValidation(own))
        .to.emit(unbound, "ValidationBound")
        .withArgs(await own.getAddress())
        .and.to.emit(unbound, "RoleGranted")
        .withArgs(await unbound.FINALIZER_ROLE(), await own.getAddress(), admin.address);
      // Bound after a contribution: commitments reserve words from id 1 on, which later verdicts find.
      await (await submitOne(unbound, alice, 1n, item())).wait();
      expect(await unbound.contributionCount()).to.equal(2n);
      expect(await unbound.validation()).to.equal(await own.getAddress());
    });

    it("lets only PAUSER_ROLE pause the protocol, which stops every state change but admin ones", async function () {
      const { registry, admin, owner, alice, finalizer, datanetId } = await networkHelpers.loadFixture(fixture);
      const pending = item();
      await (await submitOne(registry, alice, datanetId, pending)).wait();
      const committed = item();
      const salt = await commit(registry, alice, datanetId, [committed]);

      await expect(registry.connect(alice).setProtocolPaused(true))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, await registry.PAUSER_ROLE());
      await expect(registry.connect(admin).setProtocolPaused(true))
        .to.emit(registry, "ProtocolPauseSet")
        .withArgs(admin.address, true);
      expect(await registry.protocolPaused()).to.equal(true);

      const paused = [
        () => registry.connect(alice).commitSubmission(datanetId, ethers.id("c"), 1, 1n),
        () => registry.connect(alice).lapseCommitment(alice.address, ethers.id("c")),
        () => registry.connect(alice).submit(datanetId, committed.contentHash, committed.sizeBytes, committed.uri, salt),
        () => registry.connect(alice).submitBatch(datanetId, [committed], salt),
        () => registry.connect(alice).withdraw(pending.contentHash),
        () => registry.connect(finalizer).finalize(pending.contentHash, Status.Accepted),
        () => registry.connect(owner).publishVersion(datanetId, ethers.id("root"), 0n, "x"),
      ];
      for (const call of paused) await expect(call()).to.be.revertedWithCustomError(registry, "ProtocolPaused");

      // Datanet administration stays possible while paused.
      await expect(registry.connect(owner).updateMetadata(datanetId, "x")).to.emit(registry, "DatanetMetadataUpdated");
      await (await registry.connect(admin).setProtocolPaused(false)).wait();
      await expect(
        registry.connect(alice).submit(datanetId, committed.contentHash, committed.sizeBytes, committed.uri, salt),
      ).to.emit(registry, "ContributionSubmitted");
    });

    it("ends a protocol pause by itself after 7 days, and refunds the commitments whose reveal window it overlapped", async function () {
      const { registry, admin, owner, alice, bob } = await networkHelpers.loadFixture(fixture);
      await (await registry.connect(owner).createDatanet(0, "bonded", testPolicy({ submissionBond: 5n * OPEN }))).wait();
      const [a, b] = [item(10n), item(10n)];
      const saltA = await commit(registry, alice, 2n, [a]);
      await (await registry.connect(admin).setProtocolPaused(true)).wait();
      await networkHelpers.time.increase(7 * DAY - 10);
      expect(await registry.protocolPaused()).to.equal(true);
      await networkHelpers.time.increase(10);
      expect(await registry.protocolPaused()).to.equal(false); // lapsed by itself
      // Alice could not reveal during the pause: her lapsed bond comes back to her.
      await (await registry.connect(bob).lapseCommitment(alice.address, commitmentOf(alice, 2n, [a], saltA))).wait();
      expect(await registry.creditOf(alice.address)).to.equal(5n * OPEN);
      // A commitment made and left to lapse after the pause pays the treasury as always.
      const saltB = await commit(registry, bob, 2n, [b]);
      await networkHelpers.time.increase(REVEAL_WINDOW + 1);
      await (await registry.connect(alice).lapseCommitment(bob.address, commitmentOf(bob, 2n, [b], saltB))).wait();
      expect(await registry.creditOf(await registry.treasury())).to.equal(5n * OPEN);
    });

    it("lets only FINALIZER_ROLE finalize", async function () {
      const { registry, admin, owner, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      const it = item();
      await (await submitOne(registry, alice, datanetId, it)).wait();
      const role = await registry.FINALIZER_ROLE();
      for (const caller of [admin, owner, alice]) {
        await expect(registry.connect(caller).finalize(it.contentHash, Status.Accepted))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });

    it("lets only the admin grant roles, and only a holder renounce its own", async function () {
      const { registry, admin, alice, finalizer } = await networkHelpers.loadFixture(fixture);
      const role = await registry.FINALIZER_ROLE();
      await expect(registry.connect(alice).grantRole(role, alice.address))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(alice.address, await registry.DEFAULT_ADMIN_ROLE());
      await expect(registry.connect(alice).renounceRole(role, finalizer.address)).to.be.revertedWithCustomError(
        registry,
        "AccessControlBadConfirmation",
      );
      await expect(registry.connect(admin).revokeRole(role, finalizer.address)).to.emit(registry, "RoleRevoked");
    });
  });

  describe("commit-reveal", function () {
    it("rejects a zero or repeated commitment, and an empty reservation", async function () {
      const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).commitSubmission(datanetId, ZeroHash, 1, 10n)).to.be.revertedWithCustomError(
        registry,
        "ZeroCommitment",
      );
      const c = ethers.id("commitment");
      for (const [count, bytes] of [[0, 10n], [2, 1n]] as const) {
        await expect(registry.connect(alice).commitSubmission(datanetId, c, count, bytes))
          .to.be.revertedWithCustomError(registry, "InvalidReservation")
          .withArgs(count, bytes);
      }
      const at = await pinNextBlockTime(networkHelpers.time);
      await expect(registry.connect(alice).commitSubmission(datanetId, c, 2, 30n))
        .to.emit(registry, "SubmissionCommitted")
        .withArgs(alice.address, c, datanetId, 2, 30n, 0n, 0, at);
      expect(await registry.getCommitment(alice.address, c)).to.deep.equal([BigInt(at), datanetId, 2n, 30n, 0n]);
      expect((await registry.getCommitment(ZeroAddress, c)).committedAt).to.equal(0n);
      await expect(registry.connect(alice).commitSubmission(datanetId, c, 1, 10n))
        .to.be.revertedWithCustomError(registry, "CommitmentAlreadyExists")
        .withArgs(c);
    });

    it("reserves quota at commit, so a reveal never fails for quota, and checks the reveal against it", async function () {
      const { registry, alice, bob, carol, datanetId } = await networkHelpers.loadFixture(fixture);
      const mine = [item(100n), item(100n)];
      const salt = await commit(registry, alice, datanetId, mine);
      expect((await registry.contributorUsage(datanetId, alice.address)).bytesUsed).to.equal(200n);
      // Others fill the rest of the datanet's 400 bytes before alice reveals: her reveal still lands.
      await (await submitMany(registry, bob, datanetId, [item(100n), item(100n)])).wait();
      await expect(commit(registry, carol, datanetId, [item(1n)]))
        .to.be.revertedWithCustomError(registry, "DatanetBytesQuotaExceeded")
        .withArgs(datanetId, 0n, 400n, 1n, 400n);
      // A reveal must hold exactly the reserved items, within the reserved bytes.
      const commitment = commitmentOf(alice, datanetId, mine, salt);
      await expect(registry.connect(alice).submitBatch(datanetId, [mine[0]!, { ...mine[1]!, sizeBytes: 101n }], salt))
        .to.be.revertedWithCustomError(registry, "RevealMismatch")
        .withArgs(commitment, 2n, 2n, 200n, 201n);
      await expect(registry.connect(alice).submitBatch(datanetId, mine, salt)).to.emit(registry, "ContributionSubmitted");
    });

    it("lets a commitment lapse after the reveal window, its bond to the treasury and its quota still used", async function () {
      const { registry, owner, alice, bob, token } = await networkHelpers.loadFixture(fixture);
      await (await registry.connect(owner).createDatanet(0, "bonded", testPolicy({ submissionBond: 5n * OPEN }))).wait();
      const it = item(50n);
      const before = await token.balanceOf(alice.address);
      const salt = await commit(registry, alice, 2n, [it]);
      expect(before - (await token.balanceOf(alice.address))).to.equal(5n * OPEN);
      const commitment = commitmentOf(alice, 2n, [it], salt);
      const { committedAt } = await registry.getCommitment(alice.address, commitment);
      const lapsesAt = committedAt + BigInt(REVEAL_WINDOW);
      await expect(registry.connect(bob).lapseCommitment(alice.address, commitment))
        .to.be.revertedWithCustomError(registry, "CommitmentNotLapsed")
        .withArgs(commitment, lapsesAt);
      await networkHelpers.time.increaseTo(lapsesAt + 1n);
      await expect(registry.connect(alice).submit(2n, it.contentHash, it.sizeBytes, it.uri, salt))
        .to.be.revertedWithCustomError(registry, "CommitmentLapsed")
        .withArgs(commitment, lapsesAt);
      await expect(registry.connect(bob).lapseCommitment(alice.address, commitment))
        .to.emit(registry, "SubmissionLapsed")
        .withArgs(alice.address, commitment, 2n, 5n * OPEN);
      expect(await registry.creditOf(await registry.treasury())).to.equal(5n * OPEN);
      expect((await registry.contributorUsage(2n, alice.address)).bytesUsed).to.equal(50n);
      await expect(registry.connect(bob).lapseCommitment(alice.address, commitment))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound")
        .withArgs(commitment);
    });

    it("binds a commitment to its committer and its datanet: nobody occupies another's, nor reserves on one datanet for another", async function () {
      const { registry, owner, alice, bob, datanetId } = await networkHelpers.loadFixture(fixture);
      // A bondless datanet the attacker owns, and a guarded, bonded, allowlist-only one.
      await (await registry.connect(bob).createDatanet(0, "loose", testPolicy())).wait();
      await (await registry.connect(owner).createDatanet(0, "guarded", testPolicy({ allowlistOnly: true, submissionBond: OPEN }))).wait();
      const it = item(10n);
      const { randomSalt } = await import("../sdk/actions/contributions.ts");
      const salt = randomSalt();
      const forGuarded = commitmentOf(bob, 3n, [it], salt);
      await (await registry.connect(bob).commitSubmission(2n, forGuarded, 1, 10n)).wait();
      await expect(registry.connect(bob).submit(3n, it.contentHash, it.sizeBytes, it.uri, salt))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound")
        .withArgs(forGuarded);
      // Copying a victim's pending commitment occupies nothing of the victim's.
      const victims = item(10n);
      const victimSalt = randomSalt();
      const victimCommitment = commitmentOf(alice, datanetId, [victims], victimSalt);
      await (await registry.connect(bob).commitSubmission(2n, victimCommitment, 1, 1n)).wait();
      await (await registry.connect(alice).commitSubmission(datanetId, victimCommitment, 1, 10n)).wait();
      await expect(registry.connect(alice).submit(datanetId, victims.contentHash, victims.sizeBytes, victims.uri, victimSalt))
        .to.emit(registry, "ContributionSubmitted");
    });

    it("refuses a reveal with no matching commitment: wrong salt, other sender, other hashes", async function () {
      const { registry, alice, bob, datanetId } = await networkHelpers.loadFixture(fixture);
      const it = item();
      const salt = await commit(registry, alice, datanetId, [it]);
      const other = item();
      await expect(registry.connect(alice).submit(datanetId, it.contentHash, it.sizeBytes, it.uri, ethers.id("wrong")))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound");
      await expect(registry.connect(bob).submit(datanetId, it.contentHash, it.sizeBytes, it.uri, salt))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound");
      await expect(registry.connect(alice).submit(datanetId, other.contentHash, other.sizeBytes, other.uri, salt))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound");
      await expect(registry.connect(alice).submitBatch(datanetId, [it, other], salt))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound");
      await expect(registry.connect(alice).submit(datanetId, it.contentHash, it.sizeBytes, it.uri, salt)).to.emit(
        registry,
        "ContributionSubmitted",
      );
      // Consumed: the same reveal cannot be replayed.
      await expect(registry.connect(alice).submit(datanetId, it.contentHash, it.sizeBytes, it.uri, salt))
        .to.be.revertedWithCustomError(registry, "CommitmentNotFound");
    });

    it("front-running: a copied pending reveal cannot take the credit", async function () {
      const { registry, alice, bob, datanetId } = await networkHelpers.loadFixture(fixture);
      const victimItem = item(42n, "the victim's carefully written text");
      const salt = await commit(registry, alice, datanetId, [victimItem]);

      // The victim's reveal sits in the mempool; the attacker sees its hash and outbids it.
      await connection.provider.request({ method: "evm_setAutomine", params: [false] });
      let attackerSalt: `0x${string}`;
      try {
        await registry
          .connect(alice)
          .submit(datanetId, victimItem.contentHash, victimItem.sizeBytes, victimItem.uri, salt, {
            gasLimit: 300_000,
            maxPriorityFeePerGas: 1n,
          });
        // Copying the reveal verbatim fails: the commitment is bound to the victim's address.
        const copied = await registry
          .connect(bob)
          .submit(datanetId, victimItem.contentHash, victimItem.sizeBytes, victimItem.uri, salt, {
            gasLimit: 300_000,
            maxPriorityFeePerGas: 10n ** 9n,
          });
        // The attacker's own commitment over the copied hash can only land in this block.
        const { randomSalt, submissionCommitment } = await import("../sdk/actions/contributions.ts");
        attackerSalt = randomSalt();
        await registry.connect(bob).commitSubmission(
          datanetId,
          submissionCommitment({
            contributor: bob.address as `0x${string}`,
            datanetId,
            contentHashes: [victimItem.contentHash],
            salt: attackerSalt,
          }),
          1,
          victimItem.sizeBytes,
          { gasLimit: 200_000, maxPriorityFeePerGas: 10n ** 9n },
        );
        await networkHelpers.mine();
        expect((await ethers.provider.getTransactionReceipt(copied.hash))?.status).to.equal(0);
        await expect(
          registry.connect(bob).submit.staticCall(datanetId, victimItem.contentHash, victimItem.sizeBytes, victimItem.uri, salt),
        ).to.be.revertedWithCustomError(registry, "CommitmentNotFound");
      } finally {
        await connection.provider.request({ method: "evm_setAutomine", params: [true] });
      }
      // The victim owns the contribution; the attacker's reveal in the next block finds a duplicate.
      expect((await registry.getContribution(victimItem.contentHash)).contributor).to.equal(alice.address);
      await expect(
        registry.connect(bob).submit(datanetId, victimItem.contentHash, victimItem.sizeBytes, victimItem.uri, attackerSalt!),
      )
        .to.be.revertedWithCustomError(registry, "DuplicateContent")
        .withArgs(victimItem.contentHash, 1n);
    });
  });

  // Every per-item rule behaves the same through the single and the batch entry point.
  const entryPaths: [string, typeof submitOne][] = [
    ["submit", submitOne],
    ["submitBatch", (registry, signer, datanetId, it) => submitMany(registry, signer, datanetId, [it])],
  ];
  for (const [path, submitItem] of entryPaths) {
    describe(`submission rules through ${path}`, function () {
      it("records a pending contribution with an event carrying every field", async function () {
        const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
        const it = item(17n);
        const tx = submitItem(registry, alice, datanetId, it);
        await expect(tx).to.emit(registry, "ContributionSubmitted");
        const receipt = await (await tx).wait();
        const event = registry.interface.parseLog(receipt!.logs[0]!)!;
        const block = await ethers.provider.getBlock(receipt!.blockNumber);
        expect(event.args.contributionId).to.equal(1n);
        expect(event.args.datanetId).to.equal(datanetId);
        expect(event.args.contributor).to.equal(alice.address);
        expect(event.args.contentHash).to.equal(it.contentHash);
        expect(event.args.sizeBytes).to.equal(17n);
        expect(event.args.uri).to.equal(it.uri);
        expect(event.args.epoch).to.equal(0n);
        expect(event.args.submittedAt).to.equal(BigInt(block!.timestamp));
        const votingOpensAt = BigInt(block!.timestamp + REVEAL_WINDOW);
        expect(event.args.votingEndsAt).to.equal(votingOpensAt + 3_600n);
        expect(event.args.bond).to.equal(0n);
        const stored = await registry.getContribution(it.contentHash);
        expect([stored.id, stored.contributor, stored.datanetId, stored.status]).to.deep.equal([
          1n,
          alice.address,
          datanetId,
          Status.Pending,
        ]);
        expect([stored.committedAt, stored.revealedAt, stored.votingOpensAt, stored.votingEndsAt]).to.deep.equal([
          event.args.committedAt,
          BigInt(block!.timestamp),
          votingOpensAt,
          votingOpensAt + 3_600n,
        ]);
        expect(await registry.contributionIdOf(it.contentHash)).to.equal(1n);
        expect(await registry.contributionCount()).to.equal(1n);
      });

      it("rejects a zero content hash", async function () {
        const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
        await expect(submitItem(registry, alice, datanetId, { ...item(), contentHash: ZeroHash as Item["contentHash"] }))
          .to.be.revertedWithCustomError(registry, "ZeroContentHash");
      });

      it("rejects a zero size, and a reveal that declares other than the bytes reserved", async function () {
        const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
        const [empty, other] = [item(0n), item(2n)];
        const items = path === "submit" ? [empty] : [empty, other];
        const salt = await commit(registry, alice, datanetId, items, 2n);
        const commitment = commitmentOf(alice, datanetId, items, salt);
        if (path === "submit") {
          await expect(registry.connect(alice).submit(datanetId, empty.contentHash, 0n, empty.uri, salt))
            .to.be.revertedWithCustomError(registry, "RevealMismatch")
            .withArgs(commitment, 1n, 1n, 2n, 0n);
        } else {
          await expect(registry.connect(alice).submitBatch(datanetId, items, salt))
            .to.be.revertedWithCustomError(registry, "ZeroSize")
            .withArgs(empty.contentHash);
        }
      });

      it("rejects an item over the size limit, at commit or at reveal, and takes one at the limit", async function () {
        const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
        await expect(submitItem(registry, alice, datanetId, item(101n)))
          .to.be.revertedWithCustomError(registry, "InvalidReservation")
          .withArgs(1, 101n);
        // Two items may reserve 200 bytes between them, but neither may declare more than 100.
        const [big, small] = [item(101n), item(49n)];
        const salt = await commit(registry, alice, datanetId, [big, small]);
        await expect(registry.connect(alice).submitBatch(datanetId, [big, small], salt))
          .to.be.revertedWithCustomError(registry, "ContributionTooLarge")
          .withArgs(big.contentHash, 101n, 100n);
        await expect(submitItem(registry, alice, datanetId, item(100n))).to.emit(registry, "ContributionSubmitted");
      });

      it("rejects content already registered by anyone, in any datanet", async function () {
        const { registry, owner, alice, bob, datanetId } = await networkHelpers.loadFixture(fixture);
        await (await registry.connect(owner).createDatanet(0, "second", testPolicy())).wait();
        const it = item();
        await (await submitOne(registry, alice, datanetId, it)).wait();
        await expect(submitItem(registry, bob, 2n, { ...it, uri: "ipfs://elsewhere" }))
          .to.be.revertedWithCustomError(registry, "DuplicateContent")
          .withArgs(it.contentHash, 1n);
      });

      it("counts contributions per contributor and epoch", async function () {
        const { registry, alice, bob, datanetId } = await networkHelpers.loadFixture(fixture);
        for (let i = 0; i < 3; i++) await (await submitItem(registry, alice, datanetId, item(1n))).wait();
        await expect(submitItem(registry, alice, datanetId, item(1n)))
          .to.be.revertedWithCustomError(registry, "ContributorCountQuotaExceeded")
          .withArgs(datanetId, alice.address, 0n, 3n, 3n);
        await expect(submitItem(registry, bob, datanetId, item(1n))).to.emit(registry, "ContributionSubmitted");
        await networkHelpers.time.increase(DAY);
        await expect(submitItem(registry, alice, datanetId, item(1n))).to.emit(registry, "ContributionSubmitted");
        const usage = await registry.contributorUsage(datanetId, alice.address);
        expect([usage.epoch, usage.contributions, usage.bytesUsed]).to.deep.equal([1n, 1n, 1n]);
      });

      it("counts bytes per contributor and epoch", async function () {
        const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
        await (await submitItem(registry, alice, datanetId, item(100n))).wait();
        await (await submitItem(registry, alice, datanetId, item(100n))).wait();
        await expect(submitItem(registry, alice, datanetId, item(51n)))
          .to.be.revertedWithCustomError(registry, "ContributorBytesQuotaExceeded")
          .withArgs(datanetId, alice.address, 0n, 200n, 51n, 250n);
        await expect(submitItem(registry, alice, datanetId, item(50n))).to.emit(registry, "ContributionSubmitted");
      });

      it("counts bytes per datanet and epoch", async function () {
        const { registry, alice, bob, carol, datanetId } = await networkHelpers.loadFixture(fixture);
        await (await submitMany(registry, alice, datanetId, [item(100n), item(100n)])).wait();
        await (await submitMany(registry, bob, datanetId, [item(100n), item(50n)])).wait();
        expect(await registry.datanetBytesUsed(datanetId)).to.equal(350n);
        await expect(submitItem(registry, carol, datanetId, item(51n)))
          .to.be.revertedWithCustomError(registry, "DatanetBytesQuotaExceeded")
          .withArgs(datanetId, 0n, 350n, 51n, 400n);
        await networkHelpers.time.increase(DAY);
        expect(await registry.datanetBytesUsed(datanetId)).to.equal(0n);
        await expect(submitItem(registry, carol, datanetId, item(51n))).to.emit(registry, "ContributionSubmitted");
      });

      it("leaves the commitment unconsumed when a rule fails", async function () {
        const { registry, alice, bob, finalizer, datanetId } = await networkHelpers.loadFixture(fixture);
        const big = item(10n);
        const salt = await commit(registry, alice, datanetId, [big]);
        await (await submitOne(registry, bob, datanetId, big)).wait(); // younger, but revealed first...
        await (await registry.connect(finalizer).finalize(big.contentHash, Status.Accepted)).wait(); // ...and accepted
        const call =
          path === "submit"
            ? registry.connect(alice).submit(datanetId, big.contentHash, big.sizeBytes, big.uri, salt)
            : registry.connect(alice).submitBatch(datanetId, [big], salt);
        await expect(call).to.be.revertedWithCustomError(registry, "DuplicateContent");
        expect(await registry.contributionCount()).to.equal(1n);
        const { submissionCommitment } = await import("../sdk/actions/contributions.ts");
        const commitment = submissionCommitment({
          contributor: alice.address as `0x${string}`,
          datanetId,
          contentHashes: [big.contentHash],
          salt,
        });
        expect((await registry.getCommitment(alice.address, commitment)).committedAt).to.not.equal(0n);
      });
    });
  }

  describe("batches", function () {
    it("registers a batch with consecutive ids and one commitment", async function () {
      const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await (await submitOne(registry, alice, datanetId, item())).wait();
      const items = [item(), item(), item()];
      const salt = await commit(registry, alice, datanetId, items.slice(0, 2));
      // A reveal only works from the block after its commitment, so simulate it against the pending block.
      const simulated = await registry
        .connect(alice)
        .submitBatch.staticCall(datanetId, items.slice(0, 2), salt, { blockTag: "pending" });
      expect(simulated).to.equal(2n);
      await (await registry.connect(alice).submitBatch(datanetId, items.slice(0, 2), salt)).wait();
      expect((await registry.getContribution(items[1]!.contentHash)).id).to.equal(3n);
    });

    it("rejects an empty batch", async function () {
      const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await expect(registry.connect(alice).submitBatch(datanetId, [], ethers.id("s"))).to.be.revertedWithCustomError(
        registry,
        "EmptyBatch",
      );
    });

    it("rejects a duplicate inside one batch, and nothing of the batch is kept", async function () {
      const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      const it = item();
      await expect(submitMany(registry, alice, datanetId, [item(), it, it]))
        .to.be.revertedWithCustomError(registry, "DuplicateContent")
        .withArgs(it.contentHash, 2n);
      expect(await registry.contributionCount()).to.equal(0n);
      expect(await registry.contributionIdOf(it.contentHash)).to.equal(0n);
    });

    it("applies the quotas across the items of one batch", async function () {
      const { registry, alice, datanetId } = await networkHelpers.loadFixture(fixture);
      await expect(submitMany(registry, alice, datanetId, [item(1n), item(1n), item(1n), item(1n)]))
        .to.be.revertedWithCustomError(registry, "ContributorCountQuotaExceeded")
        .withArgs(datanetId, alice.address, 0n, 0n, 3n);
    });
  });

  describe("lifecycle", function () {
    async function withPending() {
      const f = await fixture();
      const it = item(30n);
      await (await submitOne(f.registry, f.alice, f.datanetId, it)).wait();
      return { ...f, it };
    }

    it("Pending -> Withdrawn by the contributor only, before verdicts open; the quota stays used", async function () {
      const { registry, alice, bob, datanetId, it } = await networkHelpers.loadFixture(withPending);
      await expect(registry.connect(bob).withdraw(it.contentHash))
        .to.be.revertedWithCustomError(registry, "NotContributor")
        .withArgs(it.contentHash, bob.address);
      await expect(registry.connect(alice).withdraw(it.contentHash))
        .to.emit(registry, "ContributionWithdrawn")
        .withArgs(1n, datanetId, alice.address, 0n);
      expect((await registry.getContribution(it.contentHash)).status).to.equal(Status.Withdrawn);
      await expect(registry.connect(alice).withdraw(it.contentHash))
        .to.be.revertedWithCustomError(registry, "InvalidStatusTransition")
        .withArgs(it.contentHash, Status.Withdrawn, Status.Withdrawn);
      expect((await registry.contributorUsage(datanetId, alice.address)).bytesUsed).to.equal(30n);
      // Once verdicts are open, nobody can withdraw: no verdict can be seen and then dodged.
      const late = item(10n);
      await (await submitOne(registry, alice, datanetId, late)).wait();
      const { votingOpensAt } = await registry.getContribution(late.contentHash);
      await networkHelpers.time.increaseTo(votingOpensAt);
      await expect(registry.connect(alice).withdraw(late.contentHash))
        .to.be.revertedWithCustomError(registry, "WithdrawalClosed")
        .withArgs(late.contentHash, votingOpensAt);
    });

    it("blocks a hash only while pending or accepted: rejected, withdrawn or expired content can come back with a new bond", async function () {
      const { registry, alice, bob, carol, finalizer, datanetId, it } = await networkHelpers.loadFixture(withPending);
      const [rejected, expired, accepted] = [item(), item(), item()];
      await (await submitMany(registry, alice, datanetId, [rejected, expired])).wait();
      await (await submitOne(registry, bob, datanetId, accepted)).wait();
      await (await registry.connect(alice).withdraw(it.contentHash)).wait();
      await (await registry.connect(finalizer).finalize(rejected.contentHash, Status.Rejected)).wait();
      await (await registry.connect(finalizer).finalize(expired.contentHash, Status.Expired)).wait();
      await (await registry.connect(finalizer).finalize(accepted.contentHash, Status.Accepted)).wait();
      await expect(submitOne(registry, carol, datanetId, accepted))
        .to.be.revertedWithCustomError(registry, "DuplicateContent")
        .withArgs(accepted.contentHash, 4n);
      await networkHelpers.time.increase(DAY); // a fresh quota
      await (await submitMany(registry, bob, datanetId, [it, rejected, expired])).wait();
      for (const [content, id] of [[it, 5n], [rejected, 6n], [expired, 7n]] as const) {
        const again = await registry.getContribution(content.contentHash);
        expect([again.id, again.contributor, again.status]).to.deep.equal([id, bob.address, Status.Pending]);
      }
    });

    it("closes only as Accepted, Rejected or Expired, settling the bond", async function () {
      const { registry, owner, alice, finalizer } = await networkHelpers.loadFixture(withPending);
      await (await registry.connect(owner).createDatanet(0, "bonded", testPolicy({ submissionBond: 10n * OPEN }))).wait();
      const [a, r, e] = [item(), item(), item()];
      await (await submitMany(registry, alice, 2n, [a, r, e])).wait();
      for (const outcome of [Status.None, Status.Pending, Status.Withdrawn, Status.Displaced]) {
        await expect(registry.connect(finalizer).finalize(a.contentHash, outcome))
          .to.be.revertedWithCustomError(registry, "InvalidOutcome")
          .withArgs(outcome);
      }
      await expect(registry.connect(finalizer).finalize(a.contentHash, Status.Accepted))
        .to.emit(registry, "ContributionFinalized")
        .withArgs(2n, 2n, alice.address, Status.Accepted, 1n, 10n * OPEN);
      await (await registry.connect(finalizer).finalize(e.contentHash, Status.Expired)).wait();
      await expect(registry.connect(finalizer).finalize(r.contentHash, Status.Rejected))
        .to.emit(registry, "Credited")
        .withArgs(await registry.treasury(), 2n * OPEN, 2n * OPEN)
        .and.to.emit(registry, "Credited")
        .withArgs(finalizer.address, 8n * OPEN, 8n * OPEN);
      expect(await registry.creditOf(alice.address)).to.equal(20n * OPEN);
    });

    it("keeps closed content its contributor's for one reveal window after its validation window", async function () {
      // The attack: watch a contribution expire (or fail in a datanet without honest stake), then take the
      // content for oneself in another datanet before its author can submit it again.
      const { registry, owner, alice, bob, finalizer, it } = await networkHelpers.loadFixture(withPending);
      await (await registry.connect(owner).createDatanet(0, "elsewhere", testPolicy())).wait();
      await (await registry.connect(finalizer).finalize(it.contentHash, Status.Expired)).wait();
      const { votingEndsAt } = await registry.getContribution(it.contentHash);
      await expect(submitOne(registry, bob, 2n, it))
        .to.be.revertedWithCustomError(registry, "DuplicateContent")
        .withArgs(it.contentHash, 1n);
      await expect(submitOne(registry, alice, 2n, it)).to.emit(registry, "ContributionSubmitted");
      // Had she not, it would have been anyone's after the grace.
      await (await registry.connect(finalizer).finalize(it.contentHash, Status.Rejected)).wait();
      const second = await registry.getContribution(it.contentHash);
      await networkHelpers.time.increaseTo(second.votingEndsAt + BigInt(REVEAL_WINDOW));
      await expect(submitOne(registry, bob, 2n, it)).to.emit(registry, "ContributionSubmitted");
      expect(votingEndsAt).to.be.lessThan(second.votingEndsAt);
    });

    it("pays credits by pull, moves them only within what an account holds", async function () {
      const { registry, owner, alice, bob, finalizer, token } = await networkHelpers.loadFixture(withPending);
      await (await registry.connect(owner).createDatanet(0, "bonded", testPolicy({ submissionBond: 10n * OPEN }))).wait();
      const r = item();
      await (await submitOne(registry, alice, 2n, r)).wait();
      await (await registry.connect(finalizer).finalize(r.contentHash, Status.Rejected)).wait();
      await expect(registry.connect(bob).withdrawCredit()).to.be.revertedWithCustomError(registry, "NoCredit").withArgs(bob.address);
      await expect(registry.connect(finalizer).transferCredit(bob.address, 8n * OPEN + 1n))
        .to.be.revertedWithCustomError(registry, "InsufficientCredit")
        .withArgs(finalizer.address, 8n * OPEN, 8n * OPEN + 1n);
      await expect(registry.connect(finalizer).transferCredit(ZeroAddress, 1n)).to.be.revertedWithCustomError(registry, "ZeroAddress");
      await expect(registry.connect(finalizer).transferCredit(bob.address, 3n * OPEN))
        .to.emit(registry, "CreditTransferred")
        .withArgs(finalizer.address, bob.address, 3n * OPEN);
      const before = await token.balanceOf(bob.address);
      await expect(registry.connect(bob).withdrawCredit()).to.emit(registry, "CreditWithdrawn").withArgs(bob.address, 3n * OPEN);
      expect((await token.balanceOf(bob.address)) - before).to.equal(3n * OPEN);
      expect(await registry.creditOf(bob.address)).to.equal(0n);
    });

    it("class 5: the older commitment gets the content even when its reveal lands later; the copier loses its bond", async function () {
      // The attack: the victim's reveal waits in the mempool (underpriced in a fee spike); the thief reads
      // the hash, commits and reveals first.
      const { registry, owner, alice, bob, token } = await networkHelpers.loadFixture(withPending);
      await (await registry.connect(owner).createDatanet(0, "bonded", testPolicy({ submissionBond: 10n * OPEN }))).wait();
      const text = item(42n, "the victim's carefully written text, again");
      const victimSalt = await commit(registry, alice, 2n, [text]);
      const thiefBefore = await token.balanceOf(bob.address);
      await (await submitOne(registry, bob, 2n, text)).wait(); // the thief's younger commitment, revealed first
      expect((await registry.getContribution(text.contentHash)).contributor).to.equal(bob.address);
      await networkHelpers.time.increase(REVEAL_WINDOW - 60);
      await expect(registry.connect(alice).submit(2n, text.contentHash, text.sizeBytes, text.uri, victimSalt))
        .to.emit(registry, "ContributionDisplaced")
        .withArgs(2n, 2n, bob.address, 10n * OPEN)
        .and.to.emit(registry, "ContributionSubmitted");
      const record = await registry.getContribution(text.contentHash);
      expect([record.id, record.contributor, record.status]).to.deep.equal([3n, alice.address, Status.Pending]);
      expect(await registry.creditOf(bob.address)).to.equal(0n);
      expect(thiefBefore - (await token.balanceOf(bob.address))).to.equal(10n * OPEN);
      expect(await registry.creditOf(await registry.treasury())).to.equal(10n * OPEN);
      // A younger commitment cannot displace an older registration.
      await expect(submitOne(registry, bob, 2n, text))
        .to.be.revertedWithCustomError(registry, "DuplicateContent")
        .withArgs(text.contentHash, 3n);
    });

    it("Pending -> Accepted | Rejected by the finalizer, once", async function () {
      const { registry, alice, finalizer, datanetId, it } = await networkHelpers.loadFixture(withPending);
      const second = item();
      await (await submitOne(registry, alice, datanetId, second)).wait();
      await expect(registry.connect(finalizer).finalize(it.contentHash, Status.Accepted))
        .to.emit(registry, "ContributionFinalized")
        .withArgs(1n, datanetId, alice.address, Status.Accepted, 1n, 0n);
      await expect(registry.connect(finalizer).finalize(second.contentHash, Status.Rejected))
        .to.emit(registry, "ContributionFinalized")
        .withArgs(2n, datanetId, alice.address, Status.Rejected, 1n, 0n);
      expect((await registry.getDatanet(datanetId)).acceptedCount).to.equal(1n);
      await expect(registry.connect(finalizer).finalize(it.contentHash, Status.Rejected))
        .to.be.revertedWithCustomError(registry, "InvalidStatusTransition")
        .withArgs(it.contentHash, Status.Accepted, Status.Rejected);
      await expect(registry.connect(finalizer).finalize(second.contentHash, Status.Accepted))
        .to.be.revertedWithCustomError(registry, "InvalidStatusTransition")
        .withArgs(second.contentHash, Status.Rejected, Status.Accepted);
      await expect(registry.connect(alice).withdraw(it.contentHash))
        .to.be.revertedWithCustomError(registry, "InvalidStatusTransition")
        .withArgs(it.contentHash, Status.Accepted, Status.Withdrawn);
    });

    it("cannot finalize a withdrawn or unknown contribution", async function () {
      const { registry, alice, finalizer, it } = await networkHelpers.loadFixture(withPending);
      await (await registry.connect(alice).withdraw(it.contentHash)).wait();
      await expect(registry.connect(finalizer).finalize(it.contentHash, Status.Accepted))
        .to.be.revertedWithCustomError(registry, "InvalidStatusTransition")
        .withArgs(it.contentHash, Status.Withdrawn, Status.Accepted);
      const unknown = ethers.id("never registered");
      for (const call of [
        () => registry.connect(finalizer).finalize(unknown, Status.Accepted),
        () => registry.connect(alice).withdraw(unknown),
        () => registry.getContribution(unknown),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(registry, "ContributionUnknown").withArgs(unknown);
      }
      expect(await registry.contributionIdOf(unknown)).to.equal(0n);
    });
  });

  describe("versions", function () {
    it("names what it covers, so a finalization landing first cannot make a publication revert", async function () {
      // The attack: the owner computes the root over the accepted set and sends publishVersion; anyone
      // who lands a finalization first (a validator's verdict reaching quorum) used to make the count
      // mismatch and the publication revert, over and over.
      const { registry, owner, alice, finalizer, datanetId } = await networkHelpers.loadFixture(fixture);
      const items = [item(), item(), item()];
      await (await submitMany(registry, alice, datanetId, items)).wait();
      await (await registry.connect(finalizer).finalize(items[0]!.contentHash, Status.Accepted)).wait();
      await (await registry.connect(finalizer).finalize(items[1]!.contentHash, Status.Accepted)).wait();
      const root = ethers.id("root over the first two accepted");
      await (await registry.connect(finalizer).finalize(items[2]!.contentHash, Status.Accepted)).wait(); // lands first
      expect((await registry.getDatanet(datanetId)).acceptedCount).to.equal(3n);
      const publishedAt = await pinNextBlockTime(networkHelpers.time);
      await expect(registry.connect(owner).publishVersion(datanetId, root, 2n, "ipfs://v1"))
        .to.emit(registry, "VersionPublished")
        .withArgs(datanetId, 1, root, 2n, "ipfs://v1", publishedAt);
      expect((await registry.getVersion(datanetId, 1)).contributionCount).to.equal(2n);
    });

    it("publishes immutable versions numbered from 1 over exactly the accepted set", async function () {
      const { registry, owner, alice, finalizer, datanetId } = await networkHelpers.loadFixture(fixture);
      const items = [item(), item()];
      await (await submitMany(registry, alice, datanetId, items)).wait();
      await expect(registry.connect(owner).publishVersion(datanetId, ethers.id("empty"), 0n, "ipfs://v0"))
        .to.be.revertedWithCustomError(registry, "EmptyVersion")
        .withArgs(datanetId);
      await (await registry.connect(finalizer).finalize(items[0]!.contentHash, Status.Accepted)).wait();
      const root = ethers.id("root-1");
      await expect(registry.connect(alice).publishVersion(datanetId, root, 1n, "ipfs://v1"))
        .to.be.revertedWithCustomError(registry, "NotDatanetOwner")
        .withArgs(datanetId, alice.address);
      await expect(registry.connect(owner).publishVersion(datanetId, ZeroHash, 1n, "ipfs://v1"))
        .to.be.revertedWithCustomError(registry, "ZeroVersionRoot");
      await expect(registry.connect(owner).publishVersion(datanetId, root, 2n, "ipfs://v1"))
        .to.be.revertedWithCustomError(registry, "VersionBeyondAccepted")
        .withArgs(datanetId, 1n, 2n);
      const publishedAt = await pinNextBlockTime(networkHelpers.time);
      await expect(registry.connect(owner).publishVersion(datanetId, root, 1n, "ipfs://v1"))
        .to.emit(registry, "VersionPublished")
        .withArgs(datanetId, 1, root, 1n, "ipfs://v1", publishedAt);
      await (await registry.connect(finalizer).finalize(items[1]!.contentHash, Status.Accepted)).wait();
      for (const count of [1n, 0n]) {
        const tx = registry.connect(owner).publishVersion(datanetId, ethers.id("again"), count, "ipfs://again");
        if (count === 0n) await expect(tx).to.be.revertedWithCustomError(registry, "EmptyVersion");
        else await expect(tx).to.be.revertedWithCustomError(registry, "VersionNotNewer").withArgs(datanetId, 1n, count);
      }
      await (await registry.connect(owner).publishVersion(datanetId, ethers.id("root-2"), 2n, "ipfs://v2")).wait();

      const v1 = await registry.getVersion(datanetId, 1);
      expect([v1.root, v1.contributionCount, v1.publishedAt]).to.deep.equal([root, 1n, BigInt(publishedAt)]);
      expect((await registry.getDatanet(datanetId)).versionCount).to.equal(2n);
      await expect(registry.getVersion(datanetId, 3))
        .to.be.revertedWithCustomError(registry, "VersionUnknown")
        .withArgs(datanetId, 3);
      await expect(registry.getVersion(datanetId, 0))
        .to.be.revertedWithCustomError(registry, "VersionUnknown")
        .withArgs(datanetId, 0);
    });
  });
});
