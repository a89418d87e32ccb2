import { useState, type ReactNode } from "react";

import { cidOfUri, ContentUnavailableError, gatewayFetcher, type SpanExplanation } from "@openledger-evm/sdk";

import { ActionStatus, Loaded, open, useAction, useApp, useLoad } from "../protocol.tsx";

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

/** Attribution: an output explained against a model's training contributions, and the model epoch's fee pool. */
export default function Attribution() {
  const { config, reader } = useApp();
  const action = useAction();
  const [modelId, setModelId] = useState("1");
  const [output, setOutput] = useState("");
  const [explained, setExplained] = useState<{ text: string; spans: SpanExplanation[]; datanetOf: Map<bigint, bigint> } | undefined>();
  const validModel = /^[1-9]\d*$/.test(modelId);
  const pool = useLoad(
    ["fee-pool", modelId],
    async () => {
      // The latest epoch that took fees (the current one when none has).
      const read = (epoch: bigint) => reader.attribution.pool({ modelId: BigInt(modelId), epoch });
      const current = await reader.attribution.currentEpoch();
      let epoch = current;
      let pool = await read(epoch);
      while (pool.fees === 0n && epoch > 0n) pool = await read(--epoch);
      return pool.fees > 0n ? { epoch, pool } : { epoch: current, pool: await read(current) };
    },
    { enabled: validModel },
  );

  const explain = () =>
    action.run(async (step) => {
      if (!validModel) throw new Error(`"${modelId}" is not a model id.`);
      if (output.trim() === "") throw new Error("Paste a model output to explain.");
      step("Fetching the model's training contributions by CID and indexing them…");
      const gateway = gatewayFetcher(config.storageUrl);
      const [result] = await reader.attribution.explain({
        modelId: BigInt(modelId),
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
      <label>
        Model <input value={modelId} inputMode="numeric" onChange={(e) => setModelId(e.target.value)} />
      </label>
      {validModel && (
        <Loaded query={pool} what="the fee pool">
          {({ epoch, pool: p }) => (
            <p data-testid="fee-pool">
              Attribution epoch {String(epoch)}: {open(p.fees)} of inference fees, {POOL_STATUS[p.status] ?? `status ${p.status}`}; split {p.split.contributorsBps / 100}% to contributors,{" "}
              {p.split.developerBps / 100}% to the developer, {p.split.validatorsBps / 100}% to validators; {open(p.merkleTotal)} in the proposed payout tree.
            </p>
          )}
        </Loaded>
      )}
      <label htmlFor="output">A model output to explain</label>
      <textarea id="output" rows={5} value={output} onChange={(e) => setOutput(e.target.value)} />
      <button type="button" disabled={action.busy} onClick={explain}>
        Explain
      </button>
      <ActionStatus action={action} />
      {explained !== undefined && (
        <>
          <Highlighted text={explained.text} spans={explained.spans} />
          <table>
            <caption>Where each matched span comes from</caption>
            <thead>
              <tr>
                <th scope="col">Span</th>
                <th scope="col">Occurrences</th>
                <th scope="col">Contributions</th>
              </tr>
            </thead>
            <tbody>
              {explained.spans.map((s, i) => (
                <tr key={i}>
                  <td>{s.text}</td>
                  <td>{s.occurrences}</td>
                  <td>
                    {s.sources.map((src) => (
                      <a key={String(src.contributionId)} href={`#/datanet/${explained.datanetOf.get(src.contributionId) ?? ""}`} title={src.snippet ? `${src.snippet.before}[${src.snippet.match}]${src.snippet.after}` : undefined}>
                        contribution #{String(src.contributionId)}{" "}
                      </a>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
