import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { toBytes } from "viem";

import {
  hashContent,
  hashMatches,
  isText,
  judge,
  notDuplicateOf,
  proseQuality,
  ReasonCode,
  sizeMatches,
  sizeWithin,
  textFingerprint,
} from "../../sdk/index.ts";

const checks = [hashMatches, isText, proseQuality()];
const verdictOn = (content: Uint8Array, contentHash = hashContent(content).contentHash) => judge(checks, content, contentHash);

describe("SDK content checks", function () {
  it("accepts real explanations and grades them", async function () {
    const file = path.resolve(import.meta.dirname, "..", "..", "examples", "science-explained", "why-ice-floats.txt");
    const v = verdictOn(await readFile(file));
    expect(v.accept).to.equal(true);
    expect(v.reasonCode).to.equal(ReasonCode.Ok);
    expect(v.quality).to.be.within(50, 100);
  });

  it("rejects content whose bytes do not match the registered hash", function () {
    const v = verdictOn(toBytes("some honest text ".repeat(10)), hashContent("other").contentHash);
    expect([v.accept, v.reasonCode]).to.deep.equal([false, ReasonCode.HashMismatch]);
  });

  it("rejects spam, short text and non-text", function () {
    expect(verdictOn(toBytes("BEST DEAL!!! click here click here")).reasonCode).to.equal(ReasonCode.Spam);
    expect(verdictOn(toBytes("Too short to teach anything.")).reasonCode).to.equal(ReasonCode.TooShort);
    expect(verdictOn(new Uint8Array([0xff, 0xfe, 0x00, 0x01])).reasonCode).to.equal(ReasonCode.NotText);
    expect(verdictOn(toBytes(`valid words ${"\u0001"}`.repeat(20))).reasonCode).to.equal(ReasonCode.NotText);
  });

  it("rejects content over the size limit and near-duplicates of known texts, but not a text itself", function () {
    const text = toBytes("Tides come from the Moon's pull on the oceans, twice a day.");
    const { contentHash } = hashContent(text);
    expect(judge([sizeWithin(10n)], text, contentHash)).to.include({ accept: false, reasonCode: ReasonCode.TooLarge });
    expect(judge([sizeWithin(1_000n)], text, contentHash).accept).to.equal(true);
    const copy = toBytes("TIDES   come from the moon's pull on the oceans -- twice a day!");
    expect(textFingerprint(copy)).to.equal(textFingerprint(text));
    const known = new Map([[textFingerprint(text), contentHash]]);
    expect(judge([notDuplicateOf(known)], copy, hashContent(copy).contentHash)).to.include({ accept: false, reasonCode: ReasonCode.Duplicate });
    expect(judge([notDuplicateOf(known)], text, contentHash).accept).to.equal(true);
  });

  it("rejects content whose length is not the size declared at submission, smaller or larger", function () {
    const content = toBytes("Sound travels faster in water than in air because water is stiffer.");
    const { contentHash, sizeBytes } = hashContent(content);
    expect(judge([sizeMatches(sizeBytes)], content, contentHash)).to.include({ accept: true, reasonCode: ReasonCode.Ok });
    for (const declared of [sizeBytes - 1n, sizeBytes + 1n, 1n]) {
      expect(judge([hashMatches, sizeMatches(declared)], content, contentHash)).to.deep.equal({
        contentHash, accept: false, quality: 0, reasonCode: ReasonCode.SizeMismatch,
      });
    }
    const result = sizeMatches(10n)(content, contentHash);
    expect(result).to.deep.equal({
      reject: true, reasonCode: 8, reason: `the content is ${content.length} bytes but was declared as 10`,
    });
  });
});
