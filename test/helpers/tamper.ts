import type { Hex } from "viem";

/** A log as a node returns it over JSON-RPC (quantities in hex). */
export interface RawLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  logIndex: Hex;
  [field: string]: unknown;
}

/**
 * One lie a dishonest node tells, by position in the history's logs (in chain order):
 * - `alter`: one word of the log (its indexed topics after the signature, then its data words,
 *   counted round by `word`) gains one;
 * - `drop`: the log is left out;
 * - `swap`: the log and the next one trade contents (address, topics, data) but keep their places;
 * - `lie`: every answer to the view whose selector is given gains one in its word `word`.
 */
export type Tampering =
  | { kind: "alter"; log: number; word: number }
  | { kind: "drop"; log: number }
  | { kind: "swap"; log: number }
  | { kind: "lie"; selector: Hex; word: number };

const logKey = (log: { blockNumber: Hex; logIndex: Hex }) => `${BigInt(log.blockNumber)}:${BigInt(log.logIndex)}`;

/** Adds one to 32-byte word `index` of a hex string of words (wrapping round at 2^256). */
export function bumpWord(hex: Hex, index: number): Hex {
  const start = 2 + index * 64;
  const word = BigInt(`0x${hex.slice(start, start + 64)}`);
  const bumped = ((word + 1n) % 2n ** 256n).toString(16).padStart(64, "0");
  return `${hex.slice(0, start)}${bumped}${hex.slice(start + 64)}` as Hex;
}

/** The words of a log an `alter` counts over: its indexed topics (not the signature), then its data words. */
export function wordsOf(log: Pick<RawLog, "topics" | "data">): number {
  return log.topics.length - 1 + (log.data.length - 2) / 64;
}

/** The log with word `word` (counted round) bumped; a log with no arguments has its signature altered. */
export function alterLog<T extends Pick<RawLog, "topics" | "data">>(log: T, word: number): T {
  const words = wordsOf(log);
  if (words === 0) return { ...log, topics: [bumpWord(log.topics[0]!, 0), ...log.topics.slice(1)] };
  const w = word % words;
  if (w < log.topics.length - 1) return { ...log, topics: log.topics.map((t, i) => (i === w + 1 ? bumpWord(t, 0) : t)) };
  return { ...log, data: bumpWord(log.data, w - (log.topics.length - 1)) };
}

/**
 * Rewrites one JSON-RPC result as `tampering` says, for a history whose logs in chain order are
 * `history`. Returns the result unchanged when the lie does not concern it; never edits `result`.
 * `told` is called when a lie was told in this answer.
 */
export function tamperResult(method: string, params: unknown, result: unknown, tampering: Tampering, history: readonly RawLog[], told: () => void = () => {}): unknown {
  if (tampering.kind === "lie") {
    if (method !== "eth_call" || typeof result !== "string") return result;
    const data = ((params as [{ data?: Hex; input?: Hex }])[0].data ?? (params as [{ input?: Hex }])[0].input ?? "0x") as Hex;
    if (!data.startsWith(tampering.selector) || (result.length - 2) / 64 <= tampering.word) return result;
    told();
    return bumpWord(result as Hex, tampering.word);
  }
  if (method !== "eth_getLogs" || !Array.isArray(result)) return result;
  const target = history[tampering.log]!;
  const targetKey = logKey(target);
  if (tampering.kind === "drop") {
    const kept = (result as RawLog[]).filter((log) => logKey(log) !== targetKey);
    if (kept.length !== result.length) told();
    return kept;
  }
  if (tampering.kind === "alter") {
    return (result as RawLog[]).map((log) => {
      if (logKey(log) !== targetKey) return log;
      told();
      return alterLog(log, tampering.word);
    });
  }
  const next = history[tampering.log + 1]!;
  const nextKey = logKey(next);
  const contents = (from: RawLog) => ({ address: from.address, topics: from.topics, data: from.data });
  return (result as RawLog[]).map((log) => {
    const key = logKey(log);
    if (key !== targetKey && key !== nextKey) return log;
    told();
    return { ...log, ...contents(key === targetKey ? next : target) };
  });
}
