import { getAddress, keccak256, stringToBytes, type Address, type Hex } from "viem";

import { InvalidInputError } from "../errors.ts";
import { buildMerkleEpoch, type MerkleEpoch, type Payout } from "../merkle.ts";
import { apportion } from "./apportion.ts";
import { attributeOutput, WEIGHT_SCALE, type AttributionOptions, type SpanIndex, type OutputAttribution } from "./engine.ts";

/** A model output to attribute: the inference it came from and its text. */
export interface InferenceOutput {
  inferenceId: string;
  text: string;
}

/** Who earns from a contribution: its contributor, and the validators whose verdicts accepted it. */
export interface ContributionEarners {
  contributor: Address;
  validators: readonly Address[];
}

/** One raw attribution record: an inference drew `weight` (of WEIGHT_SCALE) on a contribution. */
export interface AttributionRecord {
  inferenceId: string;
  contributionId: bigint;
  weight: bigint;
}

/** What an epoch's attribution produces: the records, the weights, the payouts and their tree. */
export interface AttributionResult {
  records: AttributionRecord[];
  /** keccak256 of `formatAttributionRecords(records)`: what the proposal commits to. */
  recordsHash: Hex;
  /** Contribution id → weight over the epoch, adding up to WEIGHT_SCALE. */
  weights: Map<bigint, bigint>;
  perOutput: Map<string, OutputAttribution>;
  payouts: Payout[];
  /** Part of the data's share no leaf may take under the cap; it goes to the treasury. */
  unassigned: bigint;
  epoch: MerkleEpoch;
}

/**
 * Attributes an epoch's outputs and turns the contributors' and validators' shares into payouts.
 *
 * - Each output's weights add up to WEIGHT_SCALE; the epoch's weights are the outputs' weights
 *   added up and normalised again, so every attributed output counts the same. Outputs with no
 *   qualifying span are left out; if none qualifies, every contribution of the corpus weighs the same
 *   (the model still learned from all of it).
 * - The contributors' share goes to contributions by weight, then to their contributors. The
 *   validators' share goes to contributions that have accepting validators, by weight, then equally
 *   to those validators.
 * - No account may take more than `maxLeafAmount` (the contract's per-recipient cap): the excess is
 *   shared among the others in proportion to what they have, again and again; what no one can take
 *   is `unassigned`.
 * All arithmetic is on integers with exact apportioning, and every list is ordered by id or address,
 * so the same inputs give the same root byte for byte, on any machine.
 */
export function runAttribution(params: {
  index: SpanIndex;
  outputs: readonly InferenceOutput[];
  earners: ReadonlyMap<bigint, ContributionEarners>;
  contributorsAmount: bigint;
  validatorsAmount: bigint;
  maxLeafAmount: bigint;
  options?: AttributionOptions;
}): AttributionResult {
  const { index, outputs, earners, contributorsAmount, validatorsAmount, maxLeafAmount } = params;
  if (contributorsAmount < 0n || validatorsAmount < 0n) throw new InvalidInputError("amounts", "must not be negative");
  if (maxLeafAmount <= 0n) throw new InvalidInputError("maxLeafAmount", "must be at least 1 wei");
  for (const id of index.contributionIds) {
    if (!earners.has(id)) throw new InvalidInputError("earners", `contribution ${id} has no contributor given`);
  }
  const seen = new Set<string>();
  const perOutput = new Map<string, OutputAttribution>();
  const records: AttributionRecord[] = [];
  const totals = new Map<bigint, bigint>();
  for (const output of [...outputs].sort((a, b) => compareStrings(a.inferenceId, b.inferenceId))) {
    if (seen.has(output.inferenceId)) throw new InvalidInputError("outputs", `inference ${output.inferenceId} is given twice`);
    seen.add(output.inferenceId);
    const attribution = attributeOutput(index, output.text, params.options);
    perOutput.set(output.inferenceId, attribution);
    for (const [contributionId, weight] of attribution.weights) {
      records.push({ inferenceId: output.inferenceId, contributionId, weight });
      totals.set(contributionId, (totals.get(contributionId) ?? 0n) + weight);
    }
  }
  const byId = totals.size > 0 ? [...totals].sort(([a], [b]) => compareBigints(a, b)) : index.contributionIds.map((id) => [id, 1n] as const);
  const weights = new Map(apportion(WEIGHT_SCALE, byId));

  const amounts = new Map<Address, bigint>();
  const credit = (account: Address, amount: bigint) => {
    const key = getAddress(account);
    amounts.set(key, (amounts.get(key) ?? 0n) + amount);
  };
  const ordered = [...weights].filter(([, w]) => w > 0n);
  for (const [id, amount] of apportion(contributorsAmount, ordered)) credit(earners.get(id)!.contributor, amount);
  let unassigned = 0n;
  const validated = ordered.filter(([id]) => earners.get(id)!.validators.length > 0);
  if (validated.length === 0) unassigned += validatorsAmount;
  else {
    for (const [id, amount] of apportion(validatorsAmount, validated)) {
      const validators = [...new Set(earners.get(id)!.validators.map((v) => getAddress(v)))].sort(compareStrings);
      for (const [validator, part] of apportion(amount, validators.map((v) => [v, 1n] as const))) credit(validator, part);
    }
  }
  unassigned += capAmounts(amounts, maxLeafAmount);
  const payouts = [...amounts]
    .filter(([, amount]) => amount > 0n)
    .sort(([a], [b]) => compareStrings(a.toLowerCase(), b.toLowerCase()))
    .map(([account, amount]) => ({ account, amount }));
  return {
    records,
    recordsHash: keccak256(stringToBytes(formatAttributionRecords(records))),
    weights,
    perOutput,
    payouts,
    unassigned,
    epoch: buildMerkleEpoch(payouts),
  };
}

/**
 * Lowers every amount above `cap` to it and shares the excess among the accounts below it, in
 * proportion to their amounts, until none is above; returns what no account could take.
 */
function capAmounts(amounts: Map<Address, bigint>, cap: bigint): bigint {
  const capped = new Set<Address>();
  for (;;) {
    let excess = 0n;
    for (const [account, amount] of amounts) {
      if (amount > cap) {
        excess += amount - cap;
        amounts.set(account, cap);
        capped.add(account);
      }
    }
    if (excess === 0n) return 0n;
    const open = [...amounts]
      .filter(([account, amount]) => !capped.has(account) && amount > 0n)
      .sort(([a], [b]) => compareStrings(a.toLowerCase(), b.toLowerCase()));
    if (open.length === 0) return excess;
    for (const [account, extra] of apportion(excess, open)) amounts.set(account, amounts.get(account)! + extra);
  }
}

/** The canonical text of the records, the preimage of `recordsHash`: one JSON line per record. */
export function formatAttributionRecords(records: readonly AttributionRecord[]): string {
  return records.map((r) => `${JSON.stringify([r.inferenceId, r.contributionId.toString(), r.weight.toString()])}\n`).join("");
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
