import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, type Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  ContributionStatus,
  createClient,
  DataKind,
  datanetRegistryAbi,
  hashContent,
  ProtocolError,
  REVEAL_WINDOW,
  rebuildProtocolState,
  VERSION_LEAF_ENCODING,
  verifyProtocolState,
  verifyRegistryState,
} from "../../sdk/index.ts";
import { indexProtocolEvents } from "../../sdk/node/index.ts";
import { OPEN, testPolicy } from "../helpers/registry.ts";

const connection = await network.create();
const { viem, networkHelpers, ethers } = connection;

const BOND = 10n * OPEN;
const WINDOW = 600;
/** Stake weights (units of 1e15 wei) of the two validators: v1 alone decides, v2 alone cannot. */
const WEIGHT = { v1: 3_000_000n, v2: 1_000_000n };

let n = 0;
const fresh = (size = 20) => ({ ...hashContent(`history item ${n++}`.padEnd(size, "~")), uri: `ipfs://h/${n}` });

/**
 * A history touching every registry event and every validation path: two datanets and all owner
 * actions; contributions accepted early, rejected early, accepted after the window, expired,
 * withdrawn, displaced by an older commitment, and a rejected hash submitted again (still pending,
 * with a verdict); settlements, a credit withdrawal, a lapsed and an open commitment; two versions.
 */
async function historyFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const [admin, owner, alice, bob, carol, v1, v2] = wallets;
  const as = (w: typeof admin) => createClient({ publicClient, walletClient: w, deployment });
  const sdk = { owner: as(owner!), alice: as(alice!), bob: as(bob!), carol: as(carol!), v1: as(v1!), v2: as(v2!) };
  const registry = { address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi } as const;
  const token = await ethers.getContractAt("OpenToken", deployment.contracts.openToken);
  const [adminSigner] = await ethers.getSigners();
  for (const w of [alice, bob, carol, v1, v2]) await (await token.connect(adminSigner!).transfer(w!.account.address, 10_000n * OPEN)).wait();

  const policy = testPolicy({
    quorum: 1,
    submissionBond: BOND,
    validationWindow: WINDOW,
    maxContributionsPerContributorPerEpoch: 10,
    maxBytesPerContributorPerEpoch: 1_000n,
    maxBytesPerDatanetPerEpoch: 4_000n,
  });
  const text = (await (await sdk.owner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://text", policy })).wait()).datanetId;
  const images = (
    await (await sdk.alice.datanets.create({ kind: DataKind.Image, metadataURI: "ipfs://img", policy: { ...policy, allowlistOnly: true, submissionBond: OPEN } })).wait()
  ).datanetId;
  await (await sdk.alice.datanets.setAllowlisted({ datanetId: images, accounts: [bob!.account.address, owner!.account.address], allowed: true })).wait();
  await (await sdk.alice.datanets.setAllowlisted({ datanetId: images, accounts: [owner!.account.address], allowed: false })).wait();
  await (await sdk.owner.datanets.updateMetadata({ datanetId: text, metadataURI: "ipfs://text-v2" })).wait();
  await (await sdk.owner.datanets.updatePolicy({ datanetId: text, policy: { ...policy, quorum: 2 } })).wait();
  // Stake bonded before the reveals, so it weighs on them.
  await (await sdk.v1.validators.stake({ datanetId: text, amount: 3_000n * OPEN })).wait();
  await (await sdk.v2.validators.stake({ datanetId: text, amount: 1_000n * OPEN })).wait();

  const a = [fresh(), fresh(), fresh()];
  await (await sdk.alice.contributions.submitBatch({ datanetId: text, items: a })).wait(); // ids 1-3
  const w = fresh();
  await (await sdk.alice.contributions.submit({ datanetId: text, ...w })).wait(); // id 4
  const b = fresh(50);
  await (await sdk.bob.contributions.submit({ datanetId: images, ...b })).wait(); // id 5
  // Bob commits to x first; Carol registers it (id 6); Bob's older commitment then displaces her (id 7).
  const x = fresh();
  const bobs = await sdk.bob.contributions.commit({ datanetId: text, contentHashes: [x.contentHash], reservedBytes: x.sizeBytes });
  await (await sdk.carol.contributions.submit({ datanetId: text, ...x })).wait();
  await publicClient.waitForTransactionReceipt({
    hash: await bob!.writeContract({ ...registry, functionName: "submit", args: [text, x.contentHash, x.sizeBytes, x.uri, bobs.salt] }),
  });
  await (await sdk.alice.contributions.withdraw({ contentHash: w.contentHash })).wait();

  await networkHelpers.time.increase(REVEAL_WINDOW);
  const verdict = (contentHash: Hex, accept: boolean) => ({ contentHash, accept, quality: accept ? 80 : 0, reasonCode: accept ? 0 : 2 });
  await (await sdk.v1.validators.attest(verdict(a[0]!.contentHash, true))).wait(); // closes Accepted at once
  await (await sdk.v1.validators.attest(verdict(a[1]!.contentHash, false))).wait(); // closes Rejected at once
  await (await sdk.v2.validators.attest(verdict(a[2]!.contentHash, true))).wait(); // stays open: v2 alone cannot decide
  await (await sdk.v1.validators.attest(verdict(x.contentHash, true))).wait();
  const version1 = await (await sdk.owner.versions.publish({ datanetId: text, uri: "ipfs://text/v1" })).wait();
  // The rejected hash comes back under a new id (8), from its author (closed content stays its author's
  // to submit again for a reveal window after its validation window).
  await (await sdk.alice.contributions.submit({ datanetId: text, ...a[1]! })).wait();
  const lapsing = await sdk.carol.contributions.commit({ datanetId: text, contentHashes: [fresh().contentHash], reservedBytes: 20n });

  await networkHelpers.time.increase(WINDOW);
  await (await sdk.carol.validators.finalize({ contentHashes: [a[2]!.contentHash, b.contentHash] })).wait(); // Accepted, Expired
  await networkHelpers.time.increaseTo((await sdk.owner.contributions.get(a[1]!.contentHash)).votingOpensAt);
  await (await sdk.v2.validators.attest(verdict(a[1]!.contentHash, false))).wait(); // id 8: open, one verdict
  await networkHelpers.time.increaseTo(lapsing.committedAt + REVEAL_WINDOW + 1);
  await (await sdk.carol.contributions.lapse({ commitment: lapsing.commitment })).wait();
  await (await sdk.carol.validators.settle({ validator: v1!.account.address, contributionIds: [1n, 2n, 7n] })).wait();
  await (await sdk.v2.validators.settle({ contributionIds: [3n] })).wait();
  await (await sdk.alice.contributions.withdrawCredit()).wait();
  const version2 = await (await sdk.owner.versions.publish({ datanetId: text, uri: "ipfs://text/v2" })).wait();

  await (await sdk.owner.datanets.setPaused({ datanetId: text, paused: true })).wait();
  await (await sdk.alice.datanets.transferOwnership({ datanetId: images, newOwner: bob!.account.address })).wait();
  await (await sdk.bob.datanets.acceptOwnership({ datanetId: images })).wait();
  await (await sdk.owner.datanets.transferOwnership({ datanetId: text, newOwner: alice!.account.address })).wait();
  // A commitment not yet revealed stays in the state, with its reservation and bond.
  await sdk.bob.contributions.commit({ datanetId: images, contentHashes: [fresh().contentHash], reservedBytes: 30n });
  return { sdk, deployment, publicClient, text, images, version1, version2, items: { a, w, b, x }, accounts: { owner: owner!, alice: alice!, bob: bob!, carol: carol!, v1: v1!, v2: v2! } };
}

/** The whole protocol rebuilt from an index of its events. */
async function rebuildAll(client: Awaited<ReturnType<typeof historyFixture>>["sdk"]["owner"]) {
  const { events } = await indexProtocolEvents(client);
  return rebuildProtocolState(client, events);
}

describe("SDK history", function () {
  it("rebuilds every datanet, contribution, version, commitment and credit from events alone, equal to the views", async function () {
    const { sdk, items, accounts } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    expect(state.datanets.size).to.equal(2);
    expect([...state.contributions.values()].map((c) => c.status)).to.deep.equal([
      ContributionStatus.Accepted,
      ContributionStatus.Rejected,
      ContributionStatus.Accepted,
      ContributionStatus.Withdrawn,
      ContributionStatus.Expired,
      ContributionStatus.Displaced,
      ContributionStatus.Accepted,
      ContributionStatus.Pending,
    ]);
    expect(state.currentIds.size).to.equal(6);
    expect(state.versions.size).to.equal(2);
    expect([...state.commitments.values()].map((c) => [c.contributor, c.itemCount, c.reservedBytes, c.bond])).to.deep.equal([
      [getAddress(accounts.bob.account.address), 1, 30n, OPEN],
    ]);
    expect(state.datanets.get(1n)!.metadataURI).to.equal("ipfs://text-v2");
    expect(state.datanets.get(2n)!.allowlist.size).to.equal(2);
    // Alice withdrew her two refunds; Bob's are the expired contribution's bond and the accepted one's.
    expect(state.credits.get(getAddress(accounts.alice.account.address))).to.equal(0n);
    expect(state.credits.get(getAddress(accounts.bob.account.address))).to.equal(OPEN + BOND);
    expect(state.contributions.get(8n)!.contentHash).to.equal(items.a[1]!.contentHash);
    expect(await verifyRegistryState(sdk.owner, state)).to.deep.equal([]);
  });

  it("reports each rebuilt value that disagrees with the chain", async function () {
    const { sdk, accounts } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    state.contributions.get(3n)!.status = ContributionStatus.Rejected;
    // The owner's removal applies from epoch 2; a rebuild that lost it disagrees with the stored entry.
    state.datanets.get(2n)!.allowlist.set(getAddress(accounts.owner.account.address), { listed: true, removedFrom: 0 });
    state.versions.get("1/2")!.contributionCount = 1n;
    const bob = getAddress(accounts.bob.account.address);
    state.credits.set(bob, state.credits.get(bob)! + 1n);
    state.commitments.values().next().value!.reservedBytes = 31n;
    state.datanetBytes.set("2:0", state.datanetBytes.get("2:0")! + 1n);
    state.usage.get(`1:0:${getAddress(accounts.alice.account.address)}`)!.contributions -= 1;
    const discrepancies = await verifyRegistryState(sdk.owner, state);
    expect(discrepancies).to.deep.include({ entity: "contribution 3", field: "status", expected: "3", actual: "2" });
    expect(discrepancies).to.deep.include({
      entity: "datanet 2",
      field: `allowlist ${getAddress(accounts.owner.account.address)}`,
      expected: "[true,0]",
      actual: "[true,2]",
    });
    expect(discrepancies).to.deep.include({ entity: `credit ${bob}`, field: "creditOf", expected: String(OPEN + BOND + 1n), actual: String(OPEN + BOND) });
    expect(discrepancies.map((d) => `${d.entity}/${d.field}`)).to.include.members([
      "datanet 1 version 2/contributionCount",
      "datanet 1 version 2/recomputed root",
      "registry/OPEN held = credits + pending bonds + commitment bonds",
      `commitment ${state.commitments.values().next().value!.commitment}/reservedBytes`,
      "quota 2/bytes reserved in epoch 0",
      `quota 1/${getAddress(accounts.alice.account.address)}/epoch, items and bytes reserved`,
    ]);
  });

  it("keys contributions by id: a displaced registration and a resubmitted rejected hash keep their old records", async function () {
    const { sdk, items, accounts } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    const [carol, bob] = [state.contributions.get(6n)!, state.contributions.get(7n)!];
    expect([carol.contentHash, carol.contributor, carol.status]).to.deep.equal([items.x.contentHash, getAddress(accounts.carol.account.address), ContributionStatus.Displaced]);
    expect(bob.committedAt).to.be.lessThan(carol.committedAt);
    expect(bob.submittedAt).to.be.greaterThan(carol.submittedAt);
    expect(state.currentIds.get(items.x.contentHash)).to.equal(7n);
    // The rejected hash: its first record stays Rejected, the registry's record is the new one.
    expect(state.contributions.get(2n)!.status).to.equal(ContributionStatus.Rejected);
    expect(state.currentIds.get(items.a[1]!.contentHash)).to.equal(8n);
    const onChain = await sdk.owner.contributions.get(items.a[1]!.contentHash);
    expect([onChain.id, onChain.status, onChain.votingEndsAt]).to.deep.equal([8n, ContributionStatus.Pending, state.contributions.get(8n)!.votingEndsAt]);
    // Quotas were reserved at commit: Carol's lapsed commitment still counts.
    const used = state.usage.get(`1:0:${getAddress(accounts.carol.account.address)}`);
    expect(used).to.deep.equal({ contributions: 2, bytesUsed: 40n });
    expect(await sdk.owner.datanets.contributorUsage({ datanetId: 1n, contributor: accounts.carol.account.address })).to.deep.include({ contributions: 2, bytesUsed: 40n });
  });

  it("rebuilds expiry, settlement, points and stake checkpoints, and the audit finds no discrepancy", async function () {
    const { sdk, deployment, accounts } = await networkHelpers.loadFixture(historyFixture);
    const state = await rebuildAll(sdk.owner);
    const [v1, v2] = [getAddress(accounts.v1.account.address), getAddress(accounts.v2.account.address)];
    expect(state.tallies.get(5n)).to.deep.include({ outcome: ContributionStatus.Expired, verdicts: new Map(), eligibleWeight: 0n });
    expect(state.tallies.get(2n)).to.deep.include({ outcome: ContributionStatus.Rejected, forfeit: (BOND * 8n) / 10n, rejectWeight: WEIGHT.v1 });
    expect(state.tallies.get(2n)!.verdicts.get(v1)).to.deep.include({ settled: true, credit: (BOND * 8n) / 10n });
    // The open tally of the resubmitted hash: eligible stake from the rebuilt checkpoints.
    expect(state.tallies.get(8n)).to.deep.include({ outcome: ContributionStatus.Pending, eligibleWeight: WEIGHT.v1 + WEIGHT.v2, rejectWeight: WEIGHT.v2 });
    expect(state.agreement.get(`1:${v1}`)).to.deep.include({ agreed: 3, disagreed: 0 });
    expect(state.points.get(`1:0:${v1}`)!.validator).to.equal(2n * WEIGHT.v1);
    expect(state.points.get(`1:0:${v2}`)!.validator).to.equal(WEIGHT.v2);
    // Epoch totals count the accepting stake at closing.
    expect(state.epochTotals.get("1:0")!.validator).to.equal(2n * WEIGHT.v1 + WEIGHT.v2);
    expect(state.totalStakeHistory.get(1n)!.map((c) => c.amount)).to.deep.equal([3_000n * OPEN, 4_000n * OPEN]);
    expect(state.registry.credits.get(getAddress(deployment.contracts.attestationRegistry))).to.equal(0n);
    expect(await verifyProtocolState(sdk.owner, state)).to.deep.equal([]);
  });

  it("reports a tally, a verdict, a stake checkpoint or a validator's points that disagree with the chain", async function () {
    const { sdk, accounts } = await networkHelpers.loadFixture(historyFixture);
    const state = await rebuildAll(sdk.owner);
    const [v1, v2] = [getAddress(accounts.v1.account.address), getAddress(accounts.v2.account.address)];
    state.tallies.get(5n)!.outcome = ContributionStatus.Rejected;
    state.tallies.get(8n)!.verdicts.get(v2)!.settled = true;
    state.tallies.get(3n)!.verdicts.get(v2)!.weight += 1n;
    state.stakeHistory.get(`1:${v1}`)![0]!.amount += 1n;
    state.points.get(`1:0:${v1}`)!.validator -= 1n;
    const found = (await verifyProtocolState(sdk.owner, state)).map((d) => `${d.entity}/${d.field}`);
    expect(found).to.include.members([
      "tally 5/outcome",
      `tally 8/verdict of ${v2}`,
      `tally 3/weight of ${v2} = its stake at the snapshot`,
      `stake 1/${v1}/bonded at ${state.stakeHistory.get(`1:${v1}`)![0]!.at}`,
      `points 1/0/${v1}/contributor, validator`,
    ]);
  });

  it("reports a displacement or a lapse missing from the events: the registry holds less OPEN than the rebuilt bonds", async function () {
    const { sdk } = await networkHelpers.loadFixture(historyFixture);
    const { events } = await indexProtocolEvents(sdk.owner);
    for (const [missing, entity] of [
      ["ContributionDisplaced", "registry"],
      ["SubmissionLapsed", "commitment "],
    ] as const) {
      const state = rebuildProtocolState(sdk.owner, events.filter((e) => e.eventName !== missing));
      const found = await verifyProtocolState(sdk.owner, state);
      const balance = found.find((d) => d.field === "OPEN held = credits + pending bonds + commitment bonds");
      expect(balance!.actual, missing).to.equal(`${BigInt(balance!.expected) - BOND}: holds ${BOND} less than owed`);
      expect(found.some((d) => d.entity.startsWith(entity)), JSON.stringify(found)).to.equal(true);
    }
  });

  it("publishes version roots equal to an independent StandardMerkleTree over the accepted set, in acceptance order", async function () {
    const { sdk, text, version1: v1, version2: v2 } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    const accepted = [...state.contributions.values()]
      .filter((c) => c.datanetId === text && c.status === ContributionStatus.Accepted)
      .sort((x, y) => Number(x.acceptedIndex! - y.acceptedIndex!));
    expect(accepted.map((c) => c.contributionId)).to.deep.equal([1n, 7n, 3n]);
    const expected = (count: number) =>
      StandardMerkleTree.of(accepted.slice(0, count).map((c) => [c.contributionId, c.contributor, c.contentHash]), [...VERSION_LEAF_ENCODING]).root;
    expect([v1.version, v1.contributionCount, v1.root]).to.deep.equal([1, 2n, expected(2)]);
    expect([v2.version, v2.contributionCount, v2.root]).to.deep.equal([2, 3n, expected(3)]);
    for (const version of [1, 2]) {
      const check = await sdk.owner.versions.verify({ datanetId: text, version });
      expect(check.matches, `version ${version}`).to.equal(true);
    }
    const { tree } = await sdk.owner.versions.compute({ datanetId: text });
    const { contributor, contentHash } = accepted[2]!;
    const proof = tree.getProof([3n, contributor, contentHash]);
    expect(StandardMerkleTree.verify(v2.root, [...VERSION_LEAF_ENCODING], [3n, contributor, contentHash], proof)).to.equal(true);
  });

  it("refuses a version from a caller that does not own the datanet, as a named error", async function () {
    const { sdk, text } = await networkHelpers.loadFixture(historyFixture);
    try {
      // Alice is only the pending owner.
      await sdk.alice.versions.publish({ datanetId: text, uri: "ipfs://text/v3" });
      expect.fail("expected NotDatanetOwner");
    } catch (error) {
      expect(ProtocolError.is(error, "NotDatanetOwner")).to.equal(true);
    }
  });
});
