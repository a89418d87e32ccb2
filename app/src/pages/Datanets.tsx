import { KIND_NAMES, Table } from "../components.tsx";
import { Loaded, Short, useRegistry } from "../protocol.tsx";

/** Every datanet: its kind, owner, accepted contributions and versions. */
export default function Datanets() {
  const registry = useRegistry();
  return (
    <>
      <h1>Datanets</h1>
      <Loaded query={registry} what="the datanets" empty="No datanet yet." isEmpty={(state) => state.datanets.size === 0}>
        {(state) => (
          <Table caption={<>{state.datanets.size} datanet(s)</>} columns={["Datanet", "Kind", "Owner", "Accepted", "Versions", "State"]}>
            {[...state.datanets.values()].map((d) => (
              <tr key={String(d.datanetId)}>
                <td>
                  <a href={`#/datanet/${d.datanetId}`}>
                    #{String(d.datanetId)} {d.metadataURI}
                  </a>
                </td>
                <td>{KIND_NAMES[d.kind]}</td>
                <td>
                  <Short address={d.owner} />
                </td>
                <td>{String(d.acceptedCount)}</td>
                <td>{d.versionCount}</td>
                <td>{d.paused ? "paused" : "open"}</td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
    </>
  );
}
