import { createHash, type Hash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";

import { InvalidInputError } from "../errors.ts";
import type { CorpusDocument, SpanIndex, SpanMatch } from "../attribution/engine.ts";
import { sortShardSuffixes } from "../attribution/suffix-sort.ts";
import { loadTokenizer, wordTokenizer, type Tokenizer } from "../attribution/tokenizer.ts";
import { Vocabulary } from "../attribution/vocabulary.ts";

/*
 * An index shard on disk, in the spirit of infini-gram: the corpus's token ids and its suffix array,
 * each at the fewest bytes that hold its values, read by position at query time.
 *
 *   "OLIDX\0\0\x01"                 8 bytes: magic and format 1
 *   header length                   u32 little-endian
 *   header                          JSON (ShardHeader)
 *   tokens                          n × tokenWidth  (id 0 separates documents; every document ends with one)
 *   suffixes                        n × pointerWidth (sorted by the tokens up to and including the next separator)
 *   sample                          ⌈n / sampleRate⌉ × sampleTokens × tokenWidth: the first tokens of every
 *                                   sampleRate-th suffix (0 from its separator on), kept in memory at query time
 *   document starts                 m × u64: the position of each document's first token
 *   contribution ids                m × u64, ascending
 *   vocabulary                      the token keys of ids 1..V, UTF-8, each followed by "\n"
 *   sha256                          32 bytes: of everything before it
 *
 * All integers are little-endian.
 */
const MAGIC = Buffer.from("OLIDX\0\0\x01", "latin1");

interface ShardHeader {
  format: 1;
  tokenizer: string;
  tokens: number;
  documents: number;
  vocabulary: number;
  vocabularyBytes: number;
  tokenWidth: number;
  pointerWidth: number;
  sampleRate: number;
  sampleTokens: number;
}

/**
 * Every SAMPLE_RATE-th suffix's first SAMPLE_TOKENS tokens are kept in the file and, at query time,
 * in memory: 8 × 2 / 64 = 0.25 bytes of memory per token for 2-byte token ids (twice that beyond),
 * so that a search reads the disk mostly in the last block of 64 suffixes (common phrases tie on
 * fewer tokens than that).
 */
const SAMPLE_RATE = 64;
const SAMPLE_TOKENS = 8;

/** Whether `width` is a whole number of bytes from 1 to `most`. */
const widthWithin = (width: number, most: number) => Number.isInteger(width) && width >= 1 && width <= most;

/** Bytes that hold every integer up to `max`. */
const widthFor = (max: number) => Math.max(1, Math.ceil(Math.log2(max + 1) / 8));

function layout(header: ShardHeader, headerBytes: number) {
  const tokens = MAGIC.length + 4 + headerBytes;
  const suffixes = tokens + header.tokens * header.tokenWidth;
  const sample = suffixes + header.tokens * header.pointerWidth;
  const starts = sample + samples(header) * header.sampleTokens * header.tokenWidth;
  const ids = starts + header.documents * 8;
  const vocabulary = ids + header.documents * 8;
  const trailer = vocabulary + header.vocabularyBytes;
  return { tokens, suffixes, sample, starts, ids, vocabulary, trailer, size: trailer + 32 };
}

const samples = (header: ShardHeader) => Math.ceil(header.tokens / header.sampleRate);

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Buffered sequential writes, hashed as they go. */
class FileWriter {
  readonly fd: number;
  readonly hash: Hash = createHash("sha256");
  private readonly buffer = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private open = true;
  /** Where `ints` narrows values to 1 or 2 bytes. */
  private readonly narrow = new ArrayBuffer(1 << 20);

  constructor(file: string) {
    this.fd = openSync(file, "w");
  }

  bytes(data: Uint8Array): void {
    if (this.used + data.length > this.buffer.length) this.flush();
    if (data.length > this.buffer.length) this.emit(data);
    else {
      this.buffer.set(data, this.used);
      this.used += data.length;
    }
  }

  uint(value: number, width: number): void {
    if (this.used + 8 > this.buffer.length) this.flush();
    if (width === 8) this.buffer.writeBigUInt64LE(BigInt(value), this.used);
    else if (width <= 4) {
      // Byte by byte: several times faster than writeUIntLE.
      const buffer = this.buffer;
      for (let i = 0, v = value; i < width; i++, v >>>= 8) buffer[this.used + i] = v & 0xff;
    } else this.buffer.writeUIntLE(value, this.used, width);
    this.used += width;
  }

  /** Each value at `width` (1 to 4) bytes, little-endian. */
  ints(values: Int32Array, width: number): void {
    if (width === 4 && LITTLE_ENDIAN) {
      this.bytes(new Uint8Array(values.buffer, values.byteOffset, values.length * 4));
      return;
    }
    if (width <= 2 && LITTLE_ENDIAN) {
      // Narrowed by a typed array copy (natively, several times faster than byte by byte).
      const narrow = width === 1 ? new Uint8Array(this.narrow) : new Uint16Array(this.narrow);
      for (let i = 0; i < values.length; i += narrow.length) {
        const part = values.subarray(i, i + narrow.length);
        narrow.set(part);
        this.bytes(new Uint8Array(this.narrow, 0, part.length * width));
      }
      return;
    }
    const buffer = this.buffer;
    for (let i = 0; i < values.length; ) {
      if (this.used + width > buffer.length) this.flush();
      const end = Math.min(values.length, i + Math.floor((buffer.length - this.used) / width));
      let at = this.used;
      for (; i < end; i++) for (let b = 0, v = values[i]!; b < width; b++, v >>>= 8) buffer[at++] = v & 0xff;
      this.used = at;
    }
  }

  flush(): void {
    this.emit(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  close(): void {
    this.flush();
    writeSync(this.fd, this.hash.digest());
    this.release();
  }

  /** Closes the file if `close` has not: after a failed build, so no descriptor is left open. */
  release(): void {
    if (this.open) closeSync(this.fd);
    this.open = false;
  }

  private emit(data: Uint8Array): void {
    this.hash.update(data);
    for (let done = 0; done < data.length; ) done += writeSync(this.fd, data, done, data.length - done);
  }
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  for (let done = 0; done < into.length; ) {
    const read = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), position + done);
    if (read === 0) throw new InvalidInputError("indexFile", "ended early while reading");
    done += read;
  }
}

/** What a shard build reports. */
export interface ShardBuild {
  file: string;
  tokens: number;
  documents: number;
  bytes: number;
}

/**
 * Writes an index shard of `documents` (given in ascending contribution id order, streamed: the
 * texts are never all in memory) to `file`. The tokens are kept as they come; then the suffix array
 * is sorted in memory (`sortShardSuffixes`: about 9.25 bytes a token at its peak, the tokens and
 * the suffix array at 4 bytes each, its scratch and two bits). The file appears only when complete.
 */
export async function buildIndexShard(
  file: string,
  documents: Iterable<CorpusDocument> | AsyncIterable<CorpusDocument>,
  options: { tokenizer?: Tokenizer } = {},
): Promise<ShardBuild> {
  const tokenizer = options.tokenizer ?? wordTokenizer;
  const temp = `${file}.${process.pid}.tmp`;
  let out: FileWriter | undefined;
  try {
    // 1. Tokens in blocks (the count is not known until the end), documents in memory. Blocks grow
    // to 64 MB, which the allocator maps on their own, so that freeing them returns the memory.
    const vocabulary = new Vocabulary(tokenizer);
    const starts: number[] = [];
    const ids: bigint[] = [];
    const blocks: Int32Array[] = [];
    let block = new Int32Array(1 << 16);
    let [used, n] = [0, 0];
    const append = (ids: Int32Array) => {
      for (let at = 0; at < ids.length; ) {
        const count = Math.min(ids.length - at, block.length - used);
        block.set(ids.subarray(at, at + count), used);
        [used, at, n] = [used + count, at + count, n + count];
        if (used === block.length) {
          blocks.push(block);
          [block, used] = [new Int32Array(Math.min(block.length * 2, 1 << 24)), 0];
        }
      }
    };
    const separator = Int32Array.of(0);
    for await (const doc of documents) {
      const previous = ids.at(-1);
      if (typeof doc.contributionId !== "bigint" || doc.contributionId < 0n || doc.contributionId >= 1n << 64n) {
        throw new InvalidInputError("documents", `contribution id ${String(doc.contributionId)} is not a 64-bit unsigned integer`);
      }
      if (previous !== undefined && doc.contributionId <= previous) {
        throw new InvalidInputError("documents", `contribution ${doc.contributionId} comes after ${previous}: give documents in ascending id order, each once`);
      }
      starts.push(n);
      ids.push(doc.contributionId);
      append(vocabulary.number(doc.text));
      append(separator);
      if (n >= MAX_SHARD_TOKENS) throw new InvalidInputError("documents", `more than ${MAX_SHARD_TOKENS} tokens: split the corpus into several shards`);
    }
    // One array for the sort. Each block is released (detached, so freed at once rather than at
    // some later collection) as it is copied: the tokens are never held twice.
    const tokens = new Int32Array(n);
    blocks.push(block.subarray(0, used));
    for (let i = 0, at = 0; i < blocks.length; i++) {
      tokens.set(blocks[i]!, at);
      at += blocks[i]!.length;
      (blocks[i]!.buffer as ArrayBuffer).transfer(0);
    }
    const V = vocabulary.size;

    // 2. The file: its tokens, then its suffixes, then (the tokens read back from the file into
    // the array the sort overwrote) their sample.
    const keys = vocabulary.keys().join("\n");
    const vocabularyBytes = Buffer.from(V === 0 ? "" : `${keys}\n`, "utf8");
    const header: ShardHeader = {
      format: 1,
      tokenizer: tokenizer.name,
      tokens: n,
      documents: ids.length,
      vocabulary: V,
      vocabularyBytes: vocabularyBytes.length,
      tokenWidth: widthFor(V),
      pointerWidth: widthFor(n),
      sampleRate: SAMPLE_RATE,
      sampleTokens: SAMPLE_TOKENS,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
    out = new FileWriter(temp);
    out.bytes(MAGIC);
    out.uint(headerBytes.length, 4);
    out.bytes(headerBytes);
    out.ints(tokens, header.tokenWidth);
    const suffixes = sortShardSuffixes(tokens, V);
    out.ints(suffixes, header.pointerWidth);
    out.flush();
    const text = tokens;
    const reader = openSync(temp, "r");
    try {
      readInts(reader, layout(header, headerBytes.length).tokens, text, header.tokenWidth);
    } finally {
      closeSync(reader);
    }
    const sample = new Int32Array(SAMPLE_TOKENS << 16);
    for (let first = 0; first < samples(header); first += 1 << 16) {
      const count = Math.min(1 << 16, samples(header) - first);
      for (let s = 0; s < count; s++) {
        const position = suffixes[(first + s) * SAMPLE_RATE]!;
        for (let j = 0, token = 1; j < SAMPLE_TOKENS; j++) sample[s * SAMPLE_TOKENS + j] = token = token === 0 ? 0 : text[position + j]!;
      }
      out.ints(sample.subarray(0, count * SAMPLE_TOKENS), header.tokenWidth);
    }
    for (const start of starts) out.uint(start, 8);
    for (const id of ids) {
      out.uint(Number(id & 0xffffffffn), 4);
      out.uint(Number(id >> 32n), 4);
    }
    out.bytes(vocabularyBytes);
    out.close();
    renameSync(temp, file);
    return { file, tokens: n, documents: ids.length, bytes: layout(header, headerBytes.length).size };
  } finally {
    out?.release();
    rmSync(temp, { force: true });
  }
}

/** Tokens a shard can hold: its suffix array is sorted in int32. */
const MAX_SHARD_TOKENS = 2 ** 31 - 1;

/** `into.length` integers of `width` (1 to 4) bytes, little-endian, from `fd` at `offset`. */
function readInts(fd: number, offset: number, into: Int32Array | Uint16Array, width: number): void {
  const block = Buffer.allocUnsafe(width << 20);
  for (let i = 0; i < into.length; ) {
    const count = Math.min(1 << 20, into.length - i);
    readFully(fd, block.subarray(0, count * width), offset + i * width);
    for (let j = 0, at = 0; j < count; j++, i++) {
      let value = 0;
      for (let b = 0; b < width; b++) value |= block[at++]! << (8 * b);
      into[i] = value;
    }
  }
}

/** One opened shard: in memory its documents, vocabulary and suffix-array sample; the rest read by position. */
interface OpenShard {
  file: string;
  header: ShardHeader;
  vocabulary: Map<string, number>;
  starts: Float64Array;
  /** Contribution ids, ascending (8 bytes each: a corpus can have millions). */
  ids: BigUint64Array;
  sample: Uint16Array | Int32Array;
  fd: number;
  offsets: ReturnType<typeof layout>;
}

/** Index shards opened together: one `SpanIndex` over all their documents. */
export interface IndexShards extends SpanIndex {
  readonly files: readonly string[];
  /** Tokens over all shards (separators included). */
  readonly tokenCount: number;
  close(): void;
}

/**
 * Opens index shards (one per datanet version, say) as one index: an output's spans are matched
 * against all of them, with the same results as one index over all their documents. Each file is
 * checked whole (its sha256 trailer, its size, its header) before use: a truncated or altered file
 * is refused. In memory stay each shard's documents table, vocabulary and suffix-array sample.
 */
export async function openIndexShards(files: readonly string[]): Promise<IndexShards> {
  if (files.length === 0) throw new InvalidInputError("indexFiles", "name at least one index shard");
  const shards: OpenShard[] = [];
  try {
    for (const file of files) shards.push(openShard(file));
    const tokenizerName = shards[0]!.header.tokenizer;
    const other = shards.find((s) => s.header.tokenizer !== tokenizerName);
    if (other !== undefined) {
      throw new InvalidInputError("indexFiles", `${other.file} was tokenized with ${other.header.tokenizer}, ${shards[0]!.file} with ${tokenizerName}`);
    }
    const tokenizer = await loadTokenizer(tokenizerName);
    const contributionIds = shards.flatMap((s) => [...s.ids]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    contributionIds.forEach((id, i) => {
      if (i > 0 && contributionIds[i - 1] === id) throw new InvalidInputError("indexFiles", `contribution ${id} is in two shards`);
    });
    const searchers = shards.map((s) => new ShardSearch(s));
    return {
      files: [...files],
      tokenizer,
      contributionIds,
      tokenCount: shards.reduce((acc, s) => acc + s.header.tokens, 0),
      close: () => shards.forEach((s) => closeSync(s.fd)),
      matcher(keys) {
        const queries = shards.map((s) => Int32Array.from(keys, (key) => s.vocabulary.get(key) ?? -1));
        if (searchers.length === 1) return (start) => searchers[0]!.longest(queries[0]!, start);
        return (start) => {
          const found = searchers.map((searcher, i) => searcher.longest(queries[i]!, start));
          const length = Math.max(...found.map((f) => f.length));
          const longest = found.filter((f) => f.length === length);
          return {
            length,
            occurrences: (atMost) => longest.reduce((acc, f) => acc + f.occurrences(atMost), 0),
            contributions: () => longest.flatMap((f) => f.contributions()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
          };
        };
      },
    };
  } catch (error) {
    for (const s of shards) closeSync(s.fd);
    throw error;
  }
}

/** Reads from a window of this many tokens at a time when comparing a suffix with a query. */
const WINDOW = 32;

/** Comparisons a search keeps for reuse (it makes a few dozen). */
const SEEN = 256;

const NO_MATCH: SpanMatch = { length: 0, occurrences: () => 0, contributions: () => [] };

/**
 * Suffix-array searches on one shard. A search first bisects the in-memory sample (every
 * SAMPLE_RATE-th suffix's first tokens, reading a suffix from disk only when those tokens tie),
 * then the one block of SAMPLE_RATE suffixes between two samples, read at once, comparing each
 * probed suffix by reading a window of its tokens.
 */
class ShardSearch {
  private readonly shard: OpenShard;
  private readonly n: number;
  private readonly pointerBytes: Buffer;
  private readonly tokenBytes: Buffer;
  private readonly blockBytes: Buffer;
  /** The block whose pointers `blockBytes` holds (-1: none yet). */
  private block = -1;
  /**
   * The suffixes compared with the query of the current `longest` (or a prefix of it), with their
   * common prefix and the sign at the first difference: later searches for a prefix of the query
   * reuse them without reading (`cachedSign`). A few dozen a search, so a short list in typed arrays
   * (no allocation a comparison); when full, further comparisons are simply not kept.
   */
  private readonly seenSuffix = new Float64Array(SEEN);
  private readonly seenLcp = new Int32Array(SEEN);
  private readonly seenSign = new Int8Array(SEEN);
  private seenCount = 0;
  /** The common prefix found by the last `compare` or `sampleSign`. */
  private lastLcp = 0;

  constructor(shard: OpenShard) {
    this.shard = shard;
    this.n = shard.header.tokens;
    this.pointerBytes = Buffer.alloc(shard.header.pointerWidth);
    this.tokenBytes = Buffer.alloc(WINDOW * shard.header.tokenWidth);
    this.blockBytes = Buffer.alloc(SAMPLE_RATE * shard.header.pointerWidth);
  }

  /** The longest match of `query[start..]` (up to its first token unknown here) and its occurrences. */
  longest(query: Int32Array, start: number): SpanMatch {
    let end = start;
    while (end < query.length && query[end]! >= 1) end++;
    if (end === start || this.n === 0) return NO_MATCH;
    const q = query.subarray(start, end);
    // The longest common prefix of q with any suffix is with a neighbour of q's place in the order
    // (the search has almost always compared them already).
    this.seenCount = 0;
    const place = this.bound(q, false);
    const lcp = (k: number) => {
      const i = this.recall(k);
      if (i >= 0) return this.seenLcp[i]!;
      this.compare(this.suffix(k), q, 0);
      return this.lastLcp;
    };
    const length = Math.max(place > 0 ? lcp(place - 1) : 0, place < this.n ? lcp(place) : 0);
    if (length === 0) return NO_MATCH;
    const prefix = q.subarray(0, length);
    const [a, b] = [this.sampleBound(prefix, false), this.sampleBound(prefix, true)];
    // Samples a..b - 1 start with the prefix: it occurs at least (b - a - 1) · SAMPLE_RATE + 1 times.
    const atLeast = b - a < 2 ? 0 : (b - a - 1) * SAMPLE_RATE + 1;
    let range: [number, number] | undefined;
    const found = () => (range ??= [this.blockBound(prefix, false, a), this.blockBound(prefix, true, b)]);
    return {
      length,
      occurrences: (atMost) => (atLeast > atMost ? atLeast : found()[1] - found()[0]),
      contributions: () => {
        const [lo, hi] = found();
        const documents = new Set<number>();
        // The range's pointers in one read (a span is attributed only when it occurs at most maxOccurrences times).
        const width = this.shard.header.pointerWidth;
        const pointers = Buffer.alloc((hi - lo) * width);
        readFully(this.shard.fd, pointers, this.shard.offsets.suffixes + lo * width);
        for (let k = 0; k < hi - lo; k++) documents.add(documentAt(this.shard.starts, pointers.readUIntLE(k * width, width)));
        return [...documents].sort((a, b) => a - b).map((doc) => this.shard.ids[doc]!);
      },
    };
  }

  /** The first suffix `> p` (`upper`) or `>= p` (else), where a suffix starting with `p` counts as equal. */
  private bound(p: Int32Array, upper: boolean): number {
    return this.blockBound(p, upper, this.sampleBound(p, upper));
  }

  /** The first sample `> p` (`upper`) or `>= p` (else), by bisecting the sample in memory. */
  private sampleBound(p: Int32Array, upper: boolean): number {
    let [a, b] = [0, samples(this.shard.header)];
    while (a < b) {
      const mid = (a + b) >>> 1;
      const sign = this.sampleSign(mid, p);
      if (upper ? sign > 0 : sign >= 0) b = mid;
      else a = mid + 1;
    }
    // The samples either side of the bound are the neighbours whose common prefix `longest` needs.
    for (const j of [a - 1, a]) {
      if (j >= 0 && j < samples(this.shard.header) && this.recall(j * SAMPLE_RATE) < 0) {
        const sign = this.sampleSign(j, p);
        if (this.lastLcp < this.shard.header.sampleTokens || sign === 0) this.remember(j * SAMPLE_RATE, this.lastLcp, sign);
      }
    }
    return a;
  }

  /** Compares sample j with p: in memory over the sample's first tokens, from disk past them when they tie. */
  private sampleSign(j: number, p: Int32Array): number {
    const { sample } = this.shard;
    const K = this.shard.header.sampleTokens;
    for (let t = 0; t < K; t++) {
      const x = sample[j * K + t]!;
      if (t === p.length || x !== p[t]) {
        this.lastLcp = t;
        return t === p.length ? 0 : x < p[t]! ? -1 : 1;
      }
    }
    this.lastLcp = K;
    if (p.length === K) return 0;
    const k = j * SAMPLE_RATE;
    const i = this.recall(k);
    const known = this.cachedSign(i, p);
    if (known !== undefined) {
      this.lastLcp = this.seenLcp[i]!;
      return known;
    }
    const sign = this.compare(this.suffix(k), p, K);
    this.remember(k, this.lastLcp, sign);
    return sign;
  }

  /** The bound, given the first sample past it (`sampleBound`): it lies after sample a - 1 and at most at sample a. */
  private blockBound(p: Int32Array, upper: boolean, a: number): number {
    if (a === 0) return 0;
    const from = (a - 1) * SAMPLE_RATE + 1;
    const to = Math.min(a * SAMPLE_RATE, this.n);
    const width = this.shard.header.pointerWidth;
    let [lo, hi] = [from, to];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      let sign = this.cachedSign(this.recall(mid), p);
      if (sign === undefined) {
        if (this.block !== a) {
          readFully(this.shard.fd, this.blockBytes.subarray(0, (to - from) * width), this.shard.offsets.suffixes + from * width);
          this.block = a;
        }
        sign = this.compare(this.blockBytes.readUIntLE((mid - from) * width, width), p, 0);
        this.remember(mid, this.lastLcp, sign);
      }
      if (upper ? sign > 0 : sign >= 0) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private remember(k: number, lcp: number, sign: number): void {
    if (this.seenCount === SEEN) return;
    this.seenSuffix[this.seenCount] = k;
    this.seenLcp[this.seenCount] = lcp;
    this.seenSign[this.seenCount++] = sign;
  }

  /** Where suffix k is in the list of compared suffixes, or -1. */
  private recall(k: number): number {
    for (let i = this.seenCount - 1; i >= 0; i--) if (this.seenSuffix[i] === k) return i;
    return -1;
  }

  /**
   * How a compared suffix (entry i of the list, -1: none) compares with `p` (the query or a prefix
   * of it), when the comparison tells: a suffix that shares at least p's tokens with the query
   * starts with p, and one that differs from the query sooner differs from p in the same place.
   */
  private cachedSign(i: number, p: Int32Array): number | undefined {
    if (i < 0) return undefined;
    if (this.seenLcp[i]! >= p.length) return 0;
    // A comparison that ended at the end of a shorter prefix (sign 0 there) says nothing past it.
    return this.seenSign[i] === 0 ? undefined : this.seenSign[i];
  }

  /**
   * Compares the suffix at `position` with `p` from token `from` on: its sign (0: it starts with p);
   * their common prefix in `lastLcp`.
   */
  private compare(position: number, p: Int32Array, from: number): number {
    const width = this.shard.header.tokenWidth;
    for (let i = from; ; ) {
      const count = Math.min(WINDOW, this.n - (position + i));
      readFully(this.shard.fd, this.tokenBytes.subarray(0, count * width), this.shard.offsets.tokens + (position + i) * width);
      for (let w = 0; w < count; w++, i++) {
        this.lastLcp = i;
        if (i === p.length) return 0;
        const x = this.tokenBytes.readUIntLE(w * width, width);
        if (x !== p[i]) return x < p[i]! ? -1 : 1;
      }
    }
  }

  private suffix(k: number): number {
    const width = this.shard.header.pointerWidth;
    readFully(this.shard.fd, this.pointerBytes, this.shard.offsets.suffixes + k * width);
    return this.pointerBytes.readUIntLE(0, width);
  }
}

/** The document holding token `position`: the last start at or before it. */
function documentAt(starts: Float64Array, position: number): number {
  let [a, b] = [0, starts.length];
  while (b - a > 1) {
    const mid = (a + b) >>> 1;
    if (starts[mid]! <= position) a = mid;
    else b = mid;
  }
  return a;
}

function openShard(file: string): OpenShard {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw new InvalidInputError("indexFile", `${file} cannot be opened (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    const refuse = (why: string): never => {
      throw new InvalidInputError("indexFile", `${file} is not a valid index shard: ${why}`);
    };
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(12);
    if (size < head.length + 32) refuse("it is truncated");
    readFully(fd, head, 0);
    if (!head.subarray(0, 8).equals(MAGIC)) refuse("wrong magic number or format version");
    const headerBytes = head.readUInt32LE(8);
    if (12 + headerBytes + 32 > size) refuse("it is truncated");
    const headerText = Buffer.alloc(headerBytes);
    readFully(fd, headerText, 12);
    // The whole file against its trailer before anything in it is trusted.
    const hash = createHash("sha256");
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; at < size - 32; ) {
      const read = readSync(fd, chunk, 0, Math.min(chunk.length, size - 32 - at), at);
      hash.update(chunk.subarray(0, read));
      at += read;
    }
    const trailer = Buffer.alloc(32);
    readFully(fd, trailer, size - 32);
    let header: ShardHeader;
    try {
      header = JSON.parse(headerText.toString("utf8")) as ShardHeader;
    } catch {
      return refuse("its header is not JSON");
    }
    const offsets = layout(header, headerBytes);
    const counts = [header.tokens, header.documents, header.vocabulary, header.vocabularyBytes];
    const wellFormed =
      header.format === 1 &&
      typeof header.tokenizer === "string" &&
      counts.every((c) => Number.isSafeInteger(c) && c >= 0) &&
      // Token ids are below 2^31 (4 bytes); pointers may take 6.
      widthWithin(header.tokenWidth, 4) &&
      widthWithin(header.pointerWidth, 6) &&
      header.sampleRate === SAMPLE_RATE &&
      header.sampleTokens === SAMPLE_TOKENS &&
      Number.isSafeInteger(offsets.size);
    if (!wellFormed) refuse("its header is malformed");
    if (size !== offsets.size) refuse(size < offsets.size ? `it is truncated (${size} of ${offsets.size} bytes)` : `it has ${size - offsets.size} bytes too many`);
    if (!hash.digest().equals(trailer)) refuse("its checksum does not match (the file was altered or damaged)");

    const read = (offset: number, bytes: number) => {
      const buffer = Buffer.alloc(bytes);
      readFully(fd, buffer, offset);
      return buffer;
    };
    const { tokenWidth: tw, vocabulary: V, documents: m } = header;
    // The sample is the largest part kept in memory (a quarter of a byte a token): decoded a block
    // at a time, never held twice.
    const sampleLength = samples(header) * header.sampleTokens;
    const sample = tw <= 2 ? new Uint16Array(sampleLength) : new Int32Array(sampleLength);
    readInts(fd, offsets.sample, sample, tw);
    const startBytes = read(offsets.starts, m * 8);
    const starts = Float64Array.from({ length: m }, (_, i) => Number(startBytes.readBigUInt64LE(i * 8)));
    const idBytes = read(offsets.ids, m * 8);
    const ids = BigUint64Array.from({ length: m }, (_, i) => idBytes.readBigUInt64LE(i * 8));
    const keys = read(offsets.vocabulary, header.vocabularyBytes).toString("utf8").split("\n").slice(0, V);
    const vocabulary = new Map(keys.map((key, i) => [key, i + 1]));
    return { file, header, vocabulary, starts, ids, sample, fd, offsets };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
