import { getAddress, recoverMessageAddress, type Account, type Address, type Hex, type WalletClient } from "viem";

import { ClientConfigError, InvalidInputError } from "../errors.ts";
import { withSdkErrors } from "../transaction.ts";
import { contentAddress } from "./cid.ts";
import { ContentUnavailableError, UploadRefusal, UploadRefusedError, type UploadRefusalCode } from "./errors.ts";
import type { ContentSource, ContentStore, PutOptions } from "./store.ts";

/** What an upload's signature covers; `registry` and `chainId` keep it from being replayed on another deployment. */
export interface UploadAuthorization {
  chainId: number;
  registry: Address;
  datanetId: bigint;
  contentHash: Hex;
  /** Unix seconds after which the signature is refused. */
  expiresAt: number;
}

/** The headers an upload carries its authorization in. */
export const UPLOAD_HEADERS = {
  datanet: "x-openledger-datanet",
  contributor: "x-openledger-contributor",
  contentHash: "x-openledger-content-hash",
  expires: "x-openledger-expires",
  signature: "x-openledger-signature",
} as const;

/**
 * The EIP-191 message a contributor signs to upload content: readable in a wallet's prompt, and
 * binding the content hash, the datanet, the deployment and an expiry.
 */
export function uploadMessage(auth: UploadAuthorization): string {
  return [
    "OpenLedger storage upload",
    `chain: ${auth.chainId}`,
    `registry: ${getAddress(auth.registry)}`,
    `datanet: ${auth.datanetId}`,
    `content: ${auth.contentHash.toLowerCase()}`,
    `expires: ${auth.expiresAt}`,
  ].join("\n");
}

/** The contributor who signed an upload (EIP-191), for the service to check quotas against. */
export async function uploadSigner(auth: UploadAuthorization, signature: Hex): Promise<Address> {
  return recoverMessageAddress({ message: uploadMessage(auth), signature });
}

/** An upload ready to send: the bytes, their CID and the signed headers. */
export interface SignedUpload {
  bytes: Uint8Array;
  cid: string;
  headers: Record<string, string>;
}

/** Addresses the bytes and signs the upload with the wallet's account (EIP-191, see `uploadMessage`). */
export async function signUpload(params: {
  bytes: Uint8Array;
  datanetId: bigint;
  walletClient: WalletClient & { account: Account };
  chainId: number;
  registry: Address;
  /** How long the signature stays valid (default 10 minutes). */
  signatureTtlSeconds?: number;
}): Promise<SignedUpload> {
  const { bytes, walletClient } = params;
  const { contentHash, cid } = await contentAddress(bytes);
  const auth: UploadAuthorization = {
    chainId: params.chainId,
    registry: params.registry,
    datanetId: params.datanetId,
    contentHash,
    expiresAt: Math.floor(Date.now() / 1000) + (params.signatureTtlSeconds ?? 600),
  };
  const signature = await withSdkErrors(() => walletClient.signMessage({ account: walletClient.account, message: uploadMessage(auth) }));
  return {
    bytes,
    cid,
    headers: {
      "content-type": "application/octet-stream",
      [UPLOAD_HEADERS.datanet]: String(auth.datanetId),
      [UPLOAD_HEADERS.contributor]: walletClient.account.address,
      [UPLOAD_HEADERS.contentHash]: contentHash,
      [UPLOAD_HEADERS.expires]: String(auth.expiresAt),
      [UPLOAD_HEADERS.signature]: signature,
    },
  };
}

/**
 * Sends a signed upload to a storage service and returns the CID it stored the bytes under (checked
 * against the bytes' own). A refusal is an `UploadRefusedError` with the service's code and reason.
 */
export async function postUpload(url: string, upload: SignedUpload): Promise<{ cid: string }> {
  const base = url.replace(/\/$/, "");
  let response: Response;
  try {
    // A Blob is a body under both the DOM's and Node's fetch types (a bare Uint8Array only under Node's).
    response = await fetch(`${base}/upload`, { method: "POST", headers: upload.headers, body: new Blob([upload.bytes as Uint8Array<ArrayBuffer>]) });
  } catch (cause) {
    throw new ClientConfigError(`Cannot reach the storage service at ${base}: ${(cause as Error).message}`, { cause });
  }
  const body = (await response.json().catch(() => ({}))) as { cid?: string; error?: string; reason?: string };
  if (!response.ok) {
    if ((body.error ?? "") in UploadRefusal) throw new UploadRefusedError(body.error as UploadRefusalCode, body.reason ?? `HTTP ${response.status}`);
    throw new ContentUnavailableError(upload.cid, `the storage service answered HTTP ${response.status}${body.reason ? `: ${body.reason}` : ""}`);
  }
  if (body.cid !== upload.cid) throw new ClientConfigError(`The storage service stored ${body.cid} but the content's CID is ${upload.cid}.`);
  return { cid: upload.cid };
}

/**
 * A `ContentStore` that puts through a storage service (`openledger storage serve`): each put is
 * signed by the wallet's account for the datanet given in `put`'s options, and reads go through
 * `reader` (usually `gatewayFetcher` of the same URL), so they are verified like any gateway's.
 */
export function storageServiceStore(params: {
  url: string;
  walletClient: WalletClient & { account: Account };
  chainId: number;
  registry: Address;
  reader: ContentSource;
  signatureTtlSeconds?: number;
}): ContentStore {
  const { reader, ...signing } = params;
  return {
    get: (cid) => reader.get(cid),
    has: (cid) => reader.has(cid),
    async put(bytes: Uint8Array, options: PutOptions = {}) {
      if (options.datanetId === undefined) throw new InvalidInputError("datanetId", "a storage service needs the datanet an upload is for");
      return postUpload(params.url, await signUpload({ ...signing, bytes, datanetId: options.datanetId }));
    },
  };
}
