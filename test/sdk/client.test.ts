import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, zeroHash, type Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  ClientConfigError,
  ContributionStatus,
  createClient,
  DataKind,
  datanetRegistryAbi,
  hashContent,
  hashFile,
  InvalidInputError,
  randomSalt,
  submissionCommitment,
  toSdkError,
  type ProtocolErrorName,
  type SubmissionItem,
} from "../../sdk/index.ts";
import { expectProtocolError } from "../helpers/errors.ts";
import { testPolicy } from "../helpers/registry.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;

async function sdkFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [admin, owner, alice, bob] = await viem.getWalletClients();
  const as = (walletClient: typeof admin) => createClient({ publicClient, walletClient, deployment });
  const ownerSdk = as(owner!);
  const { datanetId } = await (
    await ownerSdk.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://d", policy: testPolicy() })
  ).wait();
  return {
    deployment,
    publicClient,
    datanetId,
    admin: admin!,
    owner: ownerSdk,
    alice: as(alice!),
    bob: as(bob!),
    readOnly: createClient({ publicClient, deployment }),
  };
}

let n = 0;
const used = new Set<Hex>();
/** Fresh random content of `size` bytes, never handed out twice. */
const text = (size = 10): Uint8Array => {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(size));
    const { contentHash } = hashContent(bytes);
    if (!used.has(contentHash)) {
      used.add(contentHash);
      return bytes;
    }
  }
};
const itemOf = (content: Uint8Array): SubmissionItem => ({ ...hashContent(content), uri: `ipfs://sdk/${n++}` });

async function nonceOf(sdk: { publicClient: { getTransactionCount: Function }; walletClient?: { account: { address: Hex } } }) {
  return sdk.publicClient.getTransactionCount({ address: sdk.walletClient!.account.address }) as Promise<number>;
}

describe("SDK client", function () {
  it("creates a datanet and reads it back", async function () {
    const { owner, readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    expect(datanetId).to.equal(1n);
    const info = await readOnly.datanets.get(datanetId);
    expect(info.owner).to.equal(getAddress(owner.walletClient!.account.address));
    expect(info.policy).to.deep.equal(testPolicy());
    expect(await readOnly.datanets.currentEpoch(datanetId)).to.equal(0);
  });

  it("submits one contribution through commit-reveal and returns its id", async function () {
    const { alice, readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const content = text(40);
    const it = itemOf(content);
    const handle = await alice.contributions.submit({ datanetId, ...it });
    const { contributionId, receipt } = await handle.wait();
    expect(contributionId).to.equal(1n);
    expect(receipt.status).to.equal("success");
    const stored = await readOnly.contributions.get(it.contentHash);
    expect(stored.id).to.equal(contributionId);
    expect(await readOnly.contributions.contentHashOf(contributionId)).to.equal(it.contentHash);
    expect(stored.status).to.equal(ContributionStatus.Pending);
    expect(it.sizeBytes).to.equal(40n);
    const usage = await readOnly.datanets.contributorUsage({ datanetId, contributor: alice.walletClient!.account.address });
    expect(usage.bytesUsed).to.equal(40n);
  });

  it("submits a batch with one commitment and returns every id", async function () {
    const { alice, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const items = [itemOf(text()), itemOf(text()), itemOf(text())];
    const before = await nonceOf(alice);
    const { contributionIds } = await (await alice.contributions.submitBatch({ datanetId, items })).wait();
    expect(contributionIds).to.deep.equal([1n, 2n, 3n]);
    expect(await nonceOf(alice)).to.equal(before + 2);
  });

  it("withdraws a pending contribution and decodes the revert of a second withdrawal", async function () {
    const { alice, bob, readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const { contentHash } = itemOf(text());
    const { contributionId } = await (await alice.contributions.submit({ datanetId, ...itemOf(text()), contentHash })).wait();
    await expectProtocolError(bob.contributions.withdraw({ contentHash }), "NotContributor", false);
    const withdrawn = await (await alice.contributions.withdraw({ contentHash })).wait();
    expect(withdrawn.contributionId).to.equal(contributionId);
    expect((await readOnly.contributions.get(contentHash)).status).to.equal(ContributionStatus.Withdrawn);
    const error = await expectProtocolError(alice.contributions.withdraw({ contentHash }), "InvalidStatusTransition", false);
    expect(error.args).to.deep.equal({ contentHash, from: 4, to: 4 });
    expect(error.shortMessage).to.equal(`Contribution ${contentHash} is Withdrawn; it cannot become Withdrawn.`);
  });

  it("decodes a simulated revert into a named error and sends nothing", async function () {
    const { alice, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const before = await nonceOf(alice);
    const error = await expectProtocolError(
      alice.datanets.updateMetadata({ datanetId, metadataURI: "ipfs://mine" }),
      "NotDatanetOwner",
      false,
    );
    expect(error.args).to.deep.equal({ datanetId, caller: getAddress(alice.walletClient!.account.address) });
    expect(error.message).to.include("is not the owner of datanet 1");
    const invalid = await expectProtocolError(
      alice.datanets.create({ kind: DataKind.Text, metadataURI: "x", policy: testPolicy({ quorum: 0 }) }),
      "InvalidPolicy",
      false,
    );
    expect(invalid.shortMessage).to.include("Policy field quorum cannot be 0");
    await expectProtocolError(alice.contributions.get(hashContent("never registered").contentHash), "ContributionUnknown", false);
    expect(await nonceOf(alice)).to.equal(before);
  });

  it("runs owner actions: policy, allowlist, pause, two-step ownership", async function () {
    const { owner, alice, readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const aliceAddress = alice.walletClient!.account.address;
    const { effectiveEpoch } = await (await owner.datanets.updatePolicy({ datanetId, policy: testPolicy({ allowlistOnly: true }) })).wait();
    expect(effectiveEpoch).to.equal((await owner.datanets.currentEpoch(datanetId)) + 2);
    expect((await owner.datanets.epochTerms({ datanetId, epoch: BigInt(effectiveEpoch) })).allowlistOnly).to.equal(true);
    await networkHelpers.time.increase(2 * 24 * 3_600);
    await expectProtocolError(alice.contributions.submit({ datanetId, ...itemOf(text()) }), "ContributorNotAllowlisted", true);
    await (await owner.datanets.setAllowlisted({ datanetId, accounts: [aliceAddress], allowed: true })).wait();
    await (await owner.datanets.setPaused({ datanetId, paused: true })).wait();
    await expectProtocolError(alice.contributions.submit({ datanetId, ...itemOf(text()) }), "DatanetPaused", true);
    await (await owner.datanets.setPaused({ datanetId, paused: false })).wait();
    await (await alice.contributions.submit({ datanetId, ...itemOf(text()) })).wait();
    await (await owner.datanets.updateMetadata({ datanetId, metadataURI: "ipfs://v2" })).wait();
    await (await owner.datanets.transferOwnership({ datanetId, newOwner: aliceAddress })).wait();
    await (await alice.datanets.acceptOwnership({ datanetId })).wait();
    expect((await readOnly.datanets.get(datanetId)).owner).to.equal(getAddress(aliceAddress));
  });

  describe("pre-flight checks match the contract", function () {
    // Each case: the setup, then the item that breaks a rule. The SDK must refuse with the same error
    // name and arguments the contract reverts with, before sending the commitment.
    const cases: [ProtocolErrorName, (f: Awaited<ReturnType<typeof sdkFixture>>) => Promise<SubmissionItem[]>][] = [
      ["ZeroContentHash", async () => [{ contentHash: zeroHash, sizeBytes: 1n, uri: "x" }]],
      ["ZeroSize", async () => [{ ...itemOf(text()), sizeBytes: 0n }]],
      ["ContributionTooLarge", async () => [itemOf(text(101))]],
      [
        "DuplicateContent",
        async (f) => {
          const it = itemOf(text());
          await (await f.bob.contributions.submit({ datanetId: f.datanetId, ...it })).wait();
          return [it];
        },
      ],
      ["DuplicateContent", async () => {
        const it = itemOf(text());
        return [it, it];
      }],
      ["ContributorCountQuotaExceeded", async () => [1, 2, 3, 4].map(() => itemOf(text(1)))],
      ["ContributorBytesQuotaExceeded", async () => [itemOf(text(100)), itemOf(text(100)), itemOf(text(51))]],
      [
        "DatanetBytesQuotaExceeded",
        async (f) => {
          await (await f.bob.contributions.submitBatch({ datanetId: f.datanetId, items: [itemOf(text(100)), itemOf(text(100)), itemOf(text(50))] })).wait();
          return [itemOf(text(100)), itemOf(text(51))];
        },
      ],
    ];
    for (const [errorName, setup] of cases) {
      it(`${errorName}`, async function () {
        const f = await networkHelpers.loadFixture(sdkFixture);
        const items = await setup(f);
        const before = await nonceOf(f.alice);
        const sdkError = await expectProtocolError(
          f.alice.contributions.submitBatch({ datanetId: f.datanetId, items }),
          errorName,
          true,
        );
        expect(await nonceOf(f.alice)).to.equal(before, "nothing may be sent");

        // The contract, given the same submission directly, reverts with the same error and arguments.
        const wallet = f.alice.walletClient!;
        const salt = randomSalt();
        const commitment = submissionCommitment({
          contributor: wallet.account.address,
          datanetId: f.datanetId,
          contentHashes: items.map((i) => i.contentHash),
          salt,
        });
        const address = f.deployment.contracts.datanetRegistry;
        await f.publicClient.waitForTransactionReceipt({
          hash: await wallet.writeContract({
            address,
            abi: datanetRegistryAbi,
            functionName: "commitSubmission",
            args: [commitment],
            chain: null,
          }),
        });
        await networkHelpers.mine();
        const contractError = await expectProtocolError(
          f.publicClient
            .simulateContract({
              address,
              abi: datanetRegistryAbi,
              functionName: "submitBatch",
              args: [f.datanetId, items, salt],
              account: wallet.account,
            })
            .catch((e: unknown) => {
              throw toSdkError(e);
            }),
          errorName,
          false,
        );
        expect(sdkError.args).to.deep.equal(contractError.args);
      });
    }
  });

  it("hashes files the way the registry expects", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openledger-hash-"));
    const file = path.join(dir, "sample.txt");
    await writeFile(file, "héllo, datanet\n");
    const hashed = await hashFile(file);
    expect(hashed).to.deep.equal(hashContent(new TextEncoder().encode("héllo, datanet\n")));
    expect(hashed.sizeBytes).to.equal(16n);
    expect(hashed.contentHash).to.equal(keccak256(toBytes("héllo, datanet\n")));
    try {
      await hashFile(path.join(dir, "missing.txt"));
      expect.fail("expected InvalidInputError");
    } catch (error) {
      expect(error).to.be.instanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).to.equal("file");
    }
  });

  describe("input checks", function () {
    it("refuses malformed input before touching the chain", async function () {
      const { alice, datanetId } = await networkHelpers.loadFixture(sdkFixture);
      const good = itemOf(text());
      const bad: [string, () => Promise<unknown>][] = [
        ["datanetId", () => alice.contributions.submit({ datanetId: 0n, ...good })],
        ["items[0].contentHash", () => alice.contributions.submit({ datanetId, ...good, contentHash: "0x1234" })],
        ["items[0].sizeBytes", () => alice.contributions.submit({ datanetId, ...good, sizeBytes: -1n })],
        ["items[0].sizeBytes", () => alice.contributions.submit({ datanetId, ...good, sizeBytes: 2n ** 64n })],
        ["items", () => alice.contributions.submitBatch({ datanetId, items: [] })],
        ["kind", () => alice.datanets.create({ kind: 9 as DataKind, metadataURI: "x", policy: testPolicy() })],
        ["accounts", () => alice.datanets.setAllowlisted({ datanetId, accounts: [], allowed: true })],
        ["accounts[0]", () => alice.datanets.setAllowlisted({ datanetId, accounts: ["0xnope"], allowed: true })],
        ["contentHash", () => alice.contributions.get("0x12")],
        ["contributionId", () => alice.contributions.contentHashOf(0n)],
        ["contributionId", () => alice.contributions.contentHashOf(99n)],
      ];
      for (const [field, call] of bad) {
        try {
          await call();
          expect.fail(`expected InvalidInputError for ${field}`);
        } catch (error) {
          expect(error, String(error)).to.be.instanceOf(InvalidInputError);
          expect((error as InvalidInputError).field).to.equal(field);
        }
      }
    });

    it("explains that a read-only client cannot send", async function () {
      const { readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
      try {
        await readOnly.contributions.submit({ datanetId, ...itemOf(text()) });
        expect.fail("expected ClientConfigError");
      } catch (error) {
        expect(error).to.be.instanceOf(ClientConfigError);
        expect((error as Error).message).to.include("create the client with a walletClient");
      }
    });
  });
});

