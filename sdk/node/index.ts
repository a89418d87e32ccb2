// `@openledger-evm/sdk/node`: what needs Node (files, folders, checkpoints, servers). The core
// (`@openledger-evm/sdk`) runs in browsers and Node alike and imports nothing from here.
export * from "./adapter.ts";
export * from "./dataset.ts";
export * from "./deployment.ts";
export * from "./files.ts";
export * from "./index-file.ts";
export * from "./indexer.ts";
export * from "./shards.ts";
export * from "./storage/index.ts";
