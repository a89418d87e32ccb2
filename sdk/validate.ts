import { isAddress, isHex, type Address, type Hex } from "viem";

import { InvalidInputError } from "./errors.ts";

const MAX_UINT64 = 2n ** 64n - 1n;

/** Ids count from 1. */
export function assertPositiveId(field: string, id: bigint): void {
  if (typeof id !== "bigint" || id <= 0n) throw new InvalidInputError(field, `${String(id)} is not an id (ids start at 1)`);
}

export function assertAddress(field: string, value: string): asserts value is Address {
  if (!isAddress(value)) throw new InvalidInputError(field, `${value} is not an address`);
}

export function assertBytes32(field: string, value: string): asserts value is Hex {
  if (!isHex(value, { strict: true }) || value.length !== 66) {
    throw new InvalidInputError(field, `${value} is not a 32-byte hex value`);
  }
}

export function assertUint64(field: string, value: bigint): void {
  if (typeof value !== "bigint" || value < 0n || value > MAX_UINT64) {
    throw new InvalidInputError(field, `${String(value)} is not a whole number from 0 to 2^64-1`);
  }
}

/** A whole number within [min, max]. */
export const isWhole = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
