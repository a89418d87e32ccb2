import { InvalidInputError } from "../errors.ts";

/**
 * The suffix order of an index shard: suffixes compare by their tokens up to and including the
 * first separator (token 0; every document ends with one), and suffixes equal that far (the same
 * text to the end of their documents) by position. That is the plain suffix order of the text if
 * each separator were a symbol of its own, below every token and ordered by its position, which is
 * how this sort treats them: no suffix equals another, and no comparison runs past a document.
 *
 * The sort is prefix doubling (Larsson and Sadakane, "Faster suffix sorting", 2007) after a radix
 * sort on the first two tokens. Suffixes are kept in groups that tie on their first h tokens,
 * numbered by the last index of the group in the order; a round sorts each group by the number of
 * the suffix h tokens on, which orders it by 2h tokens (or more: numbers already refined in the
 * round are finer still), and a group of one is done. Every round is a pass over the groups still
 * tied, so a text whose documents share only short phrases is done in a few rounds, and a long
 * periodic one in log2 of its length. The first two tokens are sorted within each first-token
 * bucket while its positions are still in text order, so those reads go forward through memory.
 * The groups' ends are marked in a bitset, so a round finds them without reading a number, and
 * the keys of the groups in a window of the order are read in one loop before they are sorted
 * (`gather`).
 *
 * Memory: the suffix array and `tokens` (overwritten, see below), 4 bytes a token each, two bits a
 * token, three counts a token id, and `scratch` 4-byte words (a quarter of the tokens by default):
 * sorts there are stable, so a group's positions stay ascending and the next round's reads go
 * forward too. A range too large for it is split in place by the top bits of its keys, which is
 * slower.
 *
 * `tokens` (ids 0..`vocabularySize`, the last one 0) is overwritten with the group numbers: the
 * caller keeps a copy if it needs the text again. Returns the suffixes' positions in order.
 */
export function sortShardSuffixes(tokens: Int32Array, vocabularySize: number, options: { scratch?: number } = {}): Int32Array {
  const n = tokens.length;
  const scratch = options.scratch ?? Math.max(1 << 22, Math.ceil(n / 4));
  if (!Number.isInteger(scratch) || scratch < 8) throw new InvalidInputError("scratch", "must be an integer of at least 8");
  // Counts are kept per token id: time and memory grow with it too.
  if (!Number.isInteger(vocabularySize) || vocabularySize < 0 || vocabularySize >= 2 ** 31) throw new InvalidInputError("vocabularySize", "must be an integer from 0 to 2^31 - 1");
  if (n >= 2 ** 31) throw new InvalidInputError("tokens", "must be fewer than 2^31");
  if (n > 0 && tokens[n - 1] !== 0) throw new InvalidInputError("tokens", "must end with a separator (token 0)");
  return new SuffixSort(tokens, vocabularySize, scratch).sa;
}

/**
 * How a sorted range's runs of equal keys are recorded: while sorting by the second token; while
 * doubling; or, while a group too large for the scratch is split in place, only marked (its keys
 * are group numbers, which must not change under it), then recorded as doubling once it is sorted.
 */
const SECOND_TOKEN = 0;
const DOUBLING = 1;
const MARKED = 2;

/** Suffixes whose keys are read at once while doubling (128 KB: within a core's second-level cache). */
const GATHER = 1 << 15;

/** Digits of an LSD radix pass, and of an in-place split. */
const RADIX_BITS = 11;

class SuffixSort {
  readonly sa: Int32Array;
  /** Bit i: sa[i] is in its place. */
  private readonly sorted: Bitset;
  /** Bit i: a group ends at i (so a round finds a group's end without reading its number). */
  private readonly groupEnds: Bitset;
  /** The text, then each suffix's group number (the last index of its group). */
  private readonly rank: Int32Array;
  private readonly vocabularySize: number;
  /** Positions, for a counting sort by the second token. */
  private readonly scratch: Int32Array;
  // Its quarters, for a sort of up to a quarter of it: keys and positions, and a second pair for the radix passes.
  private readonly k: Int32Array;
  private readonly p: Int32Array;
  private readonly k2: Int32Array;
  private readonly p2: Int32Array;
  private readonly counts = new Int32Array(1 << RADIX_BITS);
  private readonly tokenCounts: Int32Array;
  /** While doubling: the end of the group being sorted, and the keys of sa[gatheredFrom..gatheredTo) (`gather`). */
  private groupEnd = 0;
  private readonly gathered = new Int32Array(GATHER);
  private gatheredFrom = 0;
  private gatheredTo = 0;

  constructor(tokens: Int32Array, vocabularySize: number, scratch: number) {
    const n = tokens.length;
    [this.rank, this.vocabularySize] = [tokens, vocabularySize];
    this.scratch = new Int32Array(Math.min(scratch, n));
    const quarter = this.scratch.length >>> 2;
    [this.k, this.p, this.k2, this.p2] = [0, 1, 2, 3].map((i) => this.scratch.subarray(i * quarter, (i + 1) * quarter)) as [Int32Array, Int32Array, Int32Array, Int32Array];
    this.tokenCounts = new Int32Array(vocabularySize + 2);
    const sa = (this.sa = new Int32Array(n));
    const sorted = (this.sorted = new Bitset(n));
    const groupEnds = (this.groupEnds = new Bitset(n));

    // 1. By the first token, positions ascending within each token's bucket. Separators come
    // first, in position order, each a group of its own.
    const starts = new Int32Array(vocabularySize + 2);
    for (let p = 0; p < n; p++) starts[tokens[p]! + 1]!++;
    for (let t = 1; t <= vocabularySize + 1; t++) starts[t]! += starts[t - 1]!;
    // A token outside 0..vocabularySize was counted nowhere, or (-1) before the separators.
    if (starts[0] !== 0 || starts[vocabularySize + 1] !== n) throw new InvalidInputError("tokens", `must lie in 0..${vocabularySize}`);
    const next = starts.slice(0, vocabularySize + 1);
    for (let p = 0; p < n; p++) sa[next[tokens[p]!]!++] = p;

    // 2. Each bucket by the second token, read from the text (forward: positions still ascend).
    for (let i = 0; i < starts[1]!; i++) {
      sorted.set(i);
      groupEnds.set(i);
    }
    for (let t = 1; t <= vocabularySize; t++) {
      if (starts[t + 1]! > starts[t]!) this.group(starts[t]!, starts[t + 1]!, tokens, 1, SECOND_TOKEN, true);
    }

    // 3. Group numbers, over the text (it is no longer needed).
    for (let i = n - 1, end = n - 1; i >= 0; i--) {
      if (groupEnds.has(i)) end = i;
      tokens[sa[i]!] = end;
    }

    // 4. Doubling, from groups that tie on two tokens.
    for (let h = 2, tied = true; tied; h *= 2) {
      tied = false;
      this.gatheredTo = 0; // the keys gathered last round were for h / 2
      for (let i = sorted.nextClear(0, n); i < n; i = sorted.nextClear(i, n)) {
        const end = groupEnds.nextSet(i, n) + 1;
        this.groupEnd = end;
        if (end - i > Math.min(GATHER, this.k.length)) this.group(i, end, tokens, h, DOUBLING, true);
        else {
          if (i < this.gatheredFrom || end > this.gatheredTo) this.gather(i, h);
          this.sortInScratch(i, end, tokens, h, DOUBLING, true, true);
        }
        [tied, i] = [true, end];
      }
    }
  }

  /**
   * Sorts sa[start..end) by each suffix's key `keys[position + offset]` and records its runs of
   * equal keys. Stably in scratch when it fits: by insertion when small, by a counting sort on the
   * second token when as large as the vocabulary, else by LSD radix on the keys' span. Otherwise
   * split in place (not stably) by the top bits of the keys, then each part sorted the same way.
   */
  private group(start: number, end: number, keys: Int32Array, offset: number, mode: number, stable: boolean): void {
    const size = end - start;
    const counting = mode === SECOND_TOKEN && size >= this.vocabularySize;
    if (size === 1) this.record(start, end, 1, mode, stable);
    else if (!counting && size <= this.k.length) this.sortInScratch(start, end, keys, offset, mode, stable);
    else if (counting && size <= this.scratch.length) this.countingSort(start, end, keys, offset, stable);
    else if (mode !== DOUBLING) this.splitInPlace(start, end, keys, offset, mode, stable);
    else {
      this.splitInPlace(start, end, keys, offset, MARKED, stable);
      for (let from = start, to = start; to < end; to++) {
        if (!this.groupEnds.has(to)) continue;
        this.record(from, to + 1, 1, DOUBLING, stable);
        from = to + 1;
      }
    }
  }

  private countingSort(start: number, end: number, keys: Int32Array, offset: number, stable: boolean): void {
    const { sa, scratch, tokenCounts: ends } = this;
    const V = this.vocabularySize;
    ends.fill(0);
    for (let j = start; j < end; j++) ends[keys[sa[j]! + offset]! + 1]!++;
    for (let t = 1; t <= V + 1; t++) ends[t]! += ends[t - 1]!;
    // Each key's start, moved on as its suffixes are placed: then its end.
    for (let j = start; j < end; j++) {
      const position = sa[j]!;
      scratch[ends[keys[position + offset]!]!++] = position;
    }
    sa.set(scratch.subarray(0, end - start), start);
    for (let t = 0, from = 0; t <= V; t++) {
      const to = ends[t]!;
      if (to > from) this.record(start + from, start + to, t, SECOND_TOKEN, stable);
      from = to;
    }
  }

  /**
   * A run sa[from..to) of equal key. While sorting by the second token: key 0 (a separator) makes
   * each suffix a group of its own, in position order; else the run is a group. While doubling,
   * the run is a group numbered by its last index (the group's last run keeps the number it has),
   * its end marked in `groupEnds`.
   */
  private record(from: number, to: number, key: number, mode: number, stable: boolean): void {
    const { sa, sorted } = this;
    if (mode === MARKED) {
      this.groupEnds.set(to - 1);
      return;
    }
    if (mode === SECOND_TOKEN && key === 0) {
      if (!stable) sa.subarray(from, to).sort();
      for (let i = from; i < to; i++) {
        sorted.set(i);
        this.groupEnds.set(i);
      }
      return;
    }
    this.groupEnds.set(to - 1);
    if (mode === DOUBLING && to !== this.groupEnd) for (let j = from; j < to; j++) this.rank[sa[j]!] = to - 1;
    if (to - from === 1) sorted.set(from);
  }

  /** As `group`, for a range the scratch holds; with `fromGathered`, the keys are in `gathered`. */
  private sortInScratch(start: number, end: number, keys: Int32Array, offset: number, mode: number, stable: boolean, fromGathered = false): void {
    const size = end - start;
    let [k, p, k2, p2] = [this.k, this.p, this.k2, this.p2];
    const sa = this.sa;
    let min = 0x7fffffff;
    let max = -1;
    for (let j = 0; j < size; j++) p[j] = sa[start + j]!;
    const [gathered, at] = [this.gathered, start - this.gatheredFrom];
    for (let j = 0; j < size; j++) {
      const key = fromGathered ? gathered[at + j]! : keys[p[j]! + offset]!;
      k[j] = key;
      if (key < min) min = key;
      if (key > max) max = key;
    }
    if (min === max) {
      this.record(start, end, min, mode, stable);
      return;
    }
    for (let j = 0; j < size; j++) k[j]! -= min;
    if (this.lsd(size, 32 - Math.clz32(max - min))) [k, k2, p, p2] = [k2, k, p2, p];
    sa.set(p.subarray(0, size), start);
    for (let a = 0; a < size; ) {
      const key = k[a]!;
      let b = a + 1;
      while (b < size && k[b] === key) b++;
      this.record(start + a, start + b, key + min, mode, stable);
      a = b;
    }
  }

  /**
   * Reads the keys `rank[sa[j] + h]` of the tied suffixes in sa[from..from + GATHER) into
   * `gathered`, in one loop whose reads (at random places) do not wait on one another: a group's
   * own loop reads a few keys, then branches on them, and most groups in the later rounds are of
   * two suffixes. Numbers that change while the window's groups are sorted are not read again: a
   * group sorted by the numbers from before that is sorted as plain doubling sorts it, and what
   * still ties is finished in a later round.
   */
  private gather(from: number, h: number): void {
    const { sa, rank, sorted, groupEnds, gathered } = this;
    const to = Math.min(sa.length, from + GATHER);
    for (let i = sorted.nextClear(from, to); i < to; i = sorted.nextClear(i, to)) {
      const end = Math.min(groupEnds.nextSet(i, to) + 1, to);
      for (; i < end; i++) gathered[i - from] = rank[sa[i]! + h]!;
    }
    [this.gatheredFrom, this.gatheredTo] = [from, to];
  }

  /**
   * Sorts the first `size` keys of the scratch (below 2^bits) with their positions, stably: by
   * insertion when few, else by LSD radix passes to the second pair and back. Returns whether the
   * result is in the second pair.
   */
  private lsd(size: number, bits: number): boolean {
    let [k, p, k2, p2] = [this.k, this.p, this.k2, this.p2];
    if (size <= 32) {
      for (let a = 1; a < size; a++) {
        const key = k[a]!;
        const position = p[a]!;
        let b = a - 1;
        for (; b >= 0 && k[b]! > key; b--) {
          k[b + 1] = k[b]!;
          p[b + 1] = p[b]!;
        }
        k[b + 1] = key;
        p[b + 1] = position;
      }
      return false;
    }
    const passes = Math.ceil(bits / RADIX_BITS);
    const digit = Math.ceil(bits / passes);
    const mask = (1 << digit) - 1;
    const counts = this.counts;
    for (let shift = 0; shift < bits; shift += digit) {
      counts.fill(0, 0, mask + 1);
      for (let j = 0; j < size; j++) counts[(k[j]! >>> shift) & mask]!++;
      for (let b = 0, sum = 0; b <= mask; b++) {
        const count = counts[b]!;
        counts[b] = sum;
        sum += count;
      }
      for (let j = 0; j < size; j++) {
        const key = k[j]!;
        const at = counts[(key >>> shift) & mask]!++;
        k2[at] = key;
        p2[at] = p[j]!;
      }
      [k, k2, p, p2] = [k2, k, p2, p];
    }
    return passes % 2 === 1;
  }

  /** American flag sort on the top bits of the keys' span, then each part on its own. */
  private splitInPlace(start: number, end: number, keys: Int32Array, offset: number, mode: number, stable: boolean): void {
    const sa = this.sa;
    let min = 0x7fffffff;
    let max = -1;
    for (let j = start; j < end; j++) {
      const key = keys[sa[j]! + offset]!;
      if (key < min) min = key;
      if (key > max) max = key;
    }
    if (min === max) {
      this.record(start, end, min, mode, stable);
      return;
    }
    const shift = Math.max(0, 32 - Math.clz32(max - min) - RADIX_BITS);
    const buckets = ((max - min) >>> shift) + 1;
    const ends = new Int32Array(buckets + 1);
    for (let j = start; j < end; j++) ends[((keys[sa[j]! + offset]! - min) >>> shift) + 1]!++;
    for (let b = 0; b < buckets; b++) ends[b + 1]! += ends[b]!;
    const heads = ends.slice(0, buckets);
    for (let b = 0; b < buckets; b++) {
      while (heads[b]! < ends[b + 1]!) {
        let position = sa[start + heads[b]!]!;
        let to = (keys[position + offset]! - min) >>> shift;
        while (to !== b) {
          const at = start + heads[to]!++;
          const displaced = sa[at]!;
          sa[at] = position;
          position = displaced;
          to = (keys[position + offset]! - min) >>> shift;
        }
        sa[start + heads[b]!++] = position;
      }
    }
    for (let b = 0; b < buckets; b++) {
      if (ends[b + 1]! > ends[b]!) this.group(start + ends[b]!, start + ends[b + 1]!, keys, offset, mode, false);
    }
  }
}

/** A bit per index. */
class Bitset {
  private readonly words: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  set(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31);
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5]! >>> (i & 31)) & 1) === 1;
  }

  /** The first index from `i` whose bit is set, or `end`. */
  nextSet(i: number, end: number): number {
    while (i < end) {
      const word = this.words[i >>> 5]! >>> (i & 31);
      if (word !== 0) return Math.min(i + 31 - Math.clz32(word & -word), end);
      i = (i | 31) + 1;
    }
    return end;
  }

  /** The first index from `i` whose bit is clear, or `end`. */
  nextClear(i: number, end: number): number {
    while (i < end) {
      const word = this.words[i >>> 5]!;
      if (word === 0xffffffff) i = (i | 31) + 1;
      else if (((word >>> (i & 31)) & 1) === 0) return i;
      else i++;
    }
    return end;
  }
}

