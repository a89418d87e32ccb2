import type { ProtocolClient } from "../client.ts";
import { InvalidInputError } from "../errors.ts";
import { isRangeTooLarge } from "./retry.ts";

/** Logs per `eth_getLogs` the range size steers towards (well under common provider limits): a range's
 * logs are all in memory at once, read, decoded and applied, and 1,000 keeps that small enough to be
 * collected young (at 4,000 a streamed replay of 500,000 events peaked at 620 MB instead of 440 MB). */
const TARGET_LOGS = 1_000;

/** How block ranges start and how large they may grow. */
export interface RangeOptions {
  /** Blocks in the first query (default: `maxRangeSize`). */
  rangeSize?: bigint;
  /** The largest range ever asked for (default 100,000 blocks). */
  maxRangeSize?: bigint;
}

/** One block range read, with the range size the next query will use. */
export interface RangeChunk<T> {
  items: T[];
  fromBlock: bigint;
  toBlock: bigint;
  rangeSize: bigint;
}

/**
 * Reads `[fromBlock, toBlock]` range by range with `read`, in order, the way a node accepts: a range
 * the node refuses as too large is halved and never asked for again at that size (providers cap
 * ranges by blocks or by results), and the size is otherwise steered towards about 1,000 logs per
 * query. Yields each range as it is read, so a caller can checkpoint or report progress.
 */
export async function* splitRanges<T>(
  span: { fromBlock: bigint; toBlock: bigint },
  read: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
  options: RangeOptions = {},
): AsyncGenerator<RangeChunk<T>> {
  let ceiling = options.maxRangeSize ?? 100_000n;
  let range = options.rangeSize ?? ceiling;
  if (range < 1n || ceiling < 1n) throw new InvalidInputError("rangeSize", "a block range holds at least one block");
  let next = span.fromBlock;
  while (next <= span.toBlock) {
    const from = next;
    const to = from + range - 1n > span.toBlock ? span.toBlock : from + range - 1n;
    let items: T[];
    try {
      items = await read(from, to);
    } catch (error) {
      if (!isRangeTooLarge(error) || range === 1n) throw error;
      range = range / 2n;
      ceiling = range;
      continue;
    }
    next = to + 1n;
    // Aim at about TARGET_LOGS logs per query: dense ranges shrink before a node refuses them.
    const scaled = (range * BigInt(TARGET_LOGS)) / BigInt(Math.max(items.length, 1));
    const bounded = scaled > range * 2n ? range * 2n : scaled < range / 2n ? range / 2n : scaled;
    range = bounded < 1n ? 1n : bounded > ceiling ? ceiling : bounded;
    yield { items, fromBlock: from, toBlock: to, rangeSize: range };
  }
}

/**
 * Every log `read` returns from the deployment's start block (or `fromBlock`) to `toBlock` (default:
 * the head), split into ranges as `splitRanges` does, so it works behind an RPC that caps ranges.
 */
export async function readLogRanges<T>(
  client: ProtocolClient,
  span: { fromBlock?: bigint; toBlock?: bigint },
  read: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
  options: RangeOptions = {},
): Promise<T[]> {
  const fromBlock = span.fromBlock ?? client.deployment.startBlock;
  const toBlock = span.toBlock ?? (await client.publicClient.getBlockNumber({ cacheTime: 0 }));
  const all: T[] = [];
  for await (const chunk of splitRanges({ fromBlock, toBlock }, read, options)) for (const item of chunk.items) all.push(item);
  return all;
}
