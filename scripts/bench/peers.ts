import { readFile } from "node:fs/promises";
import path from "node:path";

import { AbiCoder, Contract, ContractFactory, keccak256, solidityPacked, ZeroAddress, ZeroHash, type InterfaceAbi } from "ethers";
import { getAddress, keccak256 as viemKeccak, toBytes } from "viem";

import type { Bench } from "./harness.ts";

const NODE_MODULES = path.resolve(import.meta.dirname, "..", "..", "node_modules");
const SCHEMA = "bytes32 contributionHash,bool accepted,uint8 score";

async function artifact(file: string): Promise<{ abi: InterfaceAbi; bytecode: string }> {
  const json = JSON.parse(await readFile(path.join(NODE_MODULES, file), "utf8")) as { abi: InterfaceAbi; bytecode: string | { object: string } };
  const bytecode = typeof json.bytecode === "string" ? json.bytecode : json.bytecode.object;
  return { abi: json.abi, bytecode: bytecode.startsWith("0x") ? bytecode : `0x${bytecode}` };
}

/**
 * The Ethereum Attestation Service (its npm package's shipped artifacts) doing our verdicts' work:
 * one attestation with schema `bytes32 contributionHash,bool accepted,uint8 score`, 50 in one
 * `multiAttest`, and 50 signed by their attesters and submitted with `multiAttestByDelegation`.
 * Every attester has attested before, as our validators have.
 */
export async function benchEas(b: Bench) {
  const { ethers, signers, measure } = b;
  const [deployer] = signers;
  const registryArtifact = await artifact("@ethereum-attestation-service/eas-contracts/artifacts/contracts/SchemaRegistry.sol/SchemaRegistry.json");
  const easArtifact = await artifact("@ethereum-attestation-service/eas-contracts/artifacts/contracts/EAS.sol/EAS.json");
  const schemaRegistry = await new ContractFactory(registryArtifact.abi, registryArtifact.bytecode, deployer).deploy();
  const eas = (await new ContractFactory(easArtifact.abi, easArtifact.bytecode, deployer).deploy(await schemaRegistry.getAddress())) as Contract;
  await (await (schemaRegistry as Contract).getFunction("register")(SCHEMA, ZeroAddress, true)).wait();
  const schema = keccak256(solidityPacked(["string", "address", "bool"], [SCHEMA, ZeroAddress, true]));
  const coder = AbiCoder.defaultAbiCoder();
  let n = 0;
  const data = () => ({
    recipient: ZeroAddress,
    expirationTime: 0n,
    revocable: true,
    refUID: ZeroHash,
    data: coder.encode(["bytes32", "bool", "uint8"], [viemKeccak(toBytes(`eas contribution ${n++}`)), true, 80]),
    value: 0n,
  });
  const attester = signers[12]!;
  await (await eas.connect(attester).getFunction("attest")({ schema, data: data() })).wait();
  await measure("eas_attest", eas.connect(attester).getFunction("attest")({ schema, data: data() }));
  // 50 per batch: 100 EAS attestations would not fit the 16,777,216-gas transaction cap.
  await measure("eas_multiAttest_perItem", eas.connect(attester).getFunction("multiAttest")([{ schema, data: Array.from({ length: 50 }, data) }]), 50);

  // Signed: ten attesters, five attestations each, submitted together by a relayer.
  const { chainId } = await ethers.provider.getNetwork();
  const domain = { name: "EAS", version: "1.4.0", chainId, verifyingContract: await eas.getAddress() };
  const types = {
    Attest: [
      { name: "attester", type: "address" },
      { name: "schema", type: "bytes32" },
      { name: "recipient", type: "address" },
      { name: "expirationTime", type: "uint64" },
      { name: "revocable", type: "bool" },
      { name: "refUID", type: "bytes32" },
      { name: "data", type: "bytes" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint64" },
    ],
  };
  const attesters = signers.slice(5, 15);
  const requests = [];
  for (const signer of attesters) {
    // Each attester has a nonce slot already, as a validator has its agreement record.
    await (await eas.connect(signer).getFunction("attest")({ schema, data: data() })).wait();
    let nonce = (await eas.getFunction("getNonce")(signer.address)) as bigint;
    const items = Array.from({ length: 5 }, data);
    const signatures = [];
    for (const item of items) {
      const signature = await signer.signTypedData(domain, types, { attester: signer.address, schema, ...item, nonce: nonce++, deadline: 0n });
      const { v, r, s } = ethers.Signature.from(signature);
      signatures.push({ v, r, s });
    }
    requests.push({ schema, data: items, signatures, attester: signer.address, deadline: 0n });
  }
  await measure("eas_multiAttestByDelegation_perItem", eas.connect(signers[19]!).getFunction("multiAttestByDelegation")(requests), 50);
}

/**
 * Uniswap's MerkleDistributor (its npm package's shipped build) at 100,000 leaves: a claim with a
 * 17-hash proof, paid to an account that already holds the token, after another claim touched the
 * same bitmap word, as our `merkleClaim_100k`.
 */
export async function benchUniswap(b: Bench) {
  const { signers, token, measure } = b;
  const [treasury] = signers;
  const distributorArtifact = await artifact("@uniswap/merkle-distributor/build/MerkleDistributor.json");
  const leaves = Array.from({ length: 100_000 }, (_, i) => ({
    index: BigInt(i),
    account: getAddress(viemKeccak(toBytes(`bench account ${i}`)).slice(0, 42)),
    amount: 10n ** 15n + BigInt(i),
  }));
  // Uniswap's format: leaf = keccak256(abi.encodePacked(index, account, amount)), pairs hashed sorted.
  let level = leaves.map((l) => keccak256(solidityPacked(["uint256", "address", "uint256"], [l.index, l.account, l.amount])));
  const layers = [level];
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      const [a, c] = [level[i]!, level[i + 1] ?? level[i]!];
      next.push(a === c && i + 1 >= level.length ? a : keccak256(a < c ? `${a}${c.slice(2)}` : `${c}${a.slice(2)}`));
    }
    layers.push((level = next));
  }
  const proof = (index: number) => {
    const path = [];
    for (let depth = 0, i = index; depth < layers.length - 1; depth++, i >>= 1) {
      const sibling = layers[depth]![i ^ 1];
      if (sibling !== undefined) path.push(sibling);
    }
    return path;
  };
  const total = leaves.reduce((sum, l) => sum + l.amount, 0n);
  const distributor = (await new ContractFactory(distributorArtifact.abi, distributorArtifact.bytecode, treasury).deploy(await token.getAddress(), level[0]!)) as Contract;
  await (await token.connect(treasury!).transfer(await distributor.getAddress(), total)).wait();
  const [first, second] = [leaves[0]!, leaves[1]!];
  for (const l of [first, second]) await (await token.connect(treasury!).transfer(l.account, 1n)).wait();
  const claimer = signers[17]!;
  await (await distributor.connect(claimer).getFunction("claim")(first.index, first.account, first.amount, proof(0))).wait();
  await measure("uniswap_merkleClaim_100k", distributor.connect(claimer).getFunction("claim")(second.index, second.account, second.amount, proof(1)));
}
