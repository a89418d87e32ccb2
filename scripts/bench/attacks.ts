/**
 * The attack bench: plays the rational attacker of issue 13 (classes 1-5, 7, 8 and 9) on the
 * embedded network with real OPEN balances, each class by the rules and with the attack from the
 * same snapshot (see `attack-classes.ts`), and writes `bench/attacks.json` and its table in
 * `bench/RESULTS.md`. Exits non-zero when a defence did not hold.
 *
 *   npm run bench:attacks
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import { playAttacks } from "./attack-classes.ts";
import { writeResultsMarkdown } from "./results.ts";

const BENCH_DIR = path.resolve(import.meta.dirname, "..", "..", "bench");

const started = performance.now();
const connection = await network.create();
const rows = await playAttacks(connection, (line) => console.log(line));
await connection.close();
await writeFile(path.join(BENCH_DIR, "attacks.json"), `${JSON.stringify(rows, null, 2)}\n`);
await writeResultsMarkdown(BENCH_DIR);
console.log(`Wrote bench/attacks.json and bench/RESULTS.md in ${((performance.now() - started) / 1000).toFixed(1)}s`);
if (!rows.every((row) => row.blocked)) process.exitCode = 1;
