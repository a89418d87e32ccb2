import { expect } from "chai";
import { network } from "hardhat";
import { Wallet } from "ethers";

import { item, registryFixture, submitOne, testPolicy } from "./helpers/registry.ts";
import { ENTRY_PATHS, MIN_STAKE, validatorFixture } from "./helpers/validators.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const validators = () => validatorFixture(connection);
const registryOnly = () => registryFixture(connection);

describe("Adversarial cases", function () {
  it("Sybil: validators without stake cannot move an outcome, however many, by any entry path", async function () {
    const f = await networkHelpers.loadFixture(validators);
    const hash = f.items[0]!.contentHash;
    const sybils = Array.from({ length: 12 }, () => Wallet.createRandom().connect(ethers.provider));
    for (const sybil of sybils) await (await f.admin.sendTransaction({ to: sybil.address, value: 10n ** 17n })).wait();
    for (const sybil of sybils) {
      for (const give of Object.values(ENTRY_PATHS)) {
        await expect(give(f, sybil as never, [{ contentHash: hash, accept: true, quality: 100, reasonCode: 0 }]))
          .to.be.revertedWithCustomError(f.attestations, "ValidatorNotActive")
          .withArgs(f.datanetId, sybil.address, 0n, 0n, MIN_STAKE);
      }
    }
    expect((await f.attestations.tallyOf(hash)).verdicts).to.equal(0n);
    expect((await f.registry.getContribution(hash)).status).to.equal(1n); // still Pending
  });

  it("unbounded-loop griefing: a submission costs the same after hundreds of others, from many contributors", async function () {
    const f = await networkHelpers.loadFixture(registryOnly);
    const roomy = testPolicy({ maxContributionsPerContributorPerEpoch: 1_000, maxBytesPerContributorPerEpoch: 10n ** 6n, maxBytesPerDatanetPerEpoch: 10n ** 9n });
    await (await f.registry.connect(f.owner).updatePolicy(1n, roomy)).wait();
    await networkHelpers.time.increase(2 * 24 * 3_600); // a policy change applies two epochs later
    const gasOf = async () => Number((await (await submitOne(f.registry, f.alice, 1n, item(10n))).wait())!.gasUsed);
    await gasOf(); // Alice's quota slot exists from here on, as for any returning contributor
    const early = await gasOf();
    const crowd = Array.from({ length: 40 }, () => Wallet.createRandom().connect(ethers.provider));
    for (const c of crowd) await (await f.admin.sendTransaction({ to: c.address, value: 10n ** 17n })).wait();
    for (const [i, c] of crowd.entries()) {
      for (let k = 0; k < 5; k++) await (await submitOne(f.registry, c as never, 1n, item(10n, `crowd ${i}/${k}`))).wait();
    }
    const late = await gasOf();
    expect(Math.abs(late - early) / early, `${early} then ${late}`).to.be.lessThan(0.01);
  });
});
