import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { network } from "hardhat";
import { decodeEventLog, toEventSelector, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { runTamperBench, tamperHarness } from "../scripts/bench/tamper-runs.ts";
import { protocolEventsAbi } from "../sdk/node/index.ts";
import { startFaultProxy } from "./helpers/fault-proxy.ts";
import { CLI_FROM_SOURCE as CLI, deployToNode, NODE_KEYS, ROOT, rpc, startLocalNode } from "./helpers/local-node.ts";
import { alterLog, tamperResult, wordsOf, type RawLog, type Tampering } from "./helpers/tamper.ts";

const connection = await network.create();

const decode = (l: Pick<RawLog, "topics" | "data">) =>
  decodeEventLog({ abi: protocolEventsAbi, topics: l.topics as [Hex, ...Hex[]], data: l.data, strict: true }).args as unknown as Record<string, unknown>;

/** The word of `log` an `alter` must bump to change argument `name`, or (`undefined`) to make it undecodable. */
function wordOf(log: RawLog, name?: string): number {
  for (let word = 0; word < wordsOf(log); word++) {
    try {
      const altered = decode(alterLog(log, word));
      if (name !== undefined && altered[name] !== decode(log)[name]) return word;
    } catch {
      // Bumped, this word does not decode: an offset.
      if (name === undefined) return word;
    }
  }
  throw new Error(`no word of the log ${name === undefined ? "breaks its decoding" : `holds ${name}`}`);
}

describe("audit verify against a lying node (issue 15)", function () {
  this.timeout(600_000);
  let harness: Awaited<ReturnType<typeof tamperHarness>>;
  before(async function () {
    harness = await tamperHarness(connection);
  });

  /** The discrepancies of the audit with `tampering` applied to the first log of `kind` (that `where` accepts). */
  async function audited(kind: string, tampering: (log: number) => Tampering, where: (log: RawLog) => boolean = () => true) {
    const log = harness.history.findIndex((l, i) => harness.kindOf(i) === kind && where(l));
    expect(log, kind).to.be.at.least(0);
    return (await harness.audit(tampering(log))).found;
  }

  it("reports a dropped log that creates a pool, an epoch or a fee pool, a dropped claim and a dropped allowlist change, naming what it touched", async function () {
    const cases: [string, RegExp][] = [
      ["RewardsFunded", /^reward pool/],
      ["FeePoolOpened", /^fee pool 1\//],
      ["RootPosted", /^(merkle epoch|fee pool)/],
      ["Claimed", /^merkle epoch/],
      ["AllowlistUpdated", /^datanet 2$/],
    ];
    for (const [kind, entity] of cases) {
      const found = await audited(kind, (log) => ({ kind: "drop", log }));
      expect(found.some((d) => entity.test(d.entity)), `${kind}: ${JSON.stringify(found.slice(0, 3))}`).to.equal(true);
    }
  });

  it("reports an altered TrainingDataRecorded.contributionCount and a duplicate acceptance index", async function () {
    const training = await audited("TrainingDataRecorded", (log) => ({ kind: "alter", log, word: wordOf(harness.history[log]!, "contributionCount") }));
    expect(training.map((d) => `${d.entity}: ${d.field}`)).to.include("model 1 version 1: root and size of datanet 1 v1");
    // The first acceptance numbered 2 as well: two contributions with index 2.
    const accepted = (l: RawLog) => decode(l).datanetAcceptedCount === 1n;
    const duplicate = await audited("ContributionFinalized", (log) => ({ kind: "alter", log, word: wordOf(harness.history[log]!, "datanetAcceptedCount") }), accepted);
    expect(duplicate.find((d) => d.field === "acceptance order")).to.deep.include({ entity: "datanet 1" });
  });

  it("reports a log that does not decode as its event, and a missing creating log without crashing", async function () {
    // An allowlist addition's `allowed` bumped from 1 to 2 is no boolean: the log no longer decodes.
    const undecodable = await audited("AllowlistUpdated", (log) => ({ kind: "alter", log, word: wordOf(harness.history[log]!) }));
    expect(undecodable.some((d) => / log \d+\/\d+$/.test(d.entity) && /decodes as its event AllowlistUpdated/.test(d.expected)), JSON.stringify(undecodable.slice(0, 3))).to.equal(true);
    for (const kind of ["ContributionSubmitted", "DatanetCreated", "ModelRegistered", "ModelVersionPublished"]) {
      const found = await audited(kind, (log) => ({ kind: "drop", log }));
      expect(found.some((d) => d.actual === "not in the logs" && d.expected.includes(kind)), `${kind}: ${JSON.stringify(found.slice(0, 3))}`).to.equal(true);
    }
  });

  it("detects every state-changing lie of a sample of the tamper bench, with no crash and no false alarm", async function () {
    const report = await runTamperBench(await network.create(), { sample: 40 });
    expect(report.runs).to.equal(40);
    expect(report.stateChanging).to.be.greaterThan(10);
    expect([report.detected, report.crashed, report.falseAlarms], JSON.stringify(report.missed.slice(0, 3))).to.deep.equal([report.stateChanging, 0, 0]);
  });

  it("runs the README's bench:tamper command as written (SAMPLE keeps it short)", async function () {
    const command = "npm run bench:tamper";
    expect(await readFile(path.join(ROOT, "README.md"), "utf8")).to.include(`\`${command}\``);
    const { stdout } = await promisify(execFile)("bash", ["-c", command], { cwd: ROOT, env: { ...process.env, SAMPLE: "12" }, maxBuffer: 16 * 1024 * 1024 });
    expect(stdout).to.match(/12 runs of \d+/);
    expect(stdout).to.not.include("Wrote bench/tamper.json");
  });

  it("the CLI exits 3 with the discrepancy named, never a stack trace, when a node drops the log that registered a contribution", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openledger-tamper-cli-"));
    const node = await startLocalNode();
    try {
      const deployment = await deployToNode(node.url, dir);
      const [treasury, owner, contributor] = NODE_KEYS;
      const run = async (key: string | undefined, rpcUrl: string, ...args: string[]) => {
        const env = { ...process.env, OPENLEDGER_KEY: key ?? "", OPENLEDGER_RPC_URL: "", OPENLEDGER_DEPLOYMENT: "", OPENLEDGER_STORE_DIR: path.join(dir, "store") };
        return promisify(execFile)(process.execPath, [...CLI, ...args, "--rpc", rpcUrl, "--deployment", deployment], { cwd: ROOT, env }).then(
          ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
        );
      };
      const contributorAddress = privateKeyToAccount(contributor as Hex).address;
      expect((await run(treasury, node.url, "token", "transfer", contributorAddress, "100")).code).to.equal(0);
      expect((await run(owner, node.url, "datanet", "create", "--metadata", "ipfs://tamper", "--quorum", "1")).code).to.equal(0);
      const submitted = await run(contributor, node.url, "datanet", "submit", "1", path.join(ROOT, "examples", "science-explained", "how-tides-work.txt"));
      expect(submitted.code, submitted.stderr).to.equal(0);
      expect(await run(undefined, node.url, "audit", "verify")).to.deep.include({ code: 0 });

      const history = ((await rpc(node.url, "eth_getLogs", [{ fromBlock: "0x0", toBlock: "latest" }])) as RawLog[]).filter((l) => l.topics.length > 0);
      const log = history.findIndex((l) => l.topics[0] === toEventSelector(protocolEventsAbi.find((e) => e.name === "ContributionSubmitted")!));
      const proxy = await startFaultProxy(node.url, () => "forward", (method, params, result) => tamperResult(method, params, result, { kind: "drop", log }, history));
      try {
        const lied = await run(undefined, proxy.url, "audit", "verify");
        expect(lied.code, lied.stderr).to.equal(3);
        expect(lied.stdout).to.match(/discrepancies/);
        expect(lied.stdout, lied.stdout).to.include("contribution 1");
        expect(lied.stderr).to.not.match(/Error:|\n\s+at /);
      } finally {
        await proxy.close();
      }
    } finally {
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
