import { HttpRequestError, RpcRequestError, TimeoutError } from "viem";

import { causes, TransactionError } from "../errors.ts";

/** How often and how patiently to retry a read. */
export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Five requests at most, about 1.5 s of waiting at most: a dead RPC fails fast; a brief hiccup is ridden out. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

const textOf = (error: unknown) =>
  causes(error)
    .map((e) => `${(e as Error).message ?? ""} ${(e as { details?: string }).details ?? ""}`)
    .join(" ");

/** A node refusing a log query as too large (providers word it differently). */
export function isRangeTooLarge(error: unknown): boolean {
  return /block range|range (is )?too (large|wide)|too many (results|logs|blocks)|more than \d+ (results|logs)|limit exceeded|response size|query returned more|exceeded the size limit|ResponseBodyTooLarge/i.test(
    textOf(error),
  );
}

/** A failure worth retrying: a timeout, a dropped connection, HTTP 408/429/5xx, or an RPC "rate limited". */
export function isTransient(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e instanceof TimeoutError) return true;
    if (e instanceof HttpRequestError && e.status !== undefined && (e.status === 408 || e.status === 429 || e.status >= 500)) return true;
    if (e instanceof RpcRequestError && e.code === 429) return true;
  }
  return /fetch failed|socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|other side closed|UND_ERR|terminated|rate limit/i.test(textOf(error));
}

/** A read that kept failing transiently after every retry. */
export class NodeUnavailableError extends TransactionError {
  override name = "NodeUnavailableError";
}

/**
 * Runs `operation`, retrying transient failures with exponential backoff and jitter. A failure that
 * is not transient is rethrown at once; one that stays transient becomes a `NodeUnavailableError`.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (attempt: number, error: unknown) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= policy.retries) {
        throw new NodeUnavailableError(`The node kept failing after ${policy.retries} retries.`, { details: textOf(error).slice(0, 300), cause: error });
      }
      onRetry?.(attempt + 1, error);
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}
