import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { createPublicClient, formatUnits, http, type Address } from "viem";
import { useConfig as useWagmiConfig, useConnection } from "wagmi";
import { getConnectorClient } from "wagmi/actions";

import { createClient, createIndexerClient, DeploymentError, ClientConfigError, fetchModelLogs, rebuildModelLineage, toSdkError, type IndexerClient, type OpenLedgerClient, type OpenLedgerError } from "@openledger-evm/sdk";

import type { AppConfig } from "./config.ts";
import { deploymentChain } from "./wallet.ts";

interface AppContextValue {
  config: AppConfig;
  /** Reads the chain (no wallet): every page's views and event scans. */
  reader: OpenLedgerClient;
  /** Reads the indexer's API: the lists (contributions by status, pending queue, leaderboard, claimable epochs). */
  indexer: IndexerClient;
}

const AppContext = createContext<AppContextValue | undefined>(undefined);

export function AppProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const [value] = useState<AppContextValue>(() => {
    const publicClient = createPublicClient({ chain: deploymentChain(config), transport: http(config.rpcUrl) });
    return { config, reader: createClient({ publicClient, deployment: config.deployment }), indexer: createIndexerClient({ url: config.indexerUrl }) };
  });
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (value === undefined) throw new Error("useApp outside AppProvider");
  return value;
}

/** The sentence for whatever failed: the SDK's message for its errors, reverts decoded, a wallet's refusal worded. */
export async function sentenceOf(error: unknown): Promise<string> {
  return (await toSdkError(error)).shortMessage;
}

/** A query whose failure is already an SDK error (its message is the sentence the page shows). */
export function useLoad<T>(key: readonly unknown[], load: () => Promise<T>, options: { enabled?: boolean; refetchInterval?: number } = {}) {
  return useQuery({
    queryKey: key,
    queryFn: async () => {
      try {
        return await load();
      } catch (error) {
        throw await toSdkError(error);
      }
    },
    enabled: options.enabled ?? true,
    retry: false,
    ...(options.refetchInterval === undefined ? {} : { refetchInterval: options.refetchInterval }),
  });
}

/** How often lists read from the indexer are read again: it follows the chain a block or two behind. */
export const INDEXER_REFRESH_MS = 3_000;

/** The registry's whole state rebuilt from its events (datanets, contributions, versions). */
export function useRegistry() {
  const { reader } = useApp();
  return useLoad(["registry"], () => reader.history.rebuild());
}

/**
 * The connected account and, for actions, an SDK client that signs with its wallet. `problem` is the
 * sentence to show when nothing can be signed (no wallet connected, or a wallet on another network).
 */
export function useWallet(): { account?: Address; problem?: string; writer: () => Promise<OpenLedgerClient> } {
  const { config, reader } = useApp();
  const wagmi = useWagmiConfig();
  const connection = useConnection();
  const wanted = config.deployment.chainId;
  let problem: string | undefined;
  if (connection.status !== "connected") problem = "Connect a wallet first (the button at the top of the page).";
  else if (connection.chainId !== wanted) {
    problem = new DeploymentError(`Your wallet is on chain ${connection.chainId}, but this deployment is on chain ${wanted}: switch the wallet to chain ${wanted}.`).message;
  }
  const writer = useCallback(async () => {
    if (problem !== undefined) throw new ClientConfigError(problem);
    const walletClient = await getConnectorClient(wagmi, { chainId: wanted });
    return createClient({ publicClient: reader.publicClient, walletClient, deployment: config.deployment });
  }, [problem, wagmi, wanted, reader, config.deployment]);
  return { account: connection.status === "connected" ? connection.address : undefined, problem, writer };
}

/**
 * Runs one user action at a time: its progress lines, then a result or the failure's sentence.
 * Every query is refreshed after it, so the page shows what the chain now says.
 */
export function useAction() {
  const queries = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const run = useCallback(
    async (action: (step: (line: string) => void) => Promise<string>) => {
      setBusy(true);
      setError(undefined);
      setDone(undefined);
      setProgress([]);
      try {
        setDone(await action((line) => setProgress((lines) => [...lines, line])));
      } catch (failure) {
        setError(await sentenceOf(failure));
      } finally {
        setBusy(false);
        await queries.invalidateQueries();
      }
    },
    [queries],
  );
  return { busy, progress, error, done, run, fail: setError };
}

/** What `useAction` reports: the steps so far, then the outcome or the failure as a sentence. */
export function ActionStatus({ action }: { action: ReturnType<typeof useAction> }) {
  return (
    <>
      {action.progress.length > 0 && (
        <ol className="steps" aria-label="Progress">
          {action.progress.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ol>
      )}
      {action.done !== undefined && <p role="status" className="ok">{action.done}</p>}
      <Alert text={action.error} />
    </>
  );
}

/** A failure as a sentence on the page (nothing when there is none). */
export function Alert({ text }: { text: string | undefined }) {
  return text === undefined ? null : <p role="alert" className="error">{text}</p>;
}

/** A list, or the sentence for an empty one (nothing, without `empty`). */
export function Listed<T>({ items, empty, children }: { items: readonly T[]; empty?: ReactNode; children: (items: readonly T[]) => ReactNode }) {
  if (items.length > 0) return <>{children(items)}</>;
  return empty === undefined ? null : <p>{empty}</p>;
}

/**
 * A query's three states in one shape: its loading line, its failure as a sentence, and (with `empty`)
 * the sentence for an empty result (an empty list unless `isEmpty` says otherwise); the children once
 * it has data to show.
 */
export function Loaded<T>({
  query,
  what,
  empty,
  isEmpty = (data) => Array.isArray(data) && data.length === 0,
  children,
}: {
  query: { data?: T; error: Error | null; isPending: boolean };
  what: string;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
}) {
  if (query.error !== null) return <Alert text={(query.error as Partial<OpenLedgerError>).shortMessage ?? query.error.message} />;
  if (query.isPending || query.data === undefined) return <p role="status">Loading {what}…</p>;
  if (empty !== undefined && isEmpty(query.data)) return <p>{empty}</p>;
  return <>{children(query.data)}</>;
}

/** Every registered model's lineage, rebuilt from the model factory's events. */
export function useModelLineage() {
  const { reader } = useApp();
  return useLoad(["lineage"], async () => [...rebuildModelLineage(await fetchModelLogs(reader)).values()]);
}

/** OPEN (18 decimals) as a readable amount. */
export function open(wei: bigint): string {
  const text = formatUnits(wei, 18);
  const [whole, fraction = ""] = text.split(".");
  const trimmed = fraction.slice(0, 4).replace(/0+$/, "");
  return `${BigInt(whole!).toLocaleString("en-US")}${trimmed ? `.${trimmed}` : ""} OPEN`;
}

/** A short address for tables (the full one in its title). */
export function Short({ address }: { address: string }) {
  return <span title={address} className="mono">{`${address.slice(0, 6)}…${address.slice(-4)}`}</span>;
}

/** A date from a chain timestamp (seconds). */
export function when(seconds: number | bigint): string {
  return new Date(Number(seconds) * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}
