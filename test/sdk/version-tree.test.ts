import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { getAddress, keccak256, toHex, type Hex } from "viem";

import { buildVersionTree, InvalidInputError, VERSION_LEAF_ENCODING, type VersionLeaf } from "../../sdk/index.ts";

describe("version trees (buildVersionTree, viem only) against OpenZeppelin's StandardMerkleTree", function () {
  const leaf = (i: number): VersionLeaf => [BigInt(i + 1), getAddress(keccak256(toHex(`account ${i % 7}`)).slice(0, 42)), keccak256(toHex(`content ${i}`))];

  it("gives the library's root for 1 to 40 leaves in any order, and proofs the library verifies", function () {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leaf(i));
      const reference = StandardMerkleTree.of(leaves, [...VERSION_LEAF_ENCODING]);
      const tree = buildVersionTree([...leaves].reverse());
      expect(tree.root, `${n} leaves`).to.equal(reference.root);
      for (const l of [leaves[0]!, leaves[n - 1]!, leaves[Math.floor(n / 2)]!]) {
        const proof = tree.getProof(l);
        expect(proof, `${n} leaves`).to.deep.equal(reference.getProof(l));
        expect(StandardMerkleTree.verify(tree.root, [...VERSION_LEAF_ENCODING], l, proof as Hex[])).to.equal(true);
      }
    }
  });

  it("refuses an empty version and a proof for a leaf it does not hold", function () {
    expect(() => buildVersionTree([])).to.throw(InvalidInputError);
    expect(() => buildVersionTree([leaf(0)]).getProof(leaf(1))).to.throw(InvalidInputError, /not in the version/);
  });
});
