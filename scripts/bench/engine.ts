/**
 * Attribution engine benchmark: builds a disk index shard over a generated corpus of `--mb` MB,
 * then opens it and scores 1,000-token outputs against it, and writes `bench/engine.json`.
 * The corpus is written to a file first (one document a line) and the build streams it, reading
 * included, as a real build reads its input. Build and queries run in separate child processes, so
 * each one's peak memory is its own. The corpus is deterministic (document i is generated from
 * seed i), so runs compare.
 *
 *   npm run bench:engine -- --mb 100
 *   npm run bench:engine -- --mb 100 --no-huge-pages   (the build with the C library's default pages)
 */
import { execFileSync } from "node:child_process";
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

// The engine's own modules rather than the SDK's entry points, so the memory figures are the
// engine's: the whole SDK (chain client, indexer, storage) adds about 100 MB to any process.
import { attributeOutput, type CorpusDocument } from "../../sdk/attribution/engine.ts";
import { buildIndexShard, openIndexShards } from "../../sdk/node/index-file.ts";

const OUTPUTS = 50;
const OUTPUT_TOKENS = 1_000;
const TARGETS = { indexBytesPerToken: 8, indexMBps: 10, buildPeakRssMB: 3_072, queryRssMB: 300, msPerOutput: 50 };

/** A bad command line: one readable line and exit code 1, nothing written. */
function usageError(message: string): never {
  console.error(message);
  process.exit(1);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { mb: { type: "string", default: "50" }, phase: { type: "string" }, file: { type: "string" }, corpus: { type: "string" }, "huge-pages": { type: "boolean", default: true } },
      allowNegative: true,
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
})();
const corpusMB = Number(values.mb);
if (!Number.isFinite(corpusMB) || corpusMB <= 0) usageError(`--mb ${values.mb} is not a positive number of megabytes`);

/** xorshift32 from a seed: a small deterministic generator. */
function generator(seed: number) {
  let state = (seed ^ 0x4f50454e) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

const SYLLABLES = ["ka", "lo", "mi", "ner", "sto", "qua", "ri", "ven", "dal", "tor", "pe", "shu", "gra", "bel", "ox", "tin"];
const VOCABULARY = Array.from({ length: 60_000 }, (_, i) => {
  let word = "";
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
});
/** Zipf-like: word rank ~ 1 / u, as in natural text, so common words repeat and rare ones do not. */
const wordFrom = (random: () => number) => VOCABULARY[Math.min(VOCABULARY.length - 1, Math.floor(1 / (random() + 1e-5)) - 1 + Math.floor(random() * 3))]!;

/** Document `i` (from 1), from its own seed: any one can be regenerated without the others. */
function documentText(i: number): string {
  const random = generator(i);
  return `${Array.from({ length: 200 + Math.floor(random() * 400) }, () => wordFrom(random)).join(" ")}.`;
}

/** Writes the corpus, one document a line (document i on line i), until `bytes` of text. */
function writeCorpus(file: string, bytes: number): void {
  const fd = openSync(file, "w");
  let batch: string[] = [];
  let batchBytes = 0;
  for (let i = 1, written = 0; written < bytes; i++) {
    const text = documentText(i);
    const size = Buffer.byteLength(text);
    written += size;
    batch.push(text);
    batchBytes += size;
    if (batchBytes >= 1 << 24 || written >= bytes) {
      writeSync(fd, `${batch.join("\n")}\n`);
      [batch, batchBytes] = [[], 0];
    }
  }
  // On disk before the build starts, as a corpus to be indexed is: otherwise the kernel writes
  // this gigabyte back while the build runs, and the build's time includes part of that.
  fsyncSync(fd);
  closeSync(fd);
}

/**
 * The corpus file's documents, streamed: reading its input is part of a build's work. Lines are
 * found in the bytes and each decoded on its own (decoding whole blocks, then splitting them, took
 * ten times as long).
 */
function* corpusDocuments(file: string): Generator<CorpusDocument> {
  const fd = openSync(file, "r");
  try {
    let block = Buffer.allocUnsafe(1 << 24);
    // The unread lines are block[from..to).
    let [from, to, id] = [0, 0, 0n];
    for (;;) {
      const end = block.subarray(0, to).indexOf(10, from);
      if (end >= 0) {
        yield { contributionId: ++id, text: block.toString("utf8", from, end) };
        from = end + 1;
        continue;
      }
      // A partial line: to the front of the block (a larger one if it fills it), then more after it.
      if (from === 0 && to === block.length) block = Buffer.concat([block, Buffer.allocUnsafe(block.length)]);
      else [to, from] = [block.copy(block, 0, from, to), 0];
      const read = readSync(fd, block, to, block.length - to, null);
      if (read === 0) break;
      to += read;
    }
    if (to > from) yield { contributionId: ++id, text: block.toString("utf8", from, to) };
  } finally {
    closeSync(fd);
  }
}

/** An output that quotes spans of 5..40 words from random documents, between generated words. */
function generateOutput(random: () => number, documents: number): string {
  const words: string[] = [];
  while (words.length < OUTPUT_TOKENS) {
    if (random() < 0.5) {
      const source = documentText(1 + Math.floor(random() * documents)).split(" ");
      const length = 5 + Math.floor(random() * 36);
      const start = Math.floor(random() * Math.max(1, source.length - length));
      words.push(...source.slice(start, start + length));
    } else {
      for (let i = 0; i < 10; i++) words.push(wordFrom(random));
    }
  }
  return words.slice(0, OUTPUT_TOKENS).join(" ");
}

/**
 * `env` with glibc asked, or not, to put its large allocations (a typed array's memory included)
 * in transparent huge pages, where the kernel offers them on request (THP "madvise", Debian's
 * default): the build's sort reads at random over gigabytes, and with 4 KB pages nearly every read
 * also misses the TLB. Other C libraries and systems ignore the setting.
 */
function withHugePages(env: NodeJS.ProcessEnv, on: boolean): NodeJS.ProcessEnv {
  const tunables = (env.GLIBC_TUNABLES ?? "").split(":").filter((tunable) => tunable !== "" && !tunable.startsWith("glibc.malloc.hugetlb="));
  if (on) tunables.push("glibc.malloc.hugetlb=1");
  return { ...env, GLIBC_TUNABLES: tunables.join(":") };
}

/** Memory of this process now in transparent huge pages (Linux; 0 elsewhere). */
const hugePagesMB = () => {
  try {
    return Math.round(Number(/^AnonHugePages:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/smaps_rollup", "utf8"))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
};
const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** CPU milliseconds (user and system) of this process so far: on a shared machine, what the work itself cost. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
};

if (values.phase === "build") {
  const [start, cpuStart] = [performance.now(), cpuMs()];
  const built = await buildIndexShard(values.file!, corpusDocuments(values.corpus!));
  const seconds = (performance.now() - start) / 1_000;
  const cpuSeconds = (cpuMs() - cpuStart) / 1_000;
  console.log(JSON.stringify({ ...built, megabytes: (statSync(values.corpus!).size - built.documents) / 1_000_000, seconds, cpuSeconds, peakRssMB: peakRssMB(), hugePagesMB: hugePagesMB() }));
} else if (values.phase === "query") {
  const start = performance.now();
  const index = await openIndexShards([values.file!]);
  const openSeconds = (performance.now() - start) / 1_000;
  const random = generator(7);
  const outputs = Array.from({ length: OUTPUTS + 1 }, () => generateOutput(random, index.contributionIds.length));
  attributeOutput(index, outputs.pop()!); // warm-up
  const times: number[] = [];
  let attributed = 0;
  const cpuStart = cpuMs();
  for (const output of outputs) {
    const t = performance.now();
    if (attributeOutput(index, output).weights.size > 0) attributed++;
    times.push(performance.now() - t);
  }
  const cpuMsPerOutput = (cpuMs() - cpuStart) / outputs.length;
  index.close();
  console.log(JSON.stringify({ times, attributed, openSeconds, cpuMsPerOutput, peakRssMB: peakRssMB() }));
} else {
  const dir = mkdtempSync(path.join(tmpdir(), "openledger-bench-engine-"));
  const file = path.join(dir, "corpus.olidx");
  const corpusFile = path.join(dir, "corpus.txt");
  const phase = (name: string, env: NodeJS.ProcessEnv) =>
    JSON.parse(
      execFileSync(process.execPath, [import.meta.filename, "--phase", name, "--mb", String(corpusMB), "--file", file, "--corpus", corpusFile], { encoding: "utf8", env, stdio: ["ignore", "pipe", "inherit"] }),
    );
  try {
    process.stderr.write(`writing a ${corpusMB} MB corpus...\n`);
    writeCorpus(corpusFile, corpusMB * 1_000_000);
    process.stderr.write(`building the index of a ${corpusMB} MB corpus...\n`);
    const build = phase("build", withHugePages(process.env, values["huge-pages"]!)) as {
      megabytes: number;
      tokens: number;
      documents: number;
      bytes: number;
      seconds: number;
      cpuSeconds: number;
      peakRssMB: number;
      hugePagesMB: number;
    };
    const megabytes = build.megabytes;
    process.stderr.write(`scoring ${OUTPUTS} outputs of ${OUTPUT_TOKENS} tokens...\n`);
    const query = phase("query", withHugePages(process.env, false)) as { times: number[]; attributed: number; openSeconds: number; cpuMsPerOutput: number; peakRssMB: number };
    const times = [...query.times].sort((a, b) => a - b);
    const figures = {
      corpusMB: Number(megabytes.toFixed(1)),
      tokens: build.tokens,
      indexBytesPerToken: Number((build.bytes / build.tokens).toFixed(2)),
      indexMBps: Number((megabytes / build.seconds).toFixed(1)),
      buildPeakRssMB: build.peakRssMB,
      queryRssMB: query.peakRssMB,
      msPerOutputMean: Number((times.reduce((a, b) => a + b, 0) / times.length).toFixed(2)),
      msPerOutputP95: Number(times[Math.floor(times.length * 0.95)]!.toFixed(2)),
      documents: build.documents,
      indexBytes: build.bytes,
      indexBuildSeconds: Number(build.seconds.toFixed(2)),
      indexMBpsPerCpuSecond: Number((megabytes / build.cpuSeconds).toFixed(1)),
      buildHugePagesMB: build.hugePagesMB,
      cpuMsPerOutputMean: Number(query.cpuMsPerOutput.toFixed(2)),
      indexOpenSeconds: Number(query.openSeconds.toFixed(2)),
      outputs: OUTPUTS,
      outputTokens: OUTPUT_TOKENS,
      outputsAttributed: query.attributed,
    };
    console.table([
      { figure: "index size", value: `${figures.indexBytesPerToken} bytes/token (${figures.tokens.toLocaleString("en")} tokens)`, target: `<= ${TARGETS.indexBytesPerToken}`, met: figures.indexBytesPerToken <= TARGETS.indexBytesPerToken },
      { figure: "index build", value: `${figures.indexMBps} MB/s (${figures.corpusMB} MB in ${figures.indexBuildSeconds} s; ${figures.indexMBpsPerCpuSecond} MB per CPU second; ${figures.buildHugePagesMB} MB in huge pages at the end)`, target: `>= ${TARGETS.indexMBps} MB/s`, met: figures.indexMBps >= TARGETS.indexMBps },
      { figure: "build peak RSS", value: `${figures.buildPeakRssMB} MB`, target: `<= ${TARGETS.buildPeakRssMB} MB (1 GB corpus)`, met: figures.buildPeakRssMB <= TARGETS.buildPeakRssMB },
      { figure: "query RSS", value: `${figures.queryRssMB} MB (open and verify ${figures.indexOpenSeconds} s)`, target: `<= ${TARGETS.queryRssMB} MB`, met: figures.queryRssMB <= TARGETS.queryRssMB },
      { figure: "score a 1,000-token output", value: `${figures.msPerOutputMean} ms mean, ${figures.msPerOutputP95} ms p95 (${figures.cpuMsPerOutputMean} CPU ms)`, target: `<= ${TARGETS.msPerOutput} ms mean`, met: figures.msPerOutputMean <= TARGETS.msPerOutput },
    ]);
    await writeFile(path.resolve(import.meta.dirname, "..", "..", "bench", "engine.json"), `${JSON.stringify(figures, null, 2)}\n`);
    console.log("Wrote bench/engine.json");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
