import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { createPublicClient, createWalletClient, defineChain, http, keccak256, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  computeCid,
  createClient,
  DataKind,
  datanetPolicy,
  gatewayFetcher,
  InvalidInputError,
  openTokenAbi,
  ReasonCode,
  storageServiceStore,
  UPLOAD_HEADERS,
  uploadMessage,
  UploadRefusedError,
  type Deployment,
  type OpenLedgerClient,
} from "../../sdk/index.ts";
import { readDeploymentFile, openFsStore, startStorageService, type StorageService } from "../../sdk/node/index.ts";
import { expectRejected } from "../helpers/errors.ts";
import { advanceTime, CLI_FROM_SOURCE as CLI, deployToNode, NODE_KEYS, ROOT, startLocalNode, type LocalNode } from "../helpers/local-node.ts";
import { sampleBytes } from "../helpers/storage.ts";

const chain = defineChain({ id: 31_337, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [] } } });
const [, OWNER, ALICE, BOB, CAROL, VALIDATOR] = NODE_KEYS;
const text = (s: string) => new TextEncoder().encode(s);
const OPEN = 10n ** 18n;

describe("Storage service (signed uploads, datanet rules, trustless gateway) against a separate node", function () {
  let node: LocalNode;
  let dir: string;
  let deploymentFile: string;
  let deployment: Deployment;
  let reader: OpenLedgerClient;
  let service: StorageService;
  let storeDir: string;
  const datanets = { text: 0n, image: 0n, bulk: 0n };

  const cliJson = <T = unknown>(key: string | undefined, ...args: string[]) => runCli<T>(node, deploymentFile, key!, args);

  const sdkAt = (key?: string) => {
    const transport = http(node.url);
    const walletClient = key === undefined ? undefined : createWalletClient({ account: privateKeyToAccount(key as Hex), chain, transport });
    return createClient({ publicClient: createPublicClient({ chain, transport }), walletClient, deployment });
  };

  /** Sends an upload by hand, so each header can be wrong on purpose. */
  async function upload(
    url: string,
    key: string,
    datanetId: bigint,
    bytes: Uint8Array,
    tweak: { contentHash?: Hex; expiresAt?: number; signWith?: string; omit?: string } = {},
  ) {
    const contentHash = tweak.contentHash ?? keccak256(bytes);
    const expiresAt = tweak.expiresAt ?? Math.floor(Date.now() / 1000) + 600;
    const message = uploadMessage({ chainId: 31_337, registry: deployment.contracts.datanetRegistry, datanetId, contentHash, expiresAt });
    const signature = await privateKeyToAccount((tweak.signWith ?? key) as Hex).signMessage({ message });
    const headers: Record<string, string> = {
      [UPLOAD_HEADERS.datanet]: String(datanetId),
      [UPLOAD_HEADERS.contributor]: privateKeyToAccount(key as Hex).address,
      [UPLOAD_HEADERS.contentHash]: contentHash,
      [UPLOAD_HEADERS.expires]: String(expiresAt),
      [UPLOAD_HEADERS.signature]: signature,
    };
    if (tweak.omit !== undefined) delete headers[tweak.omit];
    const response = await fetch(`${url}/upload`, { method: "POST", headers, body: bytes });
    return { status: response.status, body: (await response.json()) as { cid?: string; error?: string; reason?: string } };
  }

  before(async function () {
    this.timeout(240_000);
    dir = await mkdtemp(path.join(tmpdir(), "openledger-storage-"));
    node = await startLocalNode();
    deploymentFile = await deployToNode(node.url, dir);
    deployment = await readDeploymentFile(deploymentFile);
    reader = sdkAt();
    const owner = sdkAt(OWNER);
    const create = async (kind: DataKind, policy: ReturnType<typeof datanetPolicy>) =>
      (await (await owner.datanets.create({ kind, metadataURI: "ipfs://storage-test", policy })).wait()).datanetId;
    datanets.text = await create(DataKind.Text, datanetPolicy({ maxBytesPerContribution: 2_000n, maxContributionsPerContributorPerEpoch: 3, maxBytesPerContributorPerEpoch: 5_000n, quorum: 1 }));
    datanets.image = await create(DataKind.Image, datanetPolicy({ quorum: 1 }));
    datanets.bulk = await create(DataKind.Other, datanetPolicy({ maxBytesPerContributorPerEpoch: 100n * 1024n * 1024n, quorum: 1 }));
    // Contributors hold OPEN for their bonds; the validator stakes before anything is revealed, so
    // its verdicts count on every contribution of these tests.
    const treasury = sdkAt(NODE_KEYS[0]);
    for (const key of [ALICE, BOB, CAROL, VALIDATOR]) {
      const hash = await treasury.walletClient!.writeContract({ address: deployment.contracts.openToken, abi: openTokenAbi, functionName: "transfer", args: [privateKeyToAccount(key as Hex).address, 1_000n * OPEN], chain });
      await treasury.publicClient.waitForTransactionReceipt({ hash });
    }
    await (await sdkAt(VALIDATOR).validators.stake({ datanetId: datanets.text, amount: 1_000n * OPEN })).wait();
    storeDir = path.join(dir, "store");
    service = await startStorageService({ client: reader, datanetIds: [datanets.text, datanets.image], store: await openFsStore(storeDir) });
  });

  after(async function () {
    await service?.close();
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("stores a signed upload, answers with its CID and serves it back verified; the CID goes on chain as ipfs://", async function () {
    this.timeout(60_000);
    const alice = sdkAt(ALICE);
    const store = storageServiceStore({
      url: service.url,
      walletClient: alice.walletClient!,
      chainId: 31_337,
      registry: deployment.contracts.datanetRegistry,
      reader: gatewayFetcher(service.url),
    });
    const bytes = text("Glaciers carve valleys as they slide, grinding rock beneath their weight.");
    const { cid } = await store.put(bytes, { datanetId: datanets.text });
    expect(cid).to.equal(await computeCid(bytes));
    expect(Buffer.from(await store.get(cid)).toString()).to.equal(Buffer.from(bytes).toString());
    const { contributionId } = await (await alice.contributions.submit({ datanetId: datanets.text, contentHash: keccak256(bytes), sizeBytes: BigInt(bytes.length), uri: `ipfs://${cid}` })).wait();
    expect(contributionId > 0n).to.equal(true);
    // The same bytes again: registered now, so refused as a duplicate.
    await expectRejected(
      storageServiceStore({ url: service.url, walletClient: sdkAt(BOB).walletClient!, chainId: 31_337, registry: deployment.contracts.datanetRegistry, reader: gatewayFetcher(service.url) }).put(bytes, { datanetId: datanets.text }),
      UploadRefusedError,
      /Duplicate.*already registered/,
    );
  });

  it("refuses each bad upload with its own 4xx and reason, and stores nothing", async function () {
    this.timeout(60_000);
    const now = Math.floor(Date.now() / 1000);
    const prose = (n: number) => text(`Refused upload number ${n}: rivers carry sediment to the sea.`);
    const cases: { name: string; send: () => ReturnType<typeof upload>; bytes: Uint8Array; status: number; error: string; reason: RegExp }[] = [
      { name: "oversize", bytes: text("a".repeat(2_001)), send: () => upload(service.url, BOB!, datanets.text, text("a".repeat(2_001))), status: 413, error: "Oversize", reason: /2001 bytes is over datanet \d+'s limit of 2000/ },
      { name: "binary to a text datanet", bytes: new Uint8Array([0xff, 0xfe, 0x00, 0x01]), send: () => upload(service.url, BOB!, datanets.text, new Uint8Array([0xff, 0xfe, 0x00, 0x01])), status: 415, error: "WrongFormat", reason: /UTF-8 text/ },
      { name: "text to an image datanet", bytes: prose(1), send: () => upload(service.url, BOB!, datanets.image, prose(1)), status: 415, error: "WrongFormat", reason: /PNG, JPEG, GIF, WebP/ },
      { name: "signed by someone else", bytes: prose(2), send: () => upload(service.url, BOB!, datanets.text, prose(2), { signWith: CAROL }), status: 401, error: "BadSignature", reason: /not 0x[0-9a-fA-F]{40}'s/ },
      { name: "signed for other bytes", bytes: prose(3), send: () => upload(service.url, BOB!, datanets.text, prose(3), { contentHash: keccak256(prose(99)) }), status: 422, error: "HashMismatch", reason: /the bytes hash to 0x/ },
      { name: "expired", bytes: prose(4), send: () => upload(service.url, BOB!, datanets.text, prose(4), { expiresAt: now - 1 }), status: 401, error: "Expired", reason: /expired at/ },
      { name: "valid for too long", bytes: prose(5), send: () => upload(service.url, BOB!, datanets.text, prose(5), { expiresAt: now + 2 * 86_400 }), status: 400, error: "BadRequest", reason: /more than 86400 seconds/ },
      { name: "a datanet not served", bytes: prose(6), send: () => upload(service.url, BOB!, datanets.bulk, prose(6)), status: 404, error: "UnknownDatanet", reason: /does not take uploads for datanet/ },
      { name: "no signature", bytes: prose(7), send: () => upload(service.url, BOB!, datanets.text, prose(7), { omit: UPLOAD_HEADERS.signature }), status: 400, error: "BadRequest", reason: /x-openledger-signature is missing/ },
    ];
    // A body sent without a declared length is cut off as soon as it passes the limit.
    const streamed = text("b".repeat(2_001));
    const chunked = async () => {
      const expiresAt = now + 600;
      const contentHash = keccak256(streamed);
      const signature = await privateKeyToAccount(BOB as Hex).signMessage({ message: uploadMessage({ chainId: 31_337, registry: deployment.contracts.datanetRegistry, datanetId: datanets.text, contentHash, expiresAt }) });
      const body = new ReadableStream({ start: (c) => (c.enqueue(streamed), c.close()) });
      const response = await fetch(`${service.url}/upload`, {
        method: "POST",
        headers: { [UPLOAD_HEADERS.datanet]: String(datanets.text), [UPLOAD_HEADERS.contributor]: privateKeyToAccount(BOB as Hex).address, [UPLOAD_HEADERS.contentHash]: contentHash, [UPLOAD_HEADERS.expires]: String(expiresAt), [UPLOAD_HEADERS.signature]: signature },
        body,
        duplex: "half",
      } as RequestInit);
      return { status: response.status, body: (await response.json()) as { error?: string; reason?: string } };
    };
    cases.push({ name: "oversize, streamed", bytes: streamed, send: chunked, status: 413, error: "Oversize", reason: /the body is over datanet \d+'s limit of 2000 bytes/ });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7]);
    cases.push({ name: "a paused datanet", bytes: png, send: () => upload(service.url, BOB!, datanets.image, png), status: 403, error: "NotAllowed", reason: /paused/ });
    const owner = sdkAt(OWNER);
    await (await owner.datanets.setPaused({ datanetId: datanets.image, paused: true })).wait();

    const before = await readdir(path.join(storeDir, "blocks"));
    const store = await openFsStore(storeDir);
    for (const c of cases) {
      const { status, body } = await c.send();
      expect({ case: c.name, status, error: body.error }).to.deep.equal({ case: c.name, status: c.status, error: c.error });
      expect(body.reason, c.name).to.match(c.reason);
      expect(await store.has(await computeCid(c.bytes)), c.name).to.equal(false);
    }
    expect(await readdir(path.join(storeDir, "blocks"))).to.deep.equal(before);
    await (await owner.datanets.setPaused({ datanetId: datanets.image, paused: false })).wait();
    await expectRejected(
      storageServiceStore({ url: service.url, walletClient: sdkAt(BOB).walletClient!, chainId: 31_337, registry: deployment.contracts.datanetRegistry, reader: gatewayFetcher(service.url) }).put(png),
      InvalidInputError,
      /needs the datanet/,
    );
  });

  it("counts accepted uploads not yet registered against the contributor's quota", async function () {
    this.timeout(60_000);
    for (let i = 0; i < 3; i++) {
      const { status } = await upload(service.url, CAROL!, datanets.text, text(`Carol's note ${i} on how volcanoes build islands.`));
      expect(status).to.equal(201);
    }
    const again = await upload(service.url, CAROL!, datanets.text, text("Carol's note 0 on how volcanoes build islands."));
    expect(again.status, "the same upload again is not a new one").to.equal(201);
    const fourth = await upload(service.url, CAROL!, datanets.text, text("Carol's fourth note, on tides."));
    expect(fourth.status).to.equal(429);
    expect(fourth.body).to.include({ error: "QuotaUsedUp" });
    // Nothing is registered yet: the three stored uploads and this one are four items for three places.
    expect(fourth.body.reason).to.match(/has used 0 of the 3 contributions allowed .*; this submission does not fit in the rest\./);
  });

  it("loses nothing acknowledged: the service is killed during 20 concurrent uploads and restarted", async function () {
    this.timeout(180_000);
    const killedDir = path.join(dir, "killed-store");
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const start = () => startCli(["storage", "serve", "--datanet", String(datanets.bulk), "--store-dir", killedDir, "--port", String(port), "--rpc", node.url, "--deployment", deploymentFile]);
    let child = await start();
    const url = `http://127.0.0.1:${port}`;
    const contents = Array.from({ length: 20 }, (_, i) => sampleBytes(1_000_000 - i, 100 + i));
    const keys = [ALICE!, BOB!, CAROL!, OWNER!];
    const acknowledged: { cid: string; bytes: Uint8Array }[] = [];
    let killed = false;
    const uploads = contents.map(async (bytes, i) => {
      const answer = await upload(url, keys[i % keys.length]!, datanets.bulk, bytes).catch(() => undefined);
      if (answer?.status === 201 && answer.body.cid !== undefined) {
        acknowledged.push({ cid: answer.body.cid, bytes });
        if (!killed) {
          killed = true;
          child.kill("SIGKILL");
        }
      }
    });
    await Promise.all(uploads);
    await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once("exit", resolve)));
    expect(acknowledged.length, "some uploads were acknowledged before the kill").to.be.greaterThan(0);
    expect(acknowledged.length, "the kill cut some uploads short").to.be.lessThan(20);

    child = await start();
    try {
      const fetcher = gatewayFetcher(url);
      for (const { cid, bytes } of acknowledged) expect(Buffer.from(await fetcher.get(cid)).equals(Buffer.from(bytes)), cid).to.equal(true);
      // What was not acknowledged is either absent or whole: never a partial file.
      for (const bytes of contents) {
        const cid = await computeCid(bytes);
        if (await fetcher.has(cid)) expect(Buffer.from(await fetcher.get(cid)).equals(Buffer.from(bytes))).to.equal(true);
      }
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });

  it("datanet submit puts files through the service or the embedded store; validator serve fetches by CID, verifies, then judges", async function () {
    this.timeout(180_000);
    const id = String(datanets.text);
    const science = path.join(ROOT, "examples", "science-explained");
    const viaService = await cliJson<{ uri: string; contentHash: Hex }[]>(BOB, "datanet", "submit", id, path.join(science, "how-tides-work.txt"), "--store", service.url);
    const embedded = path.join(dir, "bob-store");
    const local = await cliJson<{ uri: string }[]>(BOB, "datanet", "submit", id, path.join(science, "why-ice-floats.txt"), "--store-dir", embedded);
    const tides = await readFile(path.join(science, "how-tides-work.txt"));
    expect(viaService[0]!.uri).to.equal(`ipfs://${await computeCid(tides)}`);
    expect(viaService[0]!.contentHash).to.equal(keccak256(tides));
    expect(await (await openFsStore(storeDir)).has(viaService[0]!.uri.slice("ipfs://".length))).to.equal(true);
    expect(await (await openFsStore(embedded)).has(local[0]!.uri.slice("ipfs://".length))).to.equal(true);

    // Verdicts open 30 minutes after the reveal. The validator reads from the service only: Bob's
    // embedded store is not reachable from there.
    await advanceTime(node.url, 30 * 60);
    const round = await cliJson<{ verdicts: { accept: boolean; reasonCode: number }[] }>(VALIDATOR, "validator", "serve", "--datanet", id, "--once", "--store", service.url, "--store-dir", path.join(dir, "validator-store"));
    expect(round.verdicts.map((v) => [v.accept, v.reasonCode])).to.deep.equal([
      [false, ReasonCode.TooShort], // Alice's one sentence, uploaded in the first test
      [true, ReasonCode.Ok],
      [false, ReasonCode.ContentUnavailable],
    ]);
  });

  it("the CLI refuses a storage service without a datanet in one line", async function () {
    this.timeout(60_000);
    const child = spawn(process.execPath, [...CLI, "storage", "serve", "--rpc", node.url, "--deployment", deploymentFile], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).to.equal(1);
    expect(stderr.trim()).to.equal("error: Invalid --datanet: name at least one datanet to serve");
  });
});

/** Runs a CLI command with `--json` against `node`, signing with `key`, and returns its data (it must succeed). */
async function runCli<T>(node: LocalNode, deploymentFile: string, key: string, args: string[]): Promise<T> {
  const env = { ...process.env, OPENLEDGER_KEY: key, OPENLEDGER_RPC_URL: "", OPENLEDGER_DEPLOYMENT: "", OPENLEDGER_STORE_DIR: "" };
  const child = spawn(process.execPath, [...CLI, ...args, "--json", "--rpc", node.url, "--deployment", deploymentFile], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once("exit", resolve));
  expect(code, `${args.join(" ")}: ${stderr}`).to.equal(0);
  return JSON.parse(stdout) as T;
}

/** Starts the CLI as a long-running process and waits for the storage service's ready line on stderr. */
async function startCli(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, OPENLEDGER_KEY: "" } });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the storage service did not start:\n${output}`)), 60_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("storage service for datanet")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the storage service exited (${code}):\n${output}`));
    });
  });
  return child;
}
