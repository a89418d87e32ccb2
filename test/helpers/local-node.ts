import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";

import { privateKeyToAddress } from "viem/accounts";

import { freePort } from "./ports.ts";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
/** The CLI from its sources: node's arguments that run it with the SDK's sources (as `npm run cli` does). */
export const CLI_FROM_SOURCE = ["--conditions=@openledger-evm/source", path.join(ROOT, "cli", "src", "openledger.ts")];

/** The first accounts of `hardhat node` (its well-known test mnemonic). Never use them elsewhere. */
export const NODE_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
] as const;

/** A JSON-RPC call to the node. */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(body.error.message);
  return body.result;
}

/** Moves the node's clock forward and mines a block. */
export async function advanceTime(url: string, seconds: number): Promise<void> {
  await rpc(url, "evm_increaseTime", [seconds]);
  await rpc(url, "evm_mine");
}

/** A separate `hardhat node` process on 127.0.0.1; `stop()` ends it (tests call it in `after`). */
export interface LocalNode {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `hardhat node` on a free port of 127.0.0.1 (with another chain id if given) and waits until
 * it answers; on another port if another process took the first one before the node bound it.
 */
export async function startLocalNode(options: { chainId?: number } = {}): Promise<LocalNode> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNodeOn(await freePort(), options);
    } catch (error) {
      if (attempt === 3 || !(error instanceof Error && error.message.includes("EADDRINUSE"))) throw error;
    }
  }
}

async function startNodeOn(port: number, options: { chainId?: number }): Promise<LocalNode> {
  const chainId = options.chainId === undefined ? [] : ["--chain-id", String(options.chainId)];
  const child = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port), ...chainId], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENLEDGER_RPC_URL: "" },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const node: LocalNode = {
    url,
    process: child,
    stop: async () => {
      // A node ended by a signal has a signalCode and no exitCode: it must not be waited for again.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await new Promise((resolve) => child.once("exit", resolve));
      }
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}):\n${output}`);
    try {
      await rpc(url, "eth_chainId");
      return node;
    } catch {
      if (Date.now() > deadline) {
        await node.stop();
        throw new Error(`hardhat node did not answer on ${url}:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * The environment `scripts/deploy.ts` reads for a deployment to the node at `url` as network `network`
 * (key 0 deploys, key 1's account is the guardian), journaled as `deploymentId`, addresses into `dir`.
 */
export function deployEnv(network: string, url: string, deploymentId: string, dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OPENLEDGER_NETWORK: network,
    OPENLEDGER_RPC_URL: url,
    OPENLEDGER_CHAIN_TYPE: "l1",
    OPENLEDGER_DEPLOYER_KEY: NODE_KEYS[0],
    OPENLEDGER_GUARDIAN: privateKeyToAddress(NODE_KEYS[1]),
    OPENLEDGER_DEPLOYMENT_ID: deploymentId,
    OPENLEDGER_DEPLOYMENTS_DIR: dir,
  };
}

/** Deploys through the users' path (`npm run deploy` = Hardhat Ignition) to the node; returns the addresses file. */
export async function deployToNode(url: string, dir: string): Promise<string> {
  const deploymentId = `test-${process.pid}-${Date.now()}`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [HARDHAT, "run", "scripts/deploy.ts", "--network", "localtest"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: deployEnv("localtest", url, deploymentId, dir),
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`deploy failed (${code}):\n${output}`))));
  });
  await rm(path.join(ROOT, "deploy", "deployments", deploymentId), { recursive: true, force: true });
  return path.join(dir, "31337.json");
}
