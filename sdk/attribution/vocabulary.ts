import { asciiWordSpans, FNV_OFFSET, fnvStep, isAscii, lowerAscii, wordTokenizer, type Tokenizer } from "./tokenizer.ts";

/** The code unit at `i` of `text`, lowered when `lower` (A-Z only: the ASCII words' fold). */
function unitAt(text: string, i: number, lower: boolean): number {
  const c = text.charCodeAt(i);
  return lower ? lowerAscii(c) : c;
}

/** FNV-1a over the code units of `key`. */
function hashOf(key: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) hash = fnvStep(hash, key.charCodeAt(i));
  return hash;
}

/**
 * Numbers a corpus's token keys 1, 2, 3... in the order they are first seen, as an index build
 * does. The keys live in an open-addressing table over their UTF-16 code units, so that the word
 * tokenizer's words of ASCII text (nearly all text a build sees) are numbered straight from the
 * text's characters, without a string made for every word: that string and its map lookup were
 * most of a build's time. Other text and other tokenizers go through `tokenizer.keys`, into the
 * same table, so a key has one id whichever way it came.
 */
export class Vocabulary {
  /** Slot → id of the key there (0: empty), and that key's hash (most probes then compare no characters). */
  private slots = new Int32Array(1 << 12);
  private slotHashes = new Int32Array(1 << 12);
  /** Id i's key is `chars[ends[i - 1]..ends[i])` (ends[0] = 0). */
  private chars = new Uint16Array(1 << 16);
  private ends = new Int32Array(1 << 10);
  /** Keys numbered so far (the last id). */
  size = 0;
  /** Where `number` puts a text's ids. */
  private ids = new Int32Array(1 << 12);
  private readonly tokenizer: Tokenizer;

  constructor(tokenizer: Tokenizer) {
    this.tokenizer = tokenizer;
  }

  /** `text`'s token ids, new keys taking the next ids (a view that the next call overwrites). */
  number(text: string): Int32Array {
    let count = 0;
    if (this.tokenizer === wordTokenizer && isAscii(text)) {
      if (this.ids.length < text.length) this.ids = new Int32Array(text.length);
      asciiWordSpans(text, (start, end, hash) => {
        this.ids[count++] = this.idOf(text, start, end, true, hash);
      });
    } else {
      const keys = this.tokenizer.keys(text);
      if (this.ids.length < keys.length) this.ids = new Int32Array(keys.length);
      for (const key of keys) this.ids[count++] = this.idOf(key, 0, key.length, false, hashOf(key));
    }
    return this.ids.subarray(0, count);
  }

  /** The keys of ids 1..size, in id order. */
  keys(): string[] {
    return Array.from({ length: this.size }, (_, i) => {
      let key = "";
      // In pieces: a spread of a very long key would pass more arguments than a call takes.
      for (let at = this.ends[i]!; at < this.ends[i + 1]!; at += 4096) key += String.fromCharCode(...this.chars.subarray(at, Math.min(at + 4096, this.ends[i + 1]!)));
      return key;
    });
  }

  /** The id of the key `text[start..end)` (lowered when `lower`), whose hash is `hash`, numbering it if it is new. */
  private idOf(text: string, start: number, end: number, lower: boolean, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot]!;
      if (id === 0) return this.add(slot, hash, text, start, end, lower);
      if (this.slotHashes[slot] === hash && this.sameKey(id, text, start, end, lower)) return id;
    }
  }

  private sameKey(id: number, text: string, start: number, end: number, lower: boolean): boolean {
    const from = this.ends[id - 1]!;
    if (this.ends[id]! - from !== end - start) return false;
    for (let i = start, j = from; i < end; i++, j++) if (unitAt(text, i, lower) !== this.chars[j]) return false;
    return true;
  }

  private add(slot: number, hash: number, text: string, start: number, end: number, lower: boolean): number {
    const id = ++this.size;
    const from = this.ends[id - 1]!;
    if (from + (end - start) > this.chars.length) this.chars = grown(this.chars, from + (end - start));
    for (let i = start, j = from; i < end; i++, j++) this.chars[j] = unitAt(text, i, lower);
    if (id + 1 > this.ends.length) this.ends = grown(this.ends, id + 1);
    this.ends[id] = from + (end - start);
    this.slots[slot] = id;
    this.slotHashes[slot] = hash;
    // At most half full, so probes stay short.
    if (2 * id > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const [slots, hashes] = [this.slots, this.slotHashes];
    this.slots = new Int32Array(slots.length * 2);
    this.slotHashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let s = 0; s < slots.length; s++) {
      if (slots[s] === 0) continue;
      let slot = hashes[s]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = slots[s]!;
      this.slotHashes[slot] = hashes[s]!;
    }
  }
}

/** A copy of `array` with room for at least `length` elements (doubling, so appends stay linear). */
function grown<T extends Uint16Array | Int32Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(Math.max(length, array.length * 2));
  bigger.set(array);
  return bigger;
}
