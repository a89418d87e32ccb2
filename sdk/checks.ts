import { keccak256, type Hex } from "viem";

import type { Verdict } from "./actions/validators.ts";
import { tokenize } from "./attribution/tokenizer.ts";

/** Reason codes the built-in checks put in verdicts (validators may define more above 100). */
export const ReasonCode = {
  Ok: 0,
  HashMismatch: 1,
  TooShort: 2,
  Spam: 3,
  NotText: 4,
  TooLarge: 5,
  Duplicate: 6,
  /** No configured store or gateway returned bytes matching the contribution's CID. */
  ContentUnavailable: 7,
  /** The content's byte length differs from the size declared at submission (and charged to the quotas). */
  SizeMismatch: 8,
} as const;

/** What one check concluded: a rejection with its reason, or a quality to average. */
export type CheckResult = { reject: true; reasonCode: number; reason: string } | { reject: false; quality: number };

/** A validator-side check over a contribution's bytes. */
export type ContentCheck = (content: Uint8Array, contentHash: Hex) => CheckResult;

/** The bytes must hash to the registered content hash. */
export const hashMatches: ContentCheck = (content, contentHash) =>
  keccak256(content) === contentHash
    ? { reject: false, quality: 100 }
    : { reject: true, reasonCode: ReasonCode.HashMismatch, reason: "the content does not match its registered hash" };

/** Text must be valid UTF-8 without control characters other than whitespace. */
export const isText: ContentCheck = (content) => {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    return { reject: true, reasonCode: ReasonCode.NotText, reason: "not valid UTF-8 text" };
  }
  return /[\u0000-\u0008\u000e-\u001f]/.test(text)
    ? { reject: true, reasonCode: ReasonCode.NotText, reason: "contains control characters" }
    : { reject: false, quality: 100 };
};

/**
 * Rejects text that reads like advertising (calls to click or buy, runs of exclamation marks,
 * shouting), and grades the rest by substance: complete sentences and vocabulary.
 */
export const proseQuality = (options: { minWords?: number } = {}): ContentCheck => (content) => {
  const text = new TextDecoder().decode(content);
  const words = text.split(/\s+/).filter(Boolean);
  if (/click here|buy now|best deal|!!!|free money/i.test(text) || (words.length > 3 && text === text.toUpperCase())) {
    return { reject: true, reasonCode: ReasonCode.Spam, reason: "reads like advertising" };
  }
  if (words.length < (options.minWords ?? 30)) {
    return { reject: true, reasonCode: ReasonCode.TooShort, reason: `${words.length} words is too short` };
  }
  const sentences = text.split(/[.!?]+\s/).filter((s) => s.trim().length > 0).length;
  const vocabulary = new Set(words.map((w) => w.toLowerCase().replace(/[^a-z]/g, ""))).size / words.length;
  return { reject: false, quality: Math.max(0, Math.min(100, Math.round(30 + sentences * 6 + vocabulary * 40))) };
};

/** The content must fit the datanet's size limit (the registry checks the declared size; this the real one). */
export const sizeWithin =
  (maxBytes: bigint): ContentCheck =>
  (content) =>
    BigInt(content.length) <= maxBytes
      ? { reject: false, quality: 100 }
      : { reject: true, reasonCode: ReasonCode.TooLarge, reason: `${content.length} bytes is over the limit of ${maxBytes}` };

/**
 * The content must be exactly as long as the size its contributor declared. Quotas and the reveal's
 * reservation count the declared size, never the bytes, so a contribution declared smaller than it is
 * takes more of the datanet than it paid for (and one declared larger misstates its share).
 */
export const sizeMatches =
  (declaredBytes: bigint): ContentCheck =>
  (content) =>
    BigInt(content.length) === declaredBytes
      ? { reject: false, quality: 100 }
      : {
          reject: true,
          reasonCode: ReasonCode.SizeMismatch,
          reason: `the content is ${content.length} bytes but was declared as ${declaredBytes}`,
        };

/**
 * The hash of a text with case, punctuation and spacing removed: two uploads of the same words get
 * the same fingerprint even when their bytes (and so their content hashes) differ.
 */
export function textFingerprint(content: Uint8Array): Hex {
  return keccak256(new TextEncoder().encode(tokenize(new TextDecoder().decode(content)).join(" ")));
}

/**
 * Rejects a near-duplicate: content whose fingerprint is already known (from other contributions
 * the validator has seen), other than the contribution itself.
 */
export const notDuplicateOf =
  (known: ReadonlyMap<Hex, Hex>): ContentCheck =>
  (content, contentHash) => {
    const owner = known.get(textFingerprint(content));
    return owner !== undefined && owner !== contentHash
      ? { reject: true, reasonCode: ReasonCode.Duplicate, reason: `the same text as contribution ${owner}` }
      : { reject: false, quality: 100 };
  };

/** Runs the checks in order: the first rejection decides; otherwise quality is the lowest grade. */
export function judge(checks: readonly ContentCheck[], content: Uint8Array, contentHash: Hex): Verdict {
  let quality = 100;
  for (const check of checks) {
    const result = check(content, contentHash);
    if (result.reject) return { contentHash, accept: false, quality: 0, reasonCode: result.reasonCode };
    quality = Math.min(quality, result.quality);
  }
  return { contentHash, accept: true, quality, reasonCode: ReasonCode.Ok };
}
