// Node-only storage: the filesystem store, the Helia node and the HTTP storage service.
export * from "./fs-store.ts";
export * from "./service.ts";
export * from "./helia-store.ts";
