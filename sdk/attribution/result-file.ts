import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";

import { InvalidInputError } from "../errors.ts";
import { epochRootFromProof, formatProofsFile, type EpochClaim, type MerkleEpoch } from "../merkle.ts";
import type { AttributionPublicInputs } from "../actions/attribution.ts";
import type { AttributionRecord } from "./run.ts";

/**
 * An epoch's attribution result as the attributor publishes it (`openledger attribution run --out`):
 * what it proposed (root, total, records hash) and every payout's claim with its proof, so anyone can
 * claim any leaf. Nothing in it is trusted: `verifyAttributionResultFile` checks it against the chain.
 */
export interface AttributionResultFile {
  modelId: bigint;
  epoch: bigint;
  root: Hex;
  total: bigint;
  recordsHash: Hex;
  /** The tokenizer the engine ran with (absent in results written before it was recorded: the default). */
  tokenizer?: string;
  claims: EpochClaim[];
}

/** The result file's JSON (amounts and ids as decimal strings); `parseAttributionResultFile` reads it back. */
export function formatAttributionResultFile(
  result: { epoch: MerkleEpoch; recordsHash: Hex; publicInputs: AttributionPublicInputs; unassigned: bigint; records: readonly AttributionRecord[] },
  meta: { modelId: bigint; epoch: bigint; poolId: bigint },
): string {
  const file = {
    modelId: meta.modelId.toString(),
    epoch: meta.epoch.toString(),
    root: result.epoch.root,
    total: result.epoch.total.toString(),
    recordsHash: result.recordsHash,
    publicInputs: result.publicInputs,
    unassigned: result.unassigned.toString(),
    records: result.records.map((r) => ({ ...r, contributionId: r.contributionId.toString(), weight: r.weight.toString() })),
    proofs: JSON.parse(formatProofsFile(result.epoch, { poolId: meta.poolId, epoch: meta.epoch })) as unknown,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

const decimal = (value: unknown, field: string, min: bigint): bigint => {
  if (typeof value !== "string" || !/^\d+$/.test(value) || BigInt(value) < min) {
    throw new InvalidInputError(field, `${String(value)} is not ${min > 0n ? "an id (a whole number from 1)" : "a whole number"}`);
  }
  return BigInt(value);
};

const hash = (value: unknown, field: string): Hex => {
  if (typeof value !== "string" || !isHex(value, { strict: true }) || value.length !== 66) throw new InvalidInputError(field, `${String(value)} is not a 32-byte hex hash`);
  return value;
};

const address = (value: unknown, field: string): Address => {
  if (typeof value !== "string" || !isAddress(value)) throw new InvalidInputError(field, `${String(value)} is not an address`);
  return getAddress(value);
};

/**
 * Reads a result file (its text; `source` names it in messages). Malformed input is an
 * `InvalidInputError` saying what is wrong; a well-formed file is not yet trusted (verify it).
 */
export function parseAttributionResultFile(text: string, source = "the file"): AttributionResultFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidInputError("result", `${source} is not JSON`);
  }
  const file = parsed as {
    modelId?: unknown;
    epoch?: unknown;
    root?: unknown;
    total?: unknown;
    recordsHash?: unknown;
    publicInputs?: { tokenizer?: unknown };
    proofs?: { claims?: unknown };
  } | null;
  if (typeof file !== "object" || file === null || !Array.isArray(file.proofs?.claims) || file.root === undefined || file.recordsHash === undefined) {
    throw new InvalidInputError("result", `${source} is not a result written by "attribution run"`);
  }
  const claims = (file.proofs.claims as unknown[]).map((entry, i): EpochClaim => {
    const c = (entry ?? {}) as { index?: unknown; account?: unknown; amount?: unknown; proof?: unknown };
    if (!Array.isArray(c.proof)) throw new InvalidInputError(`result claim ${i} proof`, "is not a list of hashes");
    return {
      index: decimal(c.index, `result claim ${i} index`, 0n),
      account: address(c.account, `result claim ${i} account`),
      amount: decimal(c.amount, `result claim ${i} amount`, 0n),
      proof: c.proof.map((sibling, j) => hash(sibling, `result claim ${i} proof[${j}]`)),
    };
  });
  const tokenizer = file.publicInputs?.tokenizer;
  return {
    modelId: decimal(file.modelId, "result modelId", 1n),
    epoch: decimal(file.epoch, "result epoch", 0n),
    root: hash(file.root, "result root"),
    total: decimal(file.total, "result total", 0n),
    recordsHash: hash(file.recordsHash, "result recordsHash"),
    ...(typeof tokenizer === "string" ? { tokenizer } : {}),
    claims,
  };
}

/**
 * Checks a parsed result against what was proposed on chain for a model epoch: the same model and
 * epoch, the proposed root and total, leaves numbered once each whose amounts add up to the total,
 * and every claim's proof leading to the root (an amount or account changed anywhere breaks it).
 * Throws an `InvalidInputError` naming the first problem; returns the file when all holds.
 */
export function verifyAttributionResultFile(file: AttributionResultFile, proposed: { modelId: bigint; epoch: bigint; root: Hex; total: bigint }): AttributionResultFile {
  const fail = (problem: string) => {
    throw new InvalidInputError("result", problem);
  };
  const epochName = `model ${proposed.modelId}'s attribution epoch ${proposed.epoch}`;
  if (file.modelId !== proposed.modelId || file.epoch !== proposed.epoch) {
    fail(`it is model ${file.modelId}'s attribution epoch ${file.epoch}, not ${epochName}`);
  }
  if (file.root.toLowerCase() !== proposed.root.toLowerCase()) fail(`its root ${file.root} is not the root proposed on chain for ${epochName} (${proposed.root})`);
  if (file.total !== proposed.total) fail(`its total ${file.total} wei is not the ${proposed.total} wei proposed on chain for ${epochName}`);
  const seen = new Set<bigint>();
  let sum = 0n;
  for (const claim of file.claims) {
    if (seen.has(claim.index)) fail(`it lists leaf ${claim.index} twice`);
    seen.add(claim.index);
    sum += claim.amount;
    if (epochRootFromProof(claim).toLowerCase() !== proposed.root.toLowerCase()) {
      fail(`the payout of leaf ${claim.index} (${claim.amount} wei to ${claim.account}) does not lead to the proposed root: the file was altered`);
    }
  }
  if (sum !== proposed.total) fail(`its payouts add up to ${sum} wei, not the proposed total of ${proposed.total} wei`);
  return file;
}
