import { keccak256, type Address, type Hex } from "viem";

import type { ProtocolClient } from "../client.ts";
import { DatasetExportError, InvalidInputError } from "../errors.ts";
import { fetchRegistryLogs, rebuildRegistryState, type ContributionRecord } from "../history.ts";
import { assertPositiveId } from "../validate.ts";
import { DataKind, getDatanet } from "./datanets.ts";
import { buildVersionTree, getVersion, versionLeaves } from "./versions.ts";

/**
 * The row formats of LLaMA-Factory's data/README.md (hiyouga/LLaMA-Factory ff6d4d1): `alpaca`
 * (instruction / input / output, supervised fine-tuning), `sharegpt` (`conversations` of human and
 * gpt turns) and `text` (alpaca's pre-training form, one `text` column).
 */
export const DATASET_FORMATS = ["alpaca", "sharegpt", "text"] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface AlpacaRow {
  instruction: string;
  input: string;
  output: string;
  system?: string;
}
export interface ShareGptRow {
  conversations: { from: "human" | "gpt"; value: string }[];
  system?: string;
}
export interface TextRow {
  text: string;
}
export type DatasetRow = AlpacaRow | ShareGptRow | TextRow;

/** The file the rows are written to, in the export folder. */
export const DATASET_DATA_FILE = "data.json";
/** LLaMA-Factory's index of datasets, read from `dataset_dir`. */
export const DATASET_INFO_FILE = "dataset_info.json";
/** What the export is: the version, its root and where each row comes from. */
export const DATASET_MANIFEST_FILE = "manifest.json";

/** One row's origin: the accepted contribution it was mapped from. */
export interface ManifestRow {
  row: number;
  contributionId: string;
  contributor: Address;
  contentHash: Hex;
  uri: string;
}

/**
 * What an export is, enough to check it again and to record lineage: the datanet version and its
 * on-chain root, and for each row of `data.json` (same order) the contribution and its content hash.
 * Ids are decimal strings (JSON has no bigint).
 */
export interface DatasetManifest {
  datanetId: string;
  version: number;
  root: Hex;
  contributionCount: string;
  format: DatasetFormat;
  /** The `dataset_info.json` entry name (the YAML's `dataset`). */
  datasetName: string;
  dataFile: string;
  rows: ManifestRow[];
}

/** A LLaMA-Factory `dataset_info.json` entry (data/README.md). */
export interface DatasetInfoEntry {
  file_name: string;
  formatting?: "sharegpt";
  columns: Record<string, string>;
  tags?: Record<string, string>;
}

export interface DatasetExport {
  rows: DatasetRow[];
  manifest: DatasetManifest;
  datasetInfo: Record<string, DatasetInfoEntry>;
}

/** The dataset_info entry for a format, as data/README.md gives it. */
export function datasetInfoEntry(format: DatasetFormat): DatasetInfoEntry {
  switch (format) {
    case "alpaca":
      return { file_name: DATASET_DATA_FILE, columns: { prompt: "instruction", query: "input", response: "output", system: "system" } };
    case "sharegpt":
      return {
        file_name: DATASET_DATA_FILE,
        formatting: "sharegpt",
        columns: { messages: "conversations", system: "system" },
        tags: { role_tag: "from", content_tag: "value", user_tag: "human", assistant_tag: "gpt" },
      };
    case "text":
      return { file_name: DATASET_DATA_FILE, columns: { prompt: "text" } };
  }
}

/** The dataset name an export of a datanet version gets by default. */
export const defaultDatasetName = (datanetId: bigint, version: number) => `datanet_${datanetId}_v${version}`;

const DATASET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** A question at the start of a text: up to the first `?`, with no sentence end or line break before it. */
const LEADING_QUESTION = /^([^\n.!?]{1,500}\?)\s+(\S[\s\S]*)$/;
const ALPACA_KEYS = new Set(["instruction", "input", "output", "system"]);

/**
 * How a Text datanet's contribution (one file) becomes one row; anything else is an `unmappable`
 * error for that contribution (the documented mapping, README "From a datanet version to a fine-tune"):
 * - `text`: the whole file, as is: `{ "text": <file> }`.
 * - `alpaca`: a file that is a JSON object with string `instruction` and `output` (and optionally
 *   `input`, `system`, nothing else) is that row; a plain-text file whose first sentence is a question
 *   (ends with `?` before any `.`, `!` or line break) is `{ instruction: <question>, input: "",
 *   output: <the rest, trimmed> }`.
 * - `sharegpt`: the same pair as one human turn and one gpt turn (`instruction` and `input` joined by
 *   a line break, as LLaMA-Factory joins them), or a JSON object with `conversations` of alternating
 *   `{ from: "human" | "gpt", value }` turns (human first, gpt last) and an optional `system`.
 * Image, audio and other datanets hold no text, so they map to no format.
 */
export function mapContribution(kind: number, format: DatasetFormat, bytes: Uint8Array): DatasetRow | string {
  if (kind !== DataKind.Text) return "only a Text datanet's contributions map to rows";
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return "the content is not UTF-8 text";
  }
  if (format === "text") return { text };
  const json = parseObject(text);
  if (format === "sharegpt" && json !== undefined && "conversations" in json) return shareGptRow(json);
  const pair = json === undefined ? questionAnswer(text) : alpacaRow(json);
  if (typeof pair === "string" || format === "alpaca") return pair;
  const human = pair.input === "" ? pair.instruction : `${pair.instruction}\n${pair.input}`;
  return { conversations: [{ from: "human", value: human }, { from: "gpt", value: pair.output }], ...(pair.system === undefined ? {} : { system: pair.system }) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith("{")) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function questionAnswer(text: string): AlpacaRow | string {
  const match = LEADING_QUESTION.exec(text.trim());
  if (match === null) return "a plain-text file maps to an instruction row only when its first sentence is a question (ends with ?)";
  return { instruction: match[1]!.trim(), input: "", output: match[2]!.trim() };
}

function alpacaRow(json: Record<string, unknown>): AlpacaRow | string {
  const extra = Object.keys(json).filter((k) => !ALPACA_KEYS.has(k));
  if (extra.length > 0) return `a JSON row has keys alpaca does not: ${extra.join(", ")}`;
  const { instruction, input = "", output, system } = json;
  if (typeof instruction !== "string" || instruction === "" || typeof output !== "string" || output === "") {
    return "a JSON row needs non-empty string instruction and output";
  }
  if (typeof input !== "string" || (system !== undefined && typeof system !== "string")) return "input and system must be strings";
  return { instruction, input, output, ...(system === undefined ? {} : { system }) };
}

function shareGptRow(json: Record<string, unknown>): ShareGptRow | string {
  const { conversations, system, ...rest } = json;
  if (Object.keys(rest).length > 0) return `a sharegpt row has unknown keys: ${Object.keys(rest).join(", ")}`;
  if (system !== undefined && typeof system !== "string") return "system must be a string";
  if (!Array.isArray(conversations) || conversations.length === 0 || conversations.length % 2 !== 0) {
    return "conversations must be pairs of human and gpt turns";
  }
  const turns: ShareGptRow["conversations"] = [];
  for (const [i, turn] of conversations.entries()) {
    const expected = i % 2 === 0 ? "human" : "gpt";
    const { from, value } = (turn ?? {}) as { from?: unknown; value?: unknown };
    if (from !== expected || typeof value !== "string" || value === "" || Object.keys(turn as object).length !== 2) {
      return `turn ${i} must be { "from": "${expected}", "value": <text> }`;
    }
    turns.push({ from: expected, value });
  }
  return { conversations: turns, ...(system === undefined ? {} : { system }) };
}

/**
 * Exports a published datanet version as LLaMA-Factory rows: every accepted contribution the
 * version covers (the first `contributionCount` in acceptance order, read from the registry's
 * events), fetched with `fetchContent`, checked against its on-chain content hash and mapped to a row
 * by `mapContribution`; the set's Merkle root is checked against the version's. Nothing is written
 * here (`writeDatasetExport` in `@openledger-evm/sdk/node` does that). Throws `DatasetExportError`
 * naming the contribution (or the version, for the root) at the first problem.
 */
export async function exportDataset(
  client: ProtocolClient,
  params: {
    datanetId: bigint;
    version: number;
    format: DatasetFormat;
    /** The bytes of a contribution (by its URI: a content store, a gateway, a folder). */
    fetchContent: (contribution: ContributionRecord) => Promise<Uint8Array>;
    /** The dataset_info.json entry name (default `datanet_<id>_v<version>`). */
    datasetName?: string;
  },
): Promise<DatasetExport> {
  const { datanetId, version, format } = params;
  assertPositiveId("datanetId", datanetId);
  if (!DATASET_FORMATS.includes(format)) throw new InvalidInputError("format", `${String(format)} is not one of ${DATASET_FORMATS.join(", ")}`);
  const datasetName = params.datasetName ?? defaultDatasetName(datanetId, version);
  if (!DATASET_NAME.test(datasetName)) throw new InvalidInputError("datasetName", `${datasetName} is not 1 to 64 of A-Z a-z 0-9 _ . -`);
  const published = await getVersion(client, { datanetId, version });
  const { kind } = await getDatanet(client, datanetId);
  const state = rebuildRegistryState(await fetchRegistryLogs(client));
  const leaves = versionLeaves(state.contributions.values(), datanetId, published.contributionCount);
  const where = `datanet ${datanetId} version ${version}`;
  if (BigInt(leaves.length) !== published.contributionCount) {
    throw new DatasetExportError("RootMismatch", where, `the registry's events show ${leaves.length} accepted contributions, the version counts ${published.contributionCount}`);
  }
  const root = buildVersionTree(leaves).root;
  if (root !== published.root) throw new DatasetExportError("RootMismatch", where, `the contributions' root is ${root}, the version's ${published.root}`);

  const rows: DatasetRow[] = [];
  const manifestRows: ManifestRow[] = [];
  for (const [contributionId, contributor, contentHash] of leaves) {
    const record = state.contributions.get(contributionId)!;
    const name = `contribution #${contributionId} (${record.uri})`;
    let bytes: Uint8Array;
    try {
      bytes = await params.fetchContent(record);
    } catch (cause) {
      throw new DatasetExportError("Unavailable", name, (cause as Error).message, { contributionId, cause });
    }
    const hash = keccak256(bytes);
    if (hash !== contentHash) throw new DatasetExportError("HashMismatch", name, `the content hashes to ${hash}, the chain records ${contentHash}`, { contributionId });
    const row = mapContribution(kind, format, bytes);
    if (typeof row === "string") throw new DatasetExportError("Unmappable", name, `cannot be a ${format} row: ${row}`, { contributionId });
    manifestRows.push({ row: rows.length, contributionId: contributionId.toString(), contributor, contentHash, uri: record.uri });
    rows.push(row);
  }
  return {
    rows,
    manifest: {
      datanetId: datanetId.toString(),
      version,
      root: published.root,
      contributionCount: published.contributionCount.toString(),
      format,
      datasetName,
      dataFile: DATASET_DATA_FILE,
      rows: manifestRows,
    },
    datasetInfo: { [datasetName]: datasetInfoEntry(format) },
  };
}
