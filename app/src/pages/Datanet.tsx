import { useState } from "react";

import { ContributionStatus } from "@openledger-evm/sdk";

import { KIND_NAMES, PolicyTable, STATUS_NAMES, Table } from "../components.tsx";
import { INDEXER_REFRESH_MS, Listed, Loaded, Short, open, useApp, useLoad, when } from "../protocol.tsx";

/** Contributions per page of the list. */
const PAGE = 50;

/** One datanet: its policy, each epoch's fixed terms, its versions and roots, and its contributions by status. */
export default function Datanet({ id }: { id: bigint }) {
  const { reader, indexer } = useApp();
  const [status, setStatus] = useState<number>(ContributionStatus.Pending);
  /** The cursors of the pages shown so far (the indexer pages by contribution id). */
  const [cursors, setCursors] = useState<bigint[]>([0n]);
  const after = cursors.at(-1)!;
  const page = useLoad(["contributions", String(id), status, String(after)], () => indexer.contributions({ datanetId: id, status: status as ContributionStatus, limit: PAGE, after }), {
    refetchInterval: INDEXER_REFRESH_MS,
  });
  const details = useLoad(["datanet", String(id)], async () => {
    const [info, current] = await Promise.all([reader.datanets.get(id), reader.datanets.currentEpoch(id)]);
    // Terms are fixed for the current epoch and the next: the two a funder can fund.
    const epochs = [BigInt(current), BigInt(current) + 1n];
    const terms = await Promise.all(epochs.map(async (epoch) => ({ epoch, policy: await reader.datanets.epochTerms({ datanetId: id, epoch }) })));
    const versions = await Promise.all(
      Array.from({ length: info.versionCount }, async (_, i) => ({ version: i + 1, ...(await reader.versions.verify({ datanetId: id, version: i + 1 })) })),
    );
    return { info, current, terms, versions };
  });
  return (
    <>
      <h1>Datanet #{String(id)}</h1>
      <Loaded query={details} what="the datanet">
        {({ info, current, terms, versions }) => (
          <>
            <p>
              {KIND_NAMES[info.kind]} data, owned by <Short address={info.owner} />; epoch {current} now;{" "}
              {String(info.acceptedCount)} contribution(s) accepted. <a href={`#/contribute/${id}`}>Contribute</a> ·{" "}
              <a href={`#/leaderboard/${id}`}>Leaderboard</a> · <a href={`#/validate/${id}`}>Validate</a>
            </p>
            <div className="columns">
              <PolicyTable policy={info.policy} caption="Policy (for new epochs)" />
              {terms.map((t) => (
                <PolicyTable key={String(t.epoch)} policy={t.policy} caption={`Epoch ${t.epoch}'s fixed terms`} />
              ))}
            </div>
            <h2>Versions</h2>
            <Listed items={versions} empty="No version published yet.">
              {(list) => (
                <Table caption="Published versions, each root recomputed here from the accepted contributions" columns={["Version", "Root", "Recomputed"]}>
                  {list.map((v) => (
                    <tr key={v.version}>
                      <td>{v.version}</td>
                      <td className="mono">{v.onChainRoot}</td>
                      <td>{v.matches ? "matches" : `differs: ${v.recomputedRoot}`}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </Listed>
          </>
        )}
      </Loaded>
      <h2>Contributions</h2>
      <label>
        Status{" "}
        <select
          value={status}
          onChange={(e) => {
            setStatus(Number(e.target.value));
            setCursors([0n]);
          }}
        >
          {Object.entries(STATUS_NAMES)
            .filter(([value]) => value !== String(ContributionStatus.None))
            .map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
        </select>
      </label>
      <Loaded query={page} what="the contributions">
        {({ items, next }) => (
          <>
            <Table caption={<>{items.length === 0 ? "No" : cursors.length > 1 || next !== undefined ? `Page ${cursors.length}:` : items.length} {STATUS_NAMES[status]?.toLowerCase()} contribution(s)</>} columns={["#", "Contributor", "Size", "Bond", "Submitted", "Content"]}>
              {items.map((c) => (
                <tr key={String(c.contributionId)}>
                  <td>{String(c.contributionId)}</td>
                  <td>
                    <Short address={c.contributor} />
                  </td>
                  <td>{String(c.sizeBytes)} bytes</td>
                  <td>{open(c.bond)}</td>
                  <td>{when(c.submittedAt)}</td>
                  <td className="mono">{c.uri}</td>
                </tr>
              ))}
            </Table>
            {cursors.length > 1 && (
              <button type="button" onClick={() => setCursors(cursors.slice(0, -1))}>
                Previous page
              </button>
            )}{" "}
            {next !== undefined && (
              <button type="button" onClick={() => setCursors([...cursors, next])}>
                Next page
              </button>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}
