import { DataKind } from "../actions/datanets.ts";
import { isText } from "../checks.ts";

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0) => magic.every((b, i) => bytes[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** File signatures (magic numbers) of the image and audio formats a datanet of that kind takes. */
const SIGNATURES: Record<number, { name: string; matches: (bytes: Uint8Array) => boolean }[]> = {
  [DataKind.Image]: [
    { name: "PNG", matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
    { name: "JPEG", matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
    { name: "GIF", matches: (b) => startsWith(b, ascii("GIF8")) },
    { name: "WebP", matches: (b) => startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8) },
  ],
  [DataKind.Audio]: [
    { name: "WAV", matches: (b) => startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WAVE"), 8) },
    { name: "FLAC", matches: (b) => startsWith(b, ascii("fLaC")) },
    { name: "Ogg", matches: (b) => startsWith(b, ascii("OggS")) },
    { name: "MP3", matches: (b) => startsWith(b, ascii("ID3")) || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) },
  ],
};

/**
 * Whether bytes are of the format a datanet of `kind` collects: valid UTF-8 text for Text, a known
 * image or audio signature for Image and Audio, anything for Other. Returns the reason when not.
 */
export function formatProblem(kind: number, bytes: Uint8Array): string | undefined {
  if (kind === DataKind.Text) {
    const result = isText(bytes, "0x");
    return result.reject ? `a Text datanet takes UTF-8 text; this is ${result.reason === "not valid UTF-8 text" ? "not UTF-8" : "text with control characters"}` : undefined;
  }
  const signatures = SIGNATURES[kind];
  if (signatures === undefined || signatures.some((s) => s.matches(bytes))) return undefined;
  return `a ${kind === DataKind.Image ? "Image" : "Audio"} datanet takes ${signatures.map((s) => s.name).join(", ")}: the content is none of them`;
}
