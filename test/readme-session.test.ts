import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { createPublicClient, http } from "viem";

import { createClient } from "../sdk/index.ts";
import { readDeploymentFile } from "../sdk/node/index.ts";
import { ROOT, startLocalNode, type LocalNode } from "./helpers/local-node.ts";

/** The README's local-node session: the sh block between the readme-session fences. */
export async function readmeSession(): Promise<string[]> {
  const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
  const fenced = /<!-- readme-session:start -->\n```sh\n([\s\S]*?)```\n<!-- readme-session:end -->/.exec(readme);
  if (fenced === null) throw new Error("README.md has no readme-session block");
  return fenced[1]!.split("\n").filter((line) => line.trim() !== "");
}

/** Runs a bash script in the repository with `env`; resolves with its exit code and output. */
function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

describe("the README's local-node session, run as written", function () {
  let node: LocalNode;
  let dir: string;
  const deploymentId = `readme-${process.pid}-${Date.now()}`;
  const result = path.join(ROOT, ".openledger", "result.json");
  // What the session writes into the clone besides the result: the dataset export and the training config.
  const written = [result, path.join(ROOT, ".openledger", "dataset"), path.join(ROOT, ".openledger", "train.yaml")];

  before(async function () {
    this.timeout(120_000);
    dir = await mkdtemp(path.join(tmpdir(), "openledger-readme-"));
    // An export never overwrites: a folder left by an interrupted run would stop the session.
    for (const file of written) await rm(file, { recursive: true, force: true });
    node = await startLocalNode();
  });

  after(async function () {
    await node?.stop();
    await rm(path.join(ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    for (const file of written) await rm(file, { recursive: true, force: true });
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("opens a datanet, judges, versions, trains, pays and attributes with a key per role, and audits clean", async function () {
    // About 25 commands, each a fresh npm and node process (a few seconds each on a busy machine).
    this.timeout(900_000);
    const [first, ...lines] = await readmeSession();
    // The first line starts the node; the test has started the same one on a free port.
    expect(first).to.match(/^npx hardhat node\s/);
    const port = new URL(node.url).port;
    // Each line runs as written in one shell (its exports carry on), echoed first so a failure names it.
    const script = ["set -euo pipefail", ...lines.map((line) => `printf '%s\\n' ${JSON.stringify(`$ ${line}`)} >&2\n${line.replaceAll("127.0.0.1:8545", `127.0.0.1:${port}`)}`)].join("\n");
    // What only redirects side effects: the addresses file, the content store and Ignition's journal
    // go to places the test owns, never the clone's own deployments/ or .openledger/store.
    const deployment = path.join(dir, "31337.json");
    const env = {
      ...process.env,
      OPENLEDGER_KEY: "",
      OPENLEDGER_RPC_URL: "",
      OPENLEDGER_DEPLOYMENTS_DIR: dir,
      OPENLEDGER_DEPLOYMENT: deployment,
      OPENLEDGER_DEPLOYMENT_ID: deploymentId,
      OPENLEDGER_STORE_DIR: path.join(dir, "store"),
    };
    const run = await bash(script, env);
    expect(run.code, run.output).to.equal(0);

    const { output } = run;
    // The validator judged the contributor's eight texts (with one key for both it judged none).
    expect(output).to.include("8 open for verdicts, 8 judged (8 accepted)");
    expect(output).to.match(/settled 8 verdict\(s\)/);
    expect(output).to.include("withdrew 80 OPEN");
    expect(output).to.match(/version 1: 8 contributions, root 0x[0-9a-f]{64}/);
    // The trainer's loop: 8 alpaca rows out, verified; the config; the adapter back in, on that version's root.
    const root = /version 1: 8 contributions, root (0x[0-9a-f]{64})/.exec(output)![1]!;
    expect(output).to.include(`datanet 1 version 1: 8 alpaca rows, every content hash and the root ${root} verified`);
    expect(output).to.match(/wrote \.openledger\/train\.yaml: llamafactory-cli train \.openledger\/train\.yaml/);
    expect(output).to.include(`model 1 version 1: qlora, r=16, adapter 0x`);
    expect(output).to.include(`trained on datanet 1 version 1 (root ${root}, 8 rows)`);
    expect(output).to.match(/moved the clock 1800 s forward: block \d+ at \d{4}-\d\d-\d\dT/);
    expect(output).to.include("0 discrepancies");
    // Every time printed is an ISO date.
    expect(output).to.match(/proposed; releasable from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z/);

    // And the chain agrees: the model's attribution epoch was released and its payouts claimed.
    const publicClient = createPublicClient({ transport: http(node.url) });
    const client = createClient({ publicClient, deployment: await readDeploymentFile(deployment) });
    expect((await client.datanets.get(1n)).acceptedCount).to.equal(8n);
    const pool = await client.attribution.pool({ modelId: 1n, epoch: 0n });
    expect(pool.status).to.equal(3); // released
    const proofsFile = JSON.parse(await readFile(result, "utf8")) as { root: string; proofs: { claims: unknown[] } };
    expect(pool.root).to.equal(proofsFile.root);
    expect(proofsFile.proofs.claims).to.have.length(2);
  });
});
