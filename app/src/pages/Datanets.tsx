import { KIND_NAMES } from "../components.tsx";
import { Loaded, Short, useRegistry } from "../protocol.tsx";

/** Every datanet: its kind, owner, accepted contributions and versions. */
export default function Datanets() {
  const registry = useRegistry();
  return (
    <>
      <h1>Datanets</h1>
      <Loaded query={registry} what="the datanets">
        {(state) =>
          state.datanets.size === 0 ? (
            <p>No datanet yet.</p>
          ) : (
            <table>
              <caption>{state.datanets.size} datanet(s)</caption>
              <thead>
                <tr>
                  <th scope="col">Datanet</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Accepted</th>
                  <th scope="col">Versions</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
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
              </tbody>
            </table>
          )
        }
      </Loaded>
    </>
  );
}
