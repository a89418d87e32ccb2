import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, type Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  createClient,
  DataKind,
  datanetRegistryAbi,
  hashContent,
  ProtocolError,
  VERSION_LEAF_ENCODING,
  verifyRegistryState,
} from "../../sdk/index.ts";
import { DAY, testPolicy } from "../helpers/registry.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;

let n = 0;
const fresh = (size = 20) => ({ ...hashContent(`history item ${n++}`.padEnd(size, "~")), uri: `ipfs://h/${n}` });

/** A history touching every registry event: two datanets, all owner actions, every status, two versions. */
async function historyFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [admin, owner, alice, bob, finalizer] = await viem.getWalletClients();
  const as = (w: typeof admin) => createClient({ publicClient, walletClient: w, deployment });
  const sdk = { admin: as(admin!), owner: as(owner!), alice: as(alice!), bob: as(bob!) };
  const registry = { address: deployment.contracts.datanetRegistry, abi: datanetRegistryAbi } as const;
  const finalize = async (contentHash: Hex, accepted: boolean) =>
    publicClient.waitForTransactionReceipt({
      hash: await finalizer!.writeContract({ ...registry, functionName: "finalize", args: [contentHash, accepted] }),
    });
  await publicClient.waitForTransactionReceipt({
    hash: await admin!.writeContract({
      ...registry,
      functionName: "grantRole",
      args: [await publicClient.readContract({ ...registry, functionName: "FINALIZER_ROLE" }), finalizer!.account.address],
    }),
  });

  const text = (await (await sdk.owner.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://text", policy: testPolicy() })).wait()).datanetId;
  const images = (await (await sdk.alice.datanets.create({ kind: DataKind.Image, metadataURI: "ipfs://img", policy: testPolicy({ allowlistOnly: true }) })).wait()).datanetId;
  await (await sdk.alice.datanets.setAllowlisted({ datanetId: images, accounts: [bob!.account.address, owner!.account.address], allowed: true })).wait();
  await (await sdk.alice.datanets.setAllowlisted({ datanetId: images, accounts: [owner!.account.address], allowed: false })).wait();
  await (await sdk.owner.datanets.updateMetadata({ datanetId: text, metadataURI: "ipfs://text-v2" })).wait();
  await (await sdk.owner.datanets.updatePolicy({ datanetId: text, policy: testPolicy({ quorum: 3 }) })).wait();

  const a = [fresh(), fresh(), fresh()];
  await (await sdk.alice.contributions.submitBatch({ datanetId: text, items: a })).wait();
  const b = fresh(50);
  await (await sdk.bob.contributions.submit({ datanetId: images, ...b })).wait();
  await finalize(a[0]!.contentHash, true);
  await finalize(a[1]!.contentHash, false);
  await finalize(b.contentHash, true);
  const v1 = await (await sdk.owner.versions.publish({ datanetId: text, uri: "ipfs://text/v1" })).wait();
  await networkHelpers.time.increase(DAY);
  const c = fresh(99);
  await (await sdk.bob.contributions.submit({ datanetId: text, ...c })).wait();
  await finalize(c.contentHash, true);
  await (await sdk.alice.contributions.withdraw({ contentHash: a[2]!.contentHash })).wait();
  const v2 = await (await sdk.owner.versions.publish({ datanetId: text, uri: "ipfs://text/v2" })).wait();
  await (await sdk.owner.datanets.setPaused({ datanetId: text, paused: true })).wait();
  await (await sdk.alice.datanets.transferOwnership({ datanetId: images, newOwner: bob!.account.address })).wait();
  await (await sdk.bob.datanets.acceptOwnership({ datanetId: images })).wait();
  await (await sdk.owner.datanets.transferOwnership({ datanetId: text, newOwner: alice!.account.address })).wait();
  // A commitment never revealed stays in the state.
  await sdk.alice.publicClient.waitForTransactionReceipt({
    hash: await alice!.writeContract({ ...registry, functionName: "commitSubmission", args: ["0x" + "ab".repeat(32) as Hex] }),
  });
  return { sdk, publicClient, registry, text, images, v1, v2, accounts: { owner: owner!, alice: alice!, bob: bob! } };
}

describe("SDK history", function () {
  it("rebuilds every datanet, contribution, version and commitment from events alone, equal to the views", async function () {
    const { sdk } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    expect(state.datanets.size).to.equal(2);
    expect(state.contributions.size).to.equal(5);
    expect(state.versions.size).to.equal(2);
    expect(state.commitments.size).to.equal(1);
    expect(state.datanets.get(1n)!.metadataURI).to.equal("ipfs://text-v2");
    expect(state.datanets.get(2n)!.allowlist.size).to.equal(2);
    expect(await verifyRegistryState(sdk.owner, state)).to.deep.equal([]);
  });

  it("reports each rebuilt value that disagrees with the chain", async function () {
    const { sdk, accounts } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    state.contributions.get(2n)!.status = 2;
    // The owner's removal applies from epoch 2; a rebuild that lost it disagrees with the stored entry.
    state.datanets.get(2n)!.allowlist.set(getAddress(accounts.owner.account.address), { listed: true, removedFrom: 0 });
    state.versions.get("1/2")!.contributionCount = 1n;
    const discrepancies = await verifyRegistryState(sdk.owner, state);
    expect(discrepancies).to.deep.include({ entity: "contribution 2", field: "status", expected: "2", actual: "3" });
    expect(discrepancies).to.deep.include({
      entity: "datanet 2",
      field: `allowlist ${getAddress(accounts.owner.account.address)}`,
      expected: "[true,0]",
      actual: "[true,2]",
    });
    expect(discrepancies.map((d) => `${d.entity}/${d.field}`)).to.include.members([
      "datanet 1 version 2/contributionCount",
      "datanet 1 version 2/recomputed root",
    ]);
  });

  it("publishes version roots equal to an independent StandardMerkleTree over the accepted set", async function () {
    const { sdk, text, v1, v2 } = await networkHelpers.loadFixture(historyFixture);
    const state = await sdk.owner.history.rebuild();
    const accepted = [...state.contributions.values()].filter((c) => c.datanetId === text && c.status === 2);
    expect(accepted.map((c) => c.contributionId)).to.deep.equal([1n, 5n]);
    const expected = (ids: bigint[]) =>
      StandardMerkleTree.of(
        accepted.filter((c) => ids.includes(c.contributionId)).map((c) => [c.contributionId, c.contributor, c.contentHash]),
        [...VERSION_LEAF_ENCODING],
      ).root;
    expect([v1.version, v1.contributionCount, v1.root]).to.deep.equal([1, 1n, expected([1n])]);
    expect([v2.version, v2.contributionCount, v2.root]).to.deep.equal([2, 2n, expected([1n, 5n])]);
    for (const version of [1, 2]) {
      const check = await sdk.owner.versions.verify({ datanetId: text, version });
      expect(check.matches, `version ${version}`).to.equal(true);
    }
    const { tree } = await sdk.owner.versions.compute({ datanetId: text });
    const { contributor, contentHash } = accepted[1]!;
    const proof = tree.getProof([5n, contributor, contentHash]);
    expect(StandardMerkleTree.verify(v2.root, [...VERSION_LEAF_ENCODING], [5n, contributor, contentHash], proof)).to.equal(true);
  });

  it("refuses a version from a caller that does not own the datanet, as a named error", async function () {
    const { sdk, images } = await networkHelpers.loadFixture(historyFixture);
    try {
      await sdk.alice.versions.publish({ datanetId: images, uri: "ipfs://img/v1" });
      expect.fail("expected NotDatanetOwner");
    } catch (error) {
      expect(ProtocolError.is(error, "NotDatanetOwner")).to.equal(true);
    }
  });
});
