import { getAddress, isHex, type Hex } from "viem";

import { assertVerdict, type SignedVerdict } from "./actions/validators.ts";
import { InvalidInputError } from "./errors.ts";
import { assertAddress, assertBytes32, assertPositiveId, assertUint64 } from "./validate.ts";

/** The `format` tag of the signed-verdicts wire format (version 1). */
export const SIGNED_VERDICTS_FORMAT = "openledger/signed-verdicts@1";

/** One signed verdict as JSON: the bigints (`contributionId`, `deadline`) as decimal strings. */
export interface SignedVerdictJson {
  validator: string;
  verdict: { contentHash: string; accept: boolean; quality: number; reasonCode: number };
  contributionId: string;
  generation: number;
  deadline: string;
  signature: string;
}

/** The JSON a validator posts to a relayer: `{ "format": "openledger/signed-verdicts@1", "verdicts": [...] }`. */
export interface SignedVerdictsJson {
  format: typeof SIGNED_VERDICTS_FORMAT;
  verdicts: SignedVerdictJson[];
}

/** The JSON form of signed verdicts (plain data, ready for `JSON.stringify`). */
export function signedVerdictsToJson(signed: readonly SignedVerdict[]): SignedVerdictsJson {
  return {
    format: SIGNED_VERDICTS_FORMAT,
    verdicts: signed.map((s) => ({
      validator: s.validator,
      verdict: { contentHash: s.verdict.contentHash, accept: s.verdict.accept, quality: s.verdict.quality, reasonCode: s.verdict.reasonCode },
      contributionId: s.contributionId.toString(),
      generation: s.generation,
      deadline: s.deadline.toString(),
      signature: s.signature,
    })),
  };
}

/** Signed verdicts as a JSON string a browser validator can post to a relayer; `parseSignedVerdicts` reads it back. */
export function serializeSignedVerdicts(signed: readonly SignedVerdict[]): string {
  return JSON.stringify(signedVerdictsToJson(signed));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A decimal string of a whole number (no sign, no exponent, no leading zeros). */
function uint(field: string, value: unknown): bigint {
  if (typeof value !== "string" || !/^(0|[1-9]\d*)$/.test(value)) throw new InvalidInputError(field, `${JSON.stringify(value)} is not a decimal string of a whole number`);
  return BigInt(value);
}

function parseOne(value: unknown, field: string): SignedVerdict {
  if (!isObject(value)) throw new InvalidInputError(field, "is not an object");
  const { validator, verdict, contributionId, generation, deadline, signature } = value;
  if (typeof validator !== "string") throw new InvalidInputError(`${field}.validator`, "is not a string");
  assertAddress(`${field}.validator`, validator);
  if (!isObject(verdict)) throw new InvalidInputError(`${field}.verdict`, "is not an object");
  const { contentHash, accept, quality, reasonCode } = verdict;
  if (typeof contentHash !== "string") throw new InvalidInputError(`${field}.verdict.contentHash`, "is not a string");
  assertBytes32(`${field}.verdict.contentHash`, contentHash);
  const parsed = { contentHash, accept, quality, reasonCode } as SignedVerdict["verdict"];
  assertVerdict(parsed, `${field}.verdict`);
  const id = uint(`${field}.contributionId`, contributionId);
  assertPositiveId(`${field}.contributionId`, id);
  if (typeof generation !== "number" || !Number.isSafeInteger(generation) || generation < 0) {
    throw new InvalidInputError(`${field}.generation`, `${JSON.stringify(generation)} is not a whole number`);
  }
  const until = uint(`${field}.deadline`, deadline);
  assertUint64(`${field}.deadline`, until);
  if (typeof signature !== "string" || !isHex(signature, { strict: true }) || signature.length !== 132) {
    throw new InvalidInputError(`${field}.signature`, "is not a 65-byte hex signature");
  }
  return { validator: getAddress(validator), verdict: parsed, contributionId: id, generation, deadline: until, signature: signature as Hex };
}

/**
 * Reads signed verdicts in the wire format (a JSON string or the parsed object), checking every field;
 * anything malformed is an `InvalidInputError` naming the field (`verdicts[2].deadline`). Signatures
 * are checked against the chain by the aggregator's `add`, not here.
 */
export function parseSignedVerdicts(input: string | unknown): SignedVerdict[] {
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (cause) {
      throw new InvalidInputError("signedVerdicts", `not JSON (${(cause as Error).message})`);
    }
  }
  if (!isObject(json)) throw new InvalidInputError("signedVerdicts", "is not a JSON object");
  if (json.format !== SIGNED_VERDICTS_FORMAT) {
    throw new InvalidInputError("format", `${JSON.stringify(json.format)} is not ${JSON.stringify(SIGNED_VERDICTS_FORMAT)}`);
  }
  if (!Array.isArray(json.verdicts)) throw new InvalidInputError("verdicts", "is not an array");
  return json.verdicts.map((v, i) => parseOne(v, `verdicts[${i}]`));
}
