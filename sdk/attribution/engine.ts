import { InvalidInputError } from "../errors.ts";
import { apportion } from "./apportion.ts";
import { suffixArray } from "./suffix-array.ts";

/** Weights are fixed-point with 18 decimals: a contribution's weights over an output add up to this. */
export const WEIGHT_SCALE = 10n ** 18n;

/** One accepted contribution's text. */
export interface CorpusDocument {
  contributionId: bigint;
  text: string;
}

/**
 * An exact-match index over a corpus of contributions, in the spirit of infini-gram: the corpus as
 * one token sequence (documents joined by a separator token) and its suffix array.
 */
export interface CorpusIndex {
  /** Contribution ids in index order (ascending). */
  contributionIds: readonly bigint[];
  /** Word → token id (from 1; 0 separates documents). */
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

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased, NFKC-normalised runs of letters and digits: punctuation and spacing never break a match. */
export function tokenize(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(WORD) ?? [];
}

/**
 * Builds the index. Documents are ordered by contribution id first, so the same set of documents
 * gives the same index (and the same weights) in any input order.
 */
export function buildCorpusIndex(documents: readonly CorpusDocument[]): CorpusIndex {
  const sorted = [...documents].sort((a, b) => (a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : 0));
  sorted.forEach((doc, i) => {
    if (i > 0 && doc.contributionId === sorted[i - 1]!.contributionId) {
      throw new InvalidInputError("documents", `contribution ${doc.contributionId} is given twice`);
    }
  });
  const vocabulary = new Map<string, number>();
  const tokenized = sorted.map((doc) => tokenize(doc.text));
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
  return {
    contributionIds: sorted.map((d) => d.contributionId),
    vocabulary,
    tokens,
    documentOf,
    suffixes: suffixArray(tokens, vocabulary.size),
    textLength: sorted.reduce((acc, d) => acc + d.text.length, 0),
  };
}

/**
 * The longest prefix of `query[start..]` that occurs in the corpus, and the suffix-array range of
 * its occurrences, by narrowing the range one token at a time with two binary searches.
 */
function longestMatch(index: CorpusIndex, query: Int32Array, start: number): { length: number; lo: number; hi: number } {
  const { tokens, suffixes } = index;
  const n = tokens.length;
  const at = (suffix: number, offset: number) => {
    const p = suffixes[suffix]! + offset;
    return p < n ? tokens[p]! : -1;
  };
  let [lo, hi, length] = [0, n, 0];
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
 * times. A span of L tokens found in d distinct contributions credits each of them L / d², so
 * longer and rarer spans weigh more. Credits are normalised to WEIGHT_SCALE exactly (`apportion`).
 */
export function attributeOutput(index: CorpusIndex, text: string, options: AttributionOptions = {}): OutputAttribution {
  const minSpan = options.minSpanTokens ?? 4;
  const maxOccurrences = options.maxOccurrences ?? 32;
  if (!Number.isInteger(minSpan) || minSpan < 1) throw new InvalidInputError("minSpanTokens", "must be a positive integer");
  if (!Number.isInteger(maxOccurrences) || maxOccurrences < 1) {
    throw new InvalidInputError("maxOccurrences", "must be a positive integer");
  }
  const query = Int32Array.from(tokenize(text), (word) => index.vocabulary.get(word) ?? -1);
  const spans: MatchedSpan[] = [];
  const credits = new Map<number, bigint>();
  let previous = 0;
  for (let start = 0; start < query.length; start++) {
    const { length, lo, hi } = longestMatch(index, query, start);
    const contained = length === previous - 1;
    previous = length;
    if (contained || length < minSpan || hi - lo > maxOccurrences) continue;
    const documents = new Set<number>();
    for (let k = lo; k < hi; k++) documents.add(index.documentOf[index.suffixes[k]!]!);
    const ordered = [...documents].sort((a, b) => a - b);
    const credit = (BigInt(length) * WEIGHT_SCALE) / BigInt(ordered.length * ordered.length);
    for (const doc of ordered) credits.set(doc, (credits.get(doc) ?? 0n) + credit);
    spans.push({ start, length, occurrences: hi - lo, contributionIds: ordered.map((doc) => index.contributionIds[doc]!) });
  }
  const ordered = [...credits].sort(([a], [b]) => a - b).map(([doc, credit]) => [index.contributionIds[doc]!, credit] as const);
  const weights = ordered.length === 0 ? new Map<bigint, bigint>() : new Map(apportion(WEIGHT_SCALE, ordered));
  return { tokenCount: query.length, spans, weights };
}
