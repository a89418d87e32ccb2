/**
 * Attribution engine benchmark: builds the exact-match index over a generated 50 MB corpus and
 * scores 1,000-token outputs against it, then prints the figures and writes `bench/engine.json`.
 * Pure TypeScript in one process; no chain. The corpus is deterministic (seeded), so runs compare.
 *
 *   npm run bench:engine            (CORPUS_MB=5 for a quick look)
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { attributeOutput, buildCorpusIndex, type CorpusDocument } from "../../sdk/index.ts";

const CORPUS_MB = Number(process.env.CORPUS_MB ?? 50);
const OUTPUTS = 50;
const OUTPUT_TOKENS = 1_000;
const TARGETS = { indexMBps: 5, msPerOutput: 50 };

let state = 0x4f50454e;
/** xorshift32: a small deterministic generator. */
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4_294_967_296;
}

const SYLLABLES = ["ka", "lo", "mi", "ner", "sto", "qua", "ri", "ven", "dal", "tor", "pe", "shu", "gra", "bel", "ox", "tin"];
const VOCABULARY = Array.from({ length: 60_000 }, (_, i) => {
  let word = "";
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return word;
});
/** Zipf-like: word rank ~ 1 / u, as in natural text, so common words repeat and rare ones do not. */
const word = () => VOCABULARY[Math.min(VOCABULARY.length - 1, Math.floor(1 / (random() + 1e-5)) - 1 + Math.floor(random() * 3))]!;

function generateCorpus(bytes: number): CorpusDocument[] {
  const documents: CorpusDocument[] = [];
  let size = 0;
  while (size < bytes) {
    const words = Array.from({ length: 200 + Math.floor(random() * 400) }, word);
    const text = `${words.join(" ")}.`;
    documents.push({ contributionId: BigInt(documents.length + 1), text });
    size += text.length;
  }
  return documents;
}

/** An output that quotes spans of 5..40 words from random documents, between generated words. */
function generateOutput(documents: readonly CorpusDocument[]): string {
  const words: string[] = [];
  while (words.length < OUTPUT_TOKENS) {
    if (random() < 0.5) {
      const source = documents[Math.floor(random() * documents.length)]!.text.split(" ");
      const length = 5 + Math.floor(random() * 36);
      const start = Math.floor(random() * Math.max(1, source.length - length));
      words.push(...source.slice(start, start + length));
    } else {
      for (let i = 0; i < 10; i++) words.push(word());
    }
  }
  return words.slice(0, OUTPUT_TOKENS).join(" ");
}

process.stderr.write(`generating a ${CORPUS_MB} MB corpus...\n`);
const documents = generateCorpus(CORPUS_MB * 1_000_000);
const megabytes = documents.reduce((acc, d) => acc + Buffer.byteLength(d.text), 0) / 1_000_000;
global.gc?.();
const heapBefore = process.memoryUsage().rss;
const buildStart = performance.now();
const index = buildCorpusIndex(documents);
const buildSeconds = (performance.now() - buildStart) / 1_000;
const indexMB = (process.memoryUsage().rss - heapBefore) / 1_000_000;

const outputs = Array.from({ length: OUTPUTS }, () => generateOutput(documents));
attributeOutput(index, outputs[0]!); // warm-up
const times: number[] = [];
let attributed = 0;
for (const output of outputs) {
  const start = performance.now();
  const result = attributeOutput(index, output);
  times.push(performance.now() - start);
  if (result.weights.size > 0) attributed++;
}
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const p95 = times[Math.floor(times.length * 0.95)]!;

const figures = {
  corpusMB: Number(megabytes.toFixed(1)),
  documents: documents.length,
  tokens: index.tokens.length,
  indexBuildSeconds: Number(buildSeconds.toFixed(2)),
  indexMBps: Number((megabytes / buildSeconds).toFixed(1)),
  indexMemoryMB: Math.round(indexMB),
  outputs: OUTPUTS,
  outputTokens: OUTPUT_TOKENS,
  msPerOutputMean: Number(mean.toFixed(2)),
  msPerOutputP95: Number(p95.toFixed(2)),
  outputsAttributed: attributed,
};
console.table([
  { figure: "index build", value: `${figures.indexMBps} MB/s (${figures.corpusMB} MB, ${figures.tokens.toLocaleString("en")} tokens in ${figures.indexBuildSeconds} s)`, target: `>= ${TARGETS.indexMBps} MB/s`, met: figures.indexMBps >= TARGETS.indexMBps },
  { figure: "score a 1,000-token output", value: `${figures.msPerOutputMean} ms mean, ${figures.msPerOutputP95} ms p95`, target: `<= ${TARGETS.msPerOutput} ms`, met: figures.msPerOutputP95 <= TARGETS.msPerOutput },
]);
if (CORPUS_MB === 50) {
  await writeFile(path.resolve(import.meta.dirname, "..", "..", "bench", "engine.json"), `${JSON.stringify(figures, null, 2)}\n`);
  console.log("Wrote bench/engine.json");
}
