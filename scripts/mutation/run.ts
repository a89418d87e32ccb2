/**
 * Mutation testing of the core contracts with SuMo's operators (see `mutants.ts`). Slow, so not in CI.
 *
 * For each sampled mutant, in a worker's copy of the repository under `.mutation/`:
 *   1. build the contracts; a compile error makes the mutant stillborn;
 *   2. compare every contract's creation and deployed bytecode (metadata hashes blanked) with the
 *      original build: identical bytecode is an equivalent mutant (SuMo's trivial compiler equivalence);
 *   3. run the tests in three stages, cheapest first, stopping at the first failure (killed):
 *      the contract's own mocha tests; the Solidity fuzz and invariant suites that reach the
 *      source, with CI's settings; every other mocha suite (protocol and SDK; the CLI, packages and
 *      run.sh suites are left out, see LEFT_OUT_TESTS).
 * A mutant that passes all three is live. Leaving a suite out can only call a mutant live that a
 * full `npm test` would kill, so the score is a lower bound. Score = killed / (killed + live), as SuMo computes it;
 * mutants explained as equivalent in `bench/mutation-equivalents.json` leave the denominator.
 *
 * Verdicts are kept in `.mutation/verdicts.json` against the hash of the mutated source, so a
 * rerun after adding tests only retests the live mutants not explained as equivalent.
 *
 *   npm run mutation                      (20 mutants per contract, 2 workers: about 90 minutes from scratch)
 *   npm run mutation -- --per-contract 0  (every mutant: about 1,600, many hours)
 *   npm run mutation -- --only RewardMath --workers 1
 *   npm run mutation -- --report-only     (rewrite the report from the verdicts so far)
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";

import { optionalJson, writeResultsMarkdown } from "../bench/results.ts";

import { applyMutant, generateMutants, type Mutant, ROOT, sampleMutants, sha256 } from "./mutants.ts";

const WORK = path.join(ROOT, ".mutation");
const VERDICTS = path.join(WORK, "verdicts.json");
const REPORT = path.join(ROOT, "bench", "mutation.json");
const EQUIVALENTS = path.join(ROOT, "bench", "mutation-equivalents.json");
// README.md too: the demo, CLI, packages and README-session suites run the commands it shows.
const COPIED = ["contracts", "test", "scripts", "sdk", "cli", "deploy", "examples", "README.md", "hardhat.config.ts", "package.json", "tsconfig.json", "remappings.txt", "sumo-config.js"];
const BUILD_TIMEOUT_S = 900;
// The all-mocha stage takes about 7 minutes alone and more than 10 with two workers on 2 cores.
const TEST_TIMEOUT_S = 1_500;

/**
 * The sources under mutation (every protocol contract and library; interfaces and test doubles are
 * not code to mutate), each with the suites that reach it most directly. The mocha suites run
 * first because they kill fastest. Only the listed Solidity suites are rebuilt and run for a mutant
 * that survives them: rebuilding every suite costs about 90 s.
 */
const SUITES: Record<string, { mocha: string[]; solidity: string[] }> = {
  "contracts/OpenToken.sol": { mocha: ["MerkleEpochDistributor", "RewardPools"], solidity: ["OpenToken"] },
  "contracts/DatanetRegistry.sol": { mocha: ["DatanetRegistry"], solidity: ["DatanetRegistry", "QuotaInvariants", "ValidationInvariants"] },
  "contracts/ValidatorStaking.sol": { mocha: ["ValidatorStaking"], solidity: ["AttestationRegistry", "ValidationInvariants"] },
  "contracts/AttestationRegistry.sol": { mocha: ["AttestationRegistry"], solidity: ["AttestationRegistry", "ValidationInvariants"] },
  "contracts/RewardPools.sol": { mocha: ["RewardPools"], solidity: ["RewardMath", "ValidationInvariants"] },
  "contracts/MerkleEpochDistributor.sol": { mocha: ["MerkleEpochDistributor"], solidity: ["MerkleInvariants", "AttributionInvariants"] },
  "contracts/MerkleEpoch.sol": { mocha: ["MerkleEpochDistributor"], solidity: ["MerkleInvariants", "AttributionInvariants"] },
  "contracts/ModelFactory.sol": { mocha: ["ModelFactory"], solidity: ["AttributionInvariants"] },
  "contracts/ProofOfAttribution.sol": { mocha: ["ProofOfAttribution"], solidity: ["AttributionInvariants", "FeeSplitMath"] },
  "contracts/libraries/FeeSplitMath.sol": { mocha: ["ProofOfAttribution"], solidity: ["FeeSplitMath", "AttributionInvariants"] },
  "contracts/libraries/ReputationMath.sol": { mocha: ["DatanetRegistry", "AttestationRegistry"], solidity: ["ReputationMath", "ValidationInvariants"] },
  "contracts/libraries/RewardMath.sol": { mocha: ["RewardPools"], solidity: ["RewardMath", "ValidationInvariants"] },
  "contracts/libraries/TokenPull.sol": { mocha: ["FeeOnTransfer", "RewardPools"], solidity: ["ValidationInvariants", "MerkleInvariants", "AttributionInvariants"] },
};
/** In this order: a contract's sample is seeded by its place here. */
const CORE_SOURCES = Object.keys(SUITES);
const focusedSuites = (file: string) => SUITES[file]!.mocha.map((name) => `test/${name}.test.ts`);
const soliditySuites = (file: string) => SUITES[file]!.solidity.map((name) => `test/solidity/${name}.t.sol`);
/**
 * Suites the last stage leaves out: the CLI suite drives the same calls as the protocol and SDK suites
 * through child processes for minutes; the packages and run.sh suites test packing, installing and
 * bootstrapping Node, which a contract mutant cannot change; the indexer suite runs the Ponder app
 * (`indexer/`, not copied) against the protocol suites' own events.
 */
const LEFT_OUT_TESTS = new Set(["test/cli.test.ts", "test/packages.test.ts", "test/run-sh.test.ts", "test/indexer.test.ts"]);

type Status = "killed" | "live" | "equivalent" | "stillborn" | "timedout";
interface Verdict {
  status: Status;
  /** The stage that killed it, or the last stage reached. */
  stage: string;
  seconds: number;
}
interface Outcome {
  code: number | null;
  timedOut: boolean;
  output: string;
}

/** Runs a Hardhat task in `cwd`, killing its whole process group after `timeoutSeconds`. */
function run(cwd: string, args: string[], timeoutSeconds: number): Promise<Outcome> {
  const hardhat = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [hardhat, ...args], { cwd, env: { ...process.env, FORCE_COLOR: "0" }, detached: true });
    let output = "";
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, "SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    });
  });
}

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => path.join(e.parentPath, e.name));
}

/** solc's CBOR metadata: an IPFS hash of the metadata, which covers the source text, then the compiler version. */
const METADATA = /a264697066735822[0-9a-f]{68}64736f6c6343[0-9a-f]{6}0033/g;

/**
 * Creation and deployed bytecode of every built contract with the metadata hashes blanked, so a
 * comment or a dead edit compares equal. Creation code counts: a constructor mutant (an EIP-712
 * name, say) changes only immutables, which the deployed bytecode in an artifact leaves unfilled.
 */
async function bytecodeFingerprint(sandbox: string): Promise<Map<string, string>> {
  const fingerprint = new Map<string, string>();
  for (const file of await listFiles(path.join(sandbox, "artifacts", "contracts"), ".json")) {
    if (file.endsWith(".dbg.json")) continue;
    const { bytecode, deployedBytecode } = JSON.parse(await readFile(file, "utf8")) as { bytecode?: string; deployedBytecode?: string };
    if (bytecode === undefined || bytecode === "0x") continue;
    fingerprint.set(path.relative(sandbox, file), `${bytecode}/${deployedBytecode}`.replace(METADATA, "metadata"));
  }
  return fingerprint;
}

const sameBytecode = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a].every(([name, code]) => b.get(name) === code);

class Sandbox {
  private baseline = new Map<string, string>();
  private readonly dir: string;
  private readonly mochaSuites: string[];

  constructor(dir: string, mochaSuites: string[]) {
    this.dir = dir;
    this.mochaSuites = mochaSuites;
  }

  /** Copies the repository and builds it; `checkTests` also runs the stages on the unmutated code, which must pass. */
  async prepare(checkTests: boolean): Promise<void> {
    for (const entry of COPIED) await rm(path.join(this.dir, entry), { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
    for (const entry of COPIED) await cp(path.join(ROOT, entry), path.join(this.dir, entry), { recursive: true });
    await symlink(path.join(ROOT, "node_modules"), path.join(this.dir, "node_modules")).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    await this.seedBuildCache();
    const build = await run(this.dir, ["build", "--quiet"], BUILD_TIMEOUT_S);
    if (build.timedOut) throw new Error(`The unmutated project did not build within ${BUILD_TIMEOUT_S} s in ${this.dir}`);
    if (build.code !== 0) throw new Error(`The unmutated project does not build in ${this.dir}:\n${build.output}`);
    this.baseline = await bytecodeFingerprint(this.dir);
    if (!checkTests) return;
    const unmutated = await this.testStages(CORE_SOURCES[0]!);
    if (unmutated.status !== "live") {
      throw new Error(`The unmutated project fails its tests (${unmutated.stage}) in ${this.dir}; fix that first:\n${unmutated.output.slice(-4_000)}`);
    }
  }

  /**
   * Starts the copy from the repository's own build, when there is one, so its first build compiles
   * only what changed (a cold via-IR build takes about 9 minutes, longer than BUILD_TIMEOUT_S on a
   * busy machine). Hardhat's compile cache names files by absolute path, so those are moved over.
   */
  private async seedBuildCache(): Promise<void> {
    const cacheFile = path.join(ROOT, "cache", "compile-cache.json");
    if (!existsSync(cacheFile) || !existsSync(path.join(ROOT, "artifacts"))) return;
    for (const entry of ["artifacts", "cache"]) {
      await rm(path.join(this.dir, entry), { recursive: true, force: true });
      await cp(path.join(ROOT, entry), path.join(this.dir, entry), { recursive: true });
    }
    const cache = await readFile(cacheFile, "utf8");
    await writeFile(path.join(this.dir, "cache", "compile-cache.json"), cache.replaceAll(`${ROOT}${path.sep}`, `${this.dir}${path.sep}`));
  }

  /** Runs the stages in order; the first failing one kills. "live" means every stage passed. */
  private async testStages(file: string): Promise<{ status: Status; stage: string; output: string }> {
    const focused = focusedSuites(file);
    const stages: [string, () => Promise<Outcome>][] = [
      ["focused mocha", () => run(this.dir, ["test", "mocha", "--no-compile", "--bail", ...focused], TEST_TIMEOUT_S)],
      ["solidity", () => this.solidityStage(file)],
      ["all mocha", () => run(this.dir, ["test", "mocha", "--no-compile", "--bail", ...this.mochaSuites.filter((s) => !focused.includes(s))], TEST_TIMEOUT_S)],
    ];
    for (const [stage, runStage] of stages) {
      const outcome = await runStage();
      if (outcome.timedOut) return { status: "timedout", stage, output: outcome.output };
      if (outcome.code !== 0) return { status: "killed", stage, output: outcome.output };
    }
    return { status: "live", stage: "all mocha", output: "" };
  }

  private async solidityStage(file: string): Promise<Outcome> {
    const suites = soliditySuites(file);
    const build = await run(this.dir, ["build", "--quiet", "--no-contracts", ...suites], BUILD_TIMEOUT_S);
    return build.code === 0 ? run(this.dir, ["test", "solidity", "--no-compile", ...suites], TEST_TIMEOUT_S) : build;
  }

  async test(mutant: Mutant, original: string): Promise<Verdict> {
    const started = Date.now();
    const target = path.join(this.dir, mutant.file);
    await writeFile(target, applyMutant(original, mutant));
    try {
      const build = await run(this.dir, ["build", "--quiet", "--no-tests"], BUILD_TIMEOUT_S);
      let verdict: { status: Status; stage: string };
      if (build.code !== 0) verdict = { status: "stillborn", stage: "build" };
      else if (sameBytecode(this.baseline, await bytecodeFingerprint(this.dir))) verdict = { status: "equivalent", stage: "bytecode" };
      else {
        // The output only explains a failing baseline; verdicts keep the status and the stage.
        const { status, stage } = await this.testStages(mutant.file);
        verdict = { status, stage };
      }
      return { ...verdict, seconds: Math.round((Date.now() - started) / 1000) };
    } finally {
      await writeFile(target, original);
    }
  }
}

/** What a verdict is cached under: the mutant and the exact source it produces. */
const verdictKey = (source: string, mutant: Mutant) => `${mutant.id}:${sha256(applyMutant(source, mutant))}`;

const contractName = (file: string) => path.basename(file, ".sol");

async function main() {
  const { values } = parseArgs({
    options: {
      "per-contract": { type: "string", default: "20" },
      seed: { type: "string", default: "1" },
      workers: { type: "string", default: "2" },
      only: { type: "string", multiple: true },
      fresh: { type: "boolean", default: false },
      "report-only": { type: "boolean", default: false },
    },
  });
  const perContract = Number(values["per-contract"]);
  const seed = Number(values.seed);
  const workers = Number(values.workers);
  if (!Number.isInteger(perContract) || perContract < 0) throw new Error("--per-contract must be a whole number (0 = every mutant).");
  if (!Number.isInteger(seed)) throw new Error("--seed must be a whole number.");
  if (!Number.isInteger(workers) || workers < 1) throw new Error("--workers must be 1 or more.");
  const unknown = (values.only ?? []).filter((name) => !CORE_SOURCES.some((f) => contractName(f) === name));
  if (unknown.length > 0) throw new Error(`--only: no core contract named ${unknown.join(", ")}; they are ${CORE_SOURCES.map(contractName).join(", ")}.`);
  // A missing suite would fail every run of its stage and count each mutant as killed.
  const missing = CORE_SOURCES.flatMap((f) => [f, ...focusedSuites(f), ...soliditySuites(f)]).filter((f) => !existsSync(path.join(ROOT, f)));
  if (missing.length > 0) throw new Error(`the suite table names files that do not exist: ${[...new Set(missing)].join(", ")}.`);
  const sources = values.only ? CORE_SOURCES.filter((f) => values.only!.includes(contractName(f))) : CORE_SOURCES;

  const generated = new Map<string, { source: string; total: number; sample: Mutant[] }>();
  for (const file of sources) {
    const { source, mutants } = await generateMutants(file);
    // Seeded by the contract's place among all of them, so --only draws the same sample as a full run.
    const sample = perContract === 0 ? mutants : sampleMutants(mutants, perContract, seed * 1_000 + CORE_SOURCES.indexOf(file));
    generated.set(file, { source, total: mutants.length, sample });
  }
  // Round-robin over the contracts, so a run stopped early has verdicts on every contract.
  const perFile = [...generated].map(([file, g]) => g.sample.map((mutant) => ({ file, mutant, key: verdictKey(g.source, mutant) })));
  const queue = Array.from({ length: Math.max(0, ...perFile.map((l) => l.length)) }, (_, i) => perFile.flatMap((l) => l[i] ?? [])).flat();

  await mkdir(WORK, { recursive: true });
  const verdicts = (values.fresh ? null : await optionalJson<Record<string, Verdict>>(VERDICTS)) ?? {};
  const explained = (await optionalJson<Record<string, string>>(EQUIVALENTS)) ?? {};
  // Live mutants are tested again (a new test may kill them), except those explained as equivalent.
  const retest = ({ key, mutant }: { key: string; mutant: Mutant }) =>
    verdicts[key] === undefined || verdicts[key].status === "timedout" || (verdicts[key].status === "live" && explained[mutant.id] === undefined);
  const pending = values["report-only"] ? [] : queue.filter(retest);
  console.log(`${queue.length} mutants sampled from ${[...generated.values()].reduce((n, g) => n + g.total, 0)} generated; ${pending.length} to test, ${queue.length - pending.length} known from earlier runs.`);

  const mochaSuites = [...(await listFiles(path.join(ROOT, "test"), ".test.ts"))].map((f) => path.relative(ROOT, f)).filter((f) => !LEFT_OUT_TESTS.has(f)).sort();
  const started = Date.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, pending.length) }, async (_, w) => {
      const sandbox = new Sandbox(path.join(WORK, `worker-${w}`), mochaSuites);
      await sandbox.prepare(w === 0);
      for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
        const verdict = await sandbox.test(next.mutant, generated.get(next.file)!.source);
        verdicts[next.key] = verdict;
        await writeFile(VERDICTS, JSON.stringify(verdicts));
        done += 1;
        const m = next.mutant;
        console.log(`[${done}] ${contractName(m.file)}:${m.line} ${m.operator} ${m.id} ${verdict.status} (${verdict.stage}, ${verdict.seconds} s)`);
      }
    }),
  );

  const previous = (await optionalJson<{ contracts: { contract: string }[] }>(REPORT)) ?? { contracts: [] };
  const contracts = [...generated].map(([file, g]) => {
    // A run stopped early (or --report-only) reports the sampled mutants it has verdicts for.
    const mutants = g.sample.flatMap((m) => {
      const verdict = verdicts[verdictKey(g.source, m)];
      if (verdict === undefined) return [];
      const status = verdict.status === "live" && explained[m.id] !== undefined ? "explained-equivalent" : verdict.status;
      return [{ id: m.id, operator: m.operator, line: m.line, original: m.original, replace: m.replace, status, stage: verdict.stage, reason: explained[m.id] }];
    });
    const count = (status: string) => mutants.filter((m) => m.status === status).length;
    const killed = count("killed");
    const live = count("live");
    return {
      contract: contractName(file),
      generated: g.total,
      sampled: g.sample.length,
      tested: mutants.length,
      killed,
      live,
      equivalent: count("equivalent") + count("explained-equivalent"),
      stillborn: count("stillborn"),
      timedout: count("timedout"),
      score: killed + live === 0 ? null : Number(((100 * killed) / (killed + live)).toFixed(1)),
      mutants,
    };
  });
  // Contracts left out by --only keep their figures from the last full report.
  const kept = previous.contracts.filter((c) => !contracts.some((d) => d.contract === c.contract));
  const all = [...contracts, ...kept].sort((a, b) => CORE_SOURCES.findIndex((f) => contractName(f) === a.contract) - CORE_SOURCES.findIndex((f) => contractName(f) === b.contract));
  await writeFile(REPORT, `${JSON.stringify({ tool: "@morenabarboni/sumo 1.2.1, minimal rules, standard operators", perContract, seed, contracts: all }, null, 2)}\n`);
  await writeResultsMarkdown(path.join(ROOT, "bench"));
  console.log(`Done in ${((Date.now() - started) / 60_000).toFixed(1)} min; bench/mutation.json and bench/RESULTS.md written.`);
  for (const c of contracts) console.log(`${c.contract}: ${c.score ?? "-"}% (${c.killed} killed, ${c.live} live, ${c.equivalent} equivalent, ${c.stillborn} stillborn, ${c.timedout} timed out)`);
}

await main().catch((error: Error) => {
  console.error(`npm run mutation: ${error.message}`);
  process.exitCode = 1;
});
