import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { getAddress, keccak256, stringToBytes, type Address } from "viem";

import {
  apportion,
  attributeOutput,
  buildCorpusIndex,
  formatAttributionRecords,
  formatProofsFile,
  InvalidInputError,
  naiveSuffixArray,
  runAttribution,
  spanWeights,
  suffixArray,
  WEIGHT_SCALE,
  type CorpusDocument,
} from "../../sdk/index.ts";

const EXAMPLES = path.resolve(import.meta.dirname, "..", "..", "examples");
const account = (n: number) => getAddress(`0x${n.toString(16).padStart(40, "0")}`) as Address;

const TINY: CorpusDocument[] = [
  { contributionId: 1n, text: "Alpha beta gamma delta epsilon." },
  { contributionId: 2n, text: "zeta eta theta iota kappa" },
  { contributionId: 3n, text: "alpha, beta; gamma lambda mu" },
];
const TINY_OUTPUT = "alpha beta gamma delta x zeta eta theta y alpha beta";

async function scienceCorpus(): Promise<CorpusDocument[]> {
  const dir = path.join(EXAMPLES, "science-explained");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".txt")).sort();
  return Promise.all(files.map(async (f, i) => ({ contributionId: BigInt(i + 1), text: await readFile(path.join(dir, f), "utf8") })));
}

async function scienceOutputs(): Promise<{ inferenceId: string; text: string }[]> {
  return JSON.parse(await readFile(path.join(EXAMPLES, "science-explained-outputs.json"), "utf8")) as never;
}

describe("SDK attribution engine", function () {
  it("builds the same suffix array as a comparison sort, on random and repetitive texts", function () {
    let seed = 7;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647);
    for (let trial = 0; trial < 400; trial++) {
      const upper = trial % 4 === 0 ? 1 : 2 + (next() % 40);
      const text = Int32Array.from({ length: next() % 300 }, () => next() % (upper + 1));
      expect([...suffixArray(text, upper)], `trial ${trial}`).to.deep.equal([...naiveSuffixArray(text)]);
    }
    const periodic = Int32Array.from({ length: 5_000 }, (_, i) => (i % 3) + 1);
    expect([...suffixArray(periodic, 3)]).to.deep.equal([...naiveSuffixArray(periodic)]);
  });

  it("gives hand-checked weights on a tiny corpus: longer and rarer spans weigh more", function () {
    const index = buildCorpusIndex(TINY);
    // Spans: "alpha beta gamma delta" (4 tokens, contribution 1 only) credits 1 with 4; "zeta eta
    // theta" (3, contribution 2) credits 2 with 3; "alpha beta" at the end (2 tokens, in 1 and 3)
    // credits each 2 / 2² = 0.5. Total 8: 4.5 / 8, 3 / 8, 0.5 / 8. The spans inside a longer one
    // starting a token earlier add nothing.
    const result = attributeOutput(index, TINY_OUTPUT, { minSpanTokens: 2 });
    expect(result.spans.map((s) => [s.start, s.length, s.contributionIds])).to.deep.equal([
      [0, 4, [1n]],
      [5, 3, [2n]],
      [9, 2, [1n, 3n]],
    ]);
    expect([...result.weights]).to.deep.equal([
      [1n, 5_625n * 10n ** 14n],
      [2n, 3_750n * 10n ** 14n],
      [3n, 625n * 10n ** 14n],
    ]);
    // Too common (found twice, more than allowed): the two-token span is ignored. 4 / 7 and 3 / 7,
    // the one wei of rounding to the larger remainder.
    const rare = attributeOutput(index, TINY_OUTPUT, { minSpanTokens: 2, maxOccurrences: 1 });
    expect([...rare.weights]).to.deep.equal([
      [1n, 571_428_571_428_571_429n],
      [2n, 428_571_428_571_428_571n],
    ]);
    // Too short: only the four-token span is left.
    expect([...attributeOutput(index, TINY_OUTPUT, { minSpanTokens: 4 }).weights]).to.deep.equal([[1n, WEIGHT_SCALE]]);
    expect(attributeOutput(index, "nothing in common here at all").weights.size).to.equal(0);
  });

  it("credits each span exactly L / d², not a rounded L·10¹⁸ / d²", function () {
    // Spans: 4 tokens in #4; 3 tokens in #1, #2, #3; 3 tokens in #1, #2. Credits 4, 13/12, 13/12,
    // 1/3 of 13/2: weights 8/13, 1/6, 1/6, 2/39 of 10¹⁸. The floors leave 2 wei, which go to the
    // largest remainders, #1 and #2 (⅔ each). Credits floored to L·10¹⁸/d² first would give the
    // second wei to #4 instead.
    const span = (length: number, ids: bigint[]) => ({ start: 0, length, occurrences: ids.length, contributionIds: ids });
    expect([...spanWeights([span(4, [4n]), span(3, [1n, 2n, 3n]), span(3, [1n, 2n])])]).to.deep.equal([
      [1n, 166_666_666_666_666_667n],
      [2n, 166_666_666_666_666_667n],
      [3n, 51_282_051_282_051_282n],
      [4n, 615_384_615_384_615_384n],
    ]);
  });

  it("apportions exactly, whatever the weights", function () {
    for (const [total, weights] of [
      [10n, [1n, 1n, 1n]],
      [1n, [5n, 5n]],
      [10n ** 30n, [3n, 7n, 11n, 13n]],
      [999_999n, [1n, 10n ** 20n]],
    ] as const) {
      const parts = apportion(total, weights.map((w, i) => [i, w] as const));
      expect(parts.reduce((sum, [, p]) => sum + p, 0n)).to.equal(total);
    }
    expect(apportion(10n, [["a", 1n], ["b", 1n], ["c", 1n]])).to.deep.equal([["a", 4n], ["b", 3n], ["c", 3n]]);
    expect(() => apportion(1n, [["a", 0n]])).to.throw(InvalidInputError);
  });

  it("turns an epoch's outputs into payouts that add up exactly and respect the per-recipient cap", async function () {
    const documents = await scienceCorpus();
    const index = buildCorpusIndex(documents);
    const earners = new Map(documents.map((d) => [d.contributionId, { contributor: account(Number(d.contributionId) % 3 + 1), validators: [account(100), account(101)] }]));
    const run = (maxLeafAmount: bigint) =>
      runAttribution({ index, outputs, earners, contributorsAmount: 700n * 10n ** 18n, validatorsAmount: 50n * 10n ** 18n, maxLeafAmount });
    const outputs = await scienceOutputs();
    // Uncapped, the two validators share the validators' 50 OPEN equally.
    const uncapped = run(10n ** 30n);
    expect(uncapped.payouts.filter((p) => p.account === account(100) || p.account === account(101)).map((p) => p.amount)).to.deep.equal([
      25n * 10n ** 18n,
      25n * 10n ** 18n,
    ]);
    const result = run(150n * 10n ** 18n);
    expect([...result.weights.values()].reduce((a, b) => a + b, 0n)).to.equal(WEIGHT_SCALE);
    // Every text but the seasons one is drawn on; the haiku matches nothing.
    expect(result.perOutput.get("inf-0008")!.weights.size).to.equal(0);
    expect([...result.weights.keys()]).to.have.members([1n, 2n, 3n, 5n, 6n, 7n, 8n]);
    expect(result.epoch.total + result.unassigned).to.equal(750n * 10n ** 18n);
    for (const p of result.payouts) expect(p.amount <= 150n * 10n ** 18n).to.equal(true);
    expect(uncapped.payouts.some((p) => p.amount > 150n * 10n ** 18n)).to.equal(true);
    expect(result.recordsHash).to.equal(keccak256(stringToBytes(formatAttributionRecords(result.records))));
    for (const id of new Set(result.records.map((r) => r.inferenceId))) {
      const sum = result.records.filter((r) => r.inferenceId === id).reduce((a, r) => a + r.weight, 0n);
      expect(sum).to.equal(WEIGHT_SCALE);
    }
  });

  it("lets an auditor recompute the same root and proofs file byte for byte from the same inputs", async function () {
    const documents = await scienceCorpus();
    const outputs = await scienceOutputs();
    const earners = new Map(documents.map((d) => [d.contributionId, { contributor: account(Number(d.contributionId)), validators: [account(50)] }]));
    const params = { contributorsAmount: 7_000_000n, validatorsAmount: 500_001n, maxLeafAmount: 2_000_000n };
    const first = runAttribution({ index: buildCorpusIndex(documents), outputs, earners, ...params });
    const second = runAttribution({ index: buildCorpusIndex([...documents].reverse()), outputs: [...outputs].reverse(), earners, ...params });
    expect(second.epoch.root).to.equal(first.epoch.root);
    expect(second.recordsHash).to.equal(first.recordsHash);
    const meta = { poolId: 1n, epoch: 0n };
    expect(formatProofsFile(second.epoch, meta)).to.equal(formatProofsFile(first.epoch, meta));
    // A changed output changes the records and the root.
    const altered = runAttribution({ index: buildCorpusIndex(documents), outputs: outputs.slice(1), earners, ...params });
    expect(altered.recordsHash).to.not.equal(first.recordsHash);
    expect(altered.epoch.root).to.not.equal(first.epoch.root);
  });

  it("caps every recipient, sharing the excess with the others, and leaves what nobody can take unassigned", function () {
    const index = buildCorpusIndex(TINY);
    const earners = new Map([
      [1n, { contributor: account(1), validators: [] }],
      [2n, { contributor: account(2), validators: [] }],
      [3n, { contributor: account(3), validators: [] }],
    ]);
    const run = (maxLeafAmount: bigint) =>
      runAttribution({ index, outputs: [{ inferenceId: "i", text: TINY_OUTPUT }], earners, contributorsAmount: 800n, validatorsAmount: 8n, maxLeafAmount, options: { minSpanTokens: 2 } });
    // Uncapped: 450 / 300 / 50; validators' 8 has no accepting validator to go to.
    expect(run(10_000n).payouts.map((p) => p.amount)).to.deep.equal([450n, 300n, 50n]);
    expect(run(10_000n).unassigned).to.equal(8n);
    // Cap 400: 50 over; shared 300 : 50 → 343 / 57 (rounded), then 400 / 343 / 57.
    expect(run(400n).payouts.map((p) => p.amount)).to.deep.equal([400n, 343n, 57n]);
    // Cap 100: everyone capped; 500 cannot be placed.
    const tight = run(100n);
    expect(tight.payouts.map((p) => p.amount)).to.deep.equal([100n, 100n, 100n]);
    expect(tight.unassigned).to.equal(508n);
  });

  it("falls back to equal weights when no output draws on the corpus, and refuses bad inputs", function () {
    const index = buildCorpusIndex(TINY);
    const earners = new Map([1n, 2n, 3n].map((id) => [id, { contributor: account(Number(id)), validators: [] }]));
    const none = runAttribution({ index, outputs: [{ inferenceId: "x", text: "unrelated words only" }], earners, contributorsAmount: 9n, validatorsAmount: 0n, maxLeafAmount: 9n });
    expect(none.payouts.map((p) => p.amount)).to.deep.equal([3n, 3n, 3n]);
    expect(none.records).to.deep.equal([]);
    for (const [call, field] of [
      [() => buildCorpusIndex([TINY[0]!, TINY[0]!]), "documents"],
      [() => attributeOutput(index, "a", { minSpanTokens: 0 }), "minSpanTokens"],
      [() => attributeOutput(index, "a", { maxOccurrences: 1.5 }), "maxOccurrences"],
      [() => runAttribution({ index, outputs: [{ inferenceId: "a", text: "" }, { inferenceId: "a", text: "" }], earners, contributorsAmount: 1n, validatorsAmount: 0n, maxLeafAmount: 1n }), "outputs"],
      [() => runAttribution({ index, outputs: [], earners: new Map(), contributorsAmount: 1n, validatorsAmount: 0n, maxLeafAmount: 1n }), "earners"],
      [() => runAttribution({ index, outputs: [], earners, contributorsAmount: 1n, validatorsAmount: 0n, maxLeafAmount: 0n }), "maxLeafAmount"],
      [() => runAttribution({ index, outputs: [], earners, contributorsAmount: -1n, validatorsAmount: 0n, maxLeafAmount: 1n }), "amounts"],
    ] as const) {
      expect(call).to.throw(InvalidInputError).with.property("field", field);
    }
  });
});
