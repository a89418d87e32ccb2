import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";

import { adminAcceptCalls, adminRuledContracts, deployProtocol } from "../scripts/lib/deploy.ts";

const DAY = 24 * 3_600;

describe("Admin power: two-step transfers with a delay, and a timelock on the mainnet path", function () {
  it("moves the admin role only in two steps, after the delay; operational roles move at once", async function () {
    const connection = await network.create();
    const { ethers, networkHelpers } = connection;
    const [deployer, , , , , , , , , , multisig, thief] = await ethers.getSigners();
    const deployment = await deployProtocol(connection, { admin: multisig!.address as Address, adminDelay: 2 * DAY });
    const contracts = await adminRuledContracts(connection, deployment);
    for (const contract of contracts) {
      // A stolen or careless admin key cannot hand the role over in one transaction.
      await expect(contract.connect(deployer!).grantRole(await contract.DEFAULT_ADMIN_ROLE(), thief!.address)).to.be.revertedWithCustomError(
        contract,
        "AccessControlEnforcedDefaultAdminRules",
      );
      expect(await contract.defaultAdmin()).to.equal(deployer!.address);
      const [pending, schedule] = await contract.pendingDefaultAdmin();
      expect(pending).to.equal(multisig!.address);
      await expect(contract.connect(multisig!).acceptDefaultAdminTransfer())
        .to.be.revertedWithCustomError(contract, "AccessControlEnforcedDefaultAdminDelay")
        .withArgs(schedule);
      expect(await contract.hasRole(await contract.PAUSER_ROLE(), multisig!.address)).to.equal(true);
      expect(await contract.hasRole(await contract.PAUSER_ROLE(), deployer!.address)).to.equal(false);
    }
    const staking = contracts[1];
    expect(await staking.hasRole(await staking.SLASHER_ROLE(), deployer!.address)).to.equal(false);
    await networkHelpers.time.increase(2 * DAY);
    for (const contract of contracts) {
      await (await contract.connect(multisig!).acceptDefaultAdminTransfer()).wait();
      expect(await contract.defaultAdmin()).to.equal(multisig!.address);
      expect(await contract.hasRole(await contract.DEFAULT_ADMIN_ROLE(), deployer!.address)).to.equal(false);
    }
  });

  it("hands every admin role to a TimelockController, which takes it by a scheduled, delayed batch", async function () {
    const connection = await network.create();
    const { ethers, networkHelpers } = connection;
    const [deployer, , , , , , , , , , multisig] = await ethers.getSigners();
    const deployment = await deployProtocol(connection, {
      adminDelay: DAY,
      timelock: { minDelay: 2 * DAY, proposers: [multisig!.address as Address], executors: [multisig!.address as Address] },
    });
    const timelock = await ethers.getContractAt("ProtocolTimelock", deployment.timelock!);
    const calls = await adminAcceptCalls(connection, deployment);
    const targets = calls.map((c) => c.target);
    const datas = calls.map((c) => c.data);
    const salt = ethers.id("accept the protocol's admin roles");
    await expect(timelock.connect(deployer!).scheduleBatch(targets, calls.map(() => 0n), datas, ethers.ZeroHash, salt, 2 * DAY))
      .to.be.revertedWithCustomError(timelock, "AccessControlUnauthorizedAccount");
    await (await timelock.connect(multisig!).scheduleBatch(targets, calls.map(() => 0n), datas, ethers.ZeroHash, salt, 2 * DAY)).wait();
    // Executing before the timelock's own delay fails; after it, the batch takes every admin role.
    await expect(
      timelock.connect(multisig!).executeBatch(targets, calls.map(() => 0n), datas, ethers.ZeroHash, salt),
    ).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
    await networkHelpers.time.increase(2 * DAY);
    await (await timelock.connect(multisig!).executeBatch(targets, calls.map(() => 0n), datas, ethers.ZeroHash, salt)).wait();
    for (const contract of await adminRuledContracts(connection, deployment)) {
      expect(await contract.defaultAdmin()).to.equal(deployment.timelock);
      expect(await contract.hasRole(await contract.DEFAULT_ADMIN_ROLE(), deployer!.address)).to.equal(false);
      expect(await contract.hasRole(await contract.PAUSER_ROLE(), deployment.timelock!)).to.equal(true);
    }
  });
});
