import { expect } from "chai";

import { runBenchAsShown } from "./helpers/bench.ts";

describe("bench:indexer", function () {
  it("runs the README's command on a short history and writes every figure the issue names", async function () {
    this.timeout(600_000);
    await runBenchAsShown("npm run bench:indexer -- --events 5000", "`npm run bench:indexer [-- --events <n>]`", "indexer.json", (figures) => {
      for (const key of ["events", "ponderEventsPerSecond", "replayEventsPerSecond", "replayPeakRssMB", "apiP95Ms"]) {
        expect(figures[key], key).to.be.a("number").and.above(0);
      }
      // The history is built to at least the events asked for, and Ponder indexed them on PGlite.
      expect(figures.events).to.be.within(5000, 6000);
      expect(figures.database).to.equal("PGlite");
    });
  });
});
