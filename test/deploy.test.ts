import { execFile, spawn } from "node:child_process";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { readDeploymentFile } from "../sdk/node/index.ts";
import { CLI_FROM_SOURCE, deployEnv, ROOT, rpc, startLocalNode, type LocalNode } from "./helpers/local-node.ts";

/** `npm run deploy -- --network local` against `url`, journaled as `deploymentId`, addresses into `dir`. */
function deploy(url: string, deploymentId: string, dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "deploy", "--", "--network", "local"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: deployEnv("local", url, deploymentId, dir),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Without build.ts's progress lines: a cached build that takes over 5 s on a busy machine prints them.
    child.on("exit", (code) => resolve({ code: code ?? 1, stdout, stderr: stderr.replace(BUILD_PROGRESS, "") }));
  });
}

/** The lines `scripts/build.ts` writes while a build runs (it writes nothing else of its own). */
const BUILD_PROGRESS = /^(compiling the contracts with solc .*|  still compiling: \d+ s|compiled in \d+ s)\n/gm;

/** Whether every address of the deployment file holds code on the node. */
async function allHaveCode(url: string, file: string): Promise<boolean> {
  const { contracts } = await readDeploymentFile(file);
  const codes = await Promise.all(Object.values(contracts).map((address) => rpc(url, "eth_getCode", [address, "latest"])));
  return codes.every((code) => code !== "0x");
}

describe("npm run deploy after a local node restarts", function () {
  const deploymentId = `restart-${process.pid}-${Date.now()}`;
  const journal = path.join(ROOT, "deploy", "deployments", deploymentId);
  let dir: string;
  let node: LocalNode | undefined;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "openledger-deploy-"));
  });

  after(async function () {
    await node?.stop();
    await rm(journal, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  it("sees that the journal's contracts hold no code, deploys afresh on a local chain, and refuses elsewhere", async function () {
    this.timeout(600_000);
    const file = path.join(dir, "31337.json");
    node = await startLocalNode();
    const first = await deploy(node.url, deploymentId, dir);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.include("Deployed on chain 31337");
    expect(await allHaveCode(node.url, file)).to.equal(true);
    await node.stop();

    // The restarted node is empty; Ignition alone would resume from its journal and report the old addresses.
    node = await startLocalNode();
    const again = await deploy(node.url, deploymentId, dir);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stderr).to.match(/^deploy: the journal deploy\/deployments\/restart-\S+ records 8 contract\(s\) that hold no code on this node \(a restarted local node\); deploying afresh\.\n/);
    expect(again.stdout).to.include("Deployed on chain 31337");
    expect(await allHaveCode(node.url, file)).to.equal(true);
    await node.stop();

    // On a chain that is not a development node the journal is kept and the script says how to go on.
    node = await startLocalNode({ chainId: 5151 });
    const elsewhere = await deploy(node.url, deploymentId, dir);
    expect(elsewhere.code).to.equal(1);
    expect(elsewhere.stdout).to.not.include("Deployed");
    expect(elsewhere.stderr).to.match(
      /^deploy: the journal deploy\/deployments\/restart-\S+ records contracts that hold no code on chain 5151 \(\S+ at 0x[0-9a-fA-F]{40}\): .* Set OPENLEDGER_DEPLOYMENT_ID to a new name to deploy afresh, or remove .*\n$/,
    );
    await access(path.join(journal, "deployed_addresses.json"));

    // Nor does the CLI move that chain's clock.
    const other = path.join(dir, "5151.json");
    const { contracts } = await readDeploymentFile(file);
    await writeFile(other, JSON.stringify({ chainId: 5151, startBlock: "1", contracts }));
    const refused = await promisify(execFile)(process.execPath, [...CLI_FROM_SOURCE, "dev", "advance-time", "60", "--rpc", node.url, "--deployment", other], {
      cwd: ROOT,
      env: { ...process.env, OPENLEDGER_KEY: "" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((refused as { code?: number }).code).to.equal(1);
    expect(refused.stderr).to.equal(`error: dev advance-time only moves the clock of a local development node (chain 31337 or 1337); ${node.url} serves chain 5151.\n`);
  });
});
