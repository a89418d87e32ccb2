import { mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

import { build } from "vite";

import { ROOT } from "./local-node.ts";

/**
 * Bundles `specifiers` for the browser with Vite, the SDK from its sources, and returns every
 * Node built-in anything reachable from them imports, as "<built-in> from <importer>". Type-only
 * imports are erased before resolution, so only runtime imports count.
 */
export async function nodeBuiltinsReachedFrom(specifiers: readonly string[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-browser-"));
  const found: string[] = [];
  // Importers are named from the folder holding the SDK's real directory, so the names read
  // "sdk/…" even in a copy of the repository whose node_modules links back to the original.
  const base = path.dirname(await realpath(path.join(ROOT, "node_modules", "@openledger-evm", "sdk")));
  try {
    await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    const source = specifiers.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};\nconsole.log(m${i});`).join("\n");
    await writeFile(path.join(dir, "main.js"), source);
    await build({
      root: dir,
      configFile: false,
      logLevel: "silent",
      resolve: { conditions: ["@openledger-evm/source", "browser", "module", "import", "default"] },
      build: { write: false, rollupOptions: { input: path.join(dir, "main.js") } },
      plugins: [
        {
          name: "record-node-builtins",
          enforce: "pre",
          resolveId(id, importer) {
            if (isBuiltin(id)) found.push(`${id} from ${path.relative(base, importer ?? "?")}`);
            return null;
          },
        },
      ],
    });
    return [...new Set(found)].sort();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
