import { attributeTokens, type AttributionOptions, type SpanIndex } from "./engine.ts";

/** Where a span was found in one contribution, with text around it (OLMoTrace-style). */
export interface SpanSource {
  contributionId: bigint;
  /** The contribution's text around the match, when its text was given: before, the match, after. */
  snippet?: { before: string; match: string; after: string };
}

/** One matched span of an output, as people read it. */
export interface SpanExplanation {
  /** First output token of the span, and tokens matched. */
  start: number;
  length: number;
  /** The output's text for these tokens. */
  text: string;
  /** How often the span occurs in the corpus. */
  occurrences: number;
  /** What the span credits each of its d contributions: exactly L / d², as numerator and denominator. */
  credit: { numerator: number; denominator: number };
  sources: SpanSource[];
}

/** An output's attribution with its spans shown. */
export interface OutputExplanation {
  tokenCount: number;
  spans: SpanExplanation[];
  /** Contribution id → weight (of WEIGHT_SCALE), as `attributeOutput` gives them. */
  weights: Map<bigint, bigint>;
}

/**
 * Attributes an output and shows why: each counted span with the output text it covers, its
 * exact credit, and for each contribution it came from, the passage of that contribution (when
 * `documents` gives its text) with `contextTokens` tokens either side. The weights are the ones
 * `attributeOutput` gives.
 */
export function explainOutput(
  index: SpanIndex,
  text: string,
  options: AttributionOptions & { documents?: ReadonlyMap<bigint, string>; contextTokens?: number } = {},
): OutputExplanation {
  const context = options.contextTokens ?? 12;
  const output = index.tokenizer.pieces(text);
  const attribution = attributeTokens(index, output.keys, options);
  const tokenized = new Map<bigint, ReturnType<SpanIndex["tokenizer"]["pieces"]>>();
  const piecesOf = (id: bigint) => {
    const source = options.documents?.get(id);
    if (source === undefined) return undefined;
    if (!tokenized.has(id)) tokenized.set(id, index.tokenizer.pieces(source));
    return tokenized.get(id)!;
  };
  return {
    tokenCount: attribution.tokenCount,
    weights: attribution.weights,
    spans: attribution.spans.map((span) => {
      const keys = output.keys.slice(span.start, span.start + span.length);
      return {
        start: span.start,
        length: span.length,
        text: output.piece(span.start, span.start + span.length),
        occurrences: span.occurrences,
        credit: { numerator: span.length, denominator: span.contributionIds.length ** 2 },
        sources: span.contributionIds.map((contributionId) => {
          const document = piecesOf(contributionId);
          const at = document === undefined ? -1 : findRun(document.keys, keys);
          if (document === undefined || at < 0) return { contributionId };
          const end = at + keys.length;
          return {
            contributionId,
            snippet: {
              before: document.piece(Math.max(0, at - context), at),
              match: document.piece(at, end),
              after: document.piece(end, Math.min(document.keys.length, end + context)),
            },
          };
        }),
      };
    }),
  };
}

/** The first position of `run` in `keys`, or -1. */
function findRun(keys: readonly string[], run: readonly string[]): number {
  outer: for (let i = 0; i + run.length <= keys.length; i++) {
    for (let j = 0; j < run.length; j++) if (keys[i + j] !== run[j]) continue outer;
    return i;
  }
  return -1;
}

/** An explanation as plain JSON (ids and weights as decimal strings), for the web app and `--json`. */
export function explanationJson(explanation: OutputExplanation) {
  return {
    tokenCount: explanation.tokenCount,
    spans: explanation.spans.map((s) => ({
      ...s,
      sources: s.sources.map((source) => ({ ...source, contributionId: source.contributionId.toString() })),
    })),
    weights: [...explanation.weights].map(([contributionId, weight]) => ({ contributionId: contributionId.toString(), weight: weight.toString() })),
  };
}
