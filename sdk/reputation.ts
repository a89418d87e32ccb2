/**
 * The on-chain reputation formula (contracts/libraries/ReputationMath.sol), in exact bigint
 * arithmetic with the same rounding, so a score rebuilt from events equals the chain's to the wei.
 */
const WAD = 10n ** 18n;
const Z = 196n * 10n ** 16n;
const Z_SQUARED = 38_416n * 10n ** 14n;

function sqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/** Wilson score interval lower bound (z = 1.96) of `accepted` in `total`, in 1e18 fixed point. */
export function wilsonLowerBound(accepted: bigint, total: bigint): bigint {
  if (accepted === 0n || total === 0n) return 0n;
  const rejected = total - accepted;
  const variance = (accepted * rejected * WAD) / total + Z_SQUARED / 4n;
  const spread = (Z * sqrt(variance * WAD)) / WAD;
  const centre = accepted * WAD + Z_SQUARED / 2n;
  // Positive for accepted >= 1, as in the contract.
  return ((centre - spread) * WAD) / (total * WAD + Z_SQUARED);
}

/** Reputation score in 1e18 fixed point: Wilson lower bound × mean accepted quality / 100. */
export function reputationScore(accepted: bigint, rejected: bigint, qualitySum: bigint): bigint {
  if (accepted === 0n) return 0n;
  return (wilsonLowerBound(accepted, accepted + rejected) * qualitySum) / (accepted * 100n);
}

/**
 * Reward points of an accepted contribution: quality × (1 + score) with the contributor's score
 * after this acceptance, scaled so a perfect record at quality 100 earns 20,000.
 */
export function contributorPoints(quality: number, scoreAfter: bigint): bigint {
  return (BigInt(quality) * (WAD + scoreAfter)) / 10n ** 16n;
}
