/**
 * What the SDK adds to a dapp's bundle: small pages built with Vite (production, minified) the way a
 * dapp would import the published package (its `dist/`, through the exports map), each doing one
 * read, measured as the gzip size of the JavaScript the page loads up front (lazily imported chunks,
 * such as the tiktoken tokenizers, are not loaded by these pages and not counted).
 */
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

import { build, type Manifest } from "vite";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** The budgets of issue 14, over viem alone. */
export const SDK_BUDGETS = { createClientRead: 40_000, oneAction: 10_000 } as const;

const ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const READER = `const publicClient = createPublicClient({ transport: http("http://127.0.0.1:8545") });`;
const DEPLOYMENT = `{ chainId: 31337, startBlock: 0n, contracts: { openToken: "${ADDRESS}", datanetRegistry: "${ADDRESS}", validatorStaking: "${ADDRESS}", attestationRegistry: "${ADDRESS}", merkleEpochDistributor: "${ADDRESS}", rewardPools: "${ADDRESS}", modelFactory: "${ADDRESS}", proofOfAttribution: "${ADDRESS}" } }`;

/** The pages: viem alone, `createClient` with one read, and one action imported by itself. */
export const SDK_PAGES = {
  viem: `import { createPublicClient, http, parseAbi } from "viem";
${READER}
publicClient.readContract({ address: "${ADDRESS}", abi: parseAbi(["function datanetCount() view returns (uint256)"]), functionName: "datanetCount" }).then(console.log);`,
  createClient: `import { createPublicClient, http } from "viem";
import { createClient } from "@openledger-evm/sdk";
${READER}
createClient({ publicClient, deployment: ${DEPLOYMENT} }).datanets.get(1n).then(console.log);`,
  oneAction: `import { createPublicClient, http } from "viem";
import { getDatanet } from "@openledger-evm/sdk/actions";
${READER}
getDatanet({ publicClient, deployment: ${DEPLOYMENT} }, 1n).then(console.log);`,
} as const;

export type SdkPage = keyof typeof SDK_PAGES;

/** gzip bytes of the JavaScript a page built from `source` loads before it runs. */
export async function pageGzipBytes(source: string): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-bundle-"));
  try {
    // The page resolves viem and the SDK (its dist/) as a dapp would, from the workspace's node_modules.
    await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    await writeFile(path.join(dir, "main.js"), source);
    await writeFile(path.join(dir, "index.html"), `<!doctype html><script type="module" src="./main.js"></script>\n`);
    await build({
      root: dir,
      configFile: false,
      logLevel: "silent",
      build: { outDir: "dist", manifest: true, reportCompressedSize: false },
    });
    return await initialGzipBytes(path.join(dir, "dist"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * gzip bytes of the JavaScript a Vite build in `outDir` (built with `manifest: true`) loads up front
 * for `entry`: the entry and what it imports statically, not its dynamic imports.
 */
export async function initialGzipBytes(outDir: string, entry = "index.html"): Promise<number> {
  const manifest = JSON.parse(await readFile(path.join(outDir, ".vite", "manifest.json"), "utf8")) as Manifest;
  const loaded = new Set<string>();
  const visit = (key: string) => {
    if (loaded.has(key)) return;
    loaded.add(key);
    for (const next of manifest[key]?.imports ?? []) visit(next);
  };
  visit(entry);
  let bytes = 0;
  for (const key of loaded) bytes += gzipSync(await readFile(path.join(outDir, manifest[key]!.file))).length;
  return bytes;
}

/** What `npm run bench:sdk` writes to `bench/sdk.json`. */
export interface SdkBundleReport {
  gzipBytes: Record<SdkPage, number>;
  overViem: { createClientRead: number; oneAction: number };
  budgets: typeof SDK_BUDGETS;
  met: { createClientRead: boolean; oneAction: boolean };
}

/** Builds the three pages and compares them with viem alone. */
export async function measureSdkBundles(): Promise<SdkBundleReport> {
  const gzipBytes = {} as Record<SdkPage, number>;
  for (const page of Object.keys(SDK_PAGES) as SdkPage[]) gzipBytes[page] = await pageGzipBytes(SDK_PAGES[page]);
  const overViem = { createClientRead: gzipBytes.createClient - gzipBytes.viem, oneAction: gzipBytes.oneAction - gzipBytes.viem };
  return {
    gzipBytes,
    overViem,
    budgets: SDK_BUDGETS,
    met: { createClientRead: overViem.createClientRead <= SDK_BUDGETS.createClientRead, oneAction: overViem.oneAction <= SDK_BUDGETS.oneAction },
  };
}
