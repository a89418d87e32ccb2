import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import "dotenv/config";
import { defineConfig } from "hardhat/config";

import { networksFromEnv } from "./scripts/lib/env-networks.ts";

const require = createRequire(import.meta.url);

/** The compiler comes from the pinned npm `solc` package, so a build never downloads one. */
export const SOLC_VERSION = "0.8.30";
const solcJsPath = require.resolve("solc/soljson.js");

/**
 * via-IR with the optimizer tuned for `runs` calls per deployment. `forSize` also turns off the
 * bytecode-level inliner (the Yul optimizer still inlines), which duplicates shared internal code
 * into each caller: it costs the registry a few gas per call and saves it 330 bytes.
 */
function compiler(runs: number, forSize = false) {
  const optimizer = { enabled: true, runs, ...(forSize ? { details: { inliner: false } } : {}) };
  return {
    version: SOLC_VERSION,
    path: solcJsPath,
    settings: { evmVersion: "prague", viaIR: true, optimizer },
  };
}

/**
 * Solidity test sources that use the registry (tests and their harnesses). A test compiles what it
 * imports with its own settings, so they take the registry's: the same bytecode as deployed, and no size warning from a copy built
 * for speed.
 */
function registryTests(): string[] {
  const dir = path.join(import.meta.dirname, "test", "solidity");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".sol") && readFileSync(path.join(dir, file), "utf8").includes("DatanetRegistry"))
    .map((file) => `test/solidity/${file}`);
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatViem],
  solidity: {
    compilers: [compiler(10_000)],
    overrides: {
      // The registry is the largest contract: tuned for size so it stays under EIP-170's 24,576 bytes.
      "contracts/DatanetRegistry.sol": compiler(200, true),
      ...Object.fromEntries(registryTests().map((file) => [file, compiler(200, true)])),
    },
  },
  paths: {
    ignition: "deploy",
  },
  coverage: {
    // Test doubles (a re-entrant token) are not protocol code.
    skipFiles: ["contracts/mocks/**"],
  },
  test: {
    solidity: {
      fuzz: {
        runs: Number(process.env.FUZZ_RUNS ?? 5_000),
        seed: "0x4f50454e",
      },
      invariant: {
        runs: Number(process.env.INVARIANT_RUNS ?? 64),
        depth: 64,
      },
    },
    mocha: {
      timeout: 120_000,
    },
  },
  networks: networksFromEnv(process.env),
});
