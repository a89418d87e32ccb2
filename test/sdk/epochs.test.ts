import { expect } from "chai";
import { network } from "hardhat";
import { concat, encodePacked, getAddress, keccak256, toBytes, zeroHash, type Address, type Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  buildMerkleEpoch,
  createClient,
  epochRootFromProof,
  formatAttributionResultFile,
  formatProofsFile,
  InvalidInputError,
  parseAttributionResultFile,
  verifyAttributionResultFile,
  ProtocolError,
} from "../../sdk/index.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const OPEN = 10n ** 18n;

/**
 * The trie by its definition, written apart from the SDK's builder: the node at (depth, prefix) is
 * empty without accounts under it, the leaf of the only one, or the hash of its two children.
 */
function referenceTrie(leaves: readonly { index: bigint; account: Address; amount: bigint }[]) {
  const under = (depth: number, prefix: bigint) => leaves.filter((l) => BigInt(l.account) >> BigInt(160 - depth) === prefix);
  const hashAt = (depth: number, prefix: bigint): Hex => {
    const found = under(depth, prefix);
    if (found.length === 0) return zeroHash;
    if (found.length === 1) return keccak256(encodePacked(["uint256", "address", "uint256"], [found[0]!.index, found[0]!.account, found[0]!.amount]));
    return keccak256(concat([hashAt(depth + 1, prefix * 2n), hashAt(depth + 1, prefix * 2n + 1n)]));
  };
  /** The shallowest depth at which the account's prefix is unique. */
  const depthOf = (account: Address) => {
    let depth = 0;
    while (under(depth, BigInt(account) >> BigInt(160 - depth)).length > 1) depth++;
    return depth;
  };
  return { root: hashAt(0, 0n), depthOf };
}

async function epochsFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [treasury, alice, bob, carol, relayer] = await viem.getWalletClients();
  const as = (w: typeof treasury) => createClient({ publicClient, walletClient: w, deployment });
  const payouts = [
    { account: alice!.account.address, amount: 40n * OPEN },
    { account: bob!.account.address, amount: 2n * OPEN },
    { account: carol!.account.address, amount: 7n },
  ];
  return { deployment, publicClient, poster: as(treasury!), relayer: as(relayer!), payouts, wallets: { alice: alice!, bob: bob!, carol: carol! } };
}

describe("SDK epochs", function () {
  it("builds the same root from the same payouts in any order, merging an account's amounts", function () {
    const accounts = ["0x00000000000000000000000000000000000000a1", "0x00000000000000000000000000000000000000b2"] as Address[];
    const a = buildMerkleEpoch([
      { account: accounts[0]!, amount: 5n },
      { account: accounts[1]!, amount: 7n },
      { account: accounts[0]!, amount: 1n },
    ]);
    const b = buildMerkleEpoch([
      { account: accounts[1]!, amount: 7n },
      { account: accounts[0]!, amount: 6n },
    ]);
    expect(a.root).to.equal(b.root);
    expect(a.total).to.equal(13n);
    expect(a.leaves).to.deep.equal([
      { index: 0n, account: getAddress(accounts[0]!), amount: 6n },
      { index: 1n, account: getAddress(accounts[1]!), amount: 7n },
    ]);
    expect(referenceTrie(a.leaves).root).to.equal(a.root);
  });

  it("builds the account-keyed trie: one leaf per account at its shallowest unique depth, a single account's leaf as the root", function () {
    const payouts = Array.from({ length: 60 }, (_, i) => ({ account: getAddress(keccak256(toBytes(`acct ${i}`)).slice(0, 42)), amount: BigInt(i + 1) }));
    // Two accounts sharing their first 40 bits sit deep in the trie.
    payouts.push({ account: getAddress(`${payouts[0]!.account.slice(0, 12)}${"0".repeat(30)}`), amount: 5n });
    const built = buildMerkleEpoch(payouts);
    const reference = referenceTrie(built.leaves);
    expect(built.root).to.equal(reference.root);
    for (const leaf of built.leaves) {
      const c = built.claim(leaf.index);
      expect(c.proof.length, `depth of ${leaf.account}`).to.equal(reference.depthOf(leaf.account));
      expect(epochRootFromProof(c)).to.equal(built.root);
    }
    expect(Math.max(...built.leaves.map((l) => built.claim(l.index).proof.length))).to.be.greaterThan(40);
    const single = buildMerkleEpoch([payouts[3]!]);
    expect(single.claim(0n).proof).to.deep.equal([]);
    expect(single.root).to.equal(keccak256(encodePacked(["uint256", "address", "uint256"], [0n, payouts[3]!.account, 4n])));
  });

  it("writes a proofs file whose every claim verifies against the root", function () {
    const built = buildMerkleEpoch(
      Array.from({ length: 9 }, (_, i) => ({ account: getAddress(keccak256(toBytes(`acct ${i}`)).slice(0, 42)), amount: BigInt(i + 1) })),
    );
    const file = JSON.parse(formatProofsFile(built, { poolId: 3n, epoch: 4n })) as {
      root: string;
      total: string;
      claims: { index: string; account: string; amount: string; proof: string[] }[];
    };
    expect([file.root, file.total, file.claims.length]).to.deep.equal([built.root, "45", 9]);
    for (const c of file.claims) {
      const claim = { index: BigInt(c.index), account: c.account as Address, amount: BigInt(c.amount), proof: c.proof as Hex[] };
      expect(epochRootFromProof(claim)).to.equal(file.root);
      // Under another account, the same leaf and proof lead elsewhere.
      expect(epochRootFromProof({ ...claim, account: file.claims[(file.claims.indexOf(c) + 1) % 9]!.account as Address })).to.not.equal(file.root);
    }
  });

  it("reads back an attribution result file and checks it against the proposal: model, epoch, root, total and every proof", function () {
    const built = buildMerkleEpoch(
      Array.from({ length: 5 }, (_, i) => ({ account: getAddress(keccak256(toBytes(`payee ${i}`)).slice(0, 42)), amount: BigInt(10 * (i + 1)) })),
    );
    const recordsHash = keccak256(toBytes("records"));
    const text = formatAttributionResultFile(
      { epoch: built, recordsHash, publicInputs: { tokenizer: "unicode-words/1", minSpanTokens: 4, maxOccurrences: 32 }, unassigned: 0n, records: [{ inferenceId: "a", contributionId: 2n, weight: 1n }] },
      { modelId: 1n, epoch: 3n, poolId: 7n },
    );
    const file = parseAttributionResultFile(text);
    expect([file.modelId, file.epoch, file.root, file.total, file.recordsHash, file.tokenizer]).to.deep.equal([1n, 3n, built.root, 150n, recordsHash, "unicode-words/1"]);
    expect(file.claims).to.deep.equal(built.leaves.map((l) => built.claim(l.index)));
    const proposed = { modelId: 1n, epoch: 3n, root: built.root, total: built.total };
    expect(verifyAttributionResultFile(file, proposed)).to.equal(file);

    const refusal = (f: typeof file, p = proposed) => {
      try {
        verifyAttributionResultFile(f, p);
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidInputError).with.property("field", "result");
        return (error as InvalidInputError).shortMessage;
      }
      throw new Error("accepted");
    };
    const changed = { ...file, claims: file.claims.map((c, i) => (i === 2 ? { ...c, amount: c.amount + 1n } : c)) };
    expect(refusal(changed)).to.match(/^Invalid result: the payout of leaf 2 \(\d+ wei to 0x[0-9a-fA-F]{40}\) does not lead to the proposed root: the file was altered$/);
    expect(refusal({ ...file, claims: file.claims.map((c, i) => (i === 1 ? { ...c, account: file.claims[0]!.account } : c)) })).to.match(/leaf 1 .* does not lead/);
    expect(refusal(file, { ...proposed, epoch: 4n })).to.equal("Invalid result: it is model 1's attribution epoch 3, not model 1's attribution epoch 4");
    expect(refusal(file, { ...proposed, root: zeroHash })).to.match(/^Invalid result: its root 0x[0-9a-f]{64} is not the root proposed on chain/);
    expect(refusal(file, { ...proposed, total: 149n })).to.match(/its total 150 wei is not the 149 wei proposed/);
    expect(refusal({ ...file, claims: file.claims.slice(1) })).to.equal(`Invalid result: its payouts add up to ${150n - file.claims[0]!.amount} wei, not the proposed total of 150 wei`);
    expect(refusal({ ...file, claims: [...file.claims, file.claims[0]!] })).to.equal("Invalid result: it lists leaf 0 twice");

    const json = JSON.parse(text) as { proofs: { claims: Record<string, unknown>[] } };
    const malformed = (edit: (j: typeof json) => void) => {
      const copy = structuredClone(json);
      edit(copy);
      return JSON.stringify(copy);
    };
    for (const [input, message] of [
      ["{ not json", "Invalid result: r.json is not JSON"],
      ["[]", 'Invalid result: r.json is not a result written by "attribution run"'],
      [malformed((j) => (j.proofs.claims[0]!.amount = "-1")), "Invalid result claim 0 amount: -1 is not a whole number"],
      [malformed((j) => (j.proofs.claims[1]!.account = "0x12")), "Invalid result claim 1 account: 0x12 is not an address"],
      [malformed((j) => (j.proofs.claims[0]!.proof = "0x")), "Invalid result claim 0 proof: is not a list of hashes"],
      [malformed((j) => Object.assign(j, { modelId: "0" })), "Invalid result modelId: 0 is not an id (a whole number from 1)"],
    ] as const) {
      expect(() => parseAttributionResultFile(input, "r.json")).to.throw(InvalidInputError, message);
    }
  });

  it("refuses payouts it cannot build", function () {
    for (const [payouts, field] of [
      [[{ account: "0x12", amount: 1n }], "payouts[0].account"],
      [[{ account: "0x00000000000000000000000000000000000000a1", amount: -1n }], "payouts[0].amount"],
      [[{ account: "0x00000000000000000000000000000000000000a1", amount: 0n }], "payouts"],
    ] as const) {
      expect(() => buildMerkleEpoch(payouts as never)).to.throw(InvalidInputError).with.property("field", field);
    }
    const built = buildMerkleEpoch([{ account: "0x00000000000000000000000000000000000000a1", amount: 1n }]);
    for (const index of [1n, -1n]) expect(() => built.claim(index)).to.throw(InvalidInputError).with.property("field", "index");
    expect(() => epochRootFromProof({ ...built.claim(0n), proof: Array.from({ length: 161 }, () => zeroHash) }))
      .to.throw(InvalidInputError)
      .with.property("field", "proof");
  });

  it("posts and pays a root with a permit in one transaction, then claims one leaf or many across epochs", async function () {
    const f = await networkHelpers.loadFixture(epochsFixture);
    const first = buildMerkleEpoch(f.payouts);
    const second = buildMerkleEpoch(f.payouts.slice(0, 2).map((p) => ({ ...p, amount: p.amount * 2n })));
    const aliceSecond = second.claim(second.leaves.find((l) => l.account === getAddress(f.wallets.alice.account.address))!.index);
    const poster = f.poster.walletClient!.account.address;
    try {
      await f.relayer.epochs.claim([{ poster, poolId: 5n, epoch: 2n, ...aliceSecond }]);
      expect.fail("expected RootNotPosted");
    } catch (error) {
      expect(ProtocolError.is(error, "RootNotPosted")).to.equal(true);
      expect((error as ProtocolError).args).to.deep.equal({ poster, poolId: 5n, epoch: 2n });
    }

    const before = await f.publicClient.getTransactionCount({ address: f.poster.walletClient!.account.address });
    const posted = await (
      await f.poster.epochs.postRoot({ poolId: 5n, epoch: 1n, built: first, recordsHash: keccak256(toBytes("records 1")) })
    ).wait();
    expect(await f.publicClient.getTransactionCount({ address: f.poster.walletClient!.account.address })).to.equal(before + 1);
    expect(posted.epochContract).to.equal(await f.relayer.epochs.contractOf({ poster, poolId: 5n, epoch: 1n }));
    await (await f.poster.epochs.postRoot({ poolId: 5n, epoch: 2n, built: second, recordsHash: keccak256(toBytes("records 2")) })).wait();
    const info = await f.relayer.epochs.info({ poster, poolId: 5n, epoch: 1n });
    expect([info.terms.poster, info.terms.root, info.terms.total, info.balance, info.terms.expiresAt]).to.deep.equal([
      poster,
      first.root,
      first.total,
      first.total,
      posted.expiresAt,
    ]);

    const single = await (await f.relayer.epochs.claim([{ poster, poolId: 5n, epoch: 2n, ...aliceSecond }])).wait();
    expect(single.paid).to.deep.equal([{ account: aliceSecond.account, amount: aliceSecond.amount }]);
    const claims = first.leaves.map((l) => ({ poster, poolId: 5n, epoch: 1n, ...first.claim(l.index) }));
    const { paid } = await (await f.relayer.epochs.claim(claims)).wait();
    expect(paid.reduce((sum, p) => sum + p.amount, 0n)).to.equal(first.total);
    expect((await f.relayer.epochs.info({ poster, poolId: 5n, epoch: 1n })).balance).to.equal(0n);
    expect(await f.relayer.epochs.isClaimed({ poster, poolId: 5n, epoch: 2n, index: aliceSecond.index })).to.equal(true);
    try {
      await f.relayer.epochs.claim([{ poster, poolId: 5n, epoch: 2n, ...aliceSecond }]);
      expect.fail("expected AlreadyClaimed");
    } catch (error) {
      expect(ProtocolError.is(error, "AlreadyClaimed")).to.equal(true);
      expect((error as ProtocolError).args).to.deep.equal({ index: aliceSecond.index });
    }
  });

  it("refuses empty claim lists and bad keys before sending", async function () {
    const f = await networkHelpers.loadFixture(epochsFixture);
    for (const [call, field] of [
      [() => f.relayer.epochs.claim([]), "claims"],
      [() => f.relayer.epochs.isClaimed({ poster: f.deployment.contracts.proofOfAttribution, poolId: 1n, epoch: -1n, index: 0n }), "epoch"],
      [() => f.relayer.epochs.contractOf({ poster: "0x12" as Address, poolId: 1n, epoch: 1n }), "poster"],
      [() => f.poster.epochs.postRoot({ poolId: 1n, epoch: 1n, built: { root: `0x${"11".repeat(32)}`, total: 5n }, recordsHash: `0x${"00".repeat(32)}`, maxLeafAmount: 6n }), "maxLeafAmount"],
      [() => f.relayer.epochs.info({ poster: f.deployment.contracts.proofOfAttribution, poolId: -1n, epoch: 1n }), "poolId"],
    ] as const) {
      try {
        await call();
        expect.fail(`expected InvalidInputError for ${field}`);
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidInputError);
        expect((error as InvalidInputError).field).to.equal(field);
      }
    }
  });
});
