import { useState } from "react";

import {
  ADAPTER_WEIGHT_FILES,
  adapterHashOf,
  checkAdapterAgainstSettings,
  cidOfUri,
  estimateFineTune,
  formatTrainConfig,
  gatewayFetcher,
  LLAMA_FACTORY_DEFAULTS,
  LLAMA_FACTORY_RANGES,
  trainConfig,
  trainingMethod,
  withDefaults,
  ContentUnavailableError,
  InvalidInputError,
  parseAdapterConfig,
  versionLeaves,
  type FineTuneSettings,
  type ModelLineage,
  type ModelShape,
  type RegistryState,
} from "@openledger-evm/sdk";

import { download } from "../download.ts";
import { ActionStatus, Loaded, useAction, useApp, useModelLineage, useRegistry, useWallet } from "../protocol.tsx";

/** Base models' shapes (their config.json), for the estimate. */
const BASES: Record<string, ModelShape> = {
  "meta-llama/Llama-3.1-8B": { hiddenSize: 4_096, intermediateSize: 14_336, numLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 8, vocabSize: 128_256 },
  "Qwen/Qwen2.5-7B": { hiddenSize: 3_584, intermediateSize: 18_944, numLayers: 28, numAttentionHeads: 28, numKeyValueHeads: 4, vocabSize: 152_064 },
  "meta-llama/Llama-3.2-1B": { hiddenSize: 2_048, intermediateSize: 8_192, numLayers: 16, numAttentionHeads: 32, numKeyValueHeads: 8, vocabSize: 128_256 },
};
const MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
const GB = 1024 ** 3;

/** A number field with LLaMA-Factory's range; an out-of-range value reads as a sentence. */
function NumberField({ label, value, range, step, onChange }: { label: string; value: number; range: readonly [number, number]; step?: number; onChange: (v: number) => void }) {
  const bad = !(value >= range[0] && value <= range[1]);
  return (
    <label>
      {label}{" "}
      <input type="number" value={Number.isNaN(value) ? "" : value} min={range[0]} max={range[1]} step={step ?? 1} onChange={(e) => onChange(e.target.valueAsNumber)} aria-invalid={bad} />
      {bad && <span role="alert" className="error"> {label} must be from {range[0]} to {range[1]}.</span>}
    </label>
  );
}

/** The estimate as bars: GPU memory for LoRA (16-bit base), QLoRA 8-bit and QLoRA 4-bit. */
function MemoryChart({ shape, rank, modules }: { shape: ModelShape; rank: number; modules: string[] }) {
  const e = estimateFineTune(shape, { rank, targetModules: modules });
  const bars: [string, number][] = [
    ["LoRA (16-bit base)", e.lora.totalBytes],
    ["QLoRA 8-bit", e.qlora8.totalBytes],
    ["QLoRA 4-bit", e.qlora4.totalBytes],
  ];
  const max = Math.max(...bars.map(([, b]) => b));
  return (
    <figure>
      <svg width="520" height="110" role="img" aria-label={`Memory: ${bars.map(([n, b]) => `${n} ${(b / GB).toFixed(1)} GB`).join(", ")}`}>
        {bars.map(([name, bytes], i) => (
          <g key={name} transform={`translate(0, ${i * 34})`}>
            <text x="0" y="20" fontSize="13">
              {name}
            </text>
            <rect x="150" y="6" height="20" width={(300 * bytes) / max} fill={i === 0 ? "#2456a6" : "#2f7d4f"} />
            <text x={156 + (300 * bytes) / max} y="20" fontSize="13">
              {(bytes / GB).toFixed(1)} GB
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        {e.lora.trainableParameters.toLocaleString("en-US")} trainable parameters ({e.lora.trainablePercent.toFixed(3)}% of the model) with rank {rank} on {modules.join(", ")}.
      </figcaption>
    </figure>
  );
}

/** The layered graph's geometry (SVG user units): three columns of nodes, one row per node. */
const GRAPH = { row: 30, nodeHeight: 22, columnX: [0, 240, 490], nodeWidth: [210, 220, 130], pad: 4 } as const;
/** Contributions drawn per datanet version; the rest are one "more" node (the list below names them all). */
const MAX_CONTRIBUTION_NODES = 24;

interface GraphNode {
  id: string;
  column: 0 | 1 | 2;
  label: string;
}

/**
 * One model's lineage as a layered graph (hand-laid out, no layout library): the model, the datanet
 * versions its versions were trained on, and the contributions in each datanet version, with an edge
 * for every "trained on" and "contains". An image with a text alternative; the list after it says the
 * same in words, with links.
 */
function LineageGraph({ model, registry }: { model: ModelLineage; registry: RegistryState }) {
  const nodes: GraphNode[] = [{ id: "model", column: 0, label: `Model #${model.modelId} ${model.name}`.slice(0, 30) }];
  const edges: [from: string, to: string][] = [];
  const seen = new Set<string>(["model"]);
  const add = (node: GraphNode) => {
    if (!seen.has(node.id)) nodes.push(node);
    seen.add(node.id);
  };
  const datasets = new Map(model.versions.flatMap((v) => v.trainingData.map((d) => [`${d.datanetId}/${d.version}`, d] as const)));
  for (const [key, d] of datasets) {
    add({ id: key, column: 1, label: `datanet #${d.datanetId} version ${d.version}` });
    edges.push(["model", key]);
    const leaves = versionLeaves(registry.contributions.values(), d.datanetId, d.contributionCount);
    for (const [contributionId] of leaves.slice(0, MAX_CONTRIBUTION_NODES)) {
      add({ id: `c${contributionId}`, column: 2, label: `contribution #${contributionId}` });
      edges.push([key, `c${contributionId}`]);
    }
    if (leaves.length > MAX_CONTRIBUTION_NODES) {
      add({ id: `${key}+`, column: 2, label: `${leaves.length - MAX_CONTRIBUTION_NODES} more` });
      edges.push([key, `${key}+`]);
    }
  }
  const columns = [0, 1, 2].map((c) => nodes.filter((n) => n.column === c));
  const rows = Math.max(...columns.map((c) => c.length));
  const at = new Map(
    columns.flatMap((column, c) =>
      column.map((n, i) => [n.id, { x: GRAPH.columnX[c]!, y: ((rows - column.length) / 2 + i) * GRAPH.row + GRAPH.pad, width: GRAPH.nodeWidth[c]! }] as const),
    ),
  );
  const width = GRAPH.columnX[2] + GRAPH.nodeWidth[2] + GRAPH.pad;
  const height = rows * GRAPH.row + GRAPH.pad;
  const titleId = `lineage-${model.modelId}`;
  const contributions = columns[2]!.length;
  return (
    <svg className="lineage-graph" role="img" aria-labelledby={titleId} viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
      <title id={titleId}>{`Lineage of model #${model.modelId} ${model.name}: trained on ${datasets.size} datanet version(s) holding ${contributions} contribution node(s)`}</title>
      {edges.map(([from, to]) => {
        const a = at.get(from)!;
        const b = at.get(to)!;
        const [x1, y1, x2, y2] = [a.x + a.width, a.y + GRAPH.nodeHeight / 2, b.x, b.y + GRAPH.nodeHeight / 2];
        const mid = (x1 + x2) / 2;
        return <path key={`${from}>${to}`} className="edge" d={`M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`} />;
      })}
      {nodes.map((n) => {
        const { x, y, width: w } = at.get(n.id)!;
        return (
          <g key={n.id} className={`node node-${n.column}`}>
            <rect x={x} y={y} width={w} height={GRAPH.nodeHeight} rx={4} />
            <text x={x + 8} y={y + GRAPH.nodeHeight / 2} dominantBaseline="central">
              {n.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The lineage: each model as a graph, then in words with links (model version, datanet versions, contributions). */
function Lineage() {
  const lineage = useModelLineage();
  const registry = useRegistry();
  return (
    <Loaded query={lineage} what="the models' lineage" empty="No model registered yet.">
      {(models) => (
        <>
          <Loaded query={registry} what="the datanets' contributions">
            {(state) => models.map((m) => <LineageGraph key={String(m.modelId)} model={m} registry={state} />)}
          </Loaded>
          <ul className="lineage" aria-label="Lineage in words">
            {models.map((m) => (
              <li key={String(m.modelId)}>
                <strong>Model #{String(m.modelId)} {m.name}</strong> (base #{String(m.baseModelId)})
                <ul>
                  {m.versions.map((v) => (
                    <li key={v.version}>
                      → version {v.version}: {v.method}, adapter <span className="mono">{v.adapterHash.slice(0, 12)}…</span>
                      <ul>
                        {v.trainingData.map((d) => (
                          <li key={`${d.datanetId}/${d.version}`}>
                            → <a href={`#/datanet/${d.datanetId}`}>datanet #{String(d.datanetId)}</a> version {d.version} (root <span className="mono">{d.versionRoot.slice(0, 12)}…</span>) →{" "}
                            {String(d.contributionCount)} accepted contribution(s)
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
    </Loaded>
  );
}

/** The files of a drop: dropped files as they are, a dropped folder's files (one level, as PEFT saves an adapter). */
async function droppedFiles(transfer: DataTransfer): Promise<File[]> {
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));
  const files: File[] = [];
  for (const entry of entries) {
    if (entry.isFile) files.push(await fileOf(entry as FileSystemFileEntry));
    else {
      const children = await new Promise<FileSystemEntry[]>((resolve, reject) => (entry as FileSystemDirectoryEntry).createReader().readEntries(resolve, reject));
      for (const child of children) if (child.isFile) files.push(await fileOf(child as FileSystemFileEntry));
    }
  }
  return files;
}

/**
 * Registering a trained adapter: its PEFT folder dropped (or chosen), adapter_config.json checked in the
 * page against the settings above with the SDK's checks, the weights hashed as the SDK does, then
 * `registerModel` with datanet `datanetId` at `version` as the training data.
 */
function RegisterAdapter({ base, settings, datanetId, version }: { base: string; settings: FineTuneSettings; datanetId: bigint; version: number }) {
  const wallet = useWallet();
  const action = useAction();
  const [baseModelId, setBaseModelId] = useState(1);
  const [name, setName] = useState("");
  const [adapterURI, setAdapterURI] = useState("");
  const register = (files: File[]) =>
    action.run(async (step) => {
      step(`Reading the folder: ${files.map((f) => f.name).join(", ")}…`);
      const configFile = files.find((f) => f.name === "adapter_config.json");
      if (configFile === undefined) throw new InvalidInputError("adapter folder", "has no adapter_config.json");
      const weights = ADAPTER_WEIGHT_FILES.map((n) => files.find((f) => f.name === n)).find((f) => f !== undefined);
      if (weights === undefined) throw new InvalidInputError("adapter folder", `has no ${ADAPTER_WEIGHT_FILES.join(" or ")}`);
      if (name === "") throw new InvalidInputError("model name", "a model needs a name");
      if (adapterURI === "") throw new InvalidInputError("adapter URI", "say where the weights are published (ipfs://, hf://, https://)");
      const adapter = parseAdapterConfig(await configFile.text());
      step(`Checking adapter_config.json (${adapter.baseModel}, r=${adapter.adapter.loraRank}) against the training config above…`);
      const full = withDefaults(settings);
      checkAdapterAgainstSettings(adapter, { modelNameOrPath: base, settings: full });
      const adapterHash = adapterHashOf(new Uint8Array(await weights.arrayBuffer()));
      step(`Hashed ${weights.name}: ${adapterHash}.`);
      step(`Registering "${name}" on base model #${baseModelId}, trained on datanet #${datanetId} version ${version} (sign the transaction)…`);
      const handle = await (await wallet.writer()).models.register({
        baseModelId: BigInt(baseModelId),
        name,
        settings: full,
        trainingData: [{ datanetId, version }],
        adapterHash,
        adapterURI,
      });
      const { modelId, version: modelVersion } = await handle.wait();
      return `Registered as model #${modelId} version ${modelVersion}.`;
    });
  return (
    <section aria-labelledby="register-title">
      <h2 id="register-title">Register a trained adapter</h2>
      <div className="form">
        <NumberField label="Base model id (on chain)" value={baseModelId} range={[1, 4_294_967_295]} onChange={setBaseModelId} />
        <label>
          Model name <input value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Adapter URI <input value={adapterURI} onChange={(e) => setAdapterURI(e.target.value)} placeholder="ipfs://… or hf://…" />
        </label>
      </div>
      <div
        className="dropzone"
        onDragOver={(e) => e.preventDefault()}
        onDrop={(e) => {
          e.preventDefault();
          const transfer = e.dataTransfer;
          void droppedFiles(transfer).then(register, (failure: Error) => action.fail(`The dropped folder cannot be read: ${failure.message}`));
        }}
      >
        <p>Drop the PEFT adapter folder (adapter_config.json and adapter_model.safetensors) here, or choose it:</p>
        <input
          type="file"
          aria-label="PEFT adapter folder"
          multiple
          disabled={action.busy}
          {...{ webkitdirectory: "" }}
          onChange={(e) => {
            const chosen = [...(e.target.files ?? [])];
            e.target.value = "";
            if (chosen.length > 0) void register(chosen);
          }}
        />
      </div>
      <ActionStatus action={action} />
    </section>
  );
}

/** ModelFactory: LLaMA-Factory's settings with their ranges and defaults, the memory estimate, the dataset and config to download, the lineage. */
export default function ModelFactory({ id }: { id: bigint }) {
  const { config, reader } = useApp();
  const action = useAction();
  const [base, setBase] = useState(Object.keys(BASES)[0]!);
  const [s, setS] = useState<FineTuneSettings>(() => withDefaults({ template: "llama3" }));
  const [version, setVersion] = useState(1);
  const set = (patch: Partial<FineTuneSettings>) => setS((old) => ({ ...old, ...patch }));
  const lora = s.finetuningType === "lora";
  const modules = (s.loraTarget ?? []).includes("all") ? MODULES : [...(s.loraTarget ?? [])];
  const rank = s.loraRank ?? LLAMA_FACTORY_DEFAULTS.loraRank;
  const datasetName = `datanet_${id}_v${version}`;

  const exportDataset = () =>
    action.run(async (step) => {
      step(`Exporting datanet #${id} version ${version}: each contribution fetched by CID and checked against its hash…`);
      const gateway = gatewayFetcher(config.storageUrl);
      const exported = await reader.datasets.export({
        datanetId: id,
        version,
        format: "alpaca",
        fetchContent: async (c) => {
          const cid = cidOfUri(c.uri);
          if (cid === undefined) throw new ContentUnavailableError(c.uri, "the URI is not ipfs://<cid>");
          return gateway.get(cid);
        },
      });
      download(`${datasetName}.json`, JSON.stringify(exported.rows, null, 2), "application/json");
      download("dataset_info.json", JSON.stringify(exported.datasetInfo, null, 2), "application/json");
      return `Exported ${exported.rows.length} rows; the set's root matches version ${version}'s.`;
    });
  const downloadConfig = () =>
    action.run(async () => {
      const yaml = formatTrainConfig(
        trainConfig({ modelNameOrPath: base, datasetDir: "data", datasetName, stage: "sft", settings: withDefaults(s), outputDir: `saves/${datasetName}` }),
        `LLaMA-Factory config for ${base} on datanet ${id} version ${version} (${trainingMethod(s)})`,
      );
      download("train.yaml", yaml, "text/yaml");
      return "train.yaml downloaded: run it with `llamafactory-cli train train.yaml`.";
    });

  return (
    <>
      <h1>ModelFactory</h1>
      <section aria-labelledby="form-title">
        <h2 id="form-title">Fine-tune</h2>
        <div className="form">
          <label>
            Base model{" "}
            <select value={base} onChange={(e) => setBase(e.target.value)}>
              {Object.keys(BASES).map((b) => (
                <option key={b}>{b}</option>
              ))}
            </select>
          </label>
          <label>
            Fine-tuning type{" "}
            <select value={s.finetuningType} onChange={(e) => setS(withDefaults({ ...s, finetuningType: e.target.value as FineTuneSettings["finetuningType"], loraRank: undefined, loraAlpha: undefined, loraDropout: undefined, loraTarget: undefined, quantizationBit: undefined }))}>
              <option value="lora">lora</option>
              <option value="freeze">freeze</option>
              <option value="full">full</option>
            </select>
          </label>
          {lora && (
            <>
              <NumberField label="LoRA rank" value={rank} range={LLAMA_FACTORY_RANGES.loraRank} onChange={(v) => set({ loraRank: v, loraAlpha: 2 * v })} />
              <NumberField label="LoRA alpha" value={s.loraAlpha ?? 2 * rank} range={LLAMA_FACTORY_RANGES.loraAlpha} onChange={(v) => set({ loraAlpha: v })} />
              <NumberField label="LoRA dropout" value={s.loraDropout ?? 0} range={LLAMA_FACTORY_RANGES.loraDropout} step={0.01} onChange={(v) => set({ loraDropout: v })} />
              <fieldset>
                <legend>LoRA target modules</legend>
                {MODULES.map((m) => (
                  <label key={m}>
                    <input
                      type="checkbox"
                      checked={modules.includes(m)}
                      onChange={(e) => {
                        const next = e.target.checked ? [...modules, m] : modules.filter((x) => x !== m);
                        set({ loraTarget: next.length === MODULES.length ? ["all"] : next });
                      }}
                    />{" "}
                    {m}
                  </label>
                ))}
              </fieldset>
              <label>
                Quantization (QLoRA){" "}
                <select value={String(s.quantizationBit ?? "none")} onChange={(e) => set({ quantizationBit: e.target.value === "none" ? null : (Number(e.target.value) as 4 | 8) })}>
                  <option value="none">none (LoRA)</option>
                  <option value="8">8-bit</option>
                  <option value="4">4-bit</option>
                </select>
              </label>
            </>
          )}
          <NumberField label="Learning rate" value={s.learningRate} range={[1e-7, 1]} step={1e-5} onChange={(v) => set({ learningRate: v })} />
          <NumberField label="Epochs" value={s.numTrainEpochs} range={LLAMA_FACTORY_RANGES.numTrainEpochs} onChange={(v) => set({ numTrainEpochs: v })} />
          <NumberField label="Batch size per device" value={s.perDeviceTrainBatchSize} range={LLAMA_FACTORY_RANGES.perDeviceTrainBatchSize} onChange={(v) => set({ perDeviceTrainBatchSize: v })} />
          <NumberField label="Gradient accumulation steps" value={s.gradientAccumulationSteps} range={LLAMA_FACTORY_RANGES.gradientAccumulationSteps} onChange={(v) => set({ gradientAccumulationSteps: v })} />
          <NumberField label="Cutoff length" value={s.cutoffLen} range={LLAMA_FACTORY_RANGES.cutoffLen} onChange={(v) => set({ cutoffLen: v })} />
          <label>
            Scheduler{" "}
            <select value={s.lrSchedulerType} onChange={(e) => set({ lrSchedulerType: e.target.value })}>
              {["linear", "cosine", "constant", "constant_with_warmup"].map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </label>
          <label>
            Template <input value={s.template} onChange={(e) => set({ template: e.target.value })} />
          </label>
          <NumberField label="Datanet version" value={version} range={[1, 65_535]} onChange={setVersion} />
        </div>
        {lora && modules.length > 0 && rank >= 1 ? <MemoryChart shape={BASES[base]!} rank={rank} modules={modules} /> : <p>The estimate needs LoRA with a rank and at least one module.</p>}
        <button type="button" disabled={action.busy} onClick={exportDataset}>
          Export the dataset
        </button>{" "}
        <button type="button" disabled={action.busy} onClick={downloadConfig}>
          Download the training config
        </button>
        <ActionStatus action={action} />
      </section>
      <RegisterAdapter base={base} settings={s} datanetId={id} version={version} />
      <section aria-labelledby="lineage-title">
        <h2 id="lineage-title">Lineage</h2>
        <Lineage />
      </section>
    </>
  );
}
