import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash } from "ethers";
import type { Address } from "viem";

import { signPermit } from "./helpers/permit.ts";
import { attributionFixture as sharedAttributionFixture } from "./helpers/models.ts";
import { buildMerkleEpoch, epochLeafHash, type MerkleEpoch } from "../sdk/merkle.ts";
import { deployProtocol } from "../scripts/lib/deploy.ts";
import { pinNextBlockTime } from "./helpers/clock.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const OPEN = 10n ** 18n;
const YEAR = 365 * 24 * 3_600;

async function distributorFixture() {
  const [admin, poster, alice, bob, carol, outsider] = await ethers.getSigners();
  const deployment = await deployProtocol(connection);
  const token = await ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  const distributor = await ethers.getContractAt("MerkleEpochDistributor", deployment.contracts.merkleEpochDistributor);
  await (await token.connect(admin!).transfer(poster!.address, 10_000n * OPEN)).wait();
  await (await token.connect(poster!).approve(await distributor.getAddress(), 2n ** 255n)).wait();
  const epoch = buildMerkleEpoch([
    { account: alice!.address as Address, amount: 100n * OPEN },
    { account: bob!.address as Address, amount: 250n * OPEN },
    { account: carol!.address as Address, amount: 1n },
  ]);
  return { deployment, token, distributor, epoch, admin: admin!, poster: poster!, alice: alice!, bob: bob!, carol: carol!, outsider: outsider! };
}

/** The fixture with epoch (pool 1, epoch 1) posted, and its contract. */
async function postedFixture() {
  const f = await distributorFixture();
  await (await f.distributor.connect(f.poster).postRoot(1n, 1n, f.epoch.root, f.epoch.total, f.epoch.total, ethers.id("records"))).wait();
  const epochContract = await ethers.getContractAt("MerkleEpoch", await f.distributor.epochContract(f.poster.address, 1n, 1n));
  return { ...f, epochContract };
}

/** The epoch contract `poster` posted at (pool, epoch). */
async function epochOf(f: { distributor: { epochContract(poster: string, poolId: bigint, epoch: bigint): Promise<string> } }, poster: { address: string }, poolId: bigint, epoch: bigint) {
  return ethers.getContractAt("MerkleEpoch", await f.distributor.epochContract(poster.address, poolId, epoch));
}

/** An internal node of the account-keyed trie. */
const node = (left: string, right: string) => ethers.solidityPackedKeccak256(["bytes32", "bytes32"], [left, right]);
/** Bit `depth` of an address, from the most significant: 1 goes right below depth `depth`. */
const bitOf = (account: string, depth: number) => Number((BigInt(account) >> BigInt(159 - depth)) & 1n);
/** A node on `account`'s side at some depth, given the node on its path and the other child. */
const onPathOf = (account: string, depth: number, onPath: string, other: string) =>
  bitOf(account, depth) === 1 ? node(other, onPath) : node(onPath, other);

function leafOf(epoch: MerkleEpoch, account: string) {
  return epoch.claim(epoch.leaves.find((l) => l.account === account)!.index);
}

/** A distributor paying a token that re-enters the epoch on its next transfer out, with `epoch` posted. */
async function reentrantEpoch(admin: Awaited<ReturnType<typeof ethers.getSigners>>[number], epoch: MerkleEpoch) {
  const reentrant = await ethers.deployContract("ReentrantToken", [], admin);
  const distributor = await ethers.deployContract("MerkleEpochDistributor", [await reentrant.getAddress(), admin.address, YEAR], admin);
  await (await reentrant.approve(await distributor.getAddress(), epoch.total)).wait();
  await (await distributor.postRoot(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash)).wait();
  const epochContract = await ethers.getContractAt("MerkleEpoch", await distributor.epochContract(admin.address, 1n, 1n));
  return { distributor, epochContract, reentrant };
}

describe("MerkleEpochDistributor", function () {
  describe("posting roots", function () {
    it("lets anyone post in its own namespace, once per (pool, epoch), paying the total into the epoch's own contract", async function () {
      const { distributor, token, admin, poster, outsider, epoch } = await networkHelpers.loadFixture(distributorFixture);
      expect(await distributor.epochContract(poster.address, 1n, 1n)).to.equal(ZeroAddress);
      const expected = await distributor.connect(poster).postRoot.staticCall(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash);
      const postedAt = await pinNextBlockTime(networkHelpers.time);
      const expiresAt = postedAt + YEAR;
      const tx = distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, epoch.total, ethers.id("records"));
      await expect(tx)
        .to.emit(distributor, "RootPosted")
        .withArgs(poster.address, 1n, 1n, expected, epoch.root, epoch.total, epoch.total, ethers.id("records"), expiresAt);
      await expect(tx).to.changeTokenBalances(ethers, token, [poster, expected, distributor], [-epoch.total, epoch.total, 0n]);
      expect(await distributor.epochContract(poster.address, 1n, 1n)).to.equal(expected);
      const terms = await (await ethers.getContractAt("MerkleEpoch", expected)).terms();
      expect([terms.poster, terms.poolId, terms.epoch, terms.root, terms.total, terms.maxLeafAmount, terms.expiresAt]).to.deep.equal([
        poster.address,
        1n,
        1n,
        epoch.root,
        epoch.total,
        epoch.total,
        BigInt(expiresAt),
      ]);
      expect([terms.token, terms.treasury]).to.deep.equal([await token.getAddress(), await distributor.treasury()]);
      await expect(distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash))
        .to.be.revertedWithCustomError(distributor, "RootAlreadyPosted")
        .withArgs(poster.address, 1n, 1n);
      await expect(distributor.connect(poster).postRoot(2n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash)).to.emit(distributor, "RootPosted");
      // Another account (here one that never held a role) posts the same (pool, epoch) in its own namespace.
      await (await token.connect(admin).transfer(outsider.address, epoch.total)).wait();
      await (await token.connect(outsider).approve(await distributor.getAddress(), epoch.total)).wait();
      await expect(distributor.connect(outsider).postRoot(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash))
        .to.emit(distributor, "RootPosted")
        .withArgs(outsider.address, 1n, 1n, (a: string) => a !== expected && a !== ZeroAddress, epoch.root, epoch.total, epoch.total, ZeroHash, (t: bigint) => t > 0n);
      expect(await distributor.epochContract(poster.address, 1n, 1n)).to.equal(expected);
    });

    it("refuses a per-account cap of zero or above the total", async function () {
      const { distributor, poster, epoch } = await networkHelpers.loadFixture(distributorFixture);
      for (const cap of [0n, epoch.total + 1n]) {
        await expect(distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, cap, ZeroHash))
          .to.be.revertedWithCustomError(distributor, "InvalidLeafCap")
          .withArgs(cap, epoch.total);
      }
    });

    it("refuses an empty root or total, and posts nothing the poster cannot pay", async function () {
      const { distributor, token, poster, outsider, epoch } = await networkHelpers.loadFixture(distributorFixture);
      for (const [root, total] of [
        [ZeroHash, epoch.total],
        [epoch.root, 0n],
      ] as const) {
        await expect(distributor.connect(poster).postRoot(1n, 1n, root, total, total, ZeroHash)).to.be.revertedWithCustomError(
          distributor,
          "EmptyRoot",
        );
      }
      await expect(distributor.connect(outsider).postRoot(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash)).to.be.revertedWithCustomError(
        token,
        "ERC20InsufficientAllowance",
      );
      expect(await distributor.epochContract(outsider.address, 1n, 1n)).to.equal(ZeroAddress);
    });

    it("posts with an ERC-2612 permit in one transaction", async function () {
      const { distributor, token, poster, epoch } = await networkHelpers.loadFixture(distributorFixture);
      await (await token.connect(poster).approve(await distributor.getAddress(), 0n)).wait();
      const { deadline, v, r, s } = await signPermit(poster, token, await distributor.getAddress(), epoch.total);
      await expect(
        distributor.connect(poster).postRootWithPermit(1n, 1n, epoch.root, epoch.total, epoch.total, ZeroHash, deadline, v, r, s),
      ).to.changeTokenBalance(ethers, token, poster, -epoch.total);
    });
  });

  describe("claims", function () {
    it("pays each leaf to its account, whoever submits it, exactly once", async function () {
      const { epochContract, token, alice, outsider, epoch } = await networkHelpers.loadFixture(postedFixture);
      const c = leafOf(epoch, alice.address);
      expect(await epochContract.isClaimed(c.index)).to.equal(false);
      const tx = epochContract.connect(outsider).claim(c.index, c.account, c.amount, c.proof);
      await expect(tx).to.emit(epochContract, "Claimed").withArgs(alice.address, c.index, c.amount);
      await expect(tx).to.changeTokenBalances(ethers, token, [alice, outsider], [c.amount, 0n]);
      expect(await epochContract.isClaimed(c.index)).to.equal(true);
      await expect(epochContract.claim(c.index, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(epochContract, "AlreadyClaimed")
        .withArgs(c.index);
    });

    it("keeps every leaf's claimed bit apart across the 256-leaf bitmap words", async function () {
      const f = await networkHelpers.loadFixture(distributorFixture);
      const { distributor, poster } = f;
      const accounts = Array.from({ length: 600 }, (_, i) => ethers.getAddress(ethers.zeroPadValue(ethers.toBeHex(i + 1), 20)) as Address);
      const wide = buildMerkleEpoch(accounts.map((account) => ({ account, amount: 1n })));
      await (await distributor.connect(poster).postRoot(2n, 1n, wide.root, wide.total, 1n, ZeroHash)).wait();
      const epochContract = await epochOf(f, poster, 2n, 1n);
      const indexes = [0n, 127n, 128n, 200n, 255n, 256n, 300n, 511n, 512n, 599n];
      for (const index of indexes) {
        const c = wide.claim(index);
        await (await epochContract.claim(c.index, c.account, c.amount, c.proof)).wait();
        await expect(epochContract.claim(c.index, c.account, c.amount, c.proof)).to.be.revertedWithCustomError(epochContract, "AlreadyClaimed").withArgs(index);
      }
      for (let index = 0n; index < 600n; index++) expect(await epochContract.isClaimed(index), `leaf ${index}`).to.equal(indexes.includes(index));
    });

    it("refuses a proof for another amount, account, index or epoch", async function () {
      const f = await networkHelpers.loadFixture(postedFixture);
      const { distributor, epochContract, poster, alice, bob, epoch } = f;
      const c = leafOf(epoch, alice.address);
      const other = (c.index + 1n) % 3n;
      for (const [index, account, amount] of [
        [c.index, c.account, c.amount + 1n],
        [c.index, bob.address, c.amount],
        [other, c.account, c.amount],
      ] as const) {
        await expect(epochContract.claim(index, account, amount, c.proof))
          .to.be.revertedWithCustomError(epochContract, "InvalidProof")
          .withArgs(index, account, amount);
      }
      const foreign = buildMerkleEpoch([{ account: alice.address as Address, amount: 5n }]);
      await (await distributor.connect(poster).postRoot(2n, 1n, foreign.root, foreign.total, foreign.total, ZeroHash)).wait();
      const foreignContract = await epochOf(f, poster, 2n, 1n);
      await expect(foreignContract.claim(c.index, c.account, c.amount, c.proof)).to.be.revertedWithCustomError(
        foreignContract,
        "InvalidProof",
      );
    });

    it("pays many accounts of several epochs in one batch, each its own leaf, and names an epoch without a root", async function () {
      const { distributor, epochContract, token, poster, alice, bob, carol, outsider, epoch } =
        await networkHelpers.loadFixture(postedFixture);
      const second = buildMerkleEpoch([{ account: alice.address as Address, amount: 3n * OPEN }]);
      await (await distributor.connect(poster).postRoot(1n, 2n, second.root, second.total, second.total, ZeroHash)).wait();
      const claims = [
        ...epoch.leaves.map((l) => ({ poster: poster.address, poolId: 1n, epoch: 1n, ...epoch.claim(l.index) })),
        { poster: poster.address, poolId: 1n, epoch: 2n, ...second.claim(0n) },
      ];
      await expect(distributor.connect(outsider).claimMany([...claims, { ...claims[0]!, epoch: 9n }]))
        .to.be.revertedWithCustomError(distributor, "RootNotPosted")
        .withArgs(poster.address, 1n, 9n);
      await expect(distributor.connect(outsider).claimMany([{ ...claims[0]!, poster: outsider.address }]))
        .to.be.revertedWithCustomError(distributor, "RootNotPosted")
        .withArgs(outsider.address, 1n, 1n);
      await expect(distributor.connect(outsider).claimMany(claims)).to.changeTokenBalances(
        ethers,
        token,
        [alice, bob, carol, epochContract],
        [103n * OPEN, 250n * OPEN, 1n, -epoch.total],
      );
    });

    it("never pays more than a wrongly posted total: the epoch holds only its own funds", async function () {
      const f = await networkHelpers.loadFixture(distributorFixture);
      const { distributor, token, poster, alice, bob, epoch } = f;
      await (await distributor.connect(poster).postRoot(1n, 1n, epoch.root, 300n * OPEN, 300n * OPEN, ZeroHash)).wait();
      const healthy = buildMerkleEpoch([{ account: alice.address as Address, amount: 500n * OPEN }]);
      await (await distributor.connect(poster).postRoot(1n, 2n, healthy.root, healthy.total, healthy.total, ZeroHash)).wait();
      const wrong = await epochOf(f, poster, 1n, 1n);
      const pay = (account: string) => {
        const c = leafOf(epoch, account);
        return wrong.claim(c.index, c.account, c.amount, c.proof);
      };
      await (await pay(bob.address)).wait();
      await expect(pay(alice.address))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientBalance")
        .withArgs(await wrong.getAddress(), 50n * OPEN, 100n * OPEN);
      expect(await token.balanceOf(await distributor.epochContract(poster.address, 1n, 2n))).to.equal(healthy.total);
    });

    it("refuses a valid leaf above the per-account cap the root was posted with", async function () {
      const f = await networkHelpers.loadFixture(distributorFixture);
      const { distributor, poster, alice, bob, epoch } = f;
      await (await distributor.connect(poster).postRoot(1n, 1n, epoch.root, epoch.total, 200n * OPEN, ZeroHash)).wait();
      const capped = await epochOf(f, poster, 1n, 1n);
      const a = leafOf(epoch, alice.address);
      await (await capped.claim(a.index, a.account, a.amount, a.proof)).wait();
      const b = leafOf(epoch, bob.address);
      await expect(capped.claim(b.index, b.account, b.amount, b.proof))
        .to.be.revertedWithCustomError(capped, "LeafAboveCap")
        .withArgs(b.index, b.amount, 200n * OPEN);
    });

    it("pays an account one leaf however the root is made: two leaves for one account cannot both pay", async function () {
      const f = await networkHelpers.loadFixture(distributorFixture);
      const { distributor, token, poster, alice } = f;
      const cap = 100n * OPEN;
      const A = alice.address as Address;
      const leaf = (index: bigint) => epochLeafHash({ index, account: A, amount: cap });
      // Root 1: three leaves for Alice. Leaf 0 sits on her path at depth 2; leaf 1 is its sibling
      // (off her path at depth 2) and leaf 2 is on the other side at depth 1.
      const pathNode = onPathOf(A, 1, leaf(0n), leaf(1n));
      const root1 = onPathOf(A, 0, pathNode, leaf(2n));
      // Root 2: one leaf at her depth-1 node, and a "deeper" one (a leaf below that node): the node
      // would have to be both a leaf hash and an internal hash.
      const filler = ethers.id("anything");
      const root2 = onPathOf(A, 0, leaf(3n), filler);
      for (const [epochId, root] of [[1n, root1], [2n, root2]] as const) {
        await (await distributor.connect(poster).postRoot(1n, epochId, root, 3n * cap, cap, ZeroHash)).wait();
      }
      const [first, second] = [await epochOf(f, poster, 1n, 1n), await epochOf(f, poster, 1n, 2n)];
      const refused = async (epochContract: typeof first, index: bigint, proof: string[]) =>
        expect(epochContract.claim(index, A, cap, proof)).to.be.revertedWithCustomError(epochContract, "InvalidProof").withArgs(index, A, cap);
      // Each off-path leaf, with the proof that matches where it really sits, is refused.
      await refused(first, 1n, [leaf(0n), leaf(2n)]);
      await refused(first, 2n, [pathNode]);
      await expect(first.claim(0n, A, cap, [leaf(1n), leaf(2n)])).to.changeTokenBalance(ethers, token, alice, cap);
      await refused(second, 4n, [ethers.id("sibling"), filler]);
      await expect(second.claim(3n, A, cap, [filler])).to.changeTokenBalance(ethers, token, alice, cap);
      // One leaf's amount per epoch, the cap, however many leaves the poster wrote for her.
      expect(await token.balanceOf(alice.address)).to.equal(2n * cap);
    });

    it("refuses a proof of the wrong length or for another account's path, with its own error", async function () {
      const { epochContract, alice, bob, epoch } = await networkHelpers.loadFixture(postedFixture);
      const c = leafOf(epoch, alice.address);
      expect(c.proof.length).to.be.greaterThan(0);
      const invalid = (proof: string[], account: string = c.account) =>
        expect(epochContract.claim(c.index, account, c.amount, proof))
          .to.be.revertedWithCustomError(epochContract, "InvalidProof")
          .withArgs(c.index, account, c.amount);
      await invalid(c.proof.slice(1)); // too short
      await invalid([...c.proof, ZeroHash]); // too long
      await invalid([ethers.id("another sibling"), ...c.proof.slice(1)]); // a wrong sibling
      await invalid(c.proof, bob.address); // Bob's bits lead elsewhere
      await expect(epochContract.claim(c.index, c.account, c.amount, Array.from({ length: 161 }, () => ZeroHash)))
        .to.be.revertedWithCustomError(epochContract, "ProofTooDeep")
        .withArgs(161n);
    });

    it("pays a claim re-entered from the token's transfer only once: the bit is set before the transfer", async function () {
      const { admin, alice, epoch } = await networkHelpers.loadFixture(distributorFixture);
      const { distributor, epochContract, reentrant } = await reentrantEpoch(admin, epoch);
      const c = leafOf(epoch, alice.address);
      // On paying Alice, the token calls back into the epoch with the same claim.
      const again = epochContract.interface.encodeFunctionData("claim", [c.index, c.account, c.amount, c.proof]);
      await (await reentrant.arm(await epochContract.getAddress(), again)).wait();
      await (await epochContract.claim(c.index, c.account, c.amount, c.proof)).wait();
      expect(await reentrant.attempted()).to.equal(true);
      expect(await reentrant.innerSucceeded()).to.equal(false);
      expect(await reentrant.innerRevertData()).to.equal(epochContract.interface.encodeErrorResult("AlreadyClaimed", [c.index]));
      expect(await reentrant.balanceOf(alice.address)).to.equal(c.amount);
      expect(await reentrant.balanceOf(await epochContract.getAddress())).to.equal(epoch.total - c.amount);
      expect(await reentrant.balanceOf(await distributor.getAddress())).to.equal(0n);
    });
  });

  describe("namespaces", function () {
    const attributionFixture = () => sharedAttributionFixture(connection);

    it("lets nobody take Proof of Attribution's ids: a stranger and the deployer posting at its pool and epoch first do not block its release", async function () {
      const { attribution, distributor, token, admin, carol, alice, outsider } = await networkHelpers.loadFixture(attributionFixture);
      const epoch = await attribution.currentEpoch();
      await (await attribution.connect(carol).payFees([{ modelId: 1n, amount: 1_000n * OPEN, inferenceBatchHash: ethers.id("batch") }])).wait();
      await networkHelpers.time.increase(24 * 3_600);
      const built = buildMerkleEpoch([{ account: alice.address as Address, amount: 100n * OPEN }]);
      await (await attribution.connect(admin).proposeAttribution(1n, epoch, built.root, built.total, ethers.id("records"))).wait();
      // The pool id is public (keccak256(attribution, modelId)): squatters post there first. The
      // deployer was the distributor's admin and poster before posting became open to all.
      const poolId = await attribution.poolIdOf(1n);
      await (await token.connect(admin).transfer(outsider.address, 1n)).wait();
      const squatted: string[] = [];
      for (const squatter of [outsider, admin]) {
        await (await token.connect(squatter).approve(await distributor.getAddress(), 1n)).wait();
        await (await distributor.connect(squatter).postRoot(poolId, epoch, ethers.id("squat"), 1n, 1n, ZeroHash)).wait();
        squatted.push(await distributor.epochContract(squatter.address, poolId, epoch));
      }
      await networkHelpers.time.increase(2 * 24 * 3_600);
      await expect(attribution.releaseAttribution(1n, epoch)).to.emit(attribution, "AttributionReleased");
      const released = await distributor.epochContract(await attribution.getAddress(), poolId, epoch);
      expect(released).to.not.equal(ZeroAddress);
      expect(squatted).to.not.include(released);
      const c = built.claim(0n);
      await expect((await ethers.getContractAt("MerkleEpoch", released)).claim(c.index, c.account, c.amount, c.proof)).to.changeTokenBalance(
        ethers,
        token,
        alice,
        100n * OPEN,
      );
    });
  });

  describe("expiry", function () {
    it("stops claims at expiry and sweeps what is left to the treasury, also later arrivals", async function () {
      const { epochContract, token, admin, bob, epoch } = await networkHelpers.loadFixture(postedFixture);
      const c = leafOf(epoch, bob.address);
      await (await epochContract.claim(c.index, c.account, c.amount, c.proof)).wait();
      const { expiresAt } = await epochContract.terms();
      await expect(epochContract.sweep()).to.be.revertedWithCustomError(epochContract, "ClaimWindowOpen").withArgs(expiresAt);
      await networkHelpers.time.increaseTo(expiresAt);
      const oc = epoch.claim(epoch.leaves.find((l) => l.account !== bob.address)!.index);
      await expect(epochContract.claim(oc.index, oc.account, oc.amount, oc.proof))
        .to.be.revertedWithCustomError(epochContract, "ClaimWindowClosed")
        .withArgs(expiresAt);
      const treasury = admin.address; // the deployer is the treasury by default
      const left = epoch.total - c.amount;
      const tx = epochContract.sweep();
      await expect(tx).to.emit(epochContract, "Swept").withArgs(left, treasury);
      await expect(tx).to.changeTokenBalances(ethers, token, [epochContract, admin], [-left, left]);
      await expect(epochContract.sweep()).to.be.revertedWithCustomError(epochContract, "NothingToSweep");
      await (await token.connect(admin).transfer(await epochContract.getAddress(), 5n)).wait();
      await expect(epochContract.sweep()).to.emit(epochContract, "Swept").withArgs(5n, treasury);
    });

    it("closes claims and opens the sweep at the expiry second itself", async function () {
      const { epochContract, alice, epoch } = await networkHelpers.loadFixture(postedFixture);
      const { expiresAt } = await epochContract.terms();
      const c = leafOf(epoch, alice.address);
      await networkHelpers.time.setNextBlockTimestamp(expiresAt - 1n);
      await expect(epochContract.claim(c.index, c.account, c.amount, c.proof)).to.emit(epochContract, "Claimed");
      await networkHelpers.time.setNextBlockTimestamp(expiresAt);
      await expect(epochContract.sweep()).to.emit(epochContract, "Swept").withArgs(epoch.total - c.amount, (await epochContract.terms()).treasury);

      const again = await networkHelpers.loadFixture(postedFixture);
      await networkHelpers.time.setNextBlockTimestamp(expiresAt - 1n);
      await expect(again.epochContract.sweep()).to.be.revertedWithCustomError(again.epochContract, "ClaimWindowOpen").withArgs(expiresAt);
      await networkHelpers.time.setNextBlockTimestamp(expiresAt);
      await expect(again.epochContract.claim(c.index, c.account, c.amount, c.proof))
        .to.be.revertedWithCustomError(again.epochContract, "ClaimWindowClosed")
        .withArgs(expiresAt);
    });

    it("refuses a sweep re-entered from the token's transfer, and sweeps once", async function () {
      const { admin, epoch } = await networkHelpers.loadFixture(distributorFixture);
      const { epochContract, reentrant } = await reentrantEpoch(admin, epoch);
      await networkHelpers.time.increaseTo((await epochContract.terms()).expiresAt);
      await (await reentrant.arm(await epochContract.getAddress(), epochContract.interface.encodeFunctionData("sweep"))).wait();
      await expect(epochContract.sweep()).to.emit(epochContract, "Swept").withArgs(epoch.total, admin.address);
      expect(await reentrant.attempted()).to.equal(true);
      expect(await reentrant.innerSucceeded()).to.equal(false);
      expect(await reentrant.innerRevertData()).to.equal(epochContract.interface.encodeErrorResult("ReentrancyGuardReentrantCall", []));
    });
  });

  it("checks its constructor arguments", async function () {
    const { token, admin } = await networkHelpers.loadFixture(distributorFixture);
    const factory = await ethers.getContractFactory("MerkleEpochDistributor");
    const [t, a] = [await token.getAddress(), admin.address];
    for (const args of [[ZeroAddress, a, YEAR], [t, ZeroAddress, YEAR]] as const) {
      await expect(factory.deploy(...args)).to.be.revertedWithCustomError(factory, "ZeroAddress");
    }
    for (const window of [86_399, 3_650 * 24 * 3_600 + 1]) {
      await expect(factory.deploy(t, a, window)).to.be.revertedWithCustomError(factory, "InvalidClaimWindow").withArgs(window);
    }
    for (const window of [86_400, 3_650 * 24 * 3_600]) {
      expect(await (await factory.deploy(t, a, window)).claimWindow()).to.equal(BigInt(window));
    }
  });
});
