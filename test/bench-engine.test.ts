import { expect } from "chai";

import { runBenchAsShown } from "./helpers/bench.ts";

describe("bench:engine", function () {
  it("runs the README's command on a 2 MB corpus and writes every figure the issue names", async function () {
    this.timeout(180_000);
    await runBenchAsShown("npm run bench:engine -- --mb 2", "`npm run bench:engine -- --mb ", "engine.json", (figures) => {
      for (const key of ["corpusMB", "tokens", "indexBytesPerToken", "indexMBps", "buildPeakRssMB", "queryRssMB", "msPerOutputMean", "msPerOutputP95"]) {
        expect(figures[key], key).to.be.a("number").and.above(0);
      }
      expect(figures.corpusMB).to.be.within(2, 2.01);
      // About 3.7 bytes of this corpus a word: a token count far off means the corpus or the build is wrong.
      expect(figures.tokens).to.be.within(400_000, 700_000);
      expect(figures.outputsAttributed).to.equal(figures.outputs);
    });
  });
});
