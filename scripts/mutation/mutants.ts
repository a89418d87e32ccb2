/**
 * Mutant generation with SuMo (`@morenabarboni/sumo`): its Solidity parser and its mutation
 * operators, as enabled in its `operators.config.json` (the standard cluster) and with the minimal
 * rules chosen in `sumo-config.js`. SuMo's own CLI cannot run here (it calls the glob 7 API and the
 * project resolves glob 10), so `run.ts` drives the build and the tests itself.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** One SuMo mutant: replace `source[start, end)` with `replace`. */
export interface Mutant {
  id: string;
  file: string;
  operator: string;
  line: number;
  original: string;
  replace: string;
  start: number;
  end: number;
}

interface SumoMutation {
  id: string;
  start: number;
  end: number;
  startLine: number;
  original: string;
  replace: string;
  operator: string;
}
interface SumoOperator {
  ID: string;
  getMutations(file: string, source: string, visit: unknown): SumoMutation[];
}
type OperatorClass = new () => SumoOperator;

const sumoRequire = createRequire(path.join(ROOT, "node_modules", "@morenabarboni", "sumo", "src", "mutationRunner.js"));

function sumoOperators(): SumoOperator[] {
  const generator = sumoRequire("./operators/mutationGenerator") as Record<string, OperatorClass>;
  const enabled = sumoRequire("./operators.config.json") as Record<string, boolean>;
  return Object.entries(generator)
    .filter(([name]) => name !== "CompositeOperator")
    .map(([, Operator]) => new Operator())
    .filter((operator) => enabled[operator.ID] === true);
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Every mutant SuMo generates for `file` (relative to the repository root), in a stable order. */
export async function generateMutants(file: string): Promise<{ source: string; mutants: Mutant[] }> {
  const parser = sumoRequire("@solidity-parser/parser") as {
    parse(source: string, options: object): unknown;
    visit(ast: unknown, visitor: unknown): void;
  };
  const source = await readFile(path.join(ROOT, file), "utf8");
  const visit = parser.visit.bind(parser, parser.parse(source, { range: true, loc: true }));
  const seen = new Set<string>();
  const mutants: Mutant[] = [];
  for (const operator of sumoOperators()) {
    for (const m of operator.getMutations(path.join(ROOT, file), source, visit)) {
      // Some operators emit the same edit twice (e.g. one per overloaded reference); test it once.
      if (seen.has(m.id) || m.original === m.replace) continue;
      seen.add(m.id);
      mutants.push({ id: m.id, file, operator: m.operator, line: m.startLine, original: m.original, replace: m.replace, start: m.start, end: m.end });
    }
  }
  mutants.sort((a, b) => a.start - b.start || a.id.localeCompare(b.id));
  return { source, mutants };
}

export const applyMutant = (source: string, m: Mutant) => source.slice(0, m.start) + m.replace + source.slice(m.end);

/** mulberry32: a seeded generator, so a sample is the same on every machine. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A uniform sample of `size` mutants (all of them when there are fewer), returned in source order. */
export function sampleMutants(mutants: Mutant[], size: number, seed: number): Mutant[] {
  if (mutants.length <= size) return mutants;
  const random = seededRandom(seed);
  const pool = [...mutants];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, size).sort((a, b) => a.start - b.start);
}
