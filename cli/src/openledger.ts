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

import { toSdkError } from "@openledger-evm/sdk";
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

/** The groups of two-word commands ("datanet", "validator", …), each with its commands in order. */
function groups(): Map<string, [string, Command][]> {
  const byGroup = new Map<string, [string, Command][]>();
  for (const [name, command] of Object.entries(COMMANDS)) {
    const [group, sub] = name.split(" ");
    if (sub !== undefined) byGroup.set(group!, [...(byGroup.get(group!) ?? []), [name, command]]);
  }
  return byGroup;
}

function groupHelp(group: string, commands: [string, Command][]): string {
  const width = Math.max(...commands.map(([name]) => name.length));
  return [
    `Usage: openledger ${group} <command> [arguments] [options]`,
    "",
    "Commands:",
    ...commands.map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    `\`openledger ${group} <command> --help\` for details.`,
  ].join("\n");
}

/** The words that can name a command: not options, nor the values of the global options that take one. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("-")) {
      if (GLOBAL_OPTIONS[arg.slice(2) as keyof typeof GLOBAL_OPTIONS]?.type === "string") i++;
    } else words.push(arg);
  }
  return words;
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

/** One line for any error: the SDK's short message, viem's, or the first line of another error's. */
const errorLine = async (error: unknown) => (await toSdkError(error)).shortMessage.split("\n")[0]!;

/**
 * Runs one invocation; returns the exit code. An error is one readable line on stderr and nothing
 * else (OPENLEDGER_DEBUG=1 adds the stack, for reporting a bug).
 */
export async function main(argv: string[]): Promise<number> {
  const words = commandWords(argv);
  const found = lookup(words);
  if (found === undefined) {
    const group = groups().get(words[0] ?? "");
    if (argv.includes("--help") || argv.length === 0) {
      console.log(group === undefined ? overview() : groupHelp(words[0]!, group));
      return 0;
    }
    if (group === undefined) {
      console.error(`error: unknown command "${words.slice(0, 2).join(" ")}"; run openledger --help for the list`);
    } else {
      const problem = words.length === 1 ? `"${words[0]}" needs a command` : `unknown command "${words.slice(0, 2).join(" ")}"`;
      console.error(`error: ${problem}: ${group.map(([name]) => name.split(" ")[1]).join(", ")} (openledger ${words[0]} --help)`);
    }
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
    console.error(`error: ${await errorLine(error)}`);
    if (process.env.OPENLEDGER_DEBUG) console.error(error);
    return 1;
  } finally {
    await session.close();
  }
}

// Run as a program (also through node_modules/.bin's symlink, hence the real path), not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
