import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { cidOfUri, type ContentSource, type ContributionRecord } from "@openledger-evm/sdk";

/**
 * A contribution's bytes from where its URI points: an `ipfs://<cid>` URI from `stores` (verified
 * against the CID, block by block), a `file://` path, an `http(s)://` URL (10 s timeout), or, for
 * other schemes, the file of the same name in `contentDir`.
 */
export async function fetchContent(contribution: Pick<ContributionRecord, "uri">, contentDir?: string, stores?: ContentSource): Promise<Uint8Array> {
  const { uri } = contribution;
  const cid = cidOfUri(uri);
  if (cid !== undefined && stores !== undefined) return stores.get(cid);
  if (uri.startsWith("file://")) return readFile(fileURLToPath(uri));
  if (/^https?:\/\//.test(uri)) {
    const response = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${uri}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  if (contentDir === undefined) throw new Error(`${uri}: give --content-dir to read it`);
  return readFile(path.join(contentDir, path.basename(uri)));
}
