/**
 * Lists every custom error declared in contracts/interfaces/ or contracts/libraries/ that no test
 * names, and exits 1 if any.
 * A test "names" an error by asserting it: `revertedWithCustomError(x, "Name")` / `expectProtocolError(…, "Name")`
 * in TypeScript, or `Interface.Name.selector` in Solidity.
 *
 *   node scripts/check-error-coverage.ts
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");

async function filesUnder(dir: string, endings: string[]): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && endings.some((end) => e.name.endsWith(end)))
    .map((e) => path.join(e.parentPath, e.name));
}

const declared = new Map<string, string>();
for (const file of [...(await filesUnder("contracts/interfaces", [".sol"])), ...(await filesUnder("contracts/libraries", [".sol"]))]) {
  for (const match of (await readFile(file, "utf8")).matchAll(/^\s*error\s+(\w+)\s*\(/gm)) {
    declared.set(match[1]!, path.relative(ROOT, file));
  }
}

const tests = await Promise.all((await filesUnder("test", [".ts", ".sol"])).map((f) => readFile(f, "utf8")));
const asserted = (name: string) =>
  tests.some((text) => text.includes(`"${name}"`) || text.includes(`.${name}.selector`));

const missing = [...declared].filter(([name]) => !asserted(name));
for (const [name, file] of missing) console.error(`not reached by any test: ${name} (${file})`);
console.log(`${declared.size - missing.length} of ${declared.size} custom errors are asserted by tests.`);
if (declared.size === 0 || missing.length > 0) process.exit(1);
