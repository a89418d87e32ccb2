import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { getAddress, keccak256, stringToBytes, type Address } from "viem";

import { buildCorpusIndex, runAttribution, wordTokenizer, type CorpusDocument } from "../../sdk/index.ts";

/*
 * A second implementation of the records hash, written from docs/architecture.md ("The attribution
 * engine") alone and by brute force: no suffix array, no SDK code, exact fractions. It must agree
 * with the engine byte for byte.
 */

const U = "\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Thai}\\p{sc=Lao}\\p{sc=Khmer}\\p{sc=Myanmar}";
const WORDS = new RegExp(`[[\\p{L}\\p{N}]--[${U}]][[\\p{L}\\p{M}\\p{N}\\p{Join_Control}]--[${U}]]*|[${U}]\\p{M}*`, "gv");
const words = (text: string) => text.normalize("NFKC").toLowerCase().replaceAll("i\u0307", "i").replaceAll("ς", "σ").match(WORDS) ?? [];

type Fraction = [bigint, bigint];
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const add = ([a, b]: Fraction, [c, d]: Fraction): Fraction => {
  const [n, m] = [a * d + c * b, b * d];
  const g = gcd(n, m);
  return [n / g, m / g];
};

/** The docs' apportion, on fractions: floors, then the leftover units by largest remainder, ties to the earlier key. */
function apportion<K>(total: bigint, shares: [K, Fraction][]): [K, bigint][] {
  const sum = shares.reduce<Fraction>((acc, [, x]) => add(acc, x), [0n, 1n]);
  // T·x_k / Σx = T·a·S_d / (b·S_n)
  const parts = shares.map(([key, [a, b]], i) => {
    const [num, den] = [total * a * sum[1], b * sum[0]];
    return { key, i, amount: num / den, rem: [num % den, den] as Fraction };
  });
  let left = total - parts.reduce((acc, p) => acc + p.amount, 0n);
  const order = [...parts].sort((p, q) => {
    const diff = p.rem[0] * q.rem[1] - q.rem[0] * p.rem[1];
    return diff === 0n ? p.i - q.i : diff > 0n ? -1 : 1;
  });
  for (const p of order) {
    if (left === 0n) break;
    p.amount += 1n;
    left -= 1n;
  }
  return parts.map((p) => [p.key, p.amount]);
}

function referenceRecordsHash(documents: CorpusDocument[], outputs: { inferenceId: string; text: string }[], minSpan = 4, maxOccurrences = 32): string {
  const docs = [...documents].sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1)).map((d) => ({ id: d.contributionId, tokens: words(d.text) }));
  let lines = "";
  for (const output of [...outputs].sort((a, b) => (a.inferenceId < b.inferenceId ? -1 : a.inferenceId > b.inferenceId ? 1 : 0))) {
    const t = words(output.text);
    const credits = new Map<bigint, Fraction>();
    let previous = 0;
    for (let i = 0; i < t.length; i++) {
      // Every place in every document, and how far the output matches from there.
      const places: { id: bigint; length: number }[] = [];
      for (const doc of docs) {
        for (let p = 0; p < doc.tokens.length; p++) {
          let length = 0;
          while (i + length < t.length && p + length < doc.tokens.length && doc.tokens[p + length] === t[i + length]) length++;
          places.push({ id: doc.id, length });
        }
      }
      const L = Math.max(0, ...places.map((p) => p.length));
      const found = places.filter((p) => p.length === L);
      const inside = L === previous - 1;
      previous = L;
      if (inside || L < minSpan || found.length > maxOccurrences) continue;
      const ids = [...new Set(found.map((p) => p.id))];
      for (const id of ids) credits.set(id, add(credits.get(id) ?? [0n, 1n], [BigInt(L), BigInt(ids.length ** 2)]));
    }
    const ordered = [...credits].sort(([a], [b]) => (a < b ? -1 : 1));
    if (ordered.length === 0) continue;
    for (const [id, weight] of apportion(10n ** 18n, ordered)) lines += `${JSON.stringify([output.inferenceId, id.toString(), weight.toString()])}\n`;
  }
  return keccak256(stringToBytes(lines));
}

const earnersFor = (documents: CorpusDocument[]) =>
  new Map(documents.map((d) => [d.contributionId, { contributor: getAddress(`0x${"1".padStart(40, "0")}`) as Address, validators: [] }]));

function engineRecordsHash(documents: CorpusDocument[], outputs: { inferenceId: string; text: string }[], minSpanTokens = 4, maxOccurrences = 32): string {
  return runAttribution({
    index: buildCorpusIndex(documents),
    outputs,
    earners: earnersFor(documents),
    contributorsAmount: 10n ** 18n,
    validatorsAmount: 0n,
    maxLeafAmount: 10n ** 18n,
    options: { minSpanTokens, maxOccurrences },
  }).recordsHash;
}

describe("SDK attribution: a second implementation from the docs", function () {
  it("gets the engine's records hash on the example corpus and outputs", async function () {
    const root = path.resolve(import.meta.dirname, "..", "..", "examples");
    const files = (await readdir(path.join(root, "science-explained"))).filter((f) => f.endsWith(".txt")).sort();
    const documents = await Promise.all(files.map(async (f, i) => ({ contributionId: BigInt(i + 1), text: await readFile(path.join(root, "science-explained", f), "utf8") })));
    const outputs = JSON.parse(await readFile(path.join(root, "science-explained-outputs.json"), "utf8")) as { inferenceId: string; text: string }[];
    for (const [minSpan, maxOccurrences] of [[4, 32], [2, 3], [1, 1]] as const) {
      expect(engineRecordsHash(documents, outputs, minSpan, maxOccurrences)).to.equal(referenceRecordsHash(documents, outputs, minSpan, maxOccurrences));
    }
  });

  it("gets it on random corpora in several scripts, where spans share contributions and credits need exact fractions", function () {
    let seed = 424_242;
    const next = (below: number) => (seed = (seed * 48_271) % 2_147_483_647) % below;
    const lexicon = ["İstanbul", "istanbul", "नमस्ते", "दुनिया", "東", "京", "ΟΔΟΣ", "οδος", "ﬁne", "fine", "مرحبا", "a", "b", "c"];
    for (let trial = 0; trial < 60; trial++) {
      const vocabulary = 2 + next(lexicon.length - 1);
      const text = (length: number) => Array.from({ length }, () => lexicon[next(vocabulary)]!).join(next(2) === 0 ? " " : "");
      const documents = Array.from({ length: 1 + next(6) }, (_, i) => ({ contributionId: BigInt(i * 3 + 1 + next(3)), text: text(next(40)) }));
      const outputs = Array.from({ length: 1 + next(4) }, (_, i) => ({ inferenceId: `o-${next(100)}-${i}`, text: text(5 + next(50)) }));
      const [minSpan, maxOccurrences] = [1 + next(3), 1 + next(20)];
      expect(engineRecordsHash(documents, outputs, minSpan, maxOccurrences), `trial ${trial}`).to.equal(referenceRecordsHash(documents, outputs, minSpan, maxOccurrences));
    }
  });

  it("tokenizes as the docs say, on the fast ASCII path and the explaining path alike", function () {
    expect(wordTokenizer.keys("नमस्ते दुनिया")).to.deep.equal(["नमस्ते", "दुनिया"]);
    expect(wordTokenizer.keys("İstanbul ISTANBUL istanbul")).to.deep.equal(["istanbul", "istanbul", "istanbul"]);
    expect(wordTokenizer.keys("東京は、日本")).to.deep.equal(["東", "京", "は", "日", "本"]);
    expect(wordTokenizer.keys("Don't STOP-me now, 42x")).to.deep.equal(["don", "t", "stop", "me", "now", "42x"]);
    let seed = 99;
    const next = (below: number) => (seed = (seed * 48_271) % 2_147_483_647) % below;
    // ASCII first (the fast path's trials draw from those only), with the neighbours of A-Z, a-z and 0-9, and control characters.
    const alphabet = ["a", "Z", "9", " ", "-", "'", "\n", "@", "[", "`", "{", "/", ":", "\x10", "\x19", "İ", "ς", "Σ", "ँ", "न", "्", "\u200d", "東", "ﬁ", "é", "e\u0301", "ก", "ั"];
    for (let trial = 0; trial < 500; trial++) {
      const text = Array.from({ length: next(30) }, () => alphabet[next(trial % 2 === 0 ? 15 : alphabet.length)]!).join("");
      expect(wordTokenizer.keys(text), JSON.stringify(text)).to.deep.equal(words(text));
      expect(wordTokenizer.pieces(text).keys, JSON.stringify(text)).to.deep.equal(words(text));
    }
  });
});
