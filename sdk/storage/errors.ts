import { OpenLedgerError } from "../errors.ts";

/** No store or gateway could return the content of a CID (not found, unreachable, timed out). */
export class ContentUnavailableError extends OpenLedgerError {
  override name = "ContentUnavailableError";
  readonly cid: string;

  constructor(cid: string, reason: string, options: { cause?: unknown } = {}) {
    super(`Content ${cid} is unavailable: ${reason}`, options);
    this.cid = cid;
  }
}

/** Bytes do not match the address they were asked for: a block against its CID, or content against its keccak hash. */
export class ContentMismatchError extends OpenLedgerError {
  override name = "ContentMismatchError";
  readonly cid: string;

  constructor(cid: string, reason: string) {
    super(`Content ${cid} does not match its address: ${reason}`);
    this.cid = cid;
  }
}

/** Why a storage service refuses an upload; each is its own HTTP status. */
export const UploadRefusal = {
  BadRequest: 400,
  BadSignature: 401,
  Expired: 401,
  NotAllowed: 403,
  UnknownDatanet: 404,
  Duplicate: 409,
  Oversize: 413,
  WrongFormat: 415,
  HashMismatch: 422,
  QuotaUsedUp: 429,
} as const;
export type UploadRefusalCode = keyof typeof UploadRefusal;

/** A storage service refused an upload and stored nothing; `code` says why (see `UploadRefusal`). */
export class UploadRefusedError extends OpenLedgerError {
  override name = "UploadRefusedError";
  readonly code: UploadRefusalCode;
  readonly status: number;

  constructor(code: UploadRefusalCode, reason: string) {
    super(`Upload refused (${code}): ${reason}`);
    this.code = code;
    this.status = UploadRefusal[code];
  }
}
