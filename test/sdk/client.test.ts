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
  openTokenAbi,
  InvalidInputError,
  randomSalt,
  submissionCommitment,
  toSdkError,
  type ProtocolErrorName,
  type SubmissionItem,
} from "../../sdk/index.ts";
import { hashFile } from "../../sdk/node/index.ts";
import { expectProtocolError } from "../helpers/errors.ts";
import { testPolicy } from "../helpers/registry.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;

const OPEN = 10n ** 18n;
const BOND = 10n * OPEN;
const REVEAL_WINDOW = 30 * 60;
const WINDOW = 3_600;
/** The registry's test policy with this suite's bond (10 OPEN per item) and a one-hour validation window. */
const policy = () => testPolicy({ submissionBond: BOND, validationWindow: WINDOW });

async function sdkFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [admin, owner, alice, bob, carol] = await viem.getWalletClients();
  const as = (walletClient: typeof admin) => createClient({ publicClient, walletClient, deployment });
  const ownerSdk = as(owner!);
  const { datanetId } = await (
    await ownerSdk.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://d", policy: policy() })
  ).wait();
  // The deployer holds the OPEN supply; contributors need it for bonds (carol gets none).
  for (const wallet of [alice!, bob!]) {
    await publicClient.waitForTransactionReceipt({
      hash: await admin!.writeContract({
        address: deployment.contracts.openToken,
        abi: openTokenAbi,
        functionName: "transfer",
        args: [wallet.account.address, 1_000n * OPEN],
        chain: null,
      }),
    });
  }
  return {
    deployment,
    publicClient,
    datanetId,
    admin: admin!,
    owner: ownerSdk,
    alice: as(alice!),
    bob: as(bob!),
    carol: as(carol!),
    readOnly: createClient({ publicClient, deployment }),
  };
}

type Fixture = Awaited<ReturnType<typeof sdkFixture>>;
type Sdk = Fixture["alice"];

const addressOf = (sdk: Sdk) => sdk.walletClient!.account.address;
const balanceOf = (f: Fixture, account: Hex) =>
  f.publicClient.readContract({ address: f.deployment.contracts.openToken, abi: openTokenAbi, functionName: "balanceOf", args: [account] });
const allowanceOf = (f: Fixture, account: Hex) =>
  f.publicClient.readContract({
    address: f.deployment.contracts.openToken,
    abi: openTokenAbi,
    functionName: "allowance",
    args: [account, f.deployment.contracts.datanetRegistry],
  });

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
    expect(info.policy).to.deep.equal(policy());
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
    expect(stored.bond).to.equal(BOND);
    expect(stored.votingOpensAt).to.equal(stored.revealedAt + REVEAL_WINDOW);
    expect(stored.votingEndsAt).to.equal(stored.votingOpensAt + WINDOW);
    expect(stored.committedAt).to.be.lessThan(stored.revealedAt);
    const usage = await readOnly.datanets.contributorUsage({ datanetId, contributor: alice.walletClient!.account.address });
    expect(usage.bytesUsed).to.equal(40n);
  });

  it("approves exactly the missing bond, and nothing when the allowance covers it", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const { alice, datanetId } = f;
    const balance = await balanceOf(f, addressOf(alice));
    let before = await nonceOf(alice);
    await (await alice.contributions.submitBatch({ datanetId, items: [itemOf(text()), itemOf(text())] })).wait();
    expect(await nonceOf(alice)).to.equal(before + 3, "approval, commitment, reveal");
    expect(await balanceOf(f, addressOf(alice))).to.equal(balance - 2n * BOND);
    expect(await allowanceOf(f, addressOf(alice))).to.equal(0n, "the approval was the bond, all of it pulled");

    // With enough allowance standing, no approval is sent.
    await f.publicClient.waitForTransactionReceipt({
      hash: await alice.walletClient!.writeContract({
        address: f.deployment.contracts.openToken,
        abi: openTokenAbi,
        functionName: "approve",
        args: [f.deployment.contracts.datanetRegistry, 5n * BOND],
        chain: null,
      }),
    });
    before = await nonceOf(alice);
    await (await alice.contributions.submit({ datanetId, ...itemOf(text()) })).wait();
    expect(await nonceOf(alice)).to.equal(before + 2, "commitment, reveal");
    expect(await allowanceOf(f, addressOf(alice))).to.equal(4n * BOND);
  });

  it("commits with a reservation and a salt, reveals exactly it, and refuses a reveal that declares other bytes", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const { alice, readOnly, datanetId } = f;
    const items = [itemOf(text(20)), itemOf(text(30))];
    const salt = randomSalt();
    const committed = await alice.contributions.commit({ datanetId, contentHashes: items.map((i) => i.contentHash), reservedBytes: 60n, salt });
    expect(committed.salt).to.equal(salt);
    expect(committed.bond).to.equal(2n * BOND);
    expect(committed.commitment).to.equal(
      submissionCommitment({ contributor: addressOf(alice), datanetId, contentHashes: items.map((i) => i.contentHash), salt }),
    );
    const stored = await readOnly.contributions.getCommitment({ committer: addressOf(alice), commitment: committed.commitment });
    expect(stored).to.deep.equal({ committedAt: committed.committedAt, datanetId: 1, itemCount: 2, reservedBytes: 60n, bond: 2n * BOND });
    // The quota is taken at commit, before anything is revealed.
    expect((await readOnly.datanets.contributorUsage({ datanetId, contributor: addressOf(alice) })).bytesUsed).to.equal(60n);

    const reveal = (batch: SubmissionItem[]) =>
      alice.walletClient!.writeContract({
        address: f.deployment.contracts.datanetRegistry,
        abi: datanetRegistryAbi,
        functionName: "submitBatch",
        args: [datanetId, batch, salt],
        chain: null,
      });
    // Every reserved byte must be declared: fewer would hold quota no contribution pays a bond for.
    for (const [size, revealed] of [[41n, 61n], [29n, 49n]] as const) {
      const other = [items[0]!, { ...items[1]!, sizeBytes: size }];
      const mismatch = await expectProtocolError(reveal(other).catch(async (e: unknown) => { throw await toSdkError(e); }), "RevealMismatch", false);
      expect(mismatch.args).to.deep.equal({
        commitment: committed.commitment, reservedItems: 2, revealedItems: 2n, reservedBytes: 60n, revealedBytes: revealed,
      });
    }
    await f.publicClient.waitForTransactionReceipt({ hash: await reveal([items[0]!, { ...items[1]!, sizeBytes: 40n }]) });
    expect((await readOnly.contributions.get(items[1]!.contentHash)).bond).to.equal(BOND);
  });

  it("refuses a commitment that reserves less than a byte per item, or a bond the contributor cannot pay", async function () {
    const { alice, carol, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const hashes = [itemOf(text()).contentHash, itemOf(text()).contentHash];
    const reservation = await expectProtocolError(
      alice.contributions.commit({ datanetId, contentHashes: hashes, reservedBytes: 1n }),
      "InvalidReservation",
      true,
    );
    expect(reservation.args).to.deep.equal({ itemCount: 2n, reservedBytes: 1n });
    const before = await nonceOf(carol);
    const broke = await expectProtocolError(carol.contributions.submit({ datanetId, ...itemOf(text()) }), "ERC20InsufficientBalance", true);
    expect(broke.args).to.deep.equal({ sender: getAddress(addressOf(carol)), balance: 0n, needed: BOND });
    expect(await nonceOf(carol)).to.equal(before, "no approval, no commitment");
  });

  it("lapses a commitment nobody revealed in time: the bond goes to the treasury as credit", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const { alice, bob, readOnly, datanetId, admin } = f;
    const it = itemOf(text());
    const { commitment, committedAt } = await alice.contributions.commit({ datanetId, contentHashes: [it.contentHash], reservedBytes: 10n });
    // Commitments are kept per committer: bob has none under this value.
    await expectProtocolError(bob.contributions.lapse({ commitment }), "CommitmentNotFound", false);
    const early = await expectProtocolError(bob.contributions.lapse({ committer: addressOf(alice), commitment }), "CommitmentNotLapsed", false);
    expect(early.args).to.deep.equal({ commitment, lapsesAt: BigInt(committedAt + REVEAL_WINDOW) });
    await networkHelpers.time.increase(REVEAL_WINDOW + 1);
    const treasury = admin.account.address;
    const credit = await readOnly.contributions.credit({ account: treasury });
    const lapsed = await (await bob.contributions.lapse({ committer: addressOf(alice), commitment })).wait();
    expect(lapsed).to.include({ datanetId, bond: BOND, refunded: false });
    expect(await readOnly.contributions.credit({ account: treasury })).to.equal(credit + BOND);
    expect(await readOnly.contributions.getCommitment({ committer: addressOf(alice), commitment })).to.deep.equal({
      committedAt: 0, datanetId: 0, itemCount: 0, reservedBytes: 0n, bond: 0n,
    });
    await expectProtocolError(bob.contributions.lapse({ committer: addressOf(alice), commitment }), "CommitmentNotFound", false);
  });

  it("lapses a commitment whose reveal window a protocol pause overlapped: the bond goes back to the committer", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const { alice, bob, readOnly, datanetId, admin } = f;
    const it = itemOf(text());
    const { commitment } = await alice.contributions.commit({ datanetId, contentHashes: [it.contentHash], reservedBytes: 10n });
    for (const paused of [true, false]) {
      await f.publicClient.waitForTransactionReceipt({
        hash: await admin.writeContract({ address: f.deployment.contracts.datanetRegistry, abi: datanetRegistryAbi, functionName: "setProtocolPaused", args: [paused], chain: null }),
      });
    }
    await networkHelpers.time.increase(REVEAL_WINDOW + 1);
    const treasury = admin.account.address;
    const [aliceCredit, treasuryCredit] = await Promise.all([addressOf(alice), treasury].map((account) => readOnly.contributions.credit({ account })));
    const lapsed = await (await bob.contributions.lapse({ committer: addressOf(alice), commitment })).wait();
    expect(lapsed).to.include({ datanetId, bond: BOND, refunded: true });
    expect(await readOnly.contributions.credit({ account: addressOf(alice) })).to.equal(aliceCredit! + BOND);
    expect(await readOnly.contributions.credit({ account: treasury })).to.equal(treasuryCredit);
  });

  it("withdraws credit, and refuses a withdrawal of none", async function () {
    const f = await networkHelpers.loadFixture(sdkFixture);
    const { alice, readOnly, datanetId } = f;
    const noCredit = await expectProtocolError(alice.contributions.withdrawCredit(), "NoCredit", false);
    expect(noCredit.args).to.deep.equal({ account: getAddress(addressOf(alice)) });
    // A withdrawn contribution forfeits its bond to the treasury (the deployer here), which withdraws it.
    const it = itemOf(text());
    await (await alice.contributions.submit({ datanetId, ...it })).wait();
    await (await alice.contributions.withdraw({ contentHash: it.contentHash })).wait();
    const treasury = createClient({ publicClient: f.publicClient, walletClient: f.admin, deployment: f.deployment });
    const credit = await readOnly.contributions.credit({ account: f.admin.account.address });
    expect(credit).to.be.greaterThanOrEqual(BOND);
    const balance = await balanceOf(f, f.admin.account.address);
    expect(await (await treasury.contributions.withdrawCredit()).wait()).to.include({ amount: credit });
    expect(await balanceOf(f, f.admin.account.address)).to.equal(balance + credit);
    expect(await readOnly.contributions.credit({ account: f.admin.account.address })).to.equal(0n);
  });

  it("submits a batch with one commitment and returns every id", async function () {
    const { alice, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const items = [itemOf(text()), itemOf(text()), itemOf(text())];
    const before = await nonceOf(alice);
    const { contributionIds } = await (await alice.contributions.submitBatch({ datanetId, items })).wait();
    expect(contributionIds).to.deep.equal([1n, 2n, 3n]);
    expect(await nonceOf(alice)).to.equal(before + 3, "approval, commitment, reveal");
  });

  it("withdraws a pending contribution and decodes the revert of a second withdrawal", async function () {
    const { alice, bob, readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const { contentHash } = itemOf(text());
    const { contributionId } = await (await alice.contributions.submit({ datanetId, ...itemOf(text()), contentHash })).wait();
    await expectProtocolError(bob.contributions.withdraw({ contentHash }), "NotContributor", false);
    const withdrawn = await (await alice.contributions.withdraw({ contentHash })).wait();
    expect(withdrawn).to.include({ contributionId, bondForfeited: BOND });
    expect((await readOnly.contributions.get(contentHash)).status).to.equal(ContributionStatus.Withdrawn);
    const error = await expectProtocolError(alice.contributions.withdraw({ contentHash }), "InvalidStatusTransition", false);
    expect(error.args).to.deep.equal({ contentHash, from: 4, to: 4 });
    expect(error.shortMessage).to.equal(`Contribution ${contentHash} is Withdrawn; it cannot become Withdrawn.`);
  });

  it("refuses a withdrawal once verdicts have opened", async function () {
    const { alice, readOnly, datanetId } = await networkHelpers.loadFixture(sdkFixture);
    const { contentHash } = itemOf(text());
    await (await alice.contributions.submit({ datanetId, ...itemOf(text()), contentHash })).wait();
    const { votingOpensAt } = await readOnly.contributions.get(contentHash);
    await networkHelpers.time.increaseTo(votingOpensAt);
    const error = await expectProtocolError(alice.contributions.withdraw({ contentHash }), "WithdrawalClosed", false);
    expect(error.args).to.deep.equal({ contentHash, votingOpenedAt: BigInt(votingOpensAt) });
    expect(error.shortMessage).to.include("can no longer be withdrawn");
    expect((await readOnly.contributions.get(contentHash)).status).to.equal(ContributionStatus.Pending);
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
    const { effectiveEpoch } = await (await owner.datanets.updatePolicy({ datanetId, policy: { ...policy(), allowlistOnly: true } })).wait();
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
      // Alone, a zero size would reserve no byte (InvalidReservation at commit); beside another it reaches the reveal.
      ["ZeroSize", async () => [itemOf(text()), { ...itemOf(text()), sizeBytes: 0n }]],
      ["InvalidReservation", async () => [itemOf(text(101))]],
      // Two items may reserve 150 bytes between them, but neither may declare more than 100.
      ["ContributionTooLarge", async () => [itemOf(text(101)), itemOf(text(49))]],
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

        // The contract, given the same submission directly, refuses it with the same error and
        // arguments: quotas at the commitment, item rules at the reveal.
        const wallet = f.alice.walletClient!;
        const salt = randomSalt();
        const commitment = submissionCommitment({
          contributor: wallet.account.address,
          datanetId: f.datanetId,
          contentHashes: items.map((i) => i.contentHash),
          salt,
        });
        const address = f.deployment.contracts.datanetRegistry;
        const reservedBytes = items.reduce((sum, i) => sum + i.sizeBytes, 0n);
        const commitCall = {
          address,
          abi: datanetRegistryAbi,
          functionName: "commitSubmission",
          args: [f.datanetId, commitment, items.length, reservedBytes],
          account: wallet.account,
        } as const;
        await f.publicClient.waitForTransactionReceipt({
          hash: await wallet.writeContract({
            address: f.deployment.contracts.openToken,
            abi: openTokenAbi,
            functionName: "approve",
            args: [address, BigInt(items.length) * BOND],
            chain: null,
          }),
        });
        const refusedAtCommit = await f.publicClient.simulateContract(commitCall).then(
          () => undefined,
          (e: unknown) => toSdkError(e),
        );
        if (refusedAtCommit === undefined) {
          await f.publicClient.waitForTransactionReceipt({ hash: await wallet.writeContract({ ...commitCall, chain: null }) });
          await networkHelpers.mine();
        }
        const contractError = await expectProtocolError(
          refusedAtCommit !== undefined
            ? Promise.reject(refusedAtCommit)
            : f.publicClient
                .simulateContract({
                  address,
                  abi: datanetRegistryAbi,
                  functionName: "submitBatch",
                  args: [f.datanetId, items, salt],
                  account: wallet.account,
                })
                .catch(async (e: unknown) => {
                  throw await toSdkError(e);
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
        ["contentHashes", () => alice.contributions.commit({ datanetId, contentHashes: [], reservedBytes: 1n })],
        ["contentHashes[0]", () => alice.contributions.commit({ datanetId, contentHashes: ["0x12"], reservedBytes: 1n })],
        ["reservedBytes", () => alice.contributions.commit({ datanetId, contentHashes: [good.contentHash], reservedBytes: -1n })],
        ["salt", () => alice.contributions.commit({ datanetId, contentHashes: [good.contentHash], reservedBytes: 1n, salt: "0x01" })],
        ["datanetId", () => alice.contributions.commit({ datanetId: 0n, contentHashes: [good.contentHash], reservedBytes: 1n })],
        ["commitment", () => alice.contributions.lapse({ commitment: "0x" })],
        ["commitment", () => alice.contributions.getCommitment({ committer: addressOf(alice), commitment: "0xzz" })],
        ["committer", () => alice.contributions.getCommitment({ committer: "0x1", commitment: good.contentHash })],
        ["committer", () => alice.contributions.lapse({ committer: "0xnope", commitment: good.contentHash })],
        ["account", () => alice.contributions.credit({ account: "0xnope" })],
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

