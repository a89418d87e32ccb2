import { datanetPolicy } from "../../sdk/policy.ts";

/** Limits high enough that 10,000 benchmark submissions from a dozen accounts fit one epoch. */
export function benchPolicy() {
  return datanetPolicy({
    maxContributionsPerContributorPerEpoch: 1_000_000,
    maxBytesPerContributorPerEpoch: 2n ** 40n,
    maxBytesPerDatanetPerEpoch: 2n ** 50n,
  });
}
