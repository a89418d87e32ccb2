import { spawn } from "node:child_process";
import { readdir, readFile, rm, writeFile, mkdtemp, mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as dagPb from "@ipld/dag-pb";
import { sha256 } from "multiformats/hashes/sha2";
import { keccak256 } from "viem";

import {
  assertSameContent,
  blockKey,
  cidOfUri,
  computeCid,
  contentAddress,
  contentBlocks,
  ContentMismatchError,
  ContentUnavailableError,
  DataKind,
  firstOf,
  formatProblem,
  gatewayFetcher,
  InvalidInputError,
  ipfsUri,
  verifyBlock,
} from "../../sdk/index.ts";
import { openFsStore, startGateway, type StorageService } from "../../sdk/node/index.ts";
import { expectRejected } from "../helpers/errors.ts";
import { sampleBytes } from "../helpers/storage.ts";

const MIB = 1024 * 1024;

describe("Storage: CIDs", function () {
  it("addresses one block of content as a raw CIDv1 over its sha2-256", async function () {
    const bytes = new TextEncoder().encode("Photosynthesis turns light into sugar.");
    const expected = CID.create(1, raw.code, await sha256.digest(bytes)).toString();
    expect(await computeCid(bytes)).to.equal(expected);
    expect(expected).to.match(/^bafkrei/);
    const address = await contentAddress(bytes);
    expect(address).to.deep.equal({ contentHash: keccak256(bytes), sizeBytes: BigInt(bytes.length), cid: expected, uri: `ipfs://${expected}` });
  });

  it("makes content larger than one block (1 MiB) a UnixFS file over raw leaves, root last", async function () {
    const bytes = sampleBytes(2 * MIB + 5);
    const { cid, blocks } = await contentBlocks(bytes);
    expect(cid.code).to.equal(dagPb.code);
    expect(blocks.map((b) => b.cid.code)).to.deep.equal([raw.code, raw.code, raw.code, dagPb.code]);
    expect(blocks.at(-1)!.cid.equals(cid)).to.equal(true);
    expect(dagPb.decode(blocks.at(-1)!.bytes).Links.map((l) => l.Tsize)).to.deep.equal([MIB, MIB, 5]);
    for (const block of blocks) await verifyBlock(block.cid, block.bytes);
    expect(await computeCid(sampleBytes(MIB))).to.match(/^bafkrei/); // exactly one block: still raw
  });

  it("checks that a keccak content hash and a CID describe the same bytes", async function () {
    const bytes = sampleBytes(300);
    const { contentHash, cid } = await contentAddress(bytes);
    await assertSameContent(bytes, { contentHash, cid });
    const other = await contentAddress(sampleBytes(300, 2));
    await expectRejected(assertSameContent(bytes, { contentHash, cid: other.cid }), ContentMismatchError, /import to/);
    await expectRejected(assertSameContent(bytes, { contentHash: other.contentHash, cid }), ContentMismatchError, /hash to/);
  });

  it("parses ipfs:// URIs and refuses what is not a CID", async function () {
    const cid = await computeCid(sampleBytes(10));
    expect(cidOfUri(ipfsUri(cid))).to.equal(cid);
    expect(cidOfUri("file:///tmp/a.txt")).to.equal(undefined);
    expect(() => ipfsUri("not-a-cid")).to.throw(InvalidInputError, /not a CID/);
    await expectRejected(computeCid(new Uint8Array()), InvalidInputError, /empty/);
  });

  it("checks formats by kind: UTF-8 text, image and audio signatures", function () {
    expect(formatProblem(DataKind.Text, new TextEncoder().encode("plain words"))).to.equal(undefined);
    expect(formatProblem(DataKind.Text, new Uint8Array([0xff, 0xfe, 0x00]))).to.match(/not UTF-8/);
    expect(formatProblem(DataKind.Image, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1]))).to.equal(undefined);
    expect(formatProblem(DataKind.Image, new TextEncoder().encode("text"))).to.match(/PNG, JPEG/);
    expect(formatProblem(DataKind.Audio, new TextEncoder().encode("fLaC...."))).to.equal(undefined);
    expect(formatProblem(DataKind.Other, new Uint8Array([0]))).to.equal(undefined);
  });
});

describe("Storage: the filesystem store", function () {
  let dir: string;
  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "openledger-store-"));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("puts, has and gets content of one block and of several, byte for byte", async function () {
    const store = await openFsStore(dir);
    for (const bytes of [sampleBytes(1_000), sampleBytes(3 * MIB + 17, 3)]) {
      const { cid } = await store.put(bytes);
      expect(cid).to.equal(await computeCid(bytes));
      expect(await store.has(cid)).to.equal(true);
      expect(Buffer.from(await store.get(cid)).equals(Buffer.from(bytes))).to.equal(true);
      expect((await store.put(bytes)).cid).to.equal(cid); // idempotent
    }
    const absent = await computeCid(sampleBytes(10, 9));
    expect(await store.has(absent)).to.equal(false);
    await expectRejected(store.get(absent), ContentUnavailableError, /not in/);
  });

  it("refuses to return a block altered on disk", async function () {
    const store = await openFsStore(dir);
    const { cid } = await store.put(sampleBytes(2 * MIB, 4));
    const files = await readdir(path.join(dir, "blocks"));
    const leaf = files.find((f) => f !== blockKey(CID.parse(cid)))!;
    const bytes = await readFile(path.join(dir, "blocks", leaf));
    bytes[100]! ^= 1;
    await writeFile(path.join(dir, "blocks", leaf), bytes);
    await expectRejected(store.get(cid), ContentMismatchError, /do not hash/);
  });

  it("a writer killed mid-put leaves no partial file: only whole blocks, and every root acknowledged is whole", async function () {
    this.timeout(60_000);
    // A child process puts 2 MiB contents in a loop and prints each CID once put returns; it is killed (SIGKILL) mid-stream.
    const script = `
      import { openFsStore } from ${JSON.stringify(path.resolve("sdk/node/storage/fs-store.ts"))};
      const store = await openFsStore(process.argv[1]);
      for (let i = 1; ; i++) {
        const bytes = new Uint8Array(2 * 1024 * 1024 + i).fill(i % 251);
        const { cid } = await store.put(bytes);
        process.stdout.write(cid + " " + i + "\\n");
      }`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir], { stdio: ["ignore", "pipe", "inherit"] });
    const acknowledged: { cid: string; i: number }[] = [];
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        const [cid, i] = line.split(" ");
        acknowledged.push({ cid: cid!, i: Number(i) });
      }
    });
    while (acknowledged.length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    // Kill at a moment unrelated to the writer's progress.
    await new Promise((resolve) => setTimeout(resolve, 7));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    // Every file under blocks/ is a whole block: it hashes to its name.
    const names = await readdir(path.join(dir, "blocks"));
    for (const name of names) {
      const bytes = await readFile(path.join(dir, "blocks", name));
      const digest = await sha256.digest(bytes);
      expect(blockKey(CID.create(1, raw.code, digest)), `block file ${name}`).to.equal(name);
    }
    const store = await openFsStore(dir);
    for (const { cid, i } of acknowledged) {
      const bytes = await store.get(cid);
      expect(bytes.length).to.equal(2 * MIB + i);
      expect(bytes.every((b) => b === i % 251)).to.equal(true);
    }
  });
});

describe("Storage: the trustless gateway fetcher", function () {
  let dir: string;
  let gateway: StorageService;
  let proxy: StorageService;
  /** Which byte of the next answer the proxy flips (undefined: forward unchanged). */
  let flip: number | undefined;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "openledger-gateway-"));
    await mkdir(dir, { recursive: true });
    gateway = await startGateway(await openFsStore(dir));
    // A gateway that alters one byte of what it relays.
    const server = createServer(async (request, response) => {
      const upstream = await fetch(`${gateway.url}${request.url}`, { headers: { accept: request.headers.accept ?? "*/*" } });
      const body = new Uint8Array(await upstream.arrayBuffer());
      if (flip !== undefined) body[flip < 0 ? body.length + flip : flip]! ^= 0x01;
      response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "" }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
  });
  after(async function () {
    await proxy.close();
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => (flip = undefined));

  it("fetches content of one block and of several as a CAR, verified, byte for byte", async function () {
    const store = await openFsStore(dir);
    for (const bytes of [sampleBytes(5_000, 5), sampleBytes(2 * MIB + 3, 6)]) {
      const { cid } = await store.put(bytes);
      const fetcher = gatewayFetcher(gateway.url);
      expect(await fetcher.has(cid)).to.equal(true);
      expect(Buffer.from(await fetcher.get(cid)).equals(Buffer.from(bytes))).to.equal(true);
    }
  });

  it("serves raw blocks and CARs the trustless way", async function () {
    const bytes = sampleBytes(2 * MIB + 3, 6);
    const { cid, blocks } = await contentBlocks(bytes);
    const rawBlock = await fetch(`${gateway.url}/ipfs/${blocks[0]!.cid}`, { headers: { accept: "application/vnd.ipld.raw" } });
    expect(rawBlock.headers.get("content-type")).to.equal("application/vnd.ipld.raw");
    expect(Buffer.from(await rawBlock.arrayBuffer()).equals(Buffer.from(blocks[0]!.bytes))).to.equal(true);
    const car = await fetch(`${gateway.url}/ipfs/${cid}?format=car`);
    expect(car.headers.get("content-type")).to.match(/^application\/vnd\.ipld\.car/);
    expect((await car.arrayBuffer()).byteLength).to.be.greaterThan(bytes.length);
    const file = await fetch(`${gateway.url}/ipfs/${cid}`);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(bytes))).to.equal(true);
    const bad = await fetch(`${gateway.url}/ipfs/not-a-cid`);
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { reason: string }).reason).to.match(/not a CID/);
  });

  it("catches a gateway that alters a byte, in a leaf or in the root", async function () {
    const bytes = sampleBytes(2 * MIB + 3, 6);
    const { cid } = await (await openFsStore(dir)).put(bytes);
    const small = (await (await openFsStore(dir)).put(sampleBytes(4_000, 7))).cid;
    flip = -(2 * MIB); // a byte of the first leaf's data
    await expectRejected(gatewayFetcher(proxy.url).get(cid), ContentMismatchError, /do not hash to its CID/);
    flip = -10; // a byte of the last leaf's CID in the CAR: the leaf the root links to is missing
    await expectRejected(gatewayFetcher(proxy.url).get(cid), ContentMismatchError, /lacks block/);
    flip = 100; // inside the CAR's first block: the dag-pb root
    await expectRejected(gatewayFetcher(proxy.url).get(cid), ContentMismatchError, /./);
    flip = -1; // the last byte of a single raw block
    await expectRejected(gatewayFetcher(proxy.url).get(small), ContentMismatchError, /do not hash/);
    flip = undefined;
    expect(Buffer.from(await gatewayFetcher(proxy.url).get(cid)).equals(Buffer.from(bytes))).to.equal(true);
  });

  it("reports unreachable gateways and absent content as unavailable, and falls back to the next source", async function () {
    const cid = await computeCid(sampleBytes(100, 8));
    await expectRejected(gatewayFetcher(gateway.url).get(cid), ContentUnavailableError, /HTTP 404/);
    await expectRejected(gatewayFetcher("http://127.0.0.1:9", { timeoutMs: 2_000 }).get(cid), ContentUnavailableError, /did not answer/);
    const store = await openFsStore(dir);
    await store.put(sampleBytes(100, 8));
    flip = -1;
    const both = firstOf([gatewayFetcher(proxy.url), gatewayFetcher(gateway.url)]);
    expect(Buffer.from(await both.get(cid)).equals(Buffer.from(sampleBytes(100, 8)))).to.equal(true);
    await expectRejected(firstOf([]).get(cid), ContentUnavailableError, /no store or gateway/);
    expect(() => gatewayFetcher("ftp://x")).to.throw(InvalidInputError, /http/);
  });
});
