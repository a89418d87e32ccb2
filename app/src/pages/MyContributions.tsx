import { ContributionStatus, fetchAttestationLogs, MAX_PAGE, ReasonCode, reputationScore, type ContributionRecord } from "@openledger-evm/sdk";
import type { Address } from "viem";

import { STATUS_NAMES, Table } from "../components.tsx";
import { Alert, INDEXER_REFRESH_MS, Listed, Loaded, open, useApp, useLoad, useWallet, when } from "../protocol.tsx";

const REASONS: Record<number, string> = {
  [ReasonCode.Ok]: "no reason given",
  [ReasonCode.HashMismatch]: "the bytes did not hash to the registered content hash",
  [ReasonCode.TooShort]: "too short",
  [ReasonCode.Spam]: "spam",
  [ReasonCode.NotText]: "not text",
  [ReasonCode.TooLarge]: "too large",
  [ReasonCode.Duplicate]: "a duplicate of another contribution",
  [ReasonCode.ContentUnavailable]: "the content could not be fetched by its CID",
  [ReasonCode.SizeMismatch]: "its size differs from the declared size",
};
const reasonText = (code: number) => REASONS[code] ?? `reason code ${code} (the validator's own)`;

interface VerdictRow {
  validator: Address;
  accept: boolean;
  quality: number;
  reasonCode: number;
}

/** The connected account's contributions: status, each verdict, quality, points, score, earnings, and why any was rejected. */
export default function MyContributions({ id }: { id: bigint }) {
  const { reader, indexer } = useApp();
  const wallet = useWallet();
  const mine = useLoad(
    ["mine", wallet.account, String(id)],
    async () => {
      const account = wallet.account!;
      const readContributions = async () => {
        const all: ContributionRecord[] = [];
        for (let after = 0n; ; ) {
          const { items, next } = await indexer.contributions({ datanetId: id, contributor: account, limit: MAX_PAGE, after });
          all.push(...items);
          if (next === undefined) return all;
          after = next;
        }
      };
      const [contributions, logs, reputation, credit] = await Promise.all([
        readContributions(),
        fetchAttestationLogs(reader),
        reader.reputation.get({ datanetId: id, contributor: account }),
        reader.contributions.credit({ account }),
      ]);
      const verdicts = new Map<bigint, VerdictRow[]>();
      const closed = new Map<bigint, { quality: number; points: bigint }>();
      for (const log of logs) {
        const args = log.args as Record<string, unknown>;
        if (log.eventName === "VerdictRecorded") {
          const key = args.contributionId as bigint;
          verdicts.set(key, [...(verdicts.get(key) ?? []), { validator: args.validator as Address, accept: args.accept as boolean, quality: Number(args.quality), reasonCode: Number(args.reasonCode) }]);
        } else if (log.eventName === "ValidationClosed") {
          closed.set(args.contributionId as bigint, { quality: Number(args.quality), points: args.contributorPoints as bigint });
        }
      }
      const epochs = [...new Set(contributions.map((c) => BigInt(c.epoch)))];
      const claimable = epochs.length === 0 ? [] : await reader.rewards.claimable({ datanetId: id, account, epochs });
      return { contributions, verdicts, closed, reputation, credit, claimable };
    },
    { enabled: wallet.account !== undefined, refetchInterval: INDEXER_REFRESH_MS },
  );
  return (
    <>
      <h1>My contributions to datanet #{String(id)}</h1>
      {wallet.account === undefined ? (
        <Alert text={wallet.problem} />
      ) : (
        <Loaded query={mine} what="your contributions">
          {({ contributions, verdicts, closed, reputation, credit, claimable }) => (
            <>
              <p data-testid="reputation">
                Score {(Number(reputation.score) / 1e16).toFixed(1)}% ({reputation.accepted} accepted, {reputation.rejected} rejected; recomputed{" "}
                {(Number(reputationScore(BigInt(reputation.accepted), BigInt(reputation.rejected), reputation.qualitySum)) / 1e16).toFixed(1)}%). Earnings: {open(credit)} of refunded
                bonds to withdraw; {open(claimable.reduce((sum, c) => sum + c.contributorShare, 0n))} of rewards to claim.
              </p>
              <Listed
                items={contributions}
                empty={
                  <>
                    No contribution from this account yet. <a href={`#/contribute/${id}`}>Contribute</a>
                  </>
                }
              >
                {(list) => (
                  <Table caption={<>{contributions.length} contribution(s)</>} columns={["#", "Status", "Verdicts", "Quality", "Points", "Reason", "Verdicts open"]}>
                    {list.map((c) => {
                      const judged = verdicts.get(c.contributionId) ?? [];
                      const outcome = closed.get(c.contributionId);
                      const rejections = judged.filter((v) => !v.accept);
                      return (
                        <tr key={String(c.contributionId)}>
                          <td>{String(c.contributionId)}</td>
                          <td>{STATUS_NAMES[c.status]}</td>
                          <td>
                            {judged.length === 0
                              ? "none yet"
                              : judged.map((v) => `${v.accept ? "accept" : "reject"} (${v.quality})`).join(", ")}
                          </td>
                          <td>{outcome?.quality ?? "–"}</td>
                          <td>{outcome === undefined ? "–" : (Number(outcome.points) / 100).toFixed(0)}</td>
                          <td>
                            {c.status === ContributionStatus.Rejected
                              ? [...new Set(rejections.map((v) => reasonText(v.reasonCode)))].join("; ") || "rejected by stake"
                              : c.status === ContributionStatus.Withdrawn
                                ? "withdrawn by you"
                                : c.status === ContributionStatus.Displaced
                                  ? "an older commitment to the same content was revealed"
                                  : "–"}
                          </td>
                          <td>{when(c.votingOpensAt)}</td>
                        </tr>
                      );
                    })}
                  </Table>
                )}
              </Listed>
            </>
          )}
        </Loaded>
      )}
    </>
  );
}
