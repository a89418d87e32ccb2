import { expect } from "chai";
import { network } from "hardhat";
import { ZeroHash } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";

import { modelsFixture, qloraSpec } from "./helpers/models.ts";
import { testPolicy } from "./helpers/registry.ts";

const connection = await network.create();
const { ethers, networkHelpers } = connection;

/**
 * The protocol with datanet 1 owned by `owner`, model 1 owned by `bob`, every role held by `admin` only,
 * but FINALIZER_ROLE held by `finalizer` and GUARDIAN_ROLE by `owner` (the deployment's second account:
 * the guardian can never be the attributor, who is `admin`).
 */
async function accessFixture() {
  const f = await modelsFixture(connection);
  await (await f.factory.connect(f.bob).registerModel(1n, "m", qloraSpec())).wait();
  const c = f.deployment.contracts;
  return {
    ...f,
    staking: await ethers.getContractAt("ValidatorStaking", c.validatorStaking),
    attribution: await ethers.getContractAt("ProofOfAttribution", c.proofOfAttribution),
    pools: await ethers.getContractAt("RewardPools", c.rewardPools),
  };
}

type Fixture = Awaited<ReturnType<typeof accessFixture>>;
type Call = (f: Fixture, as: HardhatEthersSigner) => Promise<unknown>;

describe("Every privileged function, called by every account without the privilege", function () {
  it("names every role by keccak256 of its name, the id that explorers and multisig tools compute", async function () {
    const { registry, staking, attribution } = await networkHelpers.loadFixture(accessFixture);
    const roles: [string, () => Promise<string>][] = [
      ["PAUSER_ROLE", () => registry.PAUSER_ROLE()],
      ["FINALIZER_ROLE", () => registry.FINALIZER_ROLE()],
      ["SLASHER_ROLE", () => staking.SLASHER_ROLE()],
      ["ATTRIBUTOR_ROLE", () => attribution.ATTRIBUTOR_ROLE()],
      ["GUARDIAN_ROLE", () => attribution.GUARDIAN_ROLE()],
    ];
    for (const [name, id] of roles) expect(await id(), name).to.equal(ethers.id(name));
  });

  it("refuses role-gated functions to everyone but the role's holder, naming the role", async function () {
    const f = await networkHelpers.loadFixture(accessFixture);
    const { registry, staking, attribution } = f;
    const gated: [string, Call, () => Promise<string>][] = [
      ["registry.setProtocolPaused", (x, as) => x.registry.connect(as).setProtocolPaused(true), () => registry.PAUSER_ROLE()],
      ["registry.finalize", (x, as) => x.registry.connect(as).finalize(ZeroHash, 2), () => registry.FINALIZER_ROLE()],
      ["registry.grantRole", (x, as) => x.registry.connect(as).grantRole(ethers.id("PAUSER_ROLE"), as.address), () => registry.DEFAULT_ADMIN_ROLE()],
      ["registry.bindValidation", (x, as) => x.registry.connect(as).bindValidation(x.deployment.contracts.attestationRegistry), () => registry.DEFAULT_ADMIN_ROLE()],
      ["registry.beginDefaultAdminTransfer", (x, as) => x.registry.connect(as).beginDefaultAdminTransfer(as.address), () => registry.DEFAULT_ADMIN_ROLE()],
      ["staking.slash", (x, as) => x.staking.connect(as).slash(1n, x.alice.address, 1n, ZeroHash), () => staking.SLASHER_ROLE()],
      ["staking.pause", (x, as) => x.staking.connect(as).pause(60n), () => staking.PAUSER_ROLE()],
      ["staking.unpause", (x, as) => x.staking.connect(as).unpause(), () => staking.PAUSER_ROLE()],
      ["staking.beginDefaultAdminTransfer", (x, as) => x.staking.connect(as).beginDefaultAdminTransfer(as.address), () => staking.DEFAULT_ADMIN_ROLE()],
      ["pools.pause", (x, as) => x.pools.connect(as).pause(60n), () => f.pools.PAUSER_ROLE()],
      ["attribution.pause", (x, as) => x.attribution.connect(as).pause(60n), () => attribution.PAUSER_ROLE()],
      ["attribution.proposeAttribution", (x, as) => x.attribution.connect(as).proposeAttribution(1n, 0n, ethers.id("r"), 1n, ZeroHash), () => attribution.ATTRIBUTOR_ROLE()],
      ["attribution.rejectAttribution", (x, as) => x.attribution.connect(as).rejectAttribution(1n, 0n, ZeroHash), () => attribution.GUARDIAN_ROLE()],
      ["attribution.grantRole", (x, as) => x.attribution.connect(as).grantRole(ethers.id("PAUSER_ROLE"), as.address), () => attribution.DEFAULT_ADMIN_ROLE()],
    ];
    // Everyone without the role: contributors, the datanet and model owners, an outsider, and the
    // finalizer (a holder of another role).
    const callers = [f.alice, f.carol, f.owner, f.bob, f.outsider, f.finalizer];
    for (const [name, call, role] of gated) {
      for (const as of callers) {
        if (name === "registry.finalize" && as === f.finalizer) continue;
        if (name === "attribution.rejectAttribution" && as === f.owner) continue;
        await expect(call(f, as), `${name} by ${as.address}`)
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(as.address, await role());
      }
    }
  });

  it("refuses owner-only functions to everyone but the owner, the admin included", async function () {
    const f = await networkHelpers.loadFixture(accessFixture);
    const datanetOnly: [string, Call][] = [
      ["updateMetadata", (x, as) => x.registry.connect(as).updateMetadata(1n, "ipfs://x")],
      ["updatePolicy", (x, as) => x.registry.connect(as).updatePolicy(1n, testPolicy())],
      ["setAllowlisted", (x, as) => x.registry.connect(as).setAllowlisted(1n, [as.address], true)],
      ["setDatanetPaused", (x, as) => x.registry.connect(as).setDatanetPaused(1n, true)],
      ["transferDatanetOwnership", (x, as) => x.registry.connect(as).transferDatanetOwnership(1n, as.address)],
      ["publishVersion", (x, as) => x.registry.connect(as).publishVersion(1n, ethers.id("r"), 2n, "ipfs://v")],
    ];
    const modelOnly: [string, Call, "factory" | "attribution"][] = [
      ["publishModelVersion", (x, as) => x.factory.connect(as).publishModelVersion(1n, qloraSpec()), "factory"],
      ["transferModelOwnership", (x, as) => x.factory.connect(as).transferModelOwnership(1n, as.address), "factory"],
      ["setFeeSplit", (x, as) => x.attribution.connect(as).setFeeSplit(1n, { contributorsBps: 7_000, developerBps: 2_000, validatorsBps: 500, maxRecipientBps: 2_500 }), "attribution"],
    ];
    const notOwner = (owner: HardhatEthersSigner) => [f.admin, f.alice, f.carol, f.outsider, f.finalizer, f.owner, f.bob].filter((s) => s !== owner);
    for (const [name, call] of datanetOnly) {
      for (const as of notOwner(f.owner)) {
        await expect(call(f, as), `${name} by ${as.address}`).to.be.revertedWithCustomError(f.registry, "NotDatanetOwner").withArgs(1n, as.address);
      }
    }
    for (const [name, call, where] of modelOnly) {
      for (const as of notOwner(f.bob)) {
        await expect(call(f, as), `${name} by ${as.address}`).to.be.revertedWithCustomError(f[where], "NotModelOwner").withArgs(1n, as.address);
      }
    }
  });
});
