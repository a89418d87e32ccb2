import type { ReactNode } from "react";

import { ContributionStatus, DataKind, type DatanetPolicy } from "@openledger-evm/sdk";

import { open } from "./protocol.tsx";

export const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ContributionStatus).map(([name, value]) => [value, name]));
export const KIND_NAMES: Record<number, string> = Object.fromEntries(Object.entries(DataKind).map(([name, value]) => [value, name]));

const duration = (seconds: number) => (seconds % 3_600 === 0 ? `${seconds / 3_600} h` : `${Math.round(seconds / 60)} min`);
const bytes = (n: bigint) => (n >= 1_048_576n && n % 1_048_576n === 0n ? `${n / 1_048_576n} MiB` : n >= 1_024n && n % 1_024n === 0n ? `${n / 1_024n} KiB` : `${n} bytes`);

/** A datanet policy (or an epoch's fixed terms) as a readable table. */
export function PolicyTable({ policy, caption }: { policy: DatanetPolicy; caption: string }) {
  const rows: [string, string][] = [
    ["Largest item", bytes(policy.maxBytesPerContribution)],
    ["Items per contributor per epoch", String(policy.maxContributionsPerContributorPerEpoch)],
    ["Bytes per contributor per epoch", bytes(policy.maxBytesPerContributorPerEpoch)],
    ["Bytes per datanet per epoch", bytes(policy.maxBytesPerDatanetPerEpoch)],
    ["Epoch length", duration(policy.epochLength)],
    ["Allowlisted contributors only", policy.allowlistOnly ? "yes" : "no"],
    ["Submission bond per item", open(policy.submissionBond)],
    ["Validation window", duration(policy.validationWindow)],
    ["Minimum validator stake", open(policy.minValidatorStake)],
    ["Quorum (verdicts)", String(policy.quorum)],
    ["Acceptance threshold", `${policy.acceptanceThresholdBps / 100}% of stake`],
    ["Contributors' share of rewards", `${policy.contributorRewardBps / 100}%`],
  ];
  return (
    <table>
      <caption>{caption}</caption>
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table with its caption and column headings; the children are its body's rows. */
export function Table({ caption, columns, children }: { caption: ReactNode; columns: readonly string[]; children: ReactNode }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column} scope="col">
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
