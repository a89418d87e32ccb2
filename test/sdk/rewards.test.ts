import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, type Hex } from "viem";

import { createClient, InvalidInputError, ProtocolError } from "../../sdk/index.ts";
import { item, REVEAL_WINDOW } from "../helpers/registry.ts";
import { OPEN, pastWindow, validatorFixture } from "../helpers/validators.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const DAY = 24 * 3_600;

async function rewardsFixture() {
  const f = await validatorFixture(connection);
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const sdk = (address: string) =>
    createClient({
      publicClient,
      walletClient: wallets.find((w) => getAddress(w.account.address) === getAddress(address))!,
      deployment: f.deployment,
    });
  const funder = sdk(f.admin.address);
  const contributor = sdk(f.contributor.address);
  const validators = f.validators.map((v) => sdk(v.address));
  // Epochs 0 and 1 each: funded, one contribution accepted after its window by validators 1, 3 and 4
  // (4,000 of the 5,000 that voted) against validator 2. Epoch 1's is submitted in epoch 1.
  for (const epoch of [0n, 1n]) {
    await (await funder.rewards.fund({ datanetId: f.datanetId, epoch, amount: 100n * OPEN })).wait();
    let contentHash = f.items[0]!.contentHash as Hex;
    if (epoch === 1n) {
      const fresh = item(10n);
      await (await contributor.contributions.submit({ datanetId: f.datanetId, ...fresh })).wait();
      await networkHelpers.time.increase(REVEAL_WINDOW);
      contentHash = fresh.contentHash;
    }
    for (const i of [0, 1, 2, 3]) {
      await (await validators[i]!.validators.attest({ contentHash, accept: i !== 1, quality: 80, reasonCode: 0 })).wait();
    }
    await pastWindow(connection, f, contentHash);
    const { finalized } = await (await funder.validators.finalize({ contentHashes: [contentHash] })).wait();
    expect(finalized.map((x) => [x.accepted, x.epoch])).to.deep.equal([[true, Number(epoch)]]);
    await networkHelpers.time.increase(DAY);
  }
  return { ...f, publicClient, funder, contributor, validatorClients: validators };
}

describe("SDK rewards", function () {
  it("funds with a permit, shows what is claimable per epoch, and claims several epochs at once", async function () {
    const f = await networkHelpers.loadFixture(rewardsFixture);
    const pool = await f.funder.rewards.pool({ datanetId: f.datanetId, epoch: 0n });
    expect([pool.funded, pool.contributorBps]).to.deep.equal([100n * OPEN, 8_000]);

    const account = f.contributor.walletClient!.account.address;
    const claimable = await f.contributor.rewards.claimable({ datanetId: f.datanetId, account, epochs: [0n, 1n, 2n] });
    expect(claimable).to.deep.equal([
      { epoch: 0n, contributorShare: 80n * OPEN, validatorShare: 0n },
      { epoch: 1n, contributorShare: 80n * OPEN, validatorShare: 0n },
      { epoch: 2n, contributorShare: 0n, validatorShare: 0n },
    ]);
    const { paid, epochs } = await (await f.contributor.rewards.claim({ datanetId: f.datanetId, epochs: [0n, 1n] })).wait();
    expect(paid).to.equal(160n * OPEN);
    expect(epochs.map((e) => e.epoch)).to.deep.equal([0n, 1n]);

    // Validator points are earned by settling: before it, validator 1 has nothing to claim.
    const v1 = f.validatorClients[0]!;
    const v1Address = v1.walletClient!.account.address;
    const before = await v1.rewards.claimable({ datanetId: f.datanetId, account: v1Address, epochs: [0n, 1n] });
    expect(before.map((e) => e.validatorShare)).to.deep.equal([0n, 0n]);
    const contributionIds = await v1.validators.unsettled({ validator: v1Address });
    expect(contributionIds).to.have.length(2);
    await (await v1.validators.settle({ contributionIds })).wait();
    // 1,000 of the 4,000 accepting stake: a quarter of each epoch's 20 OPEN for validators.
    const { paid: validatorPaid } = await (await v1.rewards.claim({ datanetId: f.datanetId, epochs: [0n, 1n] })).wait();
    expect(validatorPaid).to.equal(10n * OPEN);
  });

  it("decodes the contract's refusals", async function () {
    const f = await networkHelpers.loadFixture(rewardsFixture);
    for (const [call, errorName] of [
      [() => f.contributor.rewards.claim({ datanetId: f.datanetId, epochs: [2n] }), "EpochNotEnded"],
      // Validator 2 rejected accepted work: settled, it earns nothing.
      [
        async () => {
          await (await f.validatorClients[1]!.validators.settle({ contributionIds: [1n, 7n] })).wait();
          return f.validatorClients[1]!.rewards.claim({ datanetId: f.datanetId, epochs: [0n, 1n] });
        },
        "NothingToClaim",
      ],
      [() => f.funder.rewards.fund({ datanetId: f.datanetId, epoch: 0n, amount: OPEN }), "EpochEnded"],
    ] as const) {
      try {
        await call();
        expect.fail(`expected ${errorName}`);
      } catch (error) {
        expect(ProtocolError.is(error, errorName), String(error)).to.equal(true);
      }
    }
  });

  it("refuses bad input before sending", async function () {
    const f = await networkHelpers.loadFixture(rewardsFixture);
    for (const [call, field] of [
      [() => f.contributor.rewards.claim({ datanetId: f.datanetId, epochs: [] }), "epochs"],
      [() => f.contributor.rewards.claim({ datanetId: f.datanetId, epochs: [-1n] }), "epochs[0]"],
      [() => f.funder.rewards.fund({ datanetId: f.datanetId, epoch: 2n, amount: 0n }), "amount"],
      [() => f.funder.rewards.claimable({ datanetId: f.datanetId, account: "0x12", epochs: [0n] }), "account"],
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
