import type { DatanetPolicy } from "./actions/datanets.ts";

const DAY = 24 * 60 * 60;
const MIB = 1024n * 1024n;
const OPEN = 10n ** 18n;

/**
 * A policy with moderate defaults (1 MiB per item, 50 items and 10 MiB per contributor per day,
 * 1 GiB per datanet per day, quorum 3, two-thirds acceptance, 80% of rewards to contributors, a
 * submission bond of 10 OPEN per item, and verdicts open for a validation window of 1 day),
 * overridden field by field. The contract range-checks every field (`InvalidPolicy`).
 */
export function datanetPolicy(overrides: Partial<DatanetPolicy> = {}): DatanetPolicy {
  return {
    maxBytesPerContribution: MIB,
    maxContributionsPerContributorPerEpoch: 50,
    maxBytesPerContributorPerEpoch: 10n * MIB,
    maxBytesPerDatanetPerEpoch: 1024n * MIB,
    epochLength: DAY,
    allowlistOnly: false,
    minValidatorStake: 1_000n * OPEN,
    quorum: 3,
    acceptanceThresholdBps: 6_667,
    contributorRewardBps: 8_000,
    submissionBond: 10n * OPEN,
    validationWindow: DAY,
    ...overrides,
  };
}
