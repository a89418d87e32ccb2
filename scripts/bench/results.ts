import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import type { SdkBundleReport } from "./bundles.ts";
import type { TamperReport } from "./tamper-runs.ts";

const ARTIFACTS = path.resolve(import.meta.dirname, "..", "..", "artifacts", "contracts");
const CONTRACTS = [
  "OpenToken",
  "DatanetRegistry",
  "ValidatorStaking",
  "AttestationRegistry",
  "RewardPools",
  "MerkleEpochDistributor",
  "MerkleEpoch",
  "ModelFactory",
  "ProofOfAttribution",
];
const SIZE_LIMIT = 24_576;

/** Our key, the peer's key doing the same work, and what the peer is. */
const PEERS: [string, string, string][] = [
  ["attest", "eas_attest", "EAS attest"],
  ["attestBatch_perItem", "eas_multiAttest_perItem", "EAS multiAttest (50; 100 exceed the cap)"],
  ["attestSignedBatch_perItem", "eas_multiAttestByDelegation_perItem", "EAS multiAttestByDelegation (50)"],
  ["merkleClaim_100k", "uniswap_merkleClaim_100k", "Uniswap MerkleDistributor claim"],
];

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

async function deployedSize(contract: string): Promise<number> {
  const json = JSON.parse(await readFile(path.join(ARTIFACTS, `${contract}.sol`, `${contract}.json`), "utf8")) as { deployedBytecode: string };
  return (json.deployedBytecode.length - 2) / 2;
}

interface Results {
  peers: { operation: string; gas: number; peer: string; peerGas: number; ratio: number; target: string; met: boolean | null }[];
  operations: { operation: string; gas: number; target: string; met: boolean | null }[];
  batchLimits: Record<string, { items: number; gasUsed: number }>;
  bytecodeSizes: { contract: string; bytes: number; limit: number }[];
  engine: Record<string, number> | null;
  audit: Record<string, number> | null;
}

/** What `npm run mutation` writes to `bench/mutation.json`. */
export interface MutationReport {
  tool: string;
  perContract: number;
  seed: number;
  contracts: {
    contract: string;
    generated: number;
    sampled: number;
    tested: number;
    killed: number;
    live: number;
    equivalent: number;
    stillborn: number;
    timedout: number;
    score: number | null;
    mutants: { id: string; operator: string; line: number; original: string; replace: string; status: string; stage: string; reason?: string }[];
  }[];
}

const MUTATION_TARGET = 85;
const snippet = (code: string) => `\`${code.slice(0, 60).replaceAll("|", "\\|") || " "}\``;

/** Both sides of a mutant with whitespace collapsed; when they are long, only the part that differs. */
function changedParts(original: string, replace: string): [string, string] {
  const [a, b] = [original, replace].map((code) => code.replace(/\s+/g, " ").trim()) as [string, string];
  if (a.length <= 60 && b.length <= 60) return [a, b];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  // Keep whole words at the edges, so `onlyRole(X) nonReentrant` does not show as `lyRole(X) nonReent`.
  while (start > 0 && /\w/.test(a[start - 1]!)) start--;
  while (end > 0 && /\w/.test(a[a.length - end]!)) end--;
  return [a.slice(start, a.length - end), b.slice(start, b.length - end)];
}

function mutationSection(report: MutationReport | null): string[] {
  if (report === null) return ["## Mutation testing", "", "`npm run mutation` has not written bench/mutation.json yet.", ""];
  const rows = report.contracts;
  const sum = (key: "generated" | "sampled" | "tested" | "killed" | "live" | "equivalent" | "stillborn" | "timedout") => rows.reduce((n, c) => n + c[key], 0);
  const killed = sum("killed");
  const live = sum("live");
  const explained = rows.flatMap((c) => c.mutants.filter((m) => m.status === "explained-equivalent").map((m) => ({ contract: c.contract, ...m })));
  const surviving = rows.flatMap((c) => c.mutants.filter((m) => m.status === "live").map((m) => ({ contract: c.contract, ...m })));
  const sample = report.perContract === 0 ? "every generated mutant" : `a seeded uniform sample of up to ${report.perContract} mutants per contract (seed ${report.seed})`;
  return [
    "## Mutation testing",
    "",
    `Written by \`npm run mutation\` (${report.tool}; ${sample}). Score = killed / (killed + live), target ≥ ${MUTATION_TARGET}%.`,
    "Equivalent = the same creation and deployed bytecode as the original, metadata aside (compiler equivalence), or explained below; stillborn = does not compile.",
    "",
    "| contract | generated | sampled | tested | killed | live | equivalent | stillborn | timed out | score |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map((c) => `| ${c.contract} | ${fmt(c.generated)} | ${c.sampled} | ${c.tested} | ${c.killed} | ${c.live} | ${c.equivalent} | ${c.stillborn} | ${c.timedout} | ${c.score === null ? "–" : `${c.score}%`} |`),
    `| **all** | ${fmt(sum("generated"))} | ${sum("sampled")} | ${sum("tested")} | ${killed} | ${live} | ${sum("equivalent")} | ${sum("stillborn")} | ${sum("timedout")} | ${killed + live === 0 ? "–" : `${((100 * killed) / (killed + live)).toFixed(1)}%`} |`,
    "",
    ...(explained.length === 0
      ? []
      : [
          "Live mutants explained as equivalent (no behaviour any caller can observe changes):",
          "",
          "| contract | line | operator | original | mutant | why it is equivalent |",
          "| --- | ---: | --- | --- | --- | --- |",
          ...explained.map((m) => `| ${m.contract} | ${m.line} | ${m.operator} | ${changedParts(m.original, m.replace).map(snippet).join(" | ")} | ${m.reason} |`),
          "",
        ]),
    ...(surviving.length === 0
      ? ["No mutant survives unexplained.", ""]
      : [
          "Surviving mutants, not yet killed or explained:",
          "",
          "| contract | line | operator | original | mutant |",
          "| --- | ---: | --- | --- | --- |",
          ...surviving.map((m) => `| ${m.contract} | ${m.line} | ${m.operator} | ${changedParts(m.original, m.replace).map(snippet).join(" | ")} |`),
          "",
        ]),
  ];
}

/** The parsed JSON file, or null when it does not exist yet. */
export const optionalJson = async <T = Record<string, number>>(file: string) => JSON.parse(await readFile(file, "utf8").catch(() => "null")) as T | null;
const fmt = (n: number) => n.toLocaleString("en");

/** Writes `results.json` and `RESULTS.md` from one run's gas figures and the SDK benches' last figures. */
export async function writeResults(
  dir: string,
  gas: Record<string, number>,
  limits: Record<string, { items: number; gasUsed: number }>,
  targets: Record<string, [number, string]>,
  flat: Record<string, string>,
  peerRatios: Record<string, [string, number]>,
) {
  const peers = PEERS.filter(([ours, theirs]) => gas[ours] !== undefined && gas[theirs] !== undefined).map(([ours, theirs, what]) => {
    const ratio = gas[ours]! / gas[theirs]!;
    const bound = peerRatios[ours]?.[1];
    const checks = [targets[ours] && gas[ours]! <= targets[ours]![0], bound === undefined ? undefined : ratio <= bound].filter((c) => c !== undefined);
    return {
      operation: ours,
      gas: gas[ours]!,
      peer: what,
      peerGas: gas[theirs]!,
      ratio: Number(ratio.toFixed(3)),
      target: [targets[ours]?.[1], bound !== undefined && `<= ${bound}x the peer`].filter(Boolean).join("; "),
      met: checks.length === 0 ? null : checks.every(Boolean),
    };
  });
  const peerKeys = new Set(PEERS.map(([, theirs]) => theirs));
  const operations = Object.entries(gas)
    .filter(([key]) => !peerKeys.has(key))
    .map(([key, used]) => {
      const base = flat[key];
      const drift = base === undefined ? undefined : (used / gas[base]! - 1) * 100;
      return {
        operation: key,
        gas: used,
        target: base !== undefined ? `within 2% of ${base}` : (targets[key]?.[1] ?? ""),
        met: drift !== undefined ? Math.abs(drift) <= 2 : targets[key] === undefined ? null : used <= targets[key]![0],
      };
    });
  const sizes = await Promise.all(CONTRACTS.map(async (contract) => ({ contract, bytes: await deployedSize(contract), limit: SIZE_LIMIT })));
  const engine = await optionalJson(path.join(dir, "engine.json"));
  const audit = await optionalJson(path.join(dir, "audit.json"));
  const results = { peers, operations, batchLimits: limits, bytecodeSizes: sizes, engine, audit };
  await writeFile(path.join(dir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  await writeResultsMarkdown(dir);
}

/** What `npm run bench:attacks` writes to `bench/attacks.json`. */
export interface AttackResult {
  attack: string;
  attackerNetOpen: string;
  honestLossOpen: string;
  blocked: boolean;
}

function attacksSection(rows: AttackResult[] | null): string[] {
  if (rows === null) return ["## Attacks", "", "`npm run bench:attacks` has not written bench/attacks.json yet.", ""];
  return [
    "## Attacks (issue 13's rational attacker)",
    "",
    "Written by `npm run bench:attacks` (embedded network, real OPEN). Each class is played twice from one snapshot, by the rules",
    "and with the attack: the attacker's net is what it ends with in the attack minus what it ends with by the rules; the honest",
    "loss is how much less the honest participants end with (0 when not less); blocked = neither, and the defence's own checks held.",
    "",
    "| attack | attacker net (OPEN) | honest loss (OPEN) | blocked |",
    "| --- | ---: | ---: | --- |",
    ...rows.map((r) => `| ${r.attack} | ${r.attackerNetOpen} | ${r.honestLossOpen} | ${r.blocked} |`),
    "",
  ];
}

function tamperSection(report: TamperReport | null): string[] {
  if (report === null) return ["## Tampering (the auditor against a lying node)", "", "`npm run bench:tamper` has not written bench/tamper.json yet.", ""];
  return [
    "## Tampering (the auditor against a lying node)",
    "",
    `Written by \`npm run bench:tamper\` in ${report.seconds} s: a history of ${report.logs} protocol logs in which every event kind appears, audited once per`,
    "lie: each log altered (one word), dropped, and swapped with the next; each word of each view's answers bumped. A run is",
    "state-changing when the state the logs imply (or the chain's answer) differs from the truth where some view or balance shows;",
    "detected when `audit verify` reported at least one discrepancy; a false alarm when it reported one and nothing differed.",
    `Runs ${fmt(report.runs)}, state-changing ${fmt(report.stateChanging)}, detected ${fmt(report.detected)}, crashed ${report.crashed}, false alarms ${report.falseAlarms};`,
    `${report.notChainCheckable} more changed only what no view or balance shows (counted apart, each with its reason in bench/tamper.json).`,
    `Never emitted by any contract function, so absent: ${Object.entries(report.kindsNotEmitted).map(([kind, why]) => `${kind} (${why})`).join("; ")}.`,
    "",
    "| event kind (lie) or view | runs | state-changing | detected | not chain-checkable | crashed | false alarms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.perKind.map((k) => `| ${k.subject} | ${k.runs} | ${k.stateChanging} | ${k.detected} | ${k.notChainCheckable} | ${k.crashed} | ${k.falseAlarms} |`),
    "",
  ];
}

/**
 * Writes `RESULTS.md` from `results.json` (the gas run), `attacks.json` (the last attack bench),
 * `tamper.json` (the last tamper bench) and `mutation.json` (the last mutation run), all in `dir`.
 */
export async function writeResultsMarkdown(dir: string) {
  const { peers, operations, batchLimits: limits, bytecodeSizes: sizes, engine, audit } = JSON.parse(await readFile(path.join(dir, "results.json"), "utf8")) as Results;
  const mutation = await optionalJson<MutationReport>(path.join(dir, "mutation.json"));
  const attacks = await optionalJson<AttackResult[]>(path.join(dir, "attacks.json"));
  const tamper = await optionalJson<TamperReport>(path.join(dir, "tamper.json"));
  const bundles = await optionalJson<SdkBundleReport>(path.join(dir, "sdk.json"));
  const md = [
    "# Benchmark results",
    "",
    "Written by `npm run bench` (embedded network, solc 0.8.30 via-IR, 10,000 optimizer runs); the peers run in the same",
    "process from their npm packages' shipped builds. Gas is `gasUsed` of the measured transaction (per item for batches).",
    "",
    "## Against the peers",
    "",
    "| operation | ours | peer | peer's gas | ratio | target | met |",
    "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ...peers.map((p) => `| \`${p.operation}\` | ${fmt(p.gas)} | ${p.peer} | ${fmt(p.peerGas)} | ${p.ratio} | ${p.target} | ${p.met ?? ""} |`),
    "",
    "## Every operation",
    "",
    "| operation | gas | target | met |",
    "| --- | ---: | --- | --- |",
    ...operations.map((o) => `| \`${o.operation}\` | ${fmt(o.gas)} | ${o.target} | ${o.met ?? ""} |`),
    "",
    "## Largest batches under the 16,777,216-gas transaction cap (sent and confirmed)",
    "",
    "| batch | items | gas used |",
    "| --- | ---: | ---: |",
    ...Object.entries(limits).map(([kind, l]) => `| \`${kind}\` | ${fmt(l.items)} | ${fmt(l.gasUsed)} |`),
    "",
    "## Deployed bytecode size (limit 24,576 bytes)",
    "",
    "| contract | bytes | share of the limit |",
    "| --- | ---: | ---: |",
    ...sizes.map((s) => `| ${s.contract} | ${fmt(s.bytes)} | ${((100 * s.bytes) / s.limit).toFixed(0)}% |`),
    "",
    "## SDK",
    "",
    engine === null
      ? "`npm run bench:engine` has not written bench/engine.json yet."
      : `Attribution engine (\`bench:engine\`, index on disk, ${engine.corpusMB} MB corpus, ${fmt(engine.tokens!)} tokens): ${engine.indexBytesPerToken} bytes per token (target ≤ 8), index build ${engine.indexMBps} MB/s (target ≥ 10 at 1 GB) with a peak of ${engine.buildPeakRssMB} MB, queries in ${engine.queryRssMB} MB (target ≤ 300), a 1,000-token output scored in ${engine.msPerOutputMean} ms mean, ${engine.msPerOutputP95} ms p95 (target ≤ 50 ms).`,
    "",
    audit === null
      ? "`npm run bench:audit` has not written bench/audit.json yet."
      : `Auditor (\`bench:audit\`, ${fmt(audit.events!)} events on a separate node over HTTP): ${fmt(audit.eventsPerSecond!)} events/s indexed (target ≥ 20,000), full verify ${audit.verifySeconds} s (target ≤ 20 s), ${audit.discrepancies} discrepancies, memory peak ${audit.peakRssMB} MB.`,
    "",
    bundles === null
      ? "`npm run bench:sdk` has not written bench/sdk.json yet."
      : `Bundle (\`bench:sdk\`, Vite production build, gzip, over viem alone at ${kB(bundles.gzipBytes.viem)}): \`createClient\` and one read +${kB(bundles.overViem.createClientRead)} (target ≤ ${kB(bundles.budgets.createClientRead)}), one tree-shaken action +${kB(bundles.overViem.oneAction)} (target ≤ ${kB(bundles.budgets.oneAction)}).`,
    "",
    ...attacksSection(attacks),
    ...tamperSection(tamper),
    ...mutationSection(mutation),
  ].join("\n");
  await writeFile(path.join(dir, "RESULTS.md"), md);
}
