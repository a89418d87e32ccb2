import { InvalidInputError } from "../errors.ts";

/**
 * Divides `total` in proportion to `weights` exactly: each key gets the floor of its share, and the
 * wei that flooring leaves go one each to the largest remainders, ties to the earlier key. The
 * parts always add up to `total`, and the same inputs in the same order always give the same parts.
 */
export function apportion<K>(total: bigint, weights: readonly (readonly [K, bigint])[]): [K, bigint][] {
  const sum = weights.reduce((acc, [, weight]) => acc + weight, 0n);
  if (sum <= 0n) throw new InvalidInputError("weights", "must have a positive sum");
  const parts = weights.map(([key, weight], position) => ({
    key,
    position,
    amount: (total * weight) / sum,
    remainder: (total * weight) % sum,
  }));
  let left = total - parts.reduce((acc, p) => acc + p.amount, 0n);
  const byRemainder = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? a.position - b.position : a.remainder > b.remainder ? -1 : 1,
  );
  for (const part of byRemainder) {
    if (left === 0n) break;
    part.amount += 1n;
    left -= 1n;
  }
  return parts.map((p) => [p.key, p.amount]);
}
