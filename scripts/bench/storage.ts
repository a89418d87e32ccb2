/**
 * Storage benchmark: the storage service on 127.0.0.1 over the embedded filesystem store, reading
 * the registry from a separate `hardhat node` over HTTP (as it would a real chain's RPC). The
 * clients run in a worker thread, as they would on other machines. Each round, 20 contributors
 * sign 1 MB uploads beforehand and send them at once; the service checks each against the
 * datanet's rules (signature, size, keccak hash, quota on chain) and stores it durably. Then a
 * reader fetches all 20 back through the service's trustless gateway, every block verified.
 * After an untimed warm-up, prints the figures (median of 5 rounds) and writes `bench/storage.json`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { createClient, DataKind, datanetPolicy, gatewayFetcher, postUpload, signUpload } from "../../sdk/index.ts";
import { readDeploymentFile, openFsStore, startStorageService } from "../../sdk/node/index.ts";
import { deployToNode, NODE_KEYS, startLocalNode } from "../../test/helpers/local-node.ts";

const UPLOADS = 20;
const BYTES = 1_000_000;
const ROUNDS = 5;
const TARGETS = { gatewayVerifiedGetMBps: 50, uploadP95Ms: 500 };

interface Round {
  putMBps: number;
  uploadP95Ms: number;
  gatewayVerifiedGetMBps: number;
}
interface ClientTask {
  url: string;
  datanetId: bigint;
  chainId: number;
  registry: Address;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (bytes: number) => bytes / 1_000_000;

/** The clients' side (in the worker): every round's uploads and verified fetches, timed. */
async function runClients({ url, datanetId, chainId, registry }: ClientTask): Promise<Round[]> {
  // Contributors sign uploads only (no transactions), so fresh local keys do; the transport is never used.
  const contributors = Array.from({ length: UPLOADS }, () =>
    createWalletClient({ account: privateKeyToAccount(generatePrivateKey()), transport: http("http://127.0.0.1:1") }),
  );
  // Warm-up, untimed (as in bench:engine): one upload and one fetch compile the hot paths.
  const warm = await signUpload({ bytes: new Uint8Array(randomBytes(BYTES)), datanetId, walletClient: contributors[0]!, chainId, registry });
  await gatewayFetcher(url).get((await postUpload(url, warm)).cid);
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const contents = Array.from({ length: UPLOADS }, () => new Uint8Array(randomBytes(BYTES)));
    // Signed before the clock starts: contributors hash and sign on their own machines.
    const signed = await Promise.all(contents.map((bytes, i) => signUpload({ bytes, datanetId, walletClient: contributors[i]!, chainId, registry })));
    const latencies: number[] = [];
    const start = performance.now();
    const cids = await Promise.all(
      signed.map(async (upload) => {
        const t = performance.now();
        const { cid } = await postUpload(url, upload);
        latencies.push(performance.now() - t);
        return cid;
      }),
    );
    const putSeconds = (performance.now() - start) / 1_000;
    const fetcher = gatewayFetcher(url);
    const getStart = performance.now();
    for (const [i, cid] of cids.entries()) {
      const bytes = await fetcher.get(cid);
      if (Buffer.compare(bytes, contents[i]!) !== 0) throw new Error(`round ${round}: ${cid} came back different`);
    }
    const getSeconds = (performance.now() - getStart) / 1_000;
    latencies.sort((a, b) => a - b);
    rounds.push({
      putMBps: mb(UPLOADS * BYTES) / putSeconds,
      uploadP95Ms: latencies[Math.ceil(latencies.length * 0.95) - 1]!,
      gatewayVerifiedGetMBps: mb(UPLOADS * BYTES) / getSeconds,
    });
    process.stderr.write(`round ${round + 1}: ${JSON.stringify(rounds.at(-1))}\n`);
  }
  return rounds;
}

if (!isMainThread) {
  parentPort!.postMessage(await runClients(workerData as ClientTask));
} else {
  const node = await startLocalNode();
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-bench-storage-"));
  try {
    const deployment = await readDeploymentFile(await deployToNode(node.url, dir));
    const chain = defineChain({ id: deployment.chainId, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
    // Concurrent reads go to the node as JSON-RPC batches, as a service in production would send them.
    const publicClient = createPublicClient({ chain, transport: http(node.url, { batch: true }) });
    const owner = createWalletClient({ account: privateKeyToAccount(NODE_KEYS[1] as Hex), chain, transport: http(node.url) });
    const { datanetId } = await (await createClient({ publicClient, walletClient: owner, deployment }).datanets.create({ kind: DataKind.Other, metadataURI: "ipfs://bench-storage", policy: datanetPolicy() })).wait();
    const service = await startStorageService({ client: createClient({ publicClient, deployment }), datanetIds: [datanetId], store: await openFsStore(path.join(dir, "store")) });

    const task: ClientTask = { url: service.url, datanetId, chainId: deployment.chainId, registry: deployment.contracts.datanetRegistry };
    const worker = new Worker(new URL(import.meta.url), { workerData: task });
    const rounds = await new Promise<Round[]>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    await service.close();

    const figures = {
      putMBps: Number(median(rounds.map((r) => r.putMBps)).toFixed(1)),
      gatewayVerifiedGetMBps: Number(median(rounds.map((r) => r.gatewayVerifiedGetMBps)).toFixed(1)),
      uploadP95Ms: Number(median(rounds.map((r) => r.uploadP95Ms)).toFixed(1)),
      uploads: UPLOADS,
      bytesPerUpload: BYTES,
      rounds: ROUNDS,
      // The machine may be shared: its 1-minute load average when the rounds ended, to read the figures by.
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    };
    console.table([
      { figure: "20 concurrent signed 1 MB uploads (checked, fsynced)", value: `${figures.putMBps} MB/s, p95 ${figures.uploadP95Ms} ms`, target: `p95 <= ${TARGETS.uploadP95Ms} ms`, met: figures.uploadP95Ms <= TARGETS.uploadP95Ms },
      { figure: "verified fetch through the trustless gateway (CAR)", value: `${figures.gatewayVerifiedGetMBps} MB/s`, target: `>= ${TARGETS.gatewayVerifiedGetMBps} MB/s`, met: figures.gatewayVerifiedGetMBps >= TARGETS.gatewayVerifiedGetMBps },
    ]);
    await writeFile(path.resolve(import.meta.dirname, "..", "..", "bench", "storage.json"), `${JSON.stringify(figures, null, 2)}\n`);
    console.log("Wrote bench/storage.json");
  } finally {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
