import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, keccak256, toBytes, type Address } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  buildMerkleEpoch,
  createClient,
  EPOCH_LEAF_ENCODING,
  formatProofsFile,
  InvalidInputError,
  ProtocolError,
} from "../../sdk/index.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const OPEN = 10n ** 18n;

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
    const independent = StandardMerkleTree.of(
      a.leaves.map((l) => [l.index, l.account, l.amount]),
      [...EPOCH_LEAF_ENCODING],
    );
    expect(independent.root).to.equal(a.root);
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
      const leaf = [BigInt(c.index), c.account, BigInt(c.amount)];
      expect(StandardMerkleTree.verify(file.root, [...EPOCH_LEAF_ENCODING], leaf, c.proof)).to.equal(true);
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
  });

  it("posts and pays a root with a permit in one transaction, then claims one leaf or many across epochs", async function () {
    const f = await networkHelpers.loadFixture(epochsFixture);
    const first = buildMerkleEpoch(f.payouts);
    const second = buildMerkleEpoch(f.payouts.slice(0, 2).map((p) => ({ ...p, amount: p.amount * 2n })));
    const aliceSecond = second.claim(second.leaves.find((l) => l.account === getAddress(f.wallets.alice.account.address))!.index);
    try {
      await f.relayer.epochs.claim([{ poolId: 5n, epoch: 2n, ...aliceSecond }]);
      expect.fail("expected RootNotPosted");
    } catch (error) {
      expect(ProtocolError.is(error, "RootNotPosted")).to.equal(true);
      expect((error as ProtocolError).args).to.deep.equal({ poolId: 5n, epoch: 2n });
    }

    const before = await f.publicClient.getTransactionCount({ address: f.poster.walletClient!.account.address });
    const posted = await (
      await f.poster.epochs.postRoot({ poolId: 5n, epoch: 1n, built: first, recordsHash: keccak256(toBytes("records 1")) })
    ).wait();
    expect(await f.publicClient.getTransactionCount({ address: f.poster.walletClient!.account.address })).to.equal(before + 1);
    expect(posted.epochContract).to.equal(await f.relayer.epochs.contractOf({ poolId: 5n, epoch: 1n }));
    await (await f.poster.epochs.postRoot({ poolId: 5n, epoch: 2n, built: second, recordsHash: keccak256(toBytes("records 2")) })).wait();
    const info = await f.relayer.epochs.info({ poolId: 5n, epoch: 1n });
    expect([info.terms.root, info.terms.total, info.balance, info.terms.expiresAt]).to.deep.equal([
      first.root,
      first.total,
      first.total,
      posted.expiresAt,
    ]);

    const single = await (await f.relayer.epochs.claim([{ poolId: 5n, epoch: 2n, ...aliceSecond }])).wait();
    expect(single.paid).to.deep.equal([{ account: aliceSecond.account, amount: aliceSecond.amount }]);
    const claims = first.leaves.map((l) => ({ poolId: 5n, epoch: 1n, ...first.claim(l.index) }));
    const { paid } = await (await f.relayer.epochs.claim(claims)).wait();
    expect(paid.reduce((sum, p) => sum + p.amount, 0n)).to.equal(first.total);
    expect((await f.relayer.epochs.info({ poolId: 5n, epoch: 1n })).balance).to.equal(0n);
    expect(await f.relayer.epochs.isClaimed({ poolId: 5n, epoch: 2n, index: aliceSecond.index })).to.equal(true);
    try {
      await f.relayer.epochs.claim([{ poolId: 5n, epoch: 2n, ...aliceSecond }]);
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
      [() => f.relayer.epochs.isClaimed({ poolId: 1n, epoch: -1n, index: 0n }), "epoch"],
      [() => f.poster.epochs.postRoot({ poolId: 1n, epoch: 1n, built: { root: `0x${"11".repeat(32)}`, total: 5n }, recordsHash: `0x${"00".repeat(32)}`, maxLeafAmount: 6n }), "maxLeafAmount"],
      [() => f.relayer.epochs.info({ poolId: -1n, epoch: 1n }), "poolId"],
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
