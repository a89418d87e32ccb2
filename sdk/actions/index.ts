// `@openledger-evm/sdk/actions`: every action as a `(client, params)` function, for bundles that
// import only the ones they call.
export * from "./attribution.ts";
export * from "./contributions.ts";
export * from "./datanets.ts";
export * from "./datasets.ts";
export * from "./epochs.ts";
export * from "./models.ts";
export * from "./rewards.ts";
export * from "./validators.ts";
export * from "./versions.ts";
