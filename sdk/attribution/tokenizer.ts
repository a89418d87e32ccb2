import { InvalidInputError } from "../errors.ts";

/**
 * Turns text into the tokens the engine matches. A token is a string key; the index gives each
 * distinct key a dense id of its own, so any tokenizer's output indexes the same way.
 */
export interface Tokenizer {
  /** What the attribution's public inputs record, so an auditor loads the same tokenizer. */
  readonly name: string;
  /** The text's tokens. */
  keys(text: string): string[];
  /** The tokens and a way to show the text that tokens `[from, to)` came from (for explanations). */
  pieces(text: string): { keys: string[]; piece(from: number, to: number): string };
}

/** Scripts written without spaces between words: each character (with its marks) is one token. */
const UNSPACED = "\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Thai}\\p{sc=Lao}\\p{sc=Khmer}\\p{sc=Myanmar}";
/**
 * A word starts with a letter or digit and goes on over letters, combining marks (Devanagari vowel
 * signs and viramas, Arabic harakat...), digits and the zero-width joiners; a character of an
 * unspaced script is a token of its own with the marks that follow it.
 */
const WORD = new RegExp(`[[\\p{L}\\p{N}]--[${UNSPACED}]][[\\p{L}\\p{M}\\p{N}\\p{Join_Control}]--[${UNSPACED}]]*|[${UNSPACED}]\\p{M}*`, "gv");

/**
 * Locale-independent lower case, then the two folds full case folding adds to it: the dotted
 * capital I lowers to `i` + U+0307, folded back to `i` (so `İstanbul` matches `istanbul`), and the
 * final sigma `ς` folds to `σ`.
 */
function fold(text: string): string {
  const lower = text.toLowerCase();
  return /\u0307|ς/u.test(lower) ? lower.replaceAll("i\u0307", "i").replaceAll("ς", "σ") : lower;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Whether `text` is all ASCII: then the word tokenizer's words are `asciiWordSpans`'s. */
export const isAscii = (text: string): boolean => ASCII.test(text);

/**
 * FNV-1a, a code unit at a time from `FNV_OFFSET`: how `asciiWordSpans` and the vocabulary hash a
 * key. Signed 32-bit, as `Math.imul` gives and the vocabulary stores (an empty key's hash too).
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const fnvStep = (hash: number, unit: number): number => Math.imul(hash ^ unit, 0x01000193);

/** A code unit with A-Z lowered: the fold of ASCII words. */
export const lowerAscii = (unit: number): number => (unit >= 65 && unit <= 90 ? unit + 32 : unit);

/**
 * `WORD` on ASCII text, where NFKC changes nothing and words are runs of `[A-Za-z0-9]`: calls
 * `word(start, end, hash)` for each, whose key is `text.slice(start, end)` lowered and `hash` that
 * key's FNV-1a. Three times faster than the regular expression, and it lets an index build number
 * the words without making a string of each, or reading their characters twice (the build is
 * mostly tokenizing).
 */
export function asciiWordSpans(text: string, word: (start: number, end: number, hash: number) => void): void {
  let [start, hash] = [-1, FNV_OFFSET];
  for (let i = 0; i <= text.length; i++) {
    const c = lowerAscii(i < text.length ? text.charCodeAt(i) : 0);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) [start, hash] = [i, FNV_OFFSET];
      hash = fnvStep(hash, c);
    } else if (start >= 0) {
      word(start, i, hash);
      start = -1;
    }
  }
}

function asciiWords(lower: string): string[] {
  const words: string[] = [];
  asciiWordSpans(lower, (start, end) => words.push(lower.slice(start, end)));
  return words;
}

/**
 * The default tokenizer, `unicode-words/1`: NFKC, then words as `WORD` finds them, each folded by
 * `fold`. Punctuation and spacing never break a match, and every script tokenizes into its words
 * (or, for scripts without spaces, its characters).
 */
export const wordTokenizer: Tokenizer = {
  name: "unicode-words/1",
  keys(text) {
    return isAscii(text) ? asciiWords(text.toLowerCase()) : (fold(text.normalize("NFKC")).match(WORD) ?? []);
  },
  pieces(text) {
    const normal = text.normalize("NFKC");
    const matches = [...normal.matchAll(WORD)];
    return {
      keys: matches.map((m) => fold(m[0])),
      piece: (from, to) => (to <= from ? "" : normal.slice(matches[from]!.index, matches[to - 1]!.index + matches[to - 1]![0].length)),
    };
  },
};

/** The default tokenizer's keys (kept as a function: it is what the engine used before tokenizers were pluggable). */
export function tokenize(text: string): string[] {
  return wordTokenizer.keys(text);
}

/** The LLM encodings `loadTokenizer` knows, shipped in the `js-tiktoken` package (no download at run time). */
const TIKTOKEN_ENCODINGS = ["o200k_base", "cl100k_base"] as const;

/**
 * A tokenizer by the name an attribution recorded: `unicode-words/1`, or `tiktoken/o200k_base`
 * (GPT-4o's encoding) / `tiktoken/cl100k_base` from `js-tiktoken`. An LLM tokenizer's keys are its
 * token ids in decimal, so spans are matched on the model's own tokens.
 */
export async function loadTokenizer(name: string): Promise<Tokenizer> {
  if (name === wordTokenizer.name) return wordTokenizer;
  const encoding = name.startsWith("tiktoken/") ? name.slice("tiktoken/".length) : undefined;
  if (encoding === "o200k_base" || encoding === "cl100k_base") {
    const [{ Tiktoken }, ranks] = await Promise.all([
      import("js-tiktoken/lite"),
      encoding === "o200k_base" ? import("js-tiktoken/ranks/o200k_base") : import("js-tiktoken/ranks/cl100k_base"),
    ]);
    const tiktoken = new Tiktoken(ranks.default);
    // Special-token text (`<|endoftext|>`) in a document is ordinary text here, never a control token.
    const encode = (text: string) => tiktoken.encode(text, [], []);
    return {
      name,
      keys: (text) => encode(text).map(String),
      pieces(text) {
        const ids = encode(text);
        return { keys: ids.map(String), piece: (from, to) => tiktoken.decode(ids.slice(from, to)) };
      },
    };
  }
  throw new InvalidInputError("tokenizer", `${name} is not a known tokenizer (${[wordTokenizer.name, ...TIKTOKEN_ENCODINGS.map((e) => `tiktoken/${e}`)].join(", ")})`);
}
