import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import "dotenv/config";
import { defineConfig } from "hardhat/config";

import { networksFromEnv } from "./scripts/lib/env-networks.ts";

const require = createRequire(import.meta.url);

/** The compiler comes from the pinned npm `solc` package, so a build never downloads one. */
export const SOLC_VERSION = "0.8.30";
const solcJsPath = require.resolve("solc/soljson.js");

/** via-IR with the optimizer tuned for `runs` calls per deployment. */
function compiler(runs: number) {
  return {
    version: SOLC_VERSION,
    path: solcJsPath,
    settings: { evmVersion: "prague", viaIR: true, optimizer: { enabled: true, runs } },
  };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers, hardhatViem],
  solidity: {
    compilers: [compiler(10_000)],
    overrides: {
      // The registry is the largest contract: tuned for size so it stays under EIP-170's 24,576 bytes.
      "contracts/DatanetRegistry.sol": compiler(200),
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
