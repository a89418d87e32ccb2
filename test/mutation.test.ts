import { expect } from "chai";

import { applyMutant, generateMutants, sampleMutants } from "../scripts/mutation/mutants.ts";

describe("Mutation testing: SuMo's mutants and the sample", function () {
  it("generates distinct edits of a library with SuMo's operators, each changing the source at one place", async function () {
    const { source, mutants } = await generateMutants("contracts/libraries/RewardMath.sol");
    expect(mutants.length).to.be.greaterThan(3);
    expect(new Set(mutants.map((m) => m.id)).size).to.equal(mutants.length);
    expect(new Set(mutants.map((m) => m.operator))).to.include("BOR");
    for (const m of mutants) {
      const mutated = applyMutant(source, m);
      expect(mutated).to.not.equal(source);
      expect(mutated.slice(0, m.start)).to.equal(source.slice(0, m.start));
      expect(source.slice(m.start, m.end)).to.equal(m.original);
    }
  });

  it("samples the same mutants for the same seed, a subset for a smaller size, and everything when asked for more", async function () {
    const { mutants } = await generateMutants("contracts/MerkleEpoch.sol");
    const ids = (size: number, seed: number) => sampleMutants(mutants, size, seed).map((m) => m.id);
    expect(ids(20, 7)).to.deep.equal(ids(20, 7));
    expect(ids(20, 7)).to.not.deep.equal(ids(20, 8));
    expect(ids(20, 7)).to.include.members(ids(10, 7));
    expect(ids(mutants.length + 1, 7)).to.deep.equal(mutants.map((m) => m.id));
  });
});
