import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import {
  assertDeploymentChain,
  createClient,
  DeploymentError,
  formatDeployment,
  parseDeployment,
} from "../../sdk/index.ts";
import { deploymentFilePath, readDeploymentFile } from "../../sdk/node/index.ts";

const connection = await network.create();

describe("SDK deployments", function () {
  it("round-trips an addresses file and checks it against the connected chain", async function () {
    const deployment = await deployProtocol(connection);
    const dir = await mkdtemp(path.join(tmpdir(), "openledger-"));
    const file = deploymentFilePath(dir, deployment.chainId);
    await writeFile(file, formatDeployment(deployment));
    expect(await readDeploymentFile(file)).to.deep.equal(deployment);

    const publicClient = await connection.viem.getPublicClient();
    await assertDeploymentChain(createClient({ publicClient, deployment }));
    try {
      await assertDeploymentChain(createClient({ publicClient, deployment: { ...deployment, chainId: 10 } }));
      expect.fail("expected DeploymentError");
    } catch (error) {
      expect(error).to.be.instanceOf(DeploymentError);
      expect((error as Error).message).to.include("for chain 10 but the RPC serves chain 31337");
    }
  });

  const good = {
    chainId: 10,
    startBlock: "5",
    contracts: {
      openToken: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      datanetRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
      validatorStaking: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
      attestationRegistry: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
      merkleEpochDistributor: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
      rewardPools: "0x5FC8d32690cc91D4c39d9d3abcBD16989F875707",
    },
  };
  const broken: [string, unknown, string][] = [
    ["not an object", 42, "not a JSON object"],
    ["a bad chain id", { ...good, chainId: 0 }, "chainId must be a positive integer"],
    ["a missing start block", { ...good, startBlock: undefined }, "startBlock must be a block number"],
    ["a negative start block", { ...good, startBlock: "-1" }, "startBlock -1 is not a block number"],
    ["no contracts", { ...good, contracts: undefined }, "contracts is missing"],
    ["a bad address", { ...good, contracts: { ...good.contracts, datanetRegistry: "0x12" } }, "contracts.datanetRegistry is not an address"],
    ["a missing contract", { ...good, contracts: { ...good.contracts, attestationRegistry: undefined } }, "contracts.attestationRegistry is not an address"],
  ];
  for (const [name, value, message] of broken) {
    it(`refuses an addresses file with ${name}`, function () {
      expect(() => parseDeployment(value, "f.json")).to.throw(DeploymentError, `f.json: ${message}`);
    });
  }

  it("explains a missing or unreadable file", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openledger-"));
    for (const [file, message] of [
      [path.join(dir, "1.json"), "No deployment file at"],
      [path.join(dir, "bad.json"), "is not valid JSON"],
    ] as const) {
      if (file.endsWith("bad.json")) await writeFile(file, "{oops");
      try {
        await readDeploymentFile(file);
        expect.fail("expected DeploymentError");
      } catch (error) {
        expect(error).to.be.instanceOf(DeploymentError);
        expect((error as Error).message).to.include(message);
      }
    }
  });
});
