import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { privateKeyToAccount } from "viem/accounts";

import { expectRejected } from "./helpers/errors.ts";
import { advanceTime, CLI_FROM_SOURCE as CLI, deployToNode, NODE_KEYS, ROOT, rpc, startLocalNode, type LocalNode } from "./helpers/local-node.ts";

const SCIENCE = path.join(ROOT, "examples", "science-explained");
const address = (key: string) => privateKeyToAccount(key as `0x${string}`).address;
const [TREASURY, OWNER, CONTRIBUTOR, VALIDATOR, TRAINER, RELAYER] = NODE_KEYS;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe("CLI against a separate node (hardhat node on 127.0.0.1)", function () {
  let node: LocalNode;
  let dir: string;
  let deployment: string;

  /** Runs the CLI with `key` as OPENLEDGER_KEY (none for undefined) against the node. */
  async function cli(key: string | undefined, ...args: string[]): Promise<Run> {
    const env = { ...process.env, OPENLEDGER_KEY: key ?? "", OPENLEDGER_RPC_URL: "", OPENLEDGER_DEPLOYMENT: "", OPENLEDGER_STORE_DIR: path.join(dir, "store") };
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI, ...args, "--rpc", node.url, "--deployment", deployment], { cwd: ROOT, env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  /** Runs a command that must succeed with --json and returns its data. */
  async function json<T = Record<string, unknown>>(key: string | undefined, ...args: string[]): Promise<T> {
    const run = await cli(key, ...args, "--json");
    expect(run.code, `${args.join(" ")}: ${run.stderr}`).to.equal(0);
    return JSON.parse(run.stdout) as T;
  }

  before(async function () {
    this.timeout(240_000);
    dir = await mkdtemp(path.join(tmpdir(), "openledger-cli-"));
    node = await startLocalNode();
    deployment = await deployToNode(node.url, dir);
  });

  after(async function () {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("runs the whole loop: datanet, submissions, a serving validator, version, model, fees, attribution, claims, audit", async function () {
    this.timeout(240_000);
    await json(TREASURY, "token", "transfer", address(VALIDATOR), "1000");
    await json(TREASURY, "token", "transfer", address(CONTRIBUTOR), "100");
    const { datanetId } = await json<{ datanetId: string }>(OWNER, "datanet", "create", "--metadata", "ipfs://cli", "--quorum", "1");
    expect(datanetId).to.equal("1");
    // A verdict weighs the stake bonded before the reveal: the validator stakes first.
    await json(VALIDATOR, "validator", "stake", "1", "1000");

    // Three real texts, an advert, and a copy of the first with other spacing and case.
    const texts = ["how-tides-work.txt", "why-the-sky-is-blue.txt", "why-ice-floats.txt"].map((f) => path.join(SCIENCE, f));
    const spam = path.join(dir, "deal.txt");
    await writeFile(spam, "BEST DEAL!!! click here for science facts, click here now, best deal of the year for everyone!");
    const copy = path.join(dir, "tides-copy.txt");
    await writeFile(copy, (await readFile(texts[0]!, "utf8")).toUpperCase().replace(/ /g, "  "));
    const submitted = await json<{ id: string; bond: string }[]>(CONTRIBUTOR, "datanet", "submit", "1", ...texts, spam, copy);
    expect(submitted.map((r) => [r.id, r.bond])).to.deep.equal(["1", "2", "3", "4", "5"].map((id) => [id, "10"]));

    // Verdicts open 30 minutes after the reveal; until then nothing is open to judge.
    const closed = await json<{ verdicts: unknown[] }>(VALIDATOR, "validator", "serve", "--datanet", "1", "--once");
    expect(closed.verdicts).to.deep.equal([]);
    await advanceTime(node.url, 30 * 60);
    const round = await json<{ verdicts: { contributionId: string; accept: boolean; reasonCode: number }[]; finalized: number }>(
      VALIDATOR,
      "validator",
      "serve",
      "--datanet",
      "1",
      "--once",
    );
    expect(round.verdicts.map((v) => [v.contributionId, v.accept, v.reasonCode])).to.deep.equal([
      ["1", true, 0],
      ["2", true, 0],
      ["3", true, 0],
      ["4", false, 3], // spam
      ["5", false, 6], // near-duplicate of #1
    ]);
    expect(round.finalized).to.equal(5);
    const board = await json<{ accepted: number; submitted: number; verified: boolean }[]>(undefined, "leaderboard", "1");
    expect(board.map((r) => [r.accepted, r.submitted, r.verified])).to.deep.equal([[3, 5, true]]);

    // The validator settles: points for its three acceptances (1,000 OPEN of weight each), and 80% of
    // the two rejected bonds as credit; the contributor's three accepted bonds come back as credit.
    const settled = await json<{ points: string; credit: string; settled: unknown[] }>(VALIDATOR, "validator", "settle");
    expect([settled.points, settled.credit, settled.settled.length]).to.deep.equal(["3000000", (16n * 10n ** 18n).toString(), 5]);
    expect((await json<{ settled: unknown[] }>(VALIDATOR, "validator", "settle")).settled).to.deep.equal([]);
    expect((await json<{ amount: string }>(VALIDATOR, "credit", "withdraw")).amount).to.equal((16n * 10n ** 18n).toString());
    expect((await json<{ credit: string }>(undefined, "credit", "show", address(CONTRIBUTOR))).credit).to.equal((30n * 10n ** 18n).toString());
    expect((await json<{ amount: string }>(CONTRIBUTOR, "credit", "withdraw")).amount).to.equal((30n * 10n ** 18n).toString());

    const version = await json<{ version: number; root: string }>(OWNER, "datanet", "publish-version", "1", "--uri", "ipfs://cli/v1");
    await json(TRAINER, "model", "register-base", "--name", "Llama-3.1-8B", "--family", "llama", "--parameters", "8030261248", "--artifact-hash", `0x${"ba".repeat(32)}`);
    // The version's three accepted texts as alpaca rows, then the LLaMA-Factory config that trains on them.
    const datasetDir = path.join(dir, "dataset");
    const datasetExport = await json<{ dir: string; manifest: { root: string; rows: { contributionId: string }[] } }>(
      undefined, "dataset", "export", "1", "--version", "1", "--format", "alpaca", "--out", datasetDir,
    );
    expect([datasetExport.dir, datasetExport.manifest.root, datasetExport.manifest.rows.map((r) => r.contributionId)]).to.deep.equal([datasetDir, version.root, ["1", "2", "3"]]);
    expect(JSON.parse(await readFile(path.join(datasetDir, "data.json"), "utf8"))).to.have.length(3);
    const trainYaml = path.join(dir, "train.yaml");
    const written = await json<{ config: Record<string, unknown> }>(
      undefined, "model", "train-config", "--model", "meta-llama/Llama-3.1-8B", "--dataset", datasetDir, "--template", "llama3",
      "--lora-rank", "16", "--lora-dropout", "0.05", "--lora-target", "q_proj,k_proj,v_proj,o_proj", "--quantization-bit", "4", "--learning-rate", "2e-4", "--out", trainYaml,
    );
    expect([written.config.lora_alpha, written.config.dataset, written.config.dataset_dir]).to.deep.equal([32, "datanet_1_v1", datasetDir]);
    const model = await json<{ modelId: string; trainingData: { root: string } }>(
      TRAINER, "model", "register", path.join(ROOT, "examples", "qlora-adapter"), "--config", trainYaml, "--base", "1", "--name", "tutor",
    );
    expect([model.modelId, model.trainingData.root]).to.deep.equal(["1", version.root]);
    const lineage = await json<{ versions: { method: string; trainingData: { versionRoot: string }[] }[] }>(undefined, "model", "lineage", "1");
    expect(lineage.versions[0]!.method).to.equal("qlora");
    expect(lineage.versions[0]!.trainingData[0]!.versionRoot).to.equal(version.root);

    const paid = await json<{ epoch: string }>(TREASURY, "attribution", "pay", "1", "100", "--batch", "batch-1");
    await advanceTime(node.url, 24 * 3_600);
    const result = path.join(dir, "result.json");
    const outputs = path.join(ROOT, "examples", "science-explained-outputs.json");
    // The corpus: the export the model was trained on, checked row for row against its recorded training data.
    const computed = await json<{ root: string; total: string }>(undefined, "attribution", "run", "1", "--epoch", paid.epoch, "--outputs", outputs, "--dataset", datasetDir, "--out", result);
    expect(JSON.parse(await readFile(result, "utf8")).root).to.equal(computed.root);
    const explained = await json<{ inferenceId: string; spans: { text: string; sources: { snippet: { match: string } }[] }[] }[]>(undefined, "attribution", "explain", "1", "--outputs", outputs);
    expect(explained.map((e) => e.inferenceId)).to.have.length(8);
    // The same from an index kept on disk, one shard per datanet version, built on first use.
    const indexDir = path.join(dir, "index");
    expect(await json(undefined, "attribution", "explain", "1", "--outputs", outputs, "--index-dir", indexDir)).to.deep.equal(explained);
    expect(await readdir(indexDir)).to.deep.equal(["datanet-1-v1.olidx"]);
    const spans = explained.flatMap((e) => e.spans);
    expect(spans.length).to.be.greaterThan(0);
    for (const span of spans) for (const source of span.sources) expect(source.snippet.match.toLowerCase()).to.include(span.text.toLowerCase().split(/\W+/)[0]!);
    await json(TREASURY, "attribution", "post", result);
    await advanceTime(node.url, 2 * 24 * 3_600);
    await json(RELAYER, "attribution", "release", "1", "--epoch", paid.epoch);
    const claims = await json<{ account: string; amount: string }[]>(RELAYER, "attribution", "claim", result);
    expect(claims.map((c) => c.account)).to.include.members([address(CONTRIBUTOR), address(VALIDATOR)]);
    expect(claims.reduce((sum, c) => sum + BigInt(c.amount), 0n)).to.equal(BigInt(computed.total));

    const audit = await json<{ discrepancies: unknown[]; events: number }>(undefined, "audit", "verify", "--attribution", result, "--outputs", outputs);
    expect(audit.discrepancies).to.deep.equal([]);
    expect(audit.events).to.be.greaterThan(10);
    const exported = path.join(dir, "export");
    const { block } = await json<{ block: string }>(undefined, "audit", "export", "--out", exported);
    // Every CSV starts with its header row, the block it is valid at as a column; an empty one is its header.
    const csv = (await readFile(path.join(exported, "contributions.csv"), "utf8")).split("\n");
    expect(csv[0]).to.equal("validAtBlock,contributionId,datanetId,contributor,contentHash,sizeBytes,status,uri");
    expect(csv.filter((l) => l.includes("Accepted")).map((l) => l.split(",")[0])).to.deep.equal([block, block, block]);
    expect(await readFile(path.join(exported, "rewards.csv"), "utf8")).to.equal("validAtBlock,datanetId,epoch,funded,claimed,contributorBps,swept,claimants\n");
    expect(JSON.parse(await readFile(path.join(exported, "rewards.json"), "utf8"))).to.deep.equal({ block, rows: [] });
    expect(JSON.parse(await readFile(path.join(exported, "lineage.json"), "utf8")).rows[0].versionRoot).to.equal(version.root);
    const attribution = JSON.parse(await readFile(path.join(exported, "attribution.json"), "utf8")).rows[0];
    expect([attribution.status, attribution.root]).to.deep.equal(["released", computed.root]);
    expect(await readFile(path.join(exported, "leaderboard.csv"), "utf8")).to.include(address(CONTRIBUTOR));
  });

  it("withdraws before verdicts open, refuses after, and finalizes what nobody judged once its window ends", async function () {
    this.timeout(120_000);
    const files = ["one", "two"].map((name) => path.join(dir, `late-${name}.txt`));
    await writeFile(files[0]!, "Clouds form when rising air cools and its water vapour condenses on dust.");
    await writeFile(files[1]!, "Rainbows appear when sunlight is refracted and reflected inside raindrops.");
    const [kept, withdrawn] = await json<{ contentHash: string }[]>(CONTRIBUTOR, "datanet", "submit", "1", ...files);
    const out = await json<{ bondForfeited: string }>(CONTRIBUTOR, "datanet", "withdraw", withdrawn!.contentHash);
    expect(out.bondForfeited).to.equal((10n * 10n ** 18n).toString());

    await advanceTime(node.url, 30 * 60);
    const late = await cli(CONTRIBUTOR, "datanet", "withdraw", kept!.contentHash);
    expect([late.code, late.stderr.trim()]).to.deep.equal([1, late.stderr.trim().split("\n")[0]]);
    expect(late.stderr).to.match(/^error: Verdicts on contribution 0x[0-9a-f]{64} opened at .*; it can no longer be withdrawn\.$/m);
    const early = await cli(RELAYER, "datanet", "finalize", kept!.contentHash);
    expect(early.code).to.equal(1);
    expect(early.stderr).to.match(/^error: The validation window of contribution 0x[0-9a-f]{64} is open until .*; finalize it after that\.\n$/);

    await advanceTime(node.url, 24 * 3_600);
    const closed = await json<{ finalized: { contentHash: string; outcome: number }[] }>(RELAYER, "datanet", "finalize", "--datanet", "1");
    expect(closed.finalized.map((f) => [f.contentHash, f.outcome])).to.deep.equal([[kept!.contentHash, 5]]);
    expect((await json<{ credit: string }>(CONTRIBUTOR, "credit", "show")).credit).to.equal((10n * 10n ** 18n).toString());
    expect((await cli(RELAYER, "datanet", "finalize", "--datanet", "1")).stdout).to.match(/^nothing to finalize/);
  });

  it("refuses bad input with one readable line and a non-zero exit, sending nothing", async function () {
    // About 25 runs of the CLI, each a fresh process (a few seconds each on a busy machine).
    this.timeout(400_000);
    const nonce = async () => rpc(node.url, "eth_getTransactionCount", [address(OWNER), "latest"]);
    const before = await nonce();
    for (const [args, key, code, pattern] of [
      [["datanet", "show", "abc"], undefined, 1, /^error: Invalid datanetId: abc is not an id/],
      [["datanet", "create"], OWNER, 1, /--metadata/],
      [["datanet", "create", "--metadata", "x", "--bogus"], OWNER, 2, /Unknown option '--bogus'/],
      [["validator", "stake", "1", "ten"], OWNER, 1, /not an amount of OPEN/],
      [["validator", "stake", "1", "10"], undefined, 1, /OPENLEDGER_KEY/],
      [["validator", "stake", "1", "10"], OWNER, 1, /^error: 0x[0-9a-fA-F]{40} holds 0 OPEN; 10 OPEN are needed/],
      [["rewards", "claim", "1", "--epochs", "0"], OWNER, 1, /nothing to claim|has not ended/],
      [["datanet", "submit", "1", "/no/such/file"], OWNER, 1, /^error: \/no\/such\/file not found$/],
      [["attribution", "explain", "1", "--outputs", "/no/such.json"], undefined, 1, /^error: \/no\/such.json not found$/],
      [["attribution", "explain", "1", "--outputs", path.join(ROOT, "examples", "science-explained-outputs.json"), "--dataset", "/no/such"], undefined, 1, /^error: Invalid dataset: cannot read \/no\/such\/manifest.json/],
      [["attribution", "explain", "1", "--outputs", path.join(ROOT, "examples", "science-explained-outputs.json"), "--dataset", path.join(dir, "dataset"), "--dataset", path.join(dir, "dataset")], undefined, 1, /^error: datasets does not match: model 1 version 1 was trained on datanet 1 version 1, and 2 exports of it were given$/],
      [["attribution", "post", path.join(ROOT, "README.md")], OWNER, 1, /README.md is not JSON$/],
      [["attribution", "run", "99", "--epoch", "0", "--outputs", path.join(ROOT, "examples", "science-explained-outputs.json"), "--out", "/tmp/never-written.json"], undefined, 1, /^error: Model 99 does not exist\.$/],
      [["leaderboard", "99"], undefined, 1, /^error: Datanet 99 does not exist\.$/],
      [["dev", "advance-time", "0"], undefined, 1, /^error: Invalid seconds: must be more than zero$/],
      [["frobnicate"], undefined, 2, /unknown command/],
      [["datanet", "create", "--metadata", "x", "--bond", "ten"], OWNER, 1, /^error: Invalid --bond: ten is not an amount of OPEN/],
      [["datanet", "create", "--metadata", "x", "--validation-window", "60"], OWNER, 1, /^error: Policy field validationWindow cannot be 60/],
      [["datanet", "withdraw", "0x12"], OWNER, 1, /^error: Invalid contentHash: 0x12 is not a 32-byte hex hash/],
      [["datanet", "withdraw", "0xabababababababababababababababababababababababababababababababab"], OWNER, 1, /^error: No contribution has content hash 0xabababababababababababababababababababababababababababababababab\./],
      [["datanet", "lapse", "0xabababababababababababababababababababababababababababababababab"], OWNER, 1, /^error: No commitment 0xabababababababababababababababababababababababababababababababab from this sender/],
      [["datanet", "lapse", "0xabababababababababababababababababababababababababababababababab", "--committer", "0x12"], OWNER, 1, /^error: Invalid --committer: 0x12 is not an address/],
      [["datanet", "finalize"], OWNER, 1, /^error: Invalid contentHash: name the contributions to close, or give --datanet/],
      [["datanet", "finalize", "0xabababababababababababababababababababababababababababababababab", "--datanet", "1"], OWNER, 1, /^error: Invalid contentHash: name the contributions to close, or give --datanet \(not both\)/],
      [["datanet", "finalize", "0xabababababababababababababababababababababababababababababababab"], OWNER, 1, /^error: No contribution has content hash/],
      [["datanet", "finalize", "--datanet", "0"], OWNER, 1, /^error: Invalid --datanet: 0 is not an id/],
      [["validator", "settle", "--ids", "1,x"], OWNER, 1, /^error: Invalid --ids: x is not an id/],
      [["validator", "settle", "--validator", "0xnope"], OWNER, 1, /^error: Invalid --validator: 0xnope is not an address/],
      [["validator", "settle", "--ids", "99"], OWNER, 1, /^error: 0x[0-9a-fA-F]{40} gave no verdict on contribution 99\./],
      [["credit", "withdraw"], OWNER, 1, /^error: 0x[0-9a-fA-F]{40} has no credit to withdraw\./],
      [["credit", "show", "0xnope"], undefined, 1, /^error: Invalid address: 0xnope is not an address/],
      [["attribution", "explain", "1", "--outputs", path.join(ROOT, "examples", "science-explained-outputs.json"), "--inference", "nope"], undefined, 1, /--inference: nope is not in/],
      [["dataset", "export", "1", "--version", "1", "--format", "csv", "--out", path.join(dir, "never")], undefined, 1, /^error: Invalid --format: csv is not one of alpaca, sharegpt, text$/],
      [["dataset", "export", "1", "--version", "9", "--format", "alpaca", "--out", path.join(dir, "never")], undefined, 1, /^error: Datanet 1 has no version 9\.$/],
      [["dataset", "export", "1", "--version", "1", "--format", "alpaca", "--out", path.join(dir, "never"), "--store-dir", path.join(dir, "empty-store")], undefined, 1, /^error: Dataset export stopped \(Unavailable\): contribution #\d+ \(ipfs:\/\/\w+\): Content \w+ is unavailable/],
      [["model", "train-config", "--model", "m", "--dataset", path.join(dir, "never"), "--template", "llama3", "--lora-rank", "2000", "--out", path.join(dir, "never.yaml")], undefined, 1, /^error: A lora_rank of 2000 is outside LLaMA-Factory's 1 to 1,024\.$/],
      [["model", "train-config", "--model", "m", "--dataset", path.join(dir, "never"), "--template", "llama3", "--finetuning-type", "full", "--quantization-bit", "4", "--out", path.join(dir, "never.yaml")], undefined, 1, /^error: Only LoRA trains on a quantized base/],
      [["model", "register", path.join(ROOT, "examples", "qlora-adapter"), "--config", path.join(dir, "no-such.yaml"), "--base", "1", "--name", "x"], TRAINER, 1, /^error: Invalid config: cannot read/],
    ] as const) {
      const run = await cli(key, ...args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).to.equal(code);
      const lines = run.stderr.trim().split("\n");
      expect(lines, args.join(" ")).to.have.length(1);
      expect(lines[0], args.join(" ")).to.match(pattern);
    }
    expect(await nonce()).to.equal(before);
    // Nothing was written by the refused exports and configs.
    for (const never of ["never", "never.yaml"]) await expectRejected(readFile(path.join(dir, never)), Error, /ENOENT/);
  });

  it("fails with one line and nothing after it: a bad key, an unreachable node, a missing deployment file, the embedded network's clock", async function () {
    this.timeout(120_000);
    /** The CLI with exactly these arguments and environment (no --rpc or --deployment added). */
    const raw = async (env: Record<string, string>, ...args: string[]): Promise<Run> => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, OPENLEDGER_KEY: "", OPENLEDGER_RPC_URL: "", OPENLEDGER_DEPLOYMENT: "", ...env } });
        return { code: 0, stdout, stderr };
      } catch (error) {
        return error as Run;
      }
    };
    for (const [run, pattern] of [
      [await raw({ OPENLEDGER_KEY: "0x12" }, "credit", "show", "--rpc", node.url, "--deployment", deployment), /^error: OPENLEDGER_KEY must be a 0x-prefixed 32-byte private key\.$/],
      [await raw({}, "datanet", "show", "1", "--rpc", "http://127.0.0.1:1"), /^error: Cannot reach the node at http:\/\/127\.0\.0\.1:1: /],
      [await raw({}, "datanet", "show", "1", "--rpc", node.url, "--deployment", path.join(dir, "missing.json")), /^error: No deployment file at .*missing\.json; deploy first \(npm run deploy\)\.$/],
      [await raw({}, "dev", "advance-time", "60"), /^error: dev advance-time needs a node \(--rpc or OPENLEDGER_RPC_URL\)/],
    ] as const) {
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stdout).to.equal("");
      expect(run.stderr.split("\n"), run.stderr).to.have.length(2); // one line and its newline
      expect(run.stderr.split("\n")[0]).to.match(pattern);
    }
  });

  it("moves a local node's clock with dev advance-time", async function () {
    this.timeout(60_000);
    const before = Number(((await rpc(node.url, "eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
    const moved = await json<{ timestamp: string }>(undefined, "dev", "advance-time", "3600");
    expect(Date.parse(moved.timestamp) / 1000).to.be.at.least(before + 3600);
  });

  it("has --help for every command and group", async function () {
    this.timeout(300_000);
    const overview = await cli(undefined, "--help");
    expect(overview.code).to.equal(0);
    for (const command of ["datanet submit", "datanet withdraw", "datanet lapse", "datanet finalize", "validator serve", "validator settle", "credit show", "credit withdraw", "attribution run", "attribution explain", "audit export", "dataset export", "model train-config"]) {
      expect(overview.stdout).to.include(command);
      const help = await cli(undefined, ...command.split(" "), "--help");
      expect(help.code).to.equal(0);
      expect(help.stdout).to.match(new RegExp(`^openledger ${command}`));
    }
    const group = await cli(undefined, "datanet", "--help");
    expect(group.code).to.equal(0);
    expect(group.stdout).to.match(/^Usage: openledger datanet <command>/);
    for (const command of ["create", "show", "submit", "withdraw", "lapse", "finalize", "publish-version"]) expect(group.stdout).to.include(`datanet ${command} `);
    const bare = await cli(undefined, "datanet");
    expect([bare.code, bare.stderr]).to.deep.equal([2, 'error: "datanet" needs a command: create, show, submit, withdraw, lapse, finalize, publish-version (openledger datanet --help)\n']);
  });
});
