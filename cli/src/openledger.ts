#!/usr/bin/env node
/**
 * The OpenLedger command line: `openledger <group> <command> [arguments] [options]`.
 * Global options: --rpc <url>, --deployment <file>, --json, --help. The key comes from
 * OPENLEDGER_KEY in the environment or `.env`, never from a flag. Without --rpc (or
 * OPENLEDGER_RPC_URL) commands run on the embedded in-process network, freshly deployed, which
 * lasts for that one command.
 */
import "dotenv/config";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";

import { OpenLedgerError } from "@openledger-evm/sdk";
import { COMMANDS, type Command } from "./commands.ts";
import { openSession } from "./context.ts";

const GLOBAL_OPTIONS = {
  rpc: { type: "string", description: "JSON-RPC URL of the node (default: OPENLEDGER_RPC_URL, else the embedded network)" },
  deployment: { type: "string", description: "addresses file (default: OPENLEDGER_DEPLOYMENT, else deployments/<chainId>.json)" },
  json: { type: "boolean", description: "print machine-readable JSON" },
  help: { type: "boolean", description: "show help" },
} as const;

function optionLines(options: Record<string, { type: string; description: string }>): string[] {
  return Object.entries(options).map(([name, o]) => `  --${name}${o.type === "string" ? " <value>" : ""}`.padEnd(30) + o.description);
}

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    "openledger: datanets, validators, rewards, models and attribution from the command line",
    "",
    "Usage: openledger <command> [arguments] [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    "The signing key is read from OPENLEDGER_KEY (environment or .env). `openledger <command> --help` for details.",
  ].join("\n");
}

function commandHelp(command: Command): string {
  return [
    `openledger ${command.usage}`,
    "",
    command.summary,
    ...(command.options === undefined ? [] : ["", "Options:", ...optionLines(command.options)]),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
  ].join("\n");
}

/** Finds the command named by the first one or two words. */
function lookup(words: string[]): { name: string; command: Command; rest: string[] } | undefined {
  for (const length of [2, 1]) {
    const name = words.slice(0, length).join(" ");
    const command = COMMANDS[name];
    if (command !== undefined && words.length >= length) return { name, command, rest: words.slice(length) };
  }
  return undefined;
}

const stringify = (data: unknown) => JSON.stringify(data, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);

/** Runs one invocation; returns the exit code. Errors are one readable line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith("-"));
  const found = lookup(words);
  if (found === undefined) {
    if (argv.includes("--help") || argv.length === 0) {
      console.log(overview());
      return 0;
    }
    console.error(`error: unknown command "${words.slice(0, 2).join(" ")}"; run openledger --help for the list`);
    return 2;
  }
  const { name, command } = found;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) } as ParseArgsConfig["options"],
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`error: ${(error as Error).message.split("\n")[0]} (openledger ${name} --help)`);
    return 2;
  }
  const options = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (options.help === true) {
    console.log(commandHelp(command));
    return 0;
  }
  const positionals = parsed.positionals.slice(name.split(" ").length);
  const json = options.json === true;
  const session = openSession({ rpc: options.rpc as string | undefined, deployment: options.deployment as string | undefined, json }, (context) => {
    if (context.embedded && !json) console.error("(embedded network: a fresh deployment that lasts for this command; use --rpc for a real node)");
  });
  try {
    const output = await command.run(session, positionals, options);
    console.log(json ? stringify(output.data) : output.text);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof OpenLedgerError) {
      console.error(`error: ${error.shortMessage}`);
      return 1;
    }
    throw error;
  } finally {
    await session.close();
  }
}

// Run as a program (also through node_modules/.bin's symlink, hence the real path), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
