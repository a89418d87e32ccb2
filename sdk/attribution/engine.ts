import { InvalidInputError } from "../errors.ts";
import { apportion } from "./apportion.ts";
import { suffixArray } from "./suffix-array.ts";
import { wordTokenizer, type Tokenizer } from "./tokenizer.ts";


/** Weights are fixed-point with 18 decimals: a contribution's weights over an output add up to this. */
export const WEIGHT_SCALE = 10n ** 18n;

/** One accepted contribution's text. */
export interface CorpusDocument {
  contributionId: bigint;
  text: string;
}

/**
 * What the matching needs from an index: its tokenizer, its contributions, and for one output's
 * tokens the longest corpus match at each position. `buildCorpusIndex` gives one in memory,
 * `openIndexShards` one over index files on disk; both give the same matches.
 */
export interface SpanIndex {
  readonly tokenizer: Tokenizer;
  /** Contribution ids of the corpus, ascending. */
  readonly contributionIds: readonly bigint[];
  /** A matcher over one output's token keys. */
  matcher(keys: readonly string[]): (start: number) => SpanMatch;
}

/** The longest corpus match of an output's tokens from one position. */
export interface SpanMatch {
  /** Tokens matched (0 when the token there is not in the corpus). */
  length: number;
  /**
   * How often those tokens occur in the corpus: exactly when that is at most `atMost`, else any
   * number above it (asked only of spans that may count: it can cost reads).
   */
  occurrences(atMost: number): number;
  /** The distinct contributions they occur in, ascending. */
  contributions(): bigint[];
}

/**
 * An exact-match index over a corpus of contributions, in the spirit of infini-gram: the corpus as
 * one token sequence (documents joined by a separator token) and its suffix array, in memory.
 */
export interface CorpusIndex extends SpanIndex {
  /** Contribution ids in index order (ascending). */
  contributionIds: readonly bigint[];
  /** Token key → token id (from 1; 0 separates documents). */
  vocabulary: ReadonlyMap<string, number>;
  tokens: Int32Array;
  /** The document (position in `contributionIds`) of each token; -1 for separators. */
  documentOf: Int32Array;
  suffixes: Int32Array;
  /** UTF-16 code units indexed, for throughput figures. */
  textLength: number;
}

/** How spans earn credit. */
export interface AttributionOptions {
  /** Spans shorter than this many tokens are ignored (default 4). */
  minSpanTokens?: number;
  /** Spans found more often than this in the corpus are too common to attribute (default 32). */
  maxOccurrences?: number;
}

/** A maximal exact match between an output and the corpus. */
export interface MatchedSpan {
  /** First output token of the span. */
  start: number;
  /** Tokens matched. */
  length: number;
  /** How often the span occurs in the corpus. */
  occurrences: number;
  /** The contributions it occurs in, ascending. */
  contributionIds: bigint[];
}

/** One output's attribution. */
export interface OutputAttribution {
  tokenCount: number;
  spans: MatchedSpan[];
  /** Contribution id → weight, adding up to WEIGHT_SCALE; empty when no span qualified. */
  weights: Map<bigint, bigint>;
}

/**
 * Builds the index. Documents are ordered by contribution id first, so the same set of documents
 * gives the same index (and the same weights) in any input order.
 */
export function buildCorpusIndex(documents: readonly CorpusDocument[], options: { tokenizer?: Tokenizer } = {}): CorpusIndex {
  const tokenizer = options.tokenizer ?? wordTokenizer;
  const sorted = [...documents].sort((a, b) => (a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : 0));
  sorted.forEach((doc, i) => {
    if (i > 0 && doc.contributionId === sorted[i - 1]!.contributionId) {
      throw new InvalidInputError("documents", `contribution ${doc.contributionId} is given twice`);
    }
  });
  const vocabulary = new Map<string, number>();
  const tokenized = sorted.map((doc) => tokenizer.keys(doc.text));
  const length = tokenized.reduce((acc, words) => acc + words.length + 1, 0);
  const tokens = new Int32Array(length);
  const documentOf = new Int32Array(length);
  let position = 0;
  tokenized.forEach((words, doc) => {
    for (const word of words) {
      let id = vocabulary.get(word);
      if (id === undefined) {
        id = vocabulary.size + 1;
        vocabulary.set(word, id);
      }
      tokens[position] = id;
      documentOf[position++] = doc;
    }
    documentOf[position++] = -1; // token 0: the separator
  });
  const contributionIds = sorted.map((d) => d.contributionId);
  const suffixes = suffixArray(tokens, vocabulary.size);
  const at = (suffix: number, offset: number) => {
    const p = suffixes[suffix]! + offset;
    return p < length ? tokens[p]! : -1;
  };
  return {
    tokenizer,
    contributionIds,
    vocabulary,
    tokens,
    documentOf,
    suffixes,
    textLength: sorted.reduce((acc, d) => acc + d.text.length, 0),
    matcher(keys) {
      const query = Int32Array.from(keys, (key) => vocabulary.get(key) ?? -1);
      return (start) => {
        const { length, lo, hi } = narrow(at, query, start, 0, 0, tokens.length);
        return {
          length,
          occurrences: () => hi - lo,
          contributions() {
            const documents = new Set<number>();
            for (let k = lo; k < hi; k++) documents.add(documentOf[suffixes[k]!]!);
            return [...documents].sort((a, b) => a - b).map((doc) => contributionIds[doc]!);
          },
        };
      };
    },
  };
}

/**
 * Extends a match of `query[start..start + length)` whose occurrences are suffixes `[lo, hi)` of a
 * suffix array as far as it goes, one token at a time with two binary searches; `at(k, offset)` is
 * the token `offset` places into the k-th suffix (-1 past the end). Query tokens below 1 (unknown
 * to the corpus) end the match; separators (0) never match.
 */
function narrow(
  at: (suffix: number, offset: number) => number,
  query: Int32Array,
  start: number,
  length: number,
  lo: number,
  hi: number,
): { length: number; lo: number; hi: number } {
  while (start + length < query.length) {
    const token = query[start + length]!;
    if (token < 1) break;
    let [a, b] = [lo, hi];
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (at(mid, length) < token) a = mid + 1;
      else b = mid;
    }
    const first = a;
    b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (at(mid, length) <= token) a = mid + 1;
      else b = mid;
    }
    if (first === a) break;
    [lo, hi, length] = [first, a, length + 1];
  }
  return { length, lo, hi };
}

/**
 * Attributes one output to the corpus. For each output position the longest corpus match starting
 * there is found; only maximal spans count (one contained in the previous position's span adds
 * nothing), and only spans of at least `minSpanTokens` tokens occurring at most `maxOccurrences`
 * times. A span of L tokens found in d distinct contributions credits each of them exactly L / d²,
 * so longer and rarer spans weigh more; the credits are normalised to WEIGHT_SCALE exactly
 * (`apportion` over the credits brought to a common denominator).
 */
export function attributeOutput(index: SpanIndex, text: string, options: AttributionOptions = {}): OutputAttribution {
  return attributeTokens(index, index.tokenizer.keys(text), options);
}

/** `attributeOutput` on an output already tokenized with the index's tokenizer. */
export function attributeTokens(index: SpanIndex, keys: readonly string[], options: AttributionOptions = {}): OutputAttribution {
  const minSpan = options.minSpanTokens ?? 4;
  const maxOccurrences = options.maxOccurrences ?? 32;
  if (!Number.isInteger(minSpan) || minSpan < 1) throw new InvalidInputError("minSpanTokens", "must be a positive integer");
  if (!Number.isInteger(maxOccurrences) || maxOccurrences < 1) {
    throw new InvalidInputError("maxOccurrences", "must be a positive integer");
  }
  const match = index.matcher(keys);
  const spans: MatchedSpan[] = [];
  let previous = 0;
  for (let start = 0; start < keys.length; start++) {
    const { length, occurrences, contributions } = match(start);
    const contained = length === previous - 1;
    previous = length;
    if (contained || length < minSpan) continue;
    const found = occurrences(maxOccurrences);
    if (found > maxOccurrences) continue;
    spans.push({ start, length, occurrences: found, contributionIds: contributions() });
  }
  return { tokenCount: keys.length, spans, weights: spanWeights(spans) };
}

/**
 * Each span credits each of its d contributions L / d². The credits are exact rationals: over the
 * common denominator D = lcm of the spans' d², a contribution's credit is Σ L · D / d², an integer,
 * and `apportion` divides WEIGHT_SCALE in proportion to these integers (ordered by contribution id).
 */
export function spanWeights(spans: readonly MatchedSpan[]): Map<bigint, bigint> {
  if (spans.length === 0) return new Map();
  const denominator = spans.reduce((acc, s) => lcm(acc, BigInt(s.contributionIds.length) ** 2n), 1n);
  const credits = new Map<bigint, bigint>();
  for (const span of spans) {
    const credit = (BigInt(span.length) * denominator) / BigInt(span.contributionIds.length) ** 2n;
    for (const id of span.contributionIds) credits.set(id, (credits.get(id) ?? 0n) + credit);
  }
  return new Map(apportion(WEIGHT_SCALE, [...credits].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function lcm(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return (a / x) * b;
}
