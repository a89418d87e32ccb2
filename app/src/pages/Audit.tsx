import { useState } from "react";

import { fetchModelLogs, rebuildModelLineage, verifyModelLineage, verifyRegistryState, type Discrepancy } from "@openledger-evm/sdk";

import { Table } from "../components.tsx";
import { ActionStatus, Listed, useAction, useApp } from "../protocol.tsx";

/** The SDK's auditor, run from the page against the node: the history rebuilt from events, checked against every view. */
export default function Audit() {
  const { reader } = useApp();
  const action = useAction();
  const [found, setFound] = useState<Discrepancy[] | undefined>();
  const run = () =>
    action.run(async (step) => {
      setFound(undefined);
      step("Rebuilding the registry from its events…");
      const state = await reader.history.rebuild();
      step(`Checking ${state.datanets.size} datanet(s) and ${state.contributions.size} contribution(s) against the registry's views and version roots…`);
      const registry = await verifyRegistryState(reader, state);
      step("Rebuilding every model's lineage and checking it against the factory and the datanet versions…");
      const lineage = rebuildModelLineage(await fetchModelLogs(reader));
      const models = await verifyModelLineage(reader, lineage);
      const all = [...registry, ...models];
      setFound(all);
      return all.length === 0
        ? `No discrepancy: ${state.contributions.size} contribution(s) and ${lineage.size} model(s) verified against the chain.`
        : `${all.length} discrepanc${all.length === 1 ? "y" : "ies"} found.`;
    });
  return (
    <>
      <h1>Audit</h1>
      <p>Rebuilds the protocol's state from its events alone, then compares every value with the contracts' views at the same block.</p>
      <button type="button" disabled={action.busy} onClick={run}>
        Run the audit
      </button>
      <ActionStatus action={action} />
      <Listed items={found ?? []}>
        {(list) => (
          <Table caption="Discrepancies" columns={["Entity", "Field", "From events", "On chain"]}>
            {list.map((d, i) => (
              <tr key={i}>
                <td>{d.entity}</td>
                <td>{d.field}</td>
                <td>{d.expected}</td>
                <td>{d.actual}</td>
              </tr>
            ))}
          </Table>
        )}
      </Listed>
    </>
  );
}
