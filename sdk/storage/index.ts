// The browser-safe part of storage: CIDs, verification, the gateway fetcher and the service client.
// Node-only stores and the HTTP service are in ./node/.
export * from "./blocks.ts";
export * from "./cid.ts";
export * from "./errors.ts";
export * from "./format.ts";
export * from "./gateway.ts";
export * from "./store.ts";
export * from "./upload.ts";
