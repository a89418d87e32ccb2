import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { toBytes } from "viem";

import { hashContent, hashMatches, isText, judge, proseQuality, ReasonCode } from "../../sdk/index.ts";

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
});
