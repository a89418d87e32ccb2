/**
 * The web app's whole local stack, as `npm run app` starts it: a `hardhat node`, the demo story
 * played on it as seed data (it deploys the protocol with Ignition), the storage service over the
 * story's content store, the indexer (`npm run indexer`, Ponder on PGlite), and the app built with
 * Vite and served by Vite's preview server, which proxies `/rpc`, `/storage` and `/indexer` to the
 * three services. Everything listens on 127.0.0.1. The seed leaves an attribution payout unclaimed and
 * the attributor's result file in the content store, served by CID (`summary.attribution.published`).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { network } from "hardhat";
import { createPublicClient, http } from "viem";
import { build, preview, type PreviewServer } from "vite";

import { createClient, formatDeployment, type Deployment } from "../../sdk/index.ts";
import { openFsStore, startStorageService, type StorageService } from "../../sdk/node/index.ts";
import { startIndexer, type IndexerService } from "../../test/helpers/indexer.ts";
import { ROOT, startLocalNode, type LocalNode } from "../../test/helpers/local-node.ts";
import { runDemoStory, type DemoSummary } from "./demo-story.ts";

export const APP_DIR = path.join(ROOT, "app");

export interface AppStack {
  /** The app's URL (Vite's preview server on 127.0.0.1). */
  url: string;
  /** The built app that is served. */
  appDir: string;
  node: LocalNode;
  storage: StorageService;
  indexer: IndexerService;
  deployment: Deployment;
  summary: DemoSummary;
  /** Stops every service and removes the temporary folders. */
  close(): Promise<void>;
}

/** Builds the app into `outDir` with its own Vite config (app/vite.config.ts). */
export async function buildApp(outDir: string): Promise<void> {
  await build({ root: APP_DIR, logLevel: "error", build: { outDir, emptyOutDir: true, manifest: true } });
}

/** Starts the stack; `log` gets the demo story's narration and each service's URL. */
export async function startAppStack(options: { log?: (line: string) => void; port?: number } = {}): Promise<AppStack> {
  const log = options.log ?? (() => {});
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-app-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const node = await startLocalNode();
    cleanups.push(() => node.stop());
    log(`node: ${node.url}`);

    const connection = await network.create({ network: "localhost", override: { url: node.url } });
    const deploymentId = `app-${process.pid}-${Date.now()}`;
    let summary: DemoSummary;
    try {
      summary = await runDemoStory(connection, log, { keepStore: true, deploymentId, publishAttribution: true });
    } finally {
      await connection.close();
      await rm(path.join(ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
    }
    cleanups.push(() => rm(summary.storage.dir, { recursive: true, force: true }));
    cleanups.push(() => rm(path.dirname(summary.trainConfig), { recursive: true, force: true }));
    // A fresh node: the deployment is its first transaction, in block 1.
    const deployment: Deployment = { chainId: summary.chainId, startBlock: 1n, contracts: summary.contracts as Deployment["contracts"] };
    const deploymentFile = path.join(dir, `${deployment.chainId}.json`);
    await writeFile(deploymentFile, formatDeployment(deployment));

    const client = createClient({ publicClient: createPublicClient({ transport: http(node.url) }), deployment });
    const storage = await startStorageService({ client, datanetIds: [summary.datanetId], store: await openFsStore(summary.storage.dir) });
    cleanups.push(() => storage.close());
    log(`storage service: ${storage.url} (datanet ${summary.datanetId}, store ${summary.storage.dir})`);

    const indexer = await startIndexer({ OPENLEDGER_RPC_URL: node.url, OPENLEDGER_DEPLOYMENT: deploymentFile, OPENLEDGER_INDEXER_DIR: path.join(dir, "pglite") });
    cleanups.push(() => indexer.stop());
    log(`indexer: ${indexer.url}`);

    const outDir = path.join(dir, "app");
    await buildApp(outDir);
    await writeFile(
      path.join(outDir, "openledger.json"),
      JSON.stringify({ deployment: JSON.parse(formatDeployment(deployment)), rpcUrl: "rpc", storageUrl: "storage", indexerUrl: "indexer", local: true }, null, 2),
    );
    const strip = (prefix: string) => (p: string) => p.slice(prefix.length) || "/";
    const server: PreviewServer = await preview({
      root: APP_DIR,
      logLevel: "warn",
      build: { outDir },
      preview: {
        host: "127.0.0.1",
        port: options.port ?? 0,
        strictPort: options.port !== undefined,
        proxy: {
          "/rpc": { target: node.url, rewrite: () => "/" },
          "/storage": { target: storage.url, rewrite: strip("/storage") },
          "/indexer": { target: indexer.url, rewrite: strip("/indexer") },
        },
      },
    });
    cleanups.push(() => server.close());
    const url = server.resolvedUrls!.local[0]!;
    return { url, appDir: outDir, node, storage, indexer, deployment, summary, close };
  } catch (error) {
    await close();
    throw error;
  }
}
