import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";

import type { AttributionInputs } from "../actions/attribution.ts";
import { loadTokenizer, wordTokenizer, type Tokenizer } from "../attribution/tokenizer.ts";
import { buildIndexShard, openIndexShards, type IndexShards } from "./index-file.ts";

/**
 * Builds the index shards of a model version's datasets in `dir`, one per datanet version, named
 * `datanet-<id>-v<version>.olidx`: each holds the contributions its version added to the shards of
 * the datanet's earlier versions already in `dir`, so a new version adds a shard and rebuilds
 * nothing. Returns the shard files that together hold the inputs' corpus, for `openIndexShards` (and `openIndex`).
 */
export async function buildDatasetShards(dir: string, inputs: AttributionInputs, options: { tokenizer?: Tokenizer } = {}): Promise<string[]> {
  const texts = new Map(inputs.documents.map((d) => [d.contributionId, d.text]));
  const files: string[] = [];
  for (const dataset of inputs.datasets) {
    const shardOf = (version: number) => path.join(dir, `datanet-${dataset.datanetId}-v${version}.olidx`);
    const earlier = Array.from({ length: dataset.version }, (_, v) => shardOf(v + 1)).filter((f) => existsSync(f));
    const file = shardOf(dataset.version);
    if (!existsSync(file)) {
      const known = new Set<bigint>();
      if (earlier.length > 0) {
        const shards = await openIndexShards(earlier);
        shards.contributionIds.forEach((id) => known.add(id));
        shards.close();
      }
      const added = dataset.contributionIds.filter((id) => !known.has(id)).sort((a, b) => (a < b ? -1 : 1));
      await buildIndexShard(file, added.map((contributionId) => ({ contributionId, text: texts.get(contributionId)! })), options);
      earlier.push(file);
    }
    files.push(...earlier);
  }
  return [...new Set(files)];
}

/**
 * The disk-resident index of a model version's corpus kept in `dir`: builds the shards it lacks
 * (`buildDatasetShards`: a datanet version's shard is built once, then reused) and opens them all
 * together, for `openIndex`. `tokenizer` by name, as attribution takes it (`unicode-words/1` by default).
 */
export async function openDatasetShards(dir: string, inputs: AttributionInputs, options: { tokenizer?: string } = {}): Promise<IndexShards> {
  const tokenizer = await loadTokenizer(options.tokenizer ?? wordTokenizer.name);
  await mkdir(dir, { recursive: true });
  return openIndexShards(await buildDatasetShards(dir, inputs, { tokenizer }));
}
