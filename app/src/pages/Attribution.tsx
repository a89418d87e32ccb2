import { useState, type ReactNode } from "react";

import {
  AttributionStatus,
  cidOfUri,
  ContentUnavailableError,
  gatewayFetcher,
  parseAttributionResultFile,
  type AttributionResultFile,
  type SpanExplanation,
} from "@openledger-evm/sdk";

import { Table } from "../components.tsx";
import { ActionStatus, Alert, Loaded, open, Short, useAction, useApp, useLoad, useModelLineage, useWallet } from "../protocol.tsx";

/** IProofOfAttribution.AttributionStatus, in words. */
const POOL_STATUS = ["not yet attributed", "attribution proposed", "attribution rejected", "released to its earners", "left unattributed"];

/** The output text with each matched span marked and linked to the contributions it comes from. */
function Highlighted({ text, spans }: { text: string; spans: SpanExplanation[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const [i, span] of spans.entries()) {
    const start = text.indexOf(span.text, at);
    if (start < 0) continue;
    parts.push(text.slice(at, start));
    parts.push(
      <mark key={i} title={`from ${span.sources.map((s) => `#${s.contributionId}`).join(", ")}`}>
        {span.text}
      </mark>,
    );
    at = start + span.text.length;
  }
  parts.push(text.slice(at));
  return <blockquote className="content">{parts}</blockquote>;
}

/** A result file loaded for one model epoch, verified against the chain. */
interface LoadedResult {
  key: string;
  source: string;
  file: AttributionResultFile;
}

/**
 * The payouts of a model epoch and their claims, as a Merkle distributor's front end does it: the
 * attributor's published result file (by CID from the storage service, or a file), verified against
 * the root proposed on chain before anything is shown; each payout's claimed state read on chain;
 * the chosen unclaimed leaves claimed in one transaction (relayable: each is paid to its own account).
 */
function Payouts({ modelId, epoch }: { modelId: bigint; epoch: bigint }) {
  const { config, reader } = useApp();
  const wallet = useWallet();
  const load = useAction();
  const claim = useAction();
  const [cid, setCid] = useState("");
  const [result, setResult] = useState<LoadedResult | undefined>();
  const [chosen, setChosen] = useState<Set<bigint>>(new Set());
  const key = `${modelId}/${epoch}`;
  const current = result?.key === key ? result : undefined;
  const pool = useLoad(["fee-pool", key], () => reader.attribution.pool({ modelId, epoch }));
  const claimed = useLoad(
    ["claimed", key, current?.file.root],
    async () => {
      const poolId = reader.attribution.poolId(modelId);
      const poster = config.deployment.contracts.proofOfAttribution;
      const released = (await reader.attribution.pool({ modelId, epoch })).status === AttributionStatus.Released;
      const states = await Promise.all(current!.file.claims.map((c) => (released ? reader.epochs.isClaimed({ poster, poolId, epoch, index: c.index }) : false)));
      return { released, claimed: new Set(current!.file.claims.filter((_, i) => states[i]).map((c) => c.index)) };
    },
    { enabled: current !== undefined },
  );

  /** Parses and verifies the text; only a result that holds replaces what is shown. */
  const accept = async (text: string, source: string) => {
    const file = parseAttributionResultFile(text, source);
    await reader.attribution.verifyPublished({ modelId, epoch, file });
    setResult({ key, source, file });
    setChosen(new Set());
    return `${source} verified against the root proposed on chain: ${file.claims.length} payout(s), ${open(file.total)} in all.`;
  };
  const fetchByCid = () =>
    load.run(async (step) => {
      const wanted = cid.trim().replace(/^ipfs:\/\//, "");
      if (wanted === "") throw new Error("Enter the CID the attributor published the result under.");
      step(`Fetching ${wanted} from the storage service (every block checked against the CID)…`);
      return accept(new TextDecoder().decode(await gatewayFetcher(config.storageUrl).get(wanted)), `The result ${wanted}`);
    });
  const pickFile = (files: FileList | null) => {
    const picked = files?.[0];
    if (picked !== undefined) void load.run(async () => accept(await picked.text(), picked.name));
  };
  const claimChosen = () =>
    claim.run(async (step) => {
      const claims = current!.file.claims.filter((c) => chosen.has(c.index));
      step(`Claiming ${claims.length} payout(s) in one transaction; each is paid to its own account…`);
      const { paid } = await (await (await wallet.writer()).attribution.claim({ modelId, epoch, claims })).wait();
      setChosen(new Set());
      return `Claimed ${paid.length} payout(s): ${paid.map((p) => `${open(p.amount)} to ${p.account}`).join(", ")}.`;
    });
  const toggle = (index: bigint) =>
    setChosen((set) => {
      const next = new Set(set);
      if (!next.delete(index)) next.add(index);
      return next;
    });

  return (
    <>
      <Loaded query={pool} what="the fee pool">
        {(p) => (
          <p data-testid="fee-pool">
            Attribution epoch {String(epoch)}: {open(p.fees)} of inference fees, {POOL_STATUS[p.status] ?? `status ${p.status}`}; split {p.split.contributorsBps / 100}% to
            contributors, {p.split.developerBps / 100}% to the developer, {p.split.validatorsBps / 100}% to validators; {open(p.merkleTotal)} in the proposed payout tree.
          </p>
        )}
      </Loaded>
      <h3>Load the published result</h3>
      <p>
        The attributor publishes the result file of <code>openledger attribution run --out</code> (every payout with its proof). It is checked against the root proposed on chain
        for this model and epoch before anything is shown.
      </p>
      <label>
        Result CID <input value={cid} onChange={(e) => setCid(e.target.value)} placeholder="bafk…" className="mono" />
      </label>{" "}
      <button type="button" disabled={load.busy} onClick={fetchByCid}>
        Fetch and verify
      </button>{" "}
      <label>
        or a result file <input
          type="file"
          accept="application/json,.json"
          onChange={(e) => {
            pickFile(e.target.files);
            e.target.value = ""; // the same file picked again (after an edit) is read again
          }}
        />
      </label>
      <ActionStatus action={load} />
      {current !== undefined && (
        <Loaded query={claimed} what="which payouts are claimed">
          {({ released, claimed: done }) => (
            <>
              <Table caption={<>{current.file.claims.length} payout(s) of model #{String(modelId)}, epoch {String(epoch)} ({current.source})</>} columns={["Claim", "Leaf", "Account", "Amount", "State"]}>
                {current.file.claims.map((c) => (
                  <tr key={String(c.index)}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Claim leaf ${c.index}`}
                        disabled={!released || done.has(c.index)}
                        checked={chosen.has(c.index)}
                        onChange={() => toggle(c.index)}
                      />
                    </td>
                    <td>{String(c.index)}</td>
                    <td>
                      <Short address={c.account} />
                    </td>
                    <td>{open(c.amount)}</td>
                    <td>{done.has(c.index) ? "claimed" : released ? "unclaimed" : "not released yet"}</td>
                  </tr>
                ))}
              </Table>
              {released ? (
                <button type="button" disabled={claim.busy || chosen.size === 0 || wallet.problem !== undefined} onClick={claimChosen}>
                  Claim {chosen.size} chosen payout(s)
                </button>
              ) : (
                <p>The payouts can be claimed once the epoch is released, after its challenge window.</p>
              )}
              <Alert text={wallet.problem} />
              <ActionStatus action={claim} />
            </>
          )}
        </Loaded>
      )}
    </>
  );
}

/** The model's attribution epochs (those that took fees), latest first, to choose from. */
function EpochPicker({ modelId, epoch, onChange }: { modelId: bigint; epoch: bigint | undefined; onChange: (epoch: bigint) => void }) {
  const { reader } = useApp();
  const epochs = useLoad(["fee-epochs", String(modelId)], async () => (await reader.attribution.feeEpochs({ modelId })).reverse());
  return (
    <Loaded query={epochs} what="the model's attribution epochs" empty={`Model #${modelId} has taken no inference fees yet.`}>
      {(list) => (
        <>
          <label htmlFor="attribution-epoch">Attribution epoch</label>{" "}
          <select id="attribution-epoch" value={String(epoch ?? list[0])} onChange={(e) => onChange(BigInt(e.target.value))}>
            {list.map((e) => (
              <option key={String(e)} value={String(e)}>
                {String(e)}
              </option>
            ))}
          </select>
          <Payouts modelId={modelId} epoch={epoch ?? list[0]!} />
        </>
      )}
    </Loaded>
  );
}

/** Attribution, per model and epoch: the payouts and their claims, and an output explained against the model's training contributions. */
export default function Attribution() {
  const { config, reader } = useApp();
  const models = useModelLineage();
  const action = useAction();
  const [chosenModel, setChosenModel] = useState<bigint | undefined>();
  const [epoch, setEpoch] = useState<bigint | undefined>();
  const [output, setOutput] = useState("");
  const [explained, setExplained] = useState<{ text: string; spans: SpanExplanation[]; datanetOf: Map<bigint, bigint> } | undefined>();
  const modelId = chosenModel ?? models.data?.[0]?.modelId;

  const explain = () =>
    action.run(async (step) => {
      if (modelId === undefined) throw new Error("Choose a model first.");
      if (output.trim() === "") throw new Error("Paste a model output to explain.");
      step("Fetching the model's training contributions by CID and indexing them…");
      const gateway = gatewayFetcher(config.storageUrl);
      const [result] = await reader.attribution.explain({
        modelId,
        outputs: [{ inferenceId: "pasted", text: output }],
        fetchContent: async (c) => {
          const cid = cidOfUri(c.uri);
          if (cid === undefined) throw new ContentUnavailableError(c.uri, "the URI is not ipfs://<cid>");
          return gateway.get(cid);
        },
      });
      const { spans } = result!.explanation;
      const state = await reader.history.rebuild();
      setExplained({ text: output, spans, datanetOf: new Map([...state.contributions].map(([id, c]) => [id, c.datanetId])) });
      return spans.length === 0 ? "No span of this output comes from the model's training data." : `${spans.length} span(s) matched.`;
    });

  return (
    <>
      <h1>Attribution</h1>
      <Loaded query={models} what="the models" empty="No model is registered yet.">
        {(list) => (
          <p>
            <label htmlFor="attribution-model">Model</label>{" "}
            <select
              id="attribution-model"
              value={String(modelId)}
              onChange={(e) => {
                setChosenModel(BigInt(e.target.value));
                setEpoch(undefined);
              }}
            >
              {list.map((m) => (
                <option key={String(m.modelId)} value={String(m.modelId)}>
                  #{String(m.modelId)} {m.name}
                </option>
              ))}
            </select>
          </p>
        )}
      </Loaded>
      {modelId !== undefined && (
        <>
          <section aria-labelledby="payouts-title">
            <h2 id="payouts-title">Payouts and claims</h2>
            <EpochPicker key={String(modelId)} modelId={modelId} epoch={epoch} onChange={setEpoch} />
          </section>
          <section aria-labelledby="explain-title">
            <h2 id="explain-title">Explain an output</h2>
            <label htmlFor="output">A model output to explain</label>
            <textarea id="output" rows={5} value={output} onChange={(e) => setOutput(e.target.value)} />
            <button type="button" disabled={action.busy} onClick={explain}>
              Explain
            </button>
            <ActionStatus action={action} />
            {explained !== undefined && (
              <>
                <Highlighted text={explained.text} spans={explained.spans} />
                <Table caption="Where each matched span comes from" columns={["Span", "Occurrences", "Contributions"]}>
                  {explained.spans.map((s, i) => (
                    <tr key={i}>
                      <td>{s.text}</td>
                      <td>{s.occurrences}</td>
                      <td>
                        {s.sources.map((src) => (
                          <a
                            key={String(src.contributionId)}
                            href={`#/datanet/${explained.datanetOf.get(src.contributionId) ?? ""}`}
                            title={src.snippet ? `${src.snippet.before}[${src.snippet.match}]${src.snippet.after}` : undefined}
                          >
                            contribution #{String(src.contributionId)}{" "}
                          </a>
                        ))}
                      </td>
                    </tr>
                  ))}
                </Table>
              </>
            )}
          </section>
        </>
      )}
    </>
  );
}
