import { expect } from "chai";
import { network } from "hardhat";
import { getAddress, type Hex } from "viem";

import { createClient, InvalidInputError, ProtocolError } from "../../sdk/index.ts";
import { OPEN, validatorFixture } from "../helpers/validators.ts";

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
  // Epochs 0 and 1 each: funded, one contribution accepted by validators 1 and 3 against validator 2.
  for (const [epoch, it] of [[0n, f.items[0]!], [1n, f.items[1]!]] as const) {
    await (await funder.rewards.fund({ datanetId: f.datanetId, epoch, amount: 100n * OPEN })).wait();
    for (const [i, v] of validators.slice(0, 3).entries()) {
      await (await v.validators.attest({ contentHash: it.contentHash as Hex, accept: i !== 1, quality: 80, reasonCode: 0 })).wait();
    }
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

    const v1 = f.validatorClients[0]!;
    const { paid: validatorPaid } = await (await v1.rewards.claim({ datanetId: f.datanetId, epochs: [0n, 1n] })).wait();
    expect(validatorPaid).to.equal(20n * OPEN);
  });

  it("decodes the contract's refusals", async function () {
    const f = await networkHelpers.loadFixture(rewardsFixture);
    for (const [call, errorName] of [
      [() => f.contributor.rewards.claim({ datanetId: f.datanetId, epochs: [2n] }), "EpochNotEnded"],
      [() => f.validatorClients[1]!.rewards.claim({ datanetId: f.datanetId, epochs: [0n] }), "NothingToClaim"],
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
