import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { ContributionRecord } from "../../sdk/index.ts";

/**
 * A contribution's bytes from where its URI points: a `file://` path, an `http(s)://` URL (10 s
 * timeout), or, for other schemes (ipfs://…), the file of the same name in `contentDir`.
 */
export async function fetchContent(contribution: Pick<ContributionRecord, "uri">, contentDir?: string): Promise<Uint8Array> {
  const { uri } = contribution;
  if (uri.startsWith("file://")) return readFile(fileURLToPath(uri));
  if (/^https?:\/\//.test(uri)) {
    const response = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${uri}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  if (contentDir === undefined) throw new Error(`${uri}: give --content-dir to read it`);
  return readFile(path.join(contentDir, path.basename(uri)));
}
