import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Address } from "viem";

import { signPermit } from "./helpers/permit.ts";
import { buildMerkleEpoch } from "../sdk/merkle.ts";
import { deployProtocol } from "../scripts/lib/deploy.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const OPEN = 10n ** 18n;
const YEAR = 365 * 24 * 3_600;

async function distributorFixture() {
  const [admin, poster, alice, bob, carol, outsider] = await ethers.getSigners();
  const deployment = await deployProtocol(connection);
  const token = await ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  const distributor = await ethers.getContractAt("MerkleEpochDistributor", deployment.contracts.merkleEpochDistributor);
  await (await distributor.connect(admin!).grantRole(await distributor.POSTER_ROLE(), poster!.address)).wait();
  const epoch = buildMerkleEpoch([
    { account: alice!.address as Address, amount: 100n * OPEN },
    { account: bob!.address as Address, amount: 250n * OPEN },
    { account: carol!.address as Address, amount: 1n },
  ]);
  await (await token.connect(admin!).approve(await distributor.getAddress(), 2n ** 255n)).wait();
  return { deployment, token, distributor, epoch, admin: admin!, poster: poster!, alice: alice!, bob: bob!, carol: carol!, outsider: outsider! };
}

/** The fixture with epoch (pool 1, epoch 1) posted and fully funded. */
async function fundedFixture() {
  const f = await distributorFixture();
  await (await f.distributor.connect(f.poster).postRoot(1n, 1n, f.epoch.root, f.epoch.total, ethers.id("records"))).wait();
  await (await f.distributor.connect(f.admin).fund(1n, 1n, f.epoch.total)).wait();
  return f;
}

describe("MerkleEpochDistributor", function () {
  describe("posting roots", function () {
    it("lets only POSTER_ROLE post, once per (pool, epoch), with an event naming the records", async function () {
      const { distributor, poster, outsider, epoch } = await networkHelpers.loadFixture(distributorFixture);
      await expect(distributor.connect(outsider).postRoot(1n, 1n, epoch.root, epoch.total, ZeroHash))
        .to.be.revertedWithCustomError(distributor, "AccessControlUnauthorizedAccount")
        .withArgs(outsider.address, await distributor.POSTER_ROLE());
      const expiresAt = (await networkHelpers.time.latest()) + 1 + YEAR;
      await expect(distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, ethers.id("records")))
        .to.emit(distributor, "RootPosted")
        .withArgs(1n, 1n, epoch.root, epoch.total, ethers.id("records"), expiresAt, poster.address);
      await expect(distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, ZeroHash))
        .to.be.revertedWithCustomError(distributor, "RootAlreadyPosted")
        .withArgs(1n, 1n);
      await expect(distributor.connect(poster).postRoot(2n, 1n, epoch.root, epoch.total, ZeroHash)).to.emit(distributor, "RootPosted");
    });

    it("refuses an empty root or total, and a total beyond 96 bits", async function () {
      const { distributor, poster, epoch } = await networkHelpers.loadFixture(distributorFixture);
      for (const [root, total] of [
        [ZeroHash, epoch.total],
        [epoch.root, 0n],
        [`0x${"00".repeat(20)}${"11".repeat(12)}`, epoch.total],
      ] as const) {
        await expect(distributor.connect(poster).postRoot(1n, 1n, root, total, ZeroHash)).to.be.revertedWithCustomError(
          distributor,
          "EmptyRoot",
        );
      }
      await expect(distributor.connect(poster).postRoot(1n, 1n, epoch.root, 2n ** 96n, ZeroHash))
        .to.be.revertedWithCustomError(distributor, "TotalTooLarge")
        .withArgs(2n ** 96n);
    });
  });

  describe("funding", function () {
    it("takes funding up to the root's total and opens claims when it is reached", async function () {
      const { distributor, token, admin, poster, alice, epoch } = await networkHelpers.loadFixture(distributorFixture);
      await expect(distributor.fund(1n, 1n, OPEN)).to.be.revertedWithCustomError(distributor, "RootNotPosted").withArgs(1n, 1n);
      await (await distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, ZeroHash)).wait();
      await expect(distributor.fund(1n, 1n, 0n)).to.be.revertedWithCustomError(distributor, "ZeroAmount");
      await expect(distributor.connect(admin).fund(1n, 1n, 100n * OPEN))
        .to.emit(distributor, "EpochFunded")
        .withArgs(1n, 1n, admin.address, 100n * OPEN, 100n * OPEN);
      const aliceClaim = epoch.claim(epoch.leaves.find((l) => l.account === alice.address)!.index);
      await expect(distributor.claim(1n, 1n, aliceClaim.index, aliceClaim.account, aliceClaim.amount, aliceClaim.proof))
        .to.be.revertedWithCustomError(distributor, "NotFullyFunded")
        .withArgs(1n, 1n, 100n * OPEN, epoch.total);
      await expect(distributor.connect(admin).fund(1n, 1n, epoch.total))
        .to.be.revertedWithCustomError(distributor, "FundingExceedsTotal")
        .withArgs(1n, 1n, 100n * OPEN, epoch.total, epoch.total);
      await expect(distributor.connect(admin).fund(1n, 1n, epoch.total - 100n * OPEN)).to.changeTokenBalances(
        ethers,
        token,
        [admin, distributor],
        [-(epoch.total - 100n * OPEN), epoch.total - 100n * OPEN],
      );
      const info = await distributor.epochInfo(1n, 1n);
      expect([info.total, info.funded, info.remaining, info.swept]).to.deep.equal([epoch.total, epoch.total, epoch.total, false]);
    });

    it("takes funding with an ERC-2612 permit in one transaction", async function () {
      const { distributor, token, admin, poster, epoch } = await networkHelpers.loadFixture(distributorFixture);
      await (await distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, ZeroHash)).wait();
      await (await token.connect(admin).approve(await distributor.getAddress(), 0n)).wait();
      const { deadline, v, r, s } = await signPermit(admin, token, await distributor.getAddress(), epoch.total);
      await expect(distributor.connect(admin).fundWithPermit(1n, 1n, epoch.total, deadline, v, r, s)).to.emit(
        distributor,
        "EpochFunded",
      );
    });
  });

  describe("claims", function () {
    it("pays each leaf to its account, whoever submits it, exactly once", async function () {
      const { distributor, token, alice, outsider, epoch } = await networkHelpers.loadFixture(fundedFixture);
      const c = epoch.claim(epoch.leaves.find((l) => l.account === alice.address)!.index);
      const tx = distributor.connect(outsider).claim(1n, 1n, c.index, c.account, c.amount, c.proof);
      await expect(tx).to.emit(distributor, "Claimed").withArgs(1n, 1n, alice.address, c.index, c.amount, outsider.address);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, outsider], [c.amount, 0n]);
      expect(await distributor.isClaimed(1n, 1n, c.index)).to.equal(true);
      await expect(distributor.claim(1n, 1n, c.index, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(distributor, "AlreadyClaimed")
        .withArgs(1n, 1n, c.index);
    });

    it("refuses a proof for another amount, account, index, pool or epoch", async function () {
      const { distributor, poster, alice, bob, epoch } = await networkHelpers.loadFixture(fundedFixture);
      const c = epoch.claim(epoch.leaves.find((l) => l.account === alice.address)!.index);
      const other = (c.index + 1n) % 3n;
      for (const [index, account, amount] of [
        [c.index, c.account, c.amount + 1n],
        [c.index, bob.address, c.amount],
        [other, c.account, c.amount],
      ] as const) {
        await expect(distributor.claim(1n, 1n, index, account, amount, c.proof))
          .to.be.revertedWithCustomError(distributor, "InvalidProof")
          .withArgs(1n, 1n, index, account, amount);
      }
      await expect(distributor.claim(1n, 2n, c.index, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(distributor, "RootNotPosted")
        .withArgs(1n, 2n);
      const foreign = buildMerkleEpoch([{ account: alice.address as Address, amount: 5n }]);
      await (await distributor.connect(poster).postRoot(2n, 1n, foreign.root, foreign.total, ZeroHash)).wait();
      await expect(distributor.claim(2n, 1n, c.index, c.account, c.amount, c.proof)).to.be.revertedWithCustomError(
        distributor,
        "InvalidProof",
      );
    });

    it("pays many accounts in one batch, each its own leaf", async function () {
      const { distributor, token, alice, bob, carol, outsider, epoch } = await networkHelpers.loadFixture(fundedFixture);
      const claims = epoch.leaves.map((l) => ({ poolId: 1n, epoch: 1n, ...epoch.claim(l.index) }));
      await expect(distributor.connect(outsider).claimMany(claims)).to.changeTokenBalances(
        ethers,
        token,
        [alice, bob, carol, distributor],
        [100n * OPEN, 250n * OPEN, 1n, -epoch.total],
      );
      expect((await distributor.epochInfo(1n, 1n)).remaining).to.equal(0n);
    });

    it("never pays more than a wrongly posted total", async function () {
      const { distributor, admin, poster, alice, bob, epoch } = await networkHelpers.loadFixture(distributorFixture);
      await (await distributor.connect(poster).postRoot(1n, 1n, epoch.root, 300n * OPEN, ZeroHash)).wait();
      await (await distributor.connect(admin).fund(1n, 1n, 300n * OPEN)).wait();
      const pay = (account: string) => {
        const c = epoch.claim(epoch.leaves.find((l) => l.account === account)!.index);
        return distributor.claim(1n, 1n, c.index, c.account, c.amount, c.proof);
      };
      await (await pay(bob.address)).wait();
      await expect(pay(alice.address))
        .to.be.revertedWithCustomError(distributor, "EpochExhausted")
        .withArgs(1n, 1n, 50n * OPEN, 100n * OPEN);
    });

    it("refuses a re-entrant claim from the token's transfer", async function () {
      const { admin, alice, epoch } = await networkHelpers.loadFixture(distributorFixture);
      const reentrant = await ethers.deployContract("ReentrantToken", [], admin);
      const distributor = await ethers.deployContract("MerkleEpochDistributor", [await reentrant.getAddress(), admin.address, admin.address, YEAR], admin);
      await (await distributor.postRoot(1n, 1n, epoch.root, epoch.total, ZeroHash)).wait();
      await (await reentrant.approve(await distributor.getAddress(), epoch.total)).wait();
      await (await distributor.fund(1n, 1n, epoch.total)).wait();
      const c = epoch.claim(epoch.leaves.find((l) => l.account === alice.address)!.index);
      // On paying Alice, the token calls back into the distributor with the same claim.
      const again = distributor.interface.encodeFunctionData("claim", [1n, 1n, c.index, c.account, c.amount, c.proof]);
      await (await reentrant.arm(await distributor.getAddress(), again)).wait();
      await (await distributor.claim(1n, 1n, c.index, c.account, c.amount, c.proof)).wait();
      expect(await reentrant.attempted()).to.equal(true);
      expect(await reentrant.innerSucceeded()).to.equal(false);
      expect(await reentrant.innerRevertData()).to.equal(distributor.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []));
      expect(await reentrant.balanceOf(alice.address)).to.equal(c.amount);
    });
  });

  describe("expiry", function () {
    it("sweeps what is left to the treasury after the window, and then refuses claims and funding", async function () {
      const { distributor, token, admin, bob, epoch } = await networkHelpers.loadFixture(fundedFixture);
      const c = epoch.claim(epoch.leaves.find((l) => l.account === bob.address)!.index);
      await (await distributor.claim(1n, 1n, c.index, c.account, c.amount, c.proof)).wait();
      const { expiresAt } = await distributor.epochInfo(1n, 1n);
      await expect(distributor.sweep(1n, 1n)).to.be.revertedWithCustomError(distributor, "ClaimWindowOpen").withArgs(1n, 1n, expiresAt);
      await expect(distributor.sweep(1n, 9n)).to.be.revertedWithCustomError(distributor, "RootNotPosted").withArgs(1n, 9n);
      await networkHelpers.time.increaseTo(expiresAt);
      const treasury = admin.address; // the deployer is the treasury by default
      const left = epoch.total - c.amount;
      const tx = distributor.sweep(1n, 1n);
      await expect(tx).to.emit(distributor, "EpochSwept").withArgs(1n, 1n, left, treasury);
      await expect(tx).to.changeTokenBalances(ethers, token, [distributor, admin], [-left, left]);
      await expect(distributor.sweep(1n, 1n)).to.be.revertedWithCustomError(distributor, "AlreadySwept").withArgs(1n, 1n);
      const other = epoch.leaves.find((l) => l.account !== bob.address)!;
      const oc = epoch.claim(other.index);
      await expect(distributor.claim(1n, 1n, oc.index, oc.account, oc.amount, oc.proof))
        .to.be.revertedWithCustomError(distributor, "ClaimWindowClosed")
        .withArgs(1n, 1n, expiresAt);
      await expect(distributor.fund(1n, 1n, 1n))
        .to.be.revertedWithCustomError(distributor, "ClaimWindowClosed")
        .withArgs(1n, 1n, expiresAt);
    });

    it("returns an epoch that was never fully funded in full", async function () {
      const { distributor, token, admin, poster, epoch } = await networkHelpers.loadFixture(distributorFixture);
      await (await distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, ZeroHash)).wait();
      await (await distributor.connect(admin).fund(1n, 1n, 7n * OPEN)).wait();
      await networkHelpers.time.increase(YEAR);
      await expect(distributor.sweep(1n, 1n)).to.changeTokenBalances(ethers, token, [distributor, admin], [-7n * OPEN, 7n * OPEN]);
    });
  });

  it("checks its constructor arguments", async function () {
    const { token, admin } = await networkHelpers.loadFixture(distributorFixture);
    const factory = await ethers.getContractFactory("MerkleEpochDistributor");
    const [t, a] = [await token.getAddress(), admin.address];
    for (const args of [[ZeroAddress, a, a, YEAR], [t, ZeroAddress, a, YEAR], [t, a, ZeroAddress, YEAR]] as const) {
      await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    for (const window of [86_399, 3_650 * 24 * 3_600 + 1]) {
      await expect(factory.deploy(t, a, a, window)).to.be.revertedWithCustomError(factory, "InvalidClaimWindow").withArgs(window);
    }
  });
});
