import { expect } from "chai";
import { network } from "hardhat";

import { ATTACK_CLASSES, playAttacks } from "../scripts/bench/attack-classes.ts";

const connection = await network.create();

describe("bench:attacks", function () {
  it("plays every attack class with real OPEN, and every defence holds", async function () {
    const rows = await playAttacks(connection);
    expect(rows.map((r) => r.attack)).to.deep.equal(ATTACK_CLASSES.map((c) => c.attack));
    expect(rows.map((r) => r.attack.split(":")[0])).to.deep.equal(["1", "2", "3", "4", "5a", "5b", "7", "8", "9"]);
    for (const row of rows) {
      expect(row.blocked, row.attack).to.equal(true);
      expect(row.honestLossOpen, row.attack).to.equal("0");
      expect(Number(row.attackerNetOpen), row.attack).to.be.at.most(0);
    }
    // Junk, spam and stolen content cost the attacker its bonds (10 OPEN each).
    const net = Object.fromEntries(rows.map((r) => [r.attack.split(":")[0], r.attackerNetOpen]));
    expect(net).to.deep.include({ "2": "-10", "3": "-20", "4": "-40", "5a": "-10", "5b": "-30" });
  });
});
