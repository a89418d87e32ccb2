import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import {
  attributeOutput,
  buildCorpusIndex,
  InvalidInputError,
  loadTokenizer,
  sortShardSuffixes,
  wordTokenizer,
  type CorpusDocument,
} from "../../sdk/index.ts";
import { buildIndexShard, openIndexShards, type IndexShards } from "../../sdk/node/index.ts";
import { Vocabulary } from "../../sdk/attribution/vocabulary.ts";

/** A seeded generator (Park–Miller), so every run checks the same cases. */
function generator(seed: number) {
  let state = seed;
  return (below: number) => (state = (state * 48_271) % 2_147_483_647) % below;
}

/** Random corpora of a few kinds: tiny vocabularies, periodic texts, empty documents. */
function randomCorpus(next: (below: number) => number, trial: number): CorpusDocument[] {
  const vocabulary = [1, 2, 3, 8, 40][trial % 5]!;
  const word = () => `w${next(vocabulary)}`;
  const count = 1 + next(10);
  const ids = new Set<bigint>();
  while (ids.size < count) ids.add(BigInt(1 + next(1_000)));
  return [...ids].map((contributionId) => {
    const kind = next(4);
    const length = next(60);
    let words: string[];
    if (kind === 0) {
      const period = Array.from({ length: 1 + next(3) }, word);
      words = Array.from({ length }, (_, i) => period[i % period.length]!);
    } else words = Array.from({ length: kind === 1 ? next(3) : length }, word);
    return { contributionId, text: words.join(trial % 2 === 0 ? " " : ", ") };
  });
}

/** An output quoting the corpus (spans of any length) between random words, some unknown to it. */
function randomOutput(next: (below: number) => number, documents: readonly CorpusDocument[]): string {
  const words: string[] = [];
  while (words.length < 60) {
    if (next(2) === 0) {
      const source = wordTokenizer.keys(documents[next(documents.length)]!.text);
      const from = next(source.length + 1);
      words.push(...source.slice(from, from + 1 + next(12)));
    } else words.push(next(5) === 0 ? "unknown" : `w${next(8)}`);
  }
  return words.join(" ");
}

/**
 * Checks, from the file layout sdk/node/index-file.ts documents (not through its reader), that a
 * shard's suffixes are in order: each compares with the next by its tokens up to and including its
 * separator, and equal ones by position. Returns how many neighbours share more than `longerThan`
 * tokens (groups that took the sort more rounds).
 */
async function expectSuffixesSorted(file: string, longerThan: number): Promise<number> {
  const bytes = await readFile(file);
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString("utf8", 12, 12 + headerLength)) as { tokens: number; tokenWidth: number; pointerWidth: number };
  const { tokens: n, tokenWidth, pointerWidth } = header;
  const tokensAt = 12 + headerLength;
  const token = (i: number) => bytes.readUIntLE(tokensAt + i * tokenWidth, tokenWidth);
  const suffix = (k: number) => bytes.readUIntLE(tokensAt + n * tokenWidth + k * pointerWidth, pointerWidth);
  let longTies = 0;
  for (let k = 1; k < n; k++) {
    let [a, b, shared] = [suffix(k - 1), suffix(k), 0];
    while (token(a) === token(b) && token(a) !== 0) [a, b, shared] = [a + 1, b + 1, shared + 1];
    const inOrder = token(a) < token(b) || (token(a) === 0 && token(b) === 0 && suffix(k - 1) < suffix(k));
    expect(inOrder, `suffixes ${k - 1} and ${k} out of order after ${shared} shared tokens`).to.equal(true);
    if (shared > longerThan) longTies++;
  }
  return longTies;
}

describe("SDK attribution index on disk", function () {
  let dir: string;
  const opened: IndexShards[] = [];
  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "openledger-index-"));
  });
  afterEach(function () {
    for (const shards of opened.splice(0)) shards.close();
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });
  const open = async (files: string[]) => {
    const shards = await openIndexShards(files);
    opened.push(shards);
    return shards;
  };

  it("sorts suffixes in the shard order, by text to the separator then position, whatever its scratch", function () {
    const next = generator(20_261_202);
    // The order by comparison: tokens up to and including the separator, then position.
    const reference = (tokens: Int32Array) =>
      Array.from({ length: tokens.length }, (_, i) => i).sort((a, b) => {
        for (let i = a, j = b; ; i++, j++) {
          if (tokens[i] !== tokens[j]) return tokens[i]! - tokens[j]!;
          if (tokens[i] === 0) return a - b;
        }
      });
    for (let trial = 0; trial < 600; trial++) {
      const vocabulary = [1, 2, 3, 40][trial % 4]!;
      const length = 1 + next(400);
      // Random words and separators; or periodic documents; or one word nearly everywhere (one
      // bucket holding most suffixes, so that it is split in place when the scratch is small).
      const kind = next(3);
      const tokens = Int32Array.from({ length }, (_, i) =>
        kind === 0 ? (next(8) === 0 ? 0 : 1 + next(vocabulary)) : kind === 1 ? (i % 97 === 96 ? 0 : 1 + (i % (1 + (trial % 3)))) : next(30) === 0 ? 0 : next(10) === 0 ? 2 : 1,
      );
      tokens[length - 1] = 0;
      const upper = Math.max(...tokens);
      const want = reference(tokens);
      // Scratch from 8 words (most ranges split in place) to plenty.
      const scratch = [8, 8 + next(64), 1 << 20][trial % 3]!;
      expect([...sortShardSuffixes(tokens.slice(), upper, { scratch })], `trial ${trial}`).to.deep.equal(want);
    }
    // One document of a two-word phrase repeated 2^18 times: every suffix ties with its neighbour
    // for all but its last tokens. A shorter one reaches the separator first, so it is smaller: the
    // separator, then the suffixes starting with the first word from last to first, then the second's.
    const k = 1 << 18;
    const periodic = Int32Array.from({ length: 2 * k + 1 }, (_, i) => (i === 2 * k ? 0 : 1 + (i % 2)));
    const order = Int32Array.from({ length: 2 * k + 1 }, (_, r) => (r === 0 ? 2 * k : r <= k ? 2 * (k - r) : 2 * (2 * k - r) + 1));
    expect(Buffer.from(sortShardSuffixes(periodic, 2).buffer).equals(Buffer.from(order.buffer))).to.equal(true);
    const refused = (tokens: number[], upper: number, field: string, scratch?: number) =>
      expect(() => sortShardSuffixes(Int32Array.from(tokens), upper, scratch === undefined ? {} : { scratch }))
        .to.throw(InvalidInputError)
        .with.property("field", field);
    refused([1, 2], 2, "tokens"); // no final separator
    refused([1, 3, 0], 2, "tokens"); // a token past the vocabulary
    refused([1, -1, 0], 2, "tokens");
    refused([1, -5, 0], 2, "tokens");
    refused([1, 0], 1, "scratch", 4);
    refused([1, 0], -3, "vocabularySize");
    refused([1, 0], 1.5, "vocabularySize");
    refused([2, 0], 2 ** 31, "vocabularySize");
    expect([...sortShardSuffixes(new Int32Array(0), 0)]).to.deep.equal([]);
  });

  it("numbers tokens as the word tokenizer keys them, ASCII or not, one id per key whichever way it came, in first-seen order", function () {
    const next = generator(19);
    // Letters of both cases, digits, the control characters that `| 0x20` would turn into digits, punctuation, and non-ASCII words.
    const pieces = ["a", "B", "z", "Z", "0", "9", " ", "-", "@", "[", "`", "{", "\x10", "\x19", "\n", "é", "İ", "नमस्ते", "Σ", "東"];
    const texts = Array.from({ length: 400 }, (_, t) => {
      const ascii = t % 3 !== 0;
      return Array.from({ length: next(80) }, () => pieces[next(ascii ? 15 : pieces.length)]!).join("");
    });
    // Enough distinct words to grow the table several times, and one word longer than a key is decoded at a time.
    texts.push(Array.from({ length: 9_000 }, (_, i) => `w${i}`).join(" "), "x".repeat(10_000), texts[1]!.toUpperCase());
    const vocabulary = new Vocabulary(wordTokenizer);
    const expected = new Map<string, number>();
    for (const text of texts) {
      const ids = [...vocabulary.number(text)];
      const want = wordTokenizer.keys(text).map((key) => expected.get(key) ?? expected.set(key, expected.size + 1).get(key)!);
      expect(ids, JSON.stringify(text.slice(0, 80))).to.deep.equal(want);
    }
    expect(vocabulary.size).to.equal(expected.size);
    expect(vocabulary.keys()).to.deep.equal([...expected.keys()]);
    // A tokenizer's empty key is a key like any other: one id however often it comes.
    const commas = new Vocabulary({ name: "commas", keys: (text) => text.split(","), pieces: wordTokenizer.pieces });
    expect([...commas.number("a,,b,,a")]).to.deep.equal([1, 2, 3, 2, 1]);
  });

  it("matches the in-memory engine span for span and weight for weight, over random corpora split into shards", async function () {
    const next = generator(20_261_130);
    for (let trial = 0; trial < 150; trial++) {
      const documents = randomCorpus(next, trial).sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1));
      // One to three shards (consecutive slices, as datanet versions are).
      const cuts = [0, ...Array.from({ length: next(3) }, () => next(documents.length + 1)).sort((a, b) => a - b), documents.length];
      const files: string[] = [];
      for (let s = 0; s + 1 < cuts.length; s++) {
        const file = path.join(dir, `t${trial}-${s}.olidx`);
        await buildIndexShard(file, documents.slice(cuts[s], cuts[s + 1]));
        files.push(file);
      }
      const memory = buildCorpusIndex(documents);
      const disk = await open(files);
      expect(disk.contributionIds).to.deep.equal(memory.contributionIds);
      for (let o = 0; o < 4; o++) {
        const output = randomOutput(next, documents);
        const options = { minSpanTokens: 1 + next(4), maxOccurrences: 1 + next(40) };
        expect(attributeOutput(disk, output, options), `trial ${trial} output ${o}`).to.deep.equal(attributeOutput(memory, output, options));
      }
      disk.close();
      opened.pop();
    }
  });

  it("matches on long periodic texts, where suffixes tie for hundreds of tokens", async function () {
    // Three long documents of periods 2, 3 and 4, then twelve of period 2 and lengths 500..555:
    // their suffixes tie for up to 3,000 tokens, a dozen rounds of doubling.
    const periodic = (id: bigint, period: number, length: number) => ({ contributionId: id, text: Array.from({ length }, (_, i) => `p${i % period}`).join(" ") });
    const documents = [...[1, 2, 3].map((d) => periodic(BigInt(d), d + 1, 3_000)), ...Array.from({ length: 12 }, (_, d) => periodic(BigInt(d + 4), 2, 500 + 5 * d))];
    const file = path.join(dir, "periodic.olidx");
    await buildIndexShard(file, documents);
    expect(await expectSuffixesSorted(file, 256)).to.be.above(1_000);
    const disk = await open([file]);
    const memory = buildCorpusIndex(documents);
    for (const output of ["p0 p1 p0 p1 p0 p1 p0", "p0 p1 p2 p3 p0 p1 p2 p3 p0", "p0 p0 p1 p2 p0 p1 p2"]) {
      for (const maxOccurrences of [1, 32, 10_000]) {
        expect(attributeOutput(disk, output, { maxOccurrences })).to.deep.equal(attributeOutput(memory, output, { maxOccurrences }));
      }
    }
  });

  it("matches with a vocabulary above 2^17 words and a phrase every document shares", async function () {
    // 141,000 distinct words (18-bit keys: two radix passes where small vocabularies need one), and
    // a shared phrase in every document so that its suffixes tie for up to 11 tokens.
    const shared = Array.from({ length: 12 }, (_, i) => `s${i % 5}`);
    const documents = Array.from({ length: 300 }, (_, d) => ({
      contributionId: BigInt(d + 1),
      text: [...Array.from({ length: 470 }, (_, i) => `v${d * 470 + i}`).slice(0, 200), ...shared.slice(0, 4 + (d % 8)), ...Array.from({ length: 270 }, (_, i) => `v${d * 470 + 200 + i}`)].join(" "),
    }));
    const file = path.join(dir, "large-vocabulary.olidx");
    await buildIndexShard(file, documents);
    expect(await expectSuffixesSorted(file, 8)).to.be.above(0);
    const disk = await open([file]);
    const memory = buildCorpusIndex(documents);
    expect(memory.vocabulary.size).to.be.above(2 ** 17);
    const next = generator(17);
    for (let o = 0; o < 20; o++) {
      const output = randomOutput(next, documents.slice(next(290), 300));
      for (const maxOccurrences of [1, 32, 1_000]) {
        expect(attributeOutput(disk, output, { maxOccurrences }), `output ${o}`).to.deep.equal(attributeOutput(memory, output, { maxOccurrences }));
      }
    }
    expect(attributeOutput(disk, `v0 v1 ${shared.slice(0, 11).join(" ")} v7`, { maxOccurrences: 1_000 }).spans.length).to.be.above(0);
  });

  it("keeps an LLM tokenizer's name in the shard and matches on its tokens", async function () {
    const tokenizer = await loadTokenizer("tiktoken/o200k_base");
    const documents = [
      { contributionId: 4n, text: "Photosynthesis turns light, water and carbon dioxide into sugar." },
      { contributionId: 9n, text: "नमस्ते दुनिया, यह एक परीक्षण है।" },
    ];
    const file = path.join(dir, "o200k.olidx");
    await buildIndexShard(file, documents, { tokenizer });
    const disk = await open([file]);
    expect(disk.tokenizer.name).to.equal("tiktoken/o200k_base");
    const output = "As we know, photosynthesis turns light, water and carbon dioxide into sugar. नमस्ते दुनिया, यह";
    const expected = attributeOutput(buildCorpusIndex(documents, { tokenizer }), output);
    expect(attributeOutput(disk, output)).to.deep.equal(expected);
    expect([...expected.weights.keys()]).to.deep.equal([4n, 9n]);
  });

  it("refuses a truncated, altered or foreign file, overlapping shards and unordered documents, each with a clear error", async function () {
    const documents = [
      { contributionId: 1n, text: "one two three four five" },
      { contributionId: 2n, text: "six seven eight nine ten" },
    ];
    const file = path.join(dir, "good.olidx");
    await buildIndexShard(file, documents);
    const bytes = await readFile(file);
    const refused = async (files: string[], message: RegExp) => {
      const error = await openIndexShards(files).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(InvalidInputError);
      expect((error as Error).message).to.match(message);
    };
    await writeFile(path.join(dir, "short.olidx"), bytes.subarray(0, bytes.length - 40));
    await refused([path.join(dir, "short.olidx")], /truncated/);
    const altered = Buffer.from(bytes);
    altered[altered.length - 60]! ^= 1;
    await writeFile(path.join(dir, "altered.olidx"), altered);
    await refused([path.join(dir, "altered.olidx")], /checksum does not match/);
    await writeFile(path.join(dir, "foreign.olidx"), Buffer.concat([Buffer.from("NOTANIDX"), bytes.subarray(8)]));
    await refused([path.join(dir, "foreign.olidx")], /magic/);
    // A header that lies, under a checksum that matches it.
    const lying = Buffer.from(bytes.toString("latin1").replace('"tokenWidth":1', '"tokenWidth":9'), "latin1");
    expect(lying.equals(bytes)).to.equal(false);
    lying.set(createHash("sha256").update(lying.subarray(0, lying.length - 32)).digest(), lying.length - 32);
    await writeFile(path.join(dir, "lying.olidx"), lying);
    await refused([path.join(dir, "lying.olidx")], /header is malformed/);
    await writeFile(path.join(dir, "long.olidx"), Buffer.concat([bytes, Buffer.from([0])]));
    await refused([path.join(dir, "long.olidx")], /checksum|too many/);
    await refused([path.join(dir, "missing.olidx")], /cannot be opened/);
    await refused([file, file], /contribution 1 is in two shards/);
    await refused([], /at least one/);
    const o200k = path.join(dir, "other-tokenizer.olidx");
    await buildIndexShard(o200k, [{ contributionId: 3n, text: "x" }], { tokenizer: await loadTokenizer("tiktoken/o200k_base") });
    await refused([file, o200k], /tokenized with tiktoken\/o200k_base/);

    const built = (docs: CorpusDocument[], options = {}) => buildIndexShard(path.join(dir, "never.olidx"), docs, options);
    for (const [attempt, field] of [
      [() => built([...documents].reverse()), "documents"],
      [() => built([documents[0]!, documents[0]!]), "documents"],
      [() => built([{ contributionId: -1n, text: "" }]), "documents"],
    ] as const) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(InvalidInputError).with.property("field", field);
    }
    // A failed build leaves nothing behind.
    expect(await readFile(path.join(dir, "never.olidx")).catch(() => "absent")).to.equal("absent");
  });
});
