import { spawn, type ChildProcess } from "node:child_process";

import { ROOT } from "./local-node.ts";
import { freePort } from "./ports.ts";

/** The indexer service (`npm run indexer`, as the README says) in a process group of its own; `stop()` ends the group. */
export interface IndexerService {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `npm run indexer` with `env` on a free port of 127.0.0.1 and waits until its backfill is done
 * (`/ready` answers 200).
 */
export async function startIndexer(env: Record<string, string>, options: { timeoutMs?: number } = {}): Promise<IndexerService> {
  const port = await freePort();
  const child = spawn("npm", ["run", "indexer"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    env: { ...process.env, DATABASE_URL: "", OPENLEDGER_INDEXER_PORT: String(port), ...env },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const service: IndexerService = {
    url,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    },
  };
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm run indexer exited (${child.exitCode}):\n${output}`);
    const ready = await fetch(`${url}/ready`).then((r) => r.status, () => 0);
    if (ready === 200) return service;
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(`the indexer was not ready on ${url}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Waits until the indexer has indexed `block` (its `/status`): `/ready` only says the backfill up to
 * the finalized block is done, and the blocks after it are indexed live.
 */
export async function waitForBlock(service: IndexerService, block: bigint, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await (await fetch(`${service.url}/status`)).json()) as Record<string, { block: { number: number } }>;
    if (Object.values(status).some((chain) => BigInt(chain.block.number) >= block)) return;
    if (service.process.exitCode !== null) throw new Error(`the indexer exited:\n${service.output()}`);
    if (Date.now() > deadline) throw new Error(`the indexer did not reach block ${block}: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Rows of a read-only SQL query over HTTP (Ponder's `/sql/db`, the endpoint `@ponder/client` uses; a superjson-encoded query). */
export async function sqlRows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const query = JSON.stringify({ json: { sql, params: [] } });
  const response = await fetch(`${url}/sql/db?sql=${encodeURIComponent(query)}`);
  if (!response.ok) throw new Error(`${sql}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { rows: Record<string, unknown>[] }).rows;
}

/** A GraphQL query's data; errors throw. */
export async function graphql<T>(url: string, query: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors !== undefined) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join("; ")}`);
  return body.data!;
}
