import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, toBytes, type Hex } from "viem";

import { deployProtocol } from "../../scripts/lib/deploy.ts";
import { EXAMPLE_ADAPTER_TRAINING } from "../../scripts/lib/demo-story.ts";
import {
  ContributionStatus,
  contentAddress,
  createClient,
  DataKind,
  DatasetExportError,
  datanetPolicy,
  formatTrainConfig,
  InvalidInputError,
  LineageMismatchError,
  mapContribution,
  parseTrainConfig,
  ProtocolError,
  settingsOfConfig,
  trainConfig,
  withDefaults,
  type ContributionRecord,
  type DatasetExportProblem,
} from "../../sdk/index.ts";
import { checkAdapter, exportDatasetTo, readDatasetExport, registerTrainedAdapter, verifyDatasetExport, writeTrainConfig } from "../../sdk/node/index.ts";
import { expectRejected } from "../helpers/errors.ts";

const connection = await network.create();
const { viem, networkHelpers } = connection;
const ADAPTER = path.resolve(import.meta.dirname, "..", "..", "examples", "qlora-adapter");
/** LLaMA-Factory's argument names, extracted from its source (see the fixture's `source`, `commit` and `note`). */
const LLAMA_FACTORY = JSON.parse(await readFile(path.resolve(import.meta.dirname, "..", "fixtures", "llama-factory-arguments.json"), "utf8")) as {
  commit: string;
  files: Record<string, string[]>;
};
const ARGUMENT_NAMES = new Set(Object.values(LLAMA_FACTORY.files).flat());

const TEXTS = [
  "Why is the sky blue? Air scatters blue light more than red.",
  "How do tides work? The Moon pulls the near ocean harder than the Earth.",
  JSON.stringify({ instruction: "Name the largest planet.", input: "", output: "Jupiter.", system: "Answer briefly." }),
];
/** The adapter in examples/qlora-adapter, as the config that trained it would say. */
const SETTINGS = EXAMPLE_ADAPTER_TRAINING;

/**
 * Datanet 1 (Text) with the three texts accepted and published as version 1, and datanet 2 (Image)
 * with one accepted item as its version 1; base model 1. Contents are kept by hash for `fetchContent`.
 */
async function datasetsFixture() {
  const deployment = await deployProtocol(connection);
  const publicClient = await viem.getPublicClient();
  const [, owner, trainer] = await viem.getWalletClients();
  const as = (w: typeof owner) => createClient({ publicClient, walletClient: w, deployment });
  const curator = as(owner!);
  const registry = await connection.ethers.getContractAt("DatanetRegistry", deployment.contracts.datanetRegistry);
  await (await registry.grantRole(await registry.FINALIZER_ROLE(), owner!.account.address)).wait();
  const finalizer = await connection.ethers.getSigner(owner!.account.address);
  const contents = new Map<Hex, Uint8Array>();
  const accept = async (datanetId: bigint, bytes: Uint8Array) => {
    const address = await contentAddress(bytes);
    contents.set(address.contentHash, bytes);
    await (await curator.contributions.submit({ datanetId, contentHash: address.contentHash, sizeBytes: address.sizeBytes, uri: address.uri })).wait();
    await (await registry.connect(finalizer).finalize(address.contentHash, ContributionStatus.Accepted)).wait();
  };
  for (const kind of [DataKind.Text, DataKind.Image]) {
    await (await curator.datanets.create({ kind, metadataURI: "ipfs://d", policy: datanetPolicy({ submissionBond: 0n }) })).wait();
  }
  for (const text of TEXTS) await accept(1n, toBytes(text));
  await (await curator.versions.publish({ datanetId: 1n, uri: "ipfs://v1" })).wait();
  await accept(2n, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  await (await curator.versions.publish({ datanetId: 2n, uri: "ipfs://image-v1" })).wait();
  const sdk = as(trainer!);
  await (
    await sdk.models.registerBase({ name: "Llama-3.1-8B", family: "llama", parameterCount: 8_030_261_248n, artifactHash: keccak256("0x01"), artifactURI: "", license: "" })
  ).wait();
  const fetchContent = async (c: ContributionRecord) => contents.get(c.contentHash)!;
  return { sdk, curator, registry, finalizer, contents, fetchContent, accept };
}

async function tempDir() {
  return mkdtemp(path.join(tmpdir(), "openledger-dataset-"));
}

describe("SDK dataset export and LLaMA-Factory training configs", function () {
  it("exports a version as alpaca, sharegpt and text rows with dataset_info and a manifest of ids and hashes", async function () {
    const f = await networkHelpers.loadFixture(datasetsFixture);
    const dir = await tempDir();
    try {
      const version = await f.sdk.versions.get({ datanetId: 1n, version: 1 });
      const alpaca = await exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "alpaca", out: path.join(dir, "alpaca"), fetchContent: f.fetchContent });
      expect(alpaca.rows).to.deep.equal([
        { instruction: "Why is the sky blue?", input: "", output: "Air scatters blue light more than red." },
        { instruction: "How do tides work?", input: "", output: "The Moon pulls the near ocean harder than the Earth." },
        { instruction: "Name the largest planet.", input: "", output: "Jupiter.", system: "Answer briefly." },
      ]);
      const state = await f.sdk.history.rebuild();
      const records = [...state.contributions.values()].filter((c) => c.datanetId === 1n);
      expect(alpaca.manifest).to.deep.equal({
        datanetId: "1",
        version: 1,
        root: version.root,
        contributionCount: "3",
        format: "alpaca",
        datasetName: "datanet_1_v1",
        dataFile: "data.json",
        rows: records.map((c, row) => ({ row, contributionId: c.contributionId.toString(), contributor: c.contributor, contentHash: c.contentHash, uri: c.uri })),
      });
      // What is on disk is what was returned, and LLaMA-Factory's data/README.md entry for alpaca.
      expect((await readdir(alpaca.dir)).sort()).to.deep.equal(["data.json", "dataset_info.json", "manifest.json"]);
      const onDisk = await readDatasetExport(alpaca.dir);
      expect(onDisk).to.deep.equal({ rows: alpaca.rows, manifest: alpaca.manifest, datasetInfo: alpaca.datasetInfo });
      expect(onDisk.datasetInfo).to.deep.equal({
        datanet_1_v1: { file_name: "data.json", columns: { prompt: "instruction", query: "input", response: "output", system: "system" } },
      });

      const sharegpt = await exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "sharegpt", datasetName: "science", out: path.join(dir, "sharegpt"), fetchContent: f.fetchContent });
      expect(sharegpt.rows[0]).to.deep.equal({ conversations: [{ from: "human", value: "Why is the sky blue?" }, { from: "gpt", value: "Air scatters blue light more than red." }] });
      expect(sharegpt.rows[2]).to.deep.include({ system: "Answer briefly." });
      expect(sharegpt.datasetInfo.science!.formatting).to.equal("sharegpt");

      const text = await exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "text", out: path.join(dir, "text"), fetchContent: f.fetchContent });
      expect(text.rows).to.deep.equal(TEXTS.map((t) => ({ text: t })));
      expect(text.datasetInfo.datanet_1_v1).to.deep.equal({ file_name: "data.json", columns: { prompt: "text" } });

      // The export checks out against the chain and the content again; an edited row does not.
      await verifyDatasetExport(f.sdk, { dir: alpaca.dir, fetchContent: f.fetchContent });
      const edited = [...alpaca.rows];
      edited[0] = { ...alpaca.rows[0]!, output: "Because." };
      await writeFile(path.join(alpaca.dir, "data.json"), JSON.stringify(edited));
      await expectRejected(verifyDatasetExport(f.sdk, { dir: alpaca.dir, fetchContent: f.fetchContent }), LineageMismatchError, /data\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("maps files to rows as documented, and names why a file maps to none", function () {
    const bytes = (value: unknown) => toBytes(typeof value === "string" ? value : JSON.stringify(value));
    const turns = [{ from: "human", value: "Hi?" }, { from: "gpt", value: "Hello." }];
    expect(mapContribution(DataKind.Text, "sharegpt", bytes({ conversations: turns, system: "s" }))).to.deep.equal({ conversations: turns, system: "s" });
    expect(mapContribution(DataKind.Text, "sharegpt", bytes({ instruction: "Do it.", input: "this", output: "Done." }))).to.deep.equal({
      conversations: [{ from: "human", value: "Do it.\nthis" }, { from: "gpt", value: "Done." }],
    });
    expect(mapContribution(DataKind.Text, "text", bytes("No question here."))).to.deep.equal({ text: "No question here." });
    for (const [kind, format, content, reason] of [
      [DataKind.Text, "alpaca", "No question here. Really?", /first sentence is a question/],
      [DataKind.Text, "alpaca", "Why?", /first sentence is a question/],
      [DataKind.Text, "alpaca", { instruction: "x", output: "" }, /non-empty string instruction and output/],
      [DataKind.Text, "alpaca", { instruction: "x", output: "y", history: [] }, /keys alpaca does not: history/],
      [DataKind.Text, "alpaca", { instruction: "x", output: "y", input: 3 }, /must be strings/],
      [DataKind.Text, "sharegpt", { conversations: [turns[0]] }, /pairs of human and gpt/],
      [DataKind.Text, "sharegpt", { conversations: [turns[1], turns[0]] }, /turn 0 must be/],
      [DataKind.Text, "sharegpt", { conversations: turns, tools: "" }, /unknown keys: tools/],
      [DataKind.Image, "text", "Why? Because.", /only a Text datanet/],
    ] as const) {
      expect(mapContribution(kind, format, bytes(content))).to.match(reason);
    }
    expect(mapContribution(DataKind.Text, "text", new Uint8Array([0xff, 0xfe]))).to.equal("the content is not UTF-8 text");
  });

  it("stops at the first contribution it cannot fetch, verify or map, naming it, and writes nothing", async function () {
    const f = await networkHelpers.loadFixture(datasetsFixture);
    const dir = await tempDir();
    const out = path.join(dir, "export");
    const state = await f.sdk.history.rebuild();
    const second = [...state.contributions.values()].find((c) => c.contributionId === 2n)!;
    const expectStop = async (params: Partial<Parameters<typeof exportDatasetTo>[1]>, problem: DatasetExportProblem, contributionId: bigint | undefined, message: RegExp) => {
      const error = await expectRejected(
        exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "alpaca", out, fetchContent: f.fetchContent, ...params }),
        DatasetExportError,
        message,
      );
      expect([error.problem, error.contributionId]).to.deep.equal([problem, contributionId]);
      expect(await readdir(dir), problem).to.deep.equal([]);
    };
    try {
      const only = (c: ContributionRecord, bytes: () => Promise<Uint8Array>) => (r: ContributionRecord) => (r.contributionId === c.contributionId ? bytes() : f.fetchContent(r));
      await expectStop({ fetchContent: only(second, () => Promise.reject(new Error("no store has it"))) }, "Unavailable", 2n, new RegExp(`contribution #2 \\(${second.uri}\\): no store has it`));
      await expectStop({ fetchContent: only(second, async () => toBytes("How do tides work? Altered.")) }, "HashMismatch", 2n, /contribution #2 .*hashes to 0x[0-9a-f]{64}, the chain records/);
      // Datanet 2 collects images: no row format takes them.
      await expectStop({ datanetId: 2n }, "Unmappable", 4n, /contribution #4 .*only a Text datanet's contributions map to rows/);
      // A version whose published root is not the root of its contributions.
      await f.accept(1n, toBytes("Why does ice float? It is less dense than water."));
      await (await f.registry.connect(f.finalizer).publishVersion(1n, keccak256("0xbad0"), 4n, "ipfs://wrong")).wait();
      await expectStop({ version: 2 }, "RootMismatch", undefined, /datanet 1 version 2: the contributions' root is 0x[0-9a-f]{64}, the version's 0x[0-9a-f]{64}/);
      // A version that does not exist, a format or dataset name LLaMA-Factory would not take.
      const unknown = await expectRejected(exportDatasetTo(f.sdk, { datanetId: 1n, version: 9, format: "alpaca", out, fetchContent: f.fetchContent }), ProtocolError, /version 9/i);
      expect(unknown.errorName).to.equal("VersionUnknown");
      for (const [params, field] of [
        [{ format: "csv" as never }, "format"],
        [{ datasetName: "my dataset" }, "datasetName"],
        [{ datanetId: 0n }, "datanetId"],
      ] as const) {
        const base = { datanetId: 1n, version: 1, format: "alpaca" as const, out, fetchContent: f.fetchContent };
        const error = await expectRejected(exportDatasetTo(f.sdk, { ...base, ...params }), InvalidInputError, /^Invalid /);
        expect(error.field).to.equal(field);
      }
      expect(await readdir(dir)).to.deep.equal([]);
      // A folder that is already there is never overwritten, even by a good export.
      await writeFile(path.join(dir, "keep.txt"), "mine");
      const taken = await expectRejected(exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "alpaca", out: dir, fetchContent: f.fetchContent }), InvalidInputError, /already exists/);
      expect(taken.field).to.equal("out");
      expect(await readdir(dir)).to.deep.equal(["keep.txt"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("writes a LLaMA-Factory YAML whose every key is one of LLaMA-Factory's argument names, read back exactly", async function () {
    const f = await networkHelpers.loadFixture(datasetsFixture);
    expect(LLAMA_FACTORY.commit).to.match(/^[0-9a-f]{40}$/);
    const dir = await tempDir();
    try {
      const { dir: datasetDir } = await exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "alpaca", out: path.join(dir, "data"), fetchContent: f.fetchContent });
      const file = path.join(dir, "train.yaml");
      const config = await writeTrainConfig({ file, modelNameOrPath: "meta-llama/Llama-3.1-8B", datasetDir, settings: SETTINGS });
      const yaml = await readFile(file, "utf8");
      const keys = yaml.split("\n").filter((line) => line !== "" && !line.startsWith("#")).map((line) => line.split(":")[0]!);
      expect(keys.filter((k) => !ARGUMENT_NAMES.has(k))).to.deep.equal([]);
      expect(keys).to.deep.equal([
        "model_name_or_path", "quantization_bit", "stage", "do_train", "finetuning_type", "lora_rank", "lora_alpha", "lora_dropout", "lora_target",
        "dataset", "dataset_dir", "template", "cutoff_len", "output_dir",
        "per_device_train_batch_size", "gradient_accumulation_steps", "learning_rate", "num_train_epochs", "lr_scheduler_type",
      ]);
      // Floats in the form YAML 1.1 (PyYAML, under LLaMA-Factory's OmegaConf) reads as floats, as in its examples ("1.0e-4").
      expect(yaml).to.include("\nlearning_rate: 2.0e-4\n");
      expect(yaml).to.include("\nnum_train_epochs: 3.0e+0\n");
      expect(yaml).to.include("\nlora_dropout: 5.0e-2\n");
      expect(yaml).to.include('\nlora_target: "q_proj,k_proj,v_proj,o_proj"\n');
      expect(yaml).to.include(`\ndataset_dir: ${JSON.stringify(datasetDir)}\n`);
      expect(parseTrainConfig(yaml)).to.deep.equal(config);
      expect(settingsOfConfig(config)).to.deep.equal({ modelNameOrPath: "meta-llama/Llama-3.1-8B", datasetDir, datasetName: "datanet_1_v1", settings: SETTINGS });
      // A text export trains as pre-training; freeze tuning has no LoRA keys; no quantization, no quantization_bit.
      const pt = trainConfig({ modelNameOrPath: "m", datasetDir: "d", datasetName: "n", stage: "pt", settings: withDefaults({ finetuningType: "freeze", template: "default" }), outputDir: "o" });
      expect(Object.keys(pt).filter((k) => k.startsWith("lora") || k === "quantization_bit")).to.deep.equal([]);
      expect(pt.stage).to.equal("pt");
      // LLaMA-Factory's defaults fill what a hand-written config leaves out; what cannot be read is named.
      expect(settingsOfConfig(parseTrainConfig("model_name_or_path: m\ndataset: d\ntemplate: llama3  # chat\n")).settings).to.deep.equal(withDefaults({ template: "llama3" }));
      for (const [text, field] of [
        ["model_name_or_path: m\ndataset: d\n", "template"],
        ["model_name_or_path: m\ndataset: d\ntemplate: llama3\nlora_rank: \"8\"\n", "lora_rank"],
        ["model_name_or_path: m\ndataset: d\ntemplate: llama3\nfinetuning_type: oft\n", "finetuning_type"],
        ["dataset:\n  - a\n", "config line 1"],
        ["template: a\ntemplate: b\n", "config line 2"],
      ] as const) {
        expect(() => settingsOfConfig(parseTrainConfig(text))).to.throw(InvalidInputError).with.property("field", field);
      }
      expect(parseTrainConfig('dataset_dir: "/tmp/a #b"  # where\nstage: sft # method\n')).to.deep.equal({ dataset_dir: "/tmp/a #b", stage: "sft" });
      expect(formatTrainConfig({ learning_rate: 1e-4, cutoff_len: 2048, do_train: true }, "c")).to.equal("# c\nlearning_rate: 1.0e-4\ncutoff_len: 2048\ndo_train: true\n");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("registers an adapter only when adapter_config.json matches the config and the config's export matches the chain", async function () {
    const f = await networkHelpers.loadFixture(datasetsFixture);
    const dir = await tempDir();
    try {
      const { dir: datasetDir, manifest } = await exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format: "alpaca", out: path.join(dir, "data"), fetchContent: f.fetchContent });
      const configFile = path.join(dir, "train.yaml");
      const write = (settings = SETTINGS, model = "meta-llama/Llama-3.1-8B") => writeTrainConfig({ file: configFile, modelNameOrPath: model, datasetDir, settings });
      const mismatches: [() => Promise<unknown>, string][] = [
        [() => write({ ...SETTINGS, loraRank: 8 }), "r / lora_rank"],
        [() => write({ ...SETTINGS, loraAlpha: 16 }), "lora_alpha"],
        [() => write({ ...SETTINGS, loraDropout: 0.1 }), "lora_dropout"],
        [() => write({ ...SETTINGS, loraTarget: ["q_proj", "v_proj"] }), "target_modules / lora_target"],
        [() => write({ ...SETTINGS, quantizationBit: 8 }), "quantization_bit"],
        [() => write({ ...SETTINGS, quantizationBit: null }), "quantization_bit"],
        [() => write(SETTINGS, "meta-llama/Llama-3.1-70B"), "base_model_name_or_path"],
        [() => write(withDefaults({ ...SETTINGS, finetuningType: "full" })), "finetuning_type"],
      ];
      for (const [writeConfig, field] of mismatches) {
        await writeConfig();
        const error = await expectRejected(checkAdapter(f.sdk, { adapterFolder: ADAPTER, configFile }), LineageMismatchError, /does not match/);
        expect(error.field).to.equal(field);
      }
      // lora_target "all" takes whatever modules PEFT resolved it to.
      await write({ ...SETTINGS, loraTarget: ["all"] });
      expect((await checkAdapter(f.sdk, { adapterFolder: ADAPTER, configFile })).settings.loraTarget).to.deep.equal(["all"]);
      // An export whose manifest no longer has the chain's root is refused before anything is sent.
      await write();
      const tampered = path.join(dir, "tampered");
      await cp(datasetDir, tampered, { recursive: true });
      await writeFile(path.join(tampered, "manifest.json"), JSON.stringify({ ...manifest, root: keccak256("0x00") }));
      await writeFile(configFile, (await readFile(configFile, "utf8")).replace(JSON.stringify(datasetDir), JSON.stringify(tampered)));
      const rootError = await expectRejected(checkAdapter(f.sdk, { adapterFolder: ADAPTER, configFile }), LineageMismatchError, /datanet 1 version 1's on chain/);
      expect(rootError.field).to.equal("manifest root");
      expect(await f.sdk.models.get({ modelId: 1n }).catch((e: unknown) => e)).to.be.instanceOf(ProtocolError);

      await write();
      const registered = await registerTrainedAdapter(f.sdk, { adapterFolder: ADAPTER, configFile, baseModelId: 1n, name: "science-tutor", adapterURI: "ipfs://adapter" });
      const { modelId } = await registered.handle.wait();
      const lineage = await f.sdk.models.lineage({ modelId });
      const v1 = lineage.versions[0]!;
      expect([v1.method, v1.settings, v1.adapterHash]).to.deep.equal(["qlora", SETTINGS, registered.adapter.adapterHash]);
      expect(v1.trainingData).to.deep.equal([{ datanetId: 1n, version: 1, versionRoot: manifest.root, contributionCount: 3n }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("attributes over the exports a model was trained on, checked row for row; a text export needs no content store", async function () {
    const f = await networkHelpers.loadFixture(datasetsFixture);
    const dir = await tempDir();
    try {
      const exportAs = (format: "alpaca" | "text") =>
        exportDatasetTo(f.sdk, { datanetId: 1n, version: 1, format, out: path.join(dir, format), fetchContent: f.fetchContent });
      const alpaca = await exportAs("alpaca");
      const configFile = path.join(dir, "train.yaml");
      await writeTrainConfig({ file: configFile, modelNameOrPath: "meta-llama/Llama-3.1-8B", datasetDir: alpaca.dir, settings: SETTINGS });
      const registered = await registerTrainedAdapter(f.sdk, { adapterFolder: ADAPTER, configFile, baseModelId: 1n, name: "science-tutor", adapterURI: "ipfs://adapter" });
      const { modelId } = await registered.handle.wait();
      const text = await exportAs("text");
      const outputs = [{ inferenceId: "inf-1", text: "The Moon pulls the near ocean harder than the Earth does, they say." }];
      const fromChain = await f.sdk.attribution.explain({ modelId, outputs, fetchContent: f.fetchContent });
      expect(fromChain[0]!.explanation.spans.map((s) => s.sources.map((src) => src.contributionId))).to.deep.equal([[2n]]);

      // The text export's rows are the content: nothing is fetched, and the answer is the same.
      const unreachable = async (): Promise<Uint8Array> => {
        throw new Error("fetched although the export holds the content");
      };
      expect(await f.sdk.attribution.explain({ modelId, outputs, datasets: [text], fetchContent: unreachable })).to.deep.equal(fromChain);
      // An alpaca export is checked the same way; its contents are fetched (its rows are mapped, not the files).
      expect(await f.sdk.attribution.explain({ modelId, outputs, datasets: [await readDatasetExport(alpaca.dir)], fetchContent: f.fetchContent })).to.deep.equal(fromChain);

      // Anything but exactly the model's training data is refused, naming what differs, before any content is read.
      const { manifest, rows } = text;
      const swapped = [manifest.rows[1]!, manifest.rows[0]!, manifest.rows[2]!].map((r, row) => ({ ...r, row }));
      const refusals: [readonly { manifest: typeof manifest; rows: typeof rows }[], RegExp][] = [
        [[], /was trained on datanet 1 version 1, and no export of it was given/],
        [[text, text], /2 exports of it were given/],
        [[text, { manifest: { ...manifest, datanetId: "2" }, rows }], /the export of datanet 2 version 1 is not one of model 1 version 1's training datasets/],
        [[{ manifest: { ...manifest, root: keccak256("0x00") }, rows }], /its root is 0x[0-9a-f]{64}, the model was trained on/],
        [[{ manifest: { ...manifest, rows: manifest.rows.slice(1) }, rows: rows.slice(1) }], /it has 2 rows and 2 in its manifest, the version holds 3 accepted contributions/],
        [[{ manifest: { ...manifest, rows: swapped }, rows }], /row 0 is contribution #2 \(0x[0-9a-f]{64}\), the version's row 0 is #1/],
        [[{ manifest, rows: [{ text: "Why is the sky blue? Because." }, ...rows.slice(1)] }], /row 0's text is not contribution #1's content/],
      ];
      for (const [datasets, message] of refusals) {
        const error = await expectRejected(f.sdk.attribution.explain({ modelId, outputs, datasets, fetchContent: unreachable }), LineageMismatchError, message);
        expect(error.field).to.match(/^(datasets|the export of datanet 1 version 1)$/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
