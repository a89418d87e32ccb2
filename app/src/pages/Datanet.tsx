import { useState } from "react";

import { ContributionStatus } from "@openledger-evm/sdk";

import { KIND_NAMES, PolicyTable, STATUS_NAMES } from "../components.tsx";
import { Loaded, Short, open, useApp, useLoad, useRegistry, when } from "../protocol.tsx";

/** One datanet: its policy, each epoch's fixed terms, its versions and roots, and its contributions by status. */
export default function Datanet({ id }: { id: bigint }) {
  const { reader } = useApp();
  const registry = useRegistry();
  const [status, setStatus] = useState<number>(ContributionStatus.Pending);
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
            {versions.length === 0 ? (
              <p>No version published yet.</p>
            ) : (
              <table>
                <caption>Published versions, each root recomputed here from the accepted contributions</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Root</th>
                    <th scope="col">Recomputed</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v) => (
                    <tr key={v.version}>
                      <td>{v.version}</td>
                      <td className="mono">{v.onChainRoot}</td>
                      <td>{v.matches ? "matches" : `differs: ${v.recomputedRoot}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loaded>
      <h2>Contributions</h2>
      <label>
        Status{" "}
        <select value={status} onChange={(e) => setStatus(Number(e.target.value))}>
          {Object.entries(STATUS_NAMES)
            .filter(([value]) => value !== String(ContributionStatus.None))
            .map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
        </select>
      </label>
      <Loaded query={registry} what="the contributions">
        {(state) => {
          const rows = [...state.contributions.values()].filter((c) => c.datanetId === id && c.status === status);
          return (
            <table>
              <caption>
                {rows.length} {STATUS_NAMES[status]?.toLowerCase()} contribution(s)
              </caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Contributor</th>
                  <th scope="col">Size</th>
                  <th scope="col">Bond</th>
                  <th scope="col">Submitted</th>
                  <th scope="col">Content</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
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
              </tbody>
            </table>
          );
        }}
      </Loaded>
    </>
  );
}
