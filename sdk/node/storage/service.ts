import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { CarWriter } from "@ipld/car/writer";
import createKeccak from "keccak";
import type { CID } from "multiformats/cid";
import { bytesToHex, getAddress, isAddress, isHex, type Address, type Hex } from "viem";

import { checkSubmission, type SubmissionItem } from "../../actions/contributions.ts";
import { getCurrentEpoch, getDatanet } from "../../actions/datanets.ts";
import type { ProtocolClient } from "../../client.ts";
import { ProtocolError } from "../../errors.ts";
import { verifyBlock, walkDag } from "../../storage/blocks.ts";
import { parseCid } from "../../storage/cid.ts";
import { ContentMismatchError, ContentUnavailableError, UploadRefusedError } from "../../storage/errors.ts";
import { formatProblem } from "../../storage/format.ts";
import { CAR_MEDIA_TYPE, RAW_MEDIA_TYPE } from "../../storage/gateway.ts";
import type { BlockStore } from "../../storage/store.ts";
import { UPLOAD_HEADERS, uploadSigner, type UploadAuthorization } from "../../storage/upload.ts";

/** The longest an upload signature may be valid for: a day. Longer-lived signatures are refused. */
const MAX_SIGNATURE_TTL_SECONDS = 24 * 60 * 60;

export interface StorageServiceOptions {
  /** Reads policies, quotas and registrations (no key needed). */
  client: ProtocolClient;
  /** The datanets this service takes uploads for. */
  datanetIds: readonly bigint[];
  store: BlockStore;
  /** 127.0.0.1 unless given. */
  host?: string;
  /** 0 (any free port) unless given. */
  port?: number;
}

export interface StorageService {
  url: string;
  close(): Promise<void>;
}

/** Uploads accepted but not yet registered on chain, per datanet and contributor: they count against the quota too. */
type Pending = Map<string, (SubmissionItem & { epoch: number })[]>;

/**
 * An HTTP storage service for one or more datanets.
 *
 * `POST /upload` takes the bytes, authorised by the contributor's EIP-191 signature over the content
 * hash, the datanet and an expiry (`uploadMessage`, headers `UPLOAD_HEADERS`). Before anything is
 * stored it checks, in order: the signature and expiry, the datanet's size limit (from the declared
 * length, then the bytes), that the bytes hash to the signed content hash, the datanet's format, and
 * the registry's rules through `checkSubmission` (quotas, counting this service's unregistered
 * uploads, duplicates, pauses, allowlist). It answers `201 { cid, uri, contentHash, sizeBytes }`
 * once the bytes are durable, or a 4xx `{ error, reason }` (see `UploadRefusal`).
 *
 * `GET /ipfs/<cid>` is a trustless gateway: `?format=raw` (or `Accept: application/vnd.ipld.raw`)
 * gives one block, `?format=car` the whole DAG as a CAR, and no format the file's bytes.
 */
export async function startStorageService(options: StorageServiceOptions): Promise<StorageService> {
  const { client, store } = options;
  if (options.datanetIds.length === 0) throw new UploadRefusedError("BadRequest", "name at least one datanet to serve");
  // Fails here, before listening, for a datanet that does not exist.
  for (const id of options.datanetIds) await getDatanet(client, id);
  const served = new Set(options.datanetIds);
  const pending: Pending = new Map();
  const locks = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task with the same key (so two uploads cannot both take the last quota). */
  const serially = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const run = (locks.get(key) ?? Promise.resolve()).then(task, task);
    const settled = run.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => locks.get(key) === settled && locks.delete(key));
    return run;
  };

  async function upload(request: IncomingMessage): Promise<{ cid: string; uri: string; contentHash: Hex; sizeBytes: string }> {
    const auth = parseAuthorization(request);
    const contributor = auth.contributor;
    if (!served.has(auth.datanetId)) throw new UploadRefusedError("UnknownDatanet", `this service does not take uploads for datanet ${auth.datanetId}`);
    const now = Math.floor(Date.now() / 1000);
    if (auth.expiresAt <= now) throw new UploadRefusedError("Expired", `the signature expired at ${auth.expiresAt} (now ${now})`);
    if (auth.expiresAt > now + MAX_SIGNATURE_TTL_SECONDS) throw new UploadRefusedError("BadRequest", `the signature is valid for more than ${MAX_SIGNATURE_TTL_SECONDS} seconds`);
    const full: UploadAuthorization = { ...auth, chainId: client.deployment.chainId, registry: client.deployment.contracts.datanetRegistry };
    const signer = await uploadSigner(full, auth.signature).catch(() => undefined);
    if (signer !== contributor) throw new UploadRefusedError("BadSignature", `the signature is not ${contributor}'s over this content hash, datanet, deployment and expiry`);

    const { kind, policy } = await getDatanet(client, auth.datanetId);
    const max = policy.maxBytesPerContribution;
    const declared = request.headers["content-length"];
    if (declared !== undefined && BigInt(declared) > max) throw new UploadRefusedError("Oversize", `${declared} bytes is over datanet ${auth.datanetId}'s limit of ${max}`);
    const bytes = await readBody(request, max);
    if (bytes === undefined) throw new UploadRefusedError("Oversize", `the body is over datanet ${auth.datanetId}'s limit of ${max} bytes`);
    // Native Keccak: the JavaScript one costs about 15 times as much CPU per megabyte.
    const contentHash = bytesToHex(createKeccak("keccak256").update(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)).digest());
    if (contentHash !== auth.contentHash) throw new UploadRefusedError("HashMismatch", `the bytes hash to ${contentHash}, the signature is for ${auth.contentHash}`);
    const problem = formatProblem(kind, bytes);
    if (problem !== undefined) throw new UploadRefusedError("WrongFormat", problem);

    const key = `${auth.datanetId}:${contributor}`;
    const item = { contentHash, sizeBytes: BigInt(bytes.length), uri: "" };
    const epoch = await serially(key, async () => {
      const epoch = await getCurrentEpoch(client, auth.datanetId);
      let mine = (pending.get(key) ?? []).filter((p) => p.epoch === epoch);
      // Uploads registered since are on chain now and count there: the registry calls them
      // duplicates, so each is dropped from this list and the check runs again.
      for (;;) {
        const items = mine.some((p) => p.contentHash === contentHash) ? mine : [...mine, { ...item, epoch }];
        try {
          await checkSubmission(client, { datanetId: auth.datanetId, contributor, items });
          pending.set(key, items);
          return epoch;
        } catch (error) {
          const registered = ProtocolError.is(error, "DuplicateContent") ? mine.find((p) => p.contentHash === error.args.contentHash) : undefined;
          if (registered === undefined) throw refusalOf(error);
          mine = mine.filter((p) => p !== registered);
        }
      }
    });
    try {
      const { cid } = await store.put(bytes);
      return { cid, uri: `ipfs://${cid}`, contentHash, sizeBytes: String(bytes.length) };
    } catch (error) {
      pending.set(key, (pending.get(key) ?? []).filter((p) => !(p.contentHash === contentHash && p.epoch === epoch)));
      throw error;
    }
  }

  const gateway = gatewayHandler(store);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const handle = async () => {
      if (request.method === "POST" && url.pathname === "/upload") {
        const body = await upload(request);
        return send(response, 201, body);
      }
      if ((request.method === "GET" || request.method === "HEAD") && url.pathname.startsWith("/ipfs/")) return gateway(request, response, url);
      if (request.method === "GET" && url.pathname === "/health") return send(response, 200, { datanets: [...served].map(String) });
      send(response, 404, { error: "NotFound", reason: `no route ${request.method} ${url.pathname}` });
    };
    handle().catch((error: unknown) => sendError(response, error));
  });
  return listen(server, options);
}

/** A server that is only a trustless gateway over `store` (a read-only mirror). */
export async function startGateway(store: BlockStore, options: { host?: string; port?: number } = {}): Promise<StorageService> {
  const gateway = gatewayHandler(store);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if ((request.method === "GET" || request.method === "HEAD") && url.pathname.startsWith("/ipfs/")) {
      return void gateway(request, response, url).catch((error: unknown) => sendError(response, error));
    }
    send(response, 404, { error: "NotFound", reason: `no route ${request.method} ${url.pathname}` });
  });
  return listen(server, options);
}

async function listen(server: Server, options: { host?: string; port?: number }): Promise<StorageService> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * A trustless gateway over a block store (IPIP-402): `GET /ipfs/<cid>?format=raw` (or
 * `Accept: application/vnd.ipld.raw`) answers one block, `?format=car` the whole DAG as a CAR (depth
 * first, root first), and no format the file's bytes. Blocks are verified before they are served.
 */
export function gatewayHandler(store: BlockStore) {
  return async function gateway(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const cid = parseCidOr400(url.pathname.slice("/ipfs/".length));
    const accept = request.headers.accept ?? "";
    const format = url.searchParams.get("format") ?? (accept.includes(CAR_MEDIA_TYPE) ? "car" : accept.includes(RAW_MEDIA_TYPE) ? "raw" : undefined);
    const head = request.method === "HEAD";
    const common = { "cache-control": "public, max-age=29030400, immutable", etag: `"${cid}.${format ?? "file"}"` };
    if (format === "raw") {
      const block = await store.getBlock(cid);
      await verifyBlock(cid, block);
      response.writeHead(200, { ...common, "content-type": RAW_MEDIA_TYPE, "content-length": block.length });
      response.end(head ? undefined : block);
    } else if (format === "car") {
      if (!(await store.has(cid.toString()))) throw new ContentUnavailableError(cid.toString(), "not stored here");
      response.writeHead(200, { ...common, "content-type": `${CAR_MEDIA_TYPE}; version=1` });
      if (head) return void response.end();
      const { writer, out } = CarWriter.create([cid]);
      const piping = (async () => {
        for await (const chunk of out) if (!response.write(chunk)) await new Promise((r) => response.once("drain", r));
      })();
      for await (const block of walkDag(cid, (c) => store.getBlock(c))) await writer.put(block);
      await writer.close();
      await piping;
      response.end();
    } else if (format === undefined) {
      const bytes = await store.get(cid.toString());
      response.writeHead(200, { ...common, "content-type": "application/octet-stream", "content-length": bytes.length });
      response.end(head ? undefined : bytes);
    } else {
      throw new UploadRefusedError("BadRequest", `format ${format} is not one of raw, car`);
    }
  };
}

/** Every error as JSON `{ error, reason }`: the refusal's own status, 404 for absent content, 500 for a corrupt store. */
function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) return void response.destroy(error as Error);
  if (error instanceof UploadRefusedError) return send(response, error.status, { error: error.code, reason: error.shortMessage.replace(/^Upload refused \(\w+\): /, "") });
  if (error instanceof ContentUnavailableError) return send(response, 404, { error: "NotFound", reason: error.shortMessage });
  if (error instanceof ContentMismatchError) return send(response, 500, { error: "Corrupt", reason: error.shortMessage });
  send(response, 500, { error: "Internal", reason: (error as Error).message });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function parseCidOr400(text: string): CID {
  try {
    return parseCid(text, "cid");
  } catch {
    throw new UploadRefusedError("BadRequest", `${text} is not a CID`);
  }
}

/** The upload's headers, each checked for form (400 with the header's name otherwise). */
function parseAuthorization(request: IncomingMessage): Omit<UploadAuthorization, "chainId" | "registry"> & { contributor: Address; signature: Hex } {
  const header = (name: string) => {
    const value = request.headers[name];
    if (typeof value !== "string" || value === "") throw new UploadRefusedError("BadRequest", `header ${name} is missing`);
    return value;
  };
  const datanet = header(UPLOAD_HEADERS.datanet);
  const contributor = header(UPLOAD_HEADERS.contributor);
  const contentHash = header(UPLOAD_HEADERS.contentHash).toLowerCase();
  const expires = header(UPLOAD_HEADERS.expires);
  const signature = header(UPLOAD_HEADERS.signature);
  if (!/^[1-9]\d*$/.test(datanet)) throw new UploadRefusedError("BadRequest", `header ${UPLOAD_HEADERS.datanet}: ${datanet} is not a datanet id`);
  if (!isAddress(contributor)) throw new UploadRefusedError("BadRequest", `header ${UPLOAD_HEADERS.contributor}: ${contributor} is not an address`);
  if (!isHex(contentHash) || contentHash.length !== 66) throw new UploadRefusedError("BadRequest", `header ${UPLOAD_HEADERS.contentHash}: ${contentHash} is not a 32-byte hash`);
  if (!/^\d+$/.test(expires)) throw new UploadRefusedError("BadRequest", `header ${UPLOAD_HEADERS.expires}: ${expires} is not a time in Unix seconds`);
  if (!isHex(signature)) throw new UploadRefusedError("BadSignature", `header ${UPLOAD_HEADERS.signature} is not a hex signature`);
  return { datanetId: BigInt(datanet), contributor: getAddress(contributor), contentHash, expiresAt: Number(expires), signature };
}

/** The body, or undefined as soon as it passes `max` bytes (the rest is not read). */
async function readBody(request: IncomingMessage, max: bigint): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (BigInt(length) > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/** The refusal for a registry rule `checkSubmission` found broken; names matched loosely so new quota errors map too. */
function refusalOf(error: unknown): unknown {
  if (!(error instanceof ProtocolError)) return error;
  const name: string = error.errorName;
  if (/Quota/.test(name)) return new UploadRefusedError("QuotaUsedUp", error.shortMessage);
  if (name === "ContributionTooLarge") return new UploadRefusedError("Oversize", error.shortMessage);
  if (name === "DuplicateContent") return new UploadRefusedError("Duplicate", error.shortMessage);
  if (name === "DatanetUnknown") return new UploadRefusedError("UnknownDatanet", error.shortMessage);
  return new UploadRefusedError("NotAllowed", error.shortMessage);
}
