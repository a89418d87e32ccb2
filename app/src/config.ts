import { ClientConfigError, parseDeployment, type Deployment } from "@openledger-evm/sdk";

/** What the page needs to know about its stack, served next to it as `openledger.json` by `npm run app`. */
export interface AppConfig {
  deployment: Deployment;
  /** The node's JSON-RPC URL (absolute). */
  rpcUrl: string;
  /** The storage service (uploads and its trustless gateway). */
  storageUrl: string;
  /** The indexer's API (Ponder: GraphQL at `/graphql`). */
  indexerUrl: string;
  /** A local development chain: the page offers a burner wallet funded by the node's seed accounts. */
  local: boolean;
}

/** Reads `openledger.json` (relative URLs resolve against the page). */
export async function loadConfig(): Promise<AppConfig> {
  const url = new URL("openledger.json", location.href);
  const response = await fetch(url).catch((cause: unknown) => {
    throw new ClientConfigError(`Cannot load the app's configuration from ${url.href}.`, { cause });
  });
  if (!response.ok) throw new ClientConfigError(`The app's configuration at ${url.href} answered HTTP ${response.status}.`);
  const json = (await response.json()) as { deployment: unknown; rpcUrl: string; storageUrl: string; indexerUrl: string; local: boolean };
  const absolute = (value: string) => new URL(value, location.href).href.replace(/\/$/, "");
  return {
    deployment: parseDeployment(json.deployment, "openledger.json's deployment"),
    rpcUrl: absolute(json.rpcUrl),
    storageUrl: absolute(json.storageUrl),
    indexerUrl: absolute(json.indexerUrl),
    local: json.local === true,
  };
}
