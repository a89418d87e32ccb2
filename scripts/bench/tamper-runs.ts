import type { NetworkConnection } from "hardhat/types/network";
import { createPublicClient, custom, decodeFunctionResult, getAddress, toEventSelector, toFunctionSelector, type Abi, type AbiFunction, type EIP1193RequestFn, type Hex } from "viem";

import {
  attestationRegistryAbi,
  datanetRegistryAbi,
  merkleEpochAbi,
  merkleEpochDistributorAbi,
  modelFactoryAbi,
  openTokenAbi,
  proofOfAttributionAbi,
  protocolClient,
  rebuildProtocolState,
  rewardPoolsAbi,
  MAX_PAUSE_SECONDS,
  show,
  validatorStakingAbi,
  verifyProtocolState,
  type Deployment,
  type Discrepancy,
  type ProtocolState,
} from "../../sdk/index.ts";
import { indexProtocolEvents, protocolEventsAbi } from "../../sdk/node/index.ts";
import { bumpWord, tamperResult, type RawLog, type Tampering } from "../../test/helpers/tamper.ts";
import { buildTamperHistory } from "./tamper-history.ts";

/** One replay of the history with one lie, and what the auditor made of it. */
export interface TamperRun {
  tampering: Tampering;
  /** The event kind of the tampered log (`A↔B` for a swap), or the view lied about. */
  subject: string;
  /** The state the (tampered) logs imply differs from the true history's in a way some view or balance shows. */
  stateChanging: boolean;
  /** It differs only in what no view or balance shows (the reason), so no audit can check it against the chain. */
  notChainCheckable?: string;
  /** Discrepancies reported (the first few). */
  discrepancies: number;
  firstDiscrepancy?: Discrepancy;
  /** Where the state differs (the first few paths). */
  changed: string[];
  crashed?: string;
}

export interface TamperReport {
  runs: number;
  stateChanging: number;
  detected: number;
  crashed: number;
  falseAlarms: number;
  /** Runs whose state differs only where no view or balance looks, with why (not counted as state-changing). */
  notChainCheckable: number;
  /** Logs in the history, and the event kinds of the ABIs none of it emits, with why. */
  logs: number;
  kindsNotEmitted: Record<string, string>;
  missed: TamperRun[];
  /** The not chain-checkable runs: the lie, and why no view or balance shows what it changed. */
  unobservable: { tampering: Tampering; subject: string; reason: string; changed: string[] }[];
  perKind: { subject: string; runs: number; stateChanging: number; detected: number; notChainCheckable: number; crashed: number; falseAlarms: number }[];
  seconds: number;
}

/** Event kinds in the ABIs that no function of the protocol's contracts can emit. */
const NEVER_EMITTED: Record<string, string> = {
  RoleAdminChanged: "no contract calls _setRoleAdmin: every role's admin stays DEFAULT_ADMIN_ROLE from deployment on",
  EIP712DomainChanged: "declared by ERC-5267; OpenZeppelin's EIP712 never emits it (the domain is fixed at construction)",
};

/**
 * State no view or balance shows, by the path where the rebuilt state differs: a difference only
 * there is counted as not chain-checkable (with the reason), never as detected or missed.
 */
function unobservable(path: string, truth: ProtocolState, pauseLapsed: boolean): string | undefined {
  const contribution = /^registry\.contributions\.(\d+)\.(\w+)/.exec(path);
  if (contribution !== null) {
    const record = truth.registry.contributions.get(BigInt(contribution[1]!));
    const field = contribution[2]!;
    if (["uri", "sizeBytes", "epoch", "commitment"].includes(field)) return "a contribution's URI, size, epoch and the commitment its reveal consumed are kept in events only";
    if (record !== undefined && truth.registry.currentIds.get(record.contentHash) !== record.contributionId && field !== "status" && field !== "acceptedIndex") {
      return "the registry keeps one record per content hash: a displaced or re-registered contribution's record is overwritten by the later one";
    }
  }
  if (/^registry\.datanets\.\d+\.metadataURI/.test(path)) return "a datanet's metadata URI is kept in events only";
  if (/^registry\.versions\.[^.]+\.uri/.test(path)) return "a version's URI is kept in events only";
  if (/^registry\.(usage|datanetBytes)\./.test(path)) return "quota views answer for the current epoch only: reservations in past epochs are not readable";
  if (/^models\.\d+\.(name|versions\.\d+\.(adapterURI|(hyperparameters|settings)\.(loraTarget|lrSchedulerType|template)|blockNumber|method))/.test(path)) {
    return "a model's name, adapter URI, LoRA targets, scheduler and template are kept in events only";
  }
  if (/^registry\.pausedAtBlock/.test(path)) return "only whether the protocol is paused is readable, not since when";
  if (/^registry\.protocolPaused/.test(path) && pauseLapsed) return "a protocol pause lapses by itself after 7 days: once past, a pause lifted and one lapsed read the same";
  if (/^tallies\.\d+\.verdicts\.[^.]+\.credit/.test(path)) return "a settled verdict's share of the forfeit is kept in events only (the validator's registry credit, which sums them, is checked)";
  if (/^merkleEpochs\.[^.]+\.paidTo\./.test(path)) return "a Merkle claim's account is kept in events only (its leaf index and amount are checked; the leaves are published off chain)";
  return undefined;
}

/** The state as a flat map of paths to values (Maps by key, Sets as sorted lists). */
function flatten(value: unknown, path: string, into: Map<string, string>) {
  if (value instanceof Map) {
    for (const [k, v] of value) flatten(v, `${path}.${String(k)}`, into);
    into.set(`${path}.#`, String(value.size));
  } else if (value instanceof Set) {
    into.set(path, show([...value].map(String).sort()));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, `${path}.${i}`, into));
    into.set(`${path}.#`, String(value.length));
  } else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, path === "" ? k : `${path}.${k}`, into);
  } else {
    into.set(path, show(value));
  }
}

function fingerprint(state: ProtocolState): Map<string, string> {
  const into = new Map<string, string>();
  // The accounts named are the audit's own list of candidates, not protocol state.
  const { accounts: _accounts, ...rest } = state;
  flatten(rest, "", into);
  return into;
}

function differences(a: Map<string, string>, b: Map<string, string>): string[] {
  const paths = new Set([...a.keys(), ...b.keys()]);
  return [...paths].filter((p) => a.get(p) !== b.get(p));
}

const VIEW_ABIS: Abi[] = [datanetRegistryAbi, validatorStakingAbi, attestationRegistryAbi, rewardPoolsAbi, merkleEpochDistributorAbi, merkleEpochAbi, modelFactoryAbi, proofOfAttributionAbi, openTokenAbi];
const VIEWS = new Map<Hex, AbiFunction>(
  VIEW_ABIS.flatMap((abi) => abi.filter((i): i is AbiFunction => i.type === "function" && (i.stateMutability === "view" || i.stateMutability === "pure")).map((i) => [toFunctionSelector(i), i] as const)),
);
const EVENT_NAMES = new Map(protocolEventsAbi.map((item) => [toEventSelector(item), item.name]));

/**
 * Builds the tamper history on `connection` and returns its protocol logs in chain order, and
 * `audit(tampering)`: index, rebuild and verify through a node that tells that lie (the honest
 * node's answers are read once and replayed from memory). Fails if the honest audit disagrees.
 */
export async function tamperHarness(connection: NetworkConnection) {
  const { chainId, contracts } = await buildTamperHistory(connection);
  const deployment = { chainId, startBlock: 0n, contracts } as Deployment;
  const provider = connection.provider;
  const answers = new Map<string, Promise<unknown>>();
  const answer = (method: string, params: unknown) => {
    const k = `${method}${JSON.stringify(params)}`;
    let found = answers.get(k);
    if (found === undefined) answers.set(k, (found = provider.request({ method, params: params as unknown[] })));
    return found;
  };

  // The protocol's logs in chain order: the seven contracts' and every Merkle epoch's.
  const all = (await provider.request({ method: "eth_getLogs", params: [{ fromBlock: "0x0", toBlock: "latest" }] })) as RawLog[];
  const statics = new Set(Object.entries(contracts).filter(([name]) => name !== "openToken").map(([, a]) => getAddress(a)));
  const epochs = new Set(all.filter((l) => EVENT_NAMES.get(l.topics[0]!) === "RootPosted").map((l) => getAddress(`0x${l.data.slice(2 + 24, 2 + 64)}`)));
  const history = all.filter((l) => statics.has(getAddress(l.address)) || epochs.has(getAddress(l.address)));
  const kindOf = (i: number) => EVENT_NAMES.get(history[i]!.topics[0]!) ?? "unknown";

  const audit = async (tampering?: Tampering) => {
    let told = false;
    const request = (async ({ method, params }: { method: string; params?: unknown }) => {
      const result = await answer(method, params);
      return tampering === undefined ? result : tamperResult(method, params, result, tampering, history, () => (told = true));
    }) as EIP1193RequestFn;
    const client = protocolClient({ publicClient: createPublicClient({ transport: custom({ request }, { retryCount: 0 }) }), deployment, retry: false });
    const { events, confirmedBlock } = await indexProtocolEvents(client);
    const state = rebuildProtocolState(client, events);
    const found = await verifyProtocolState(client, state, { blockNumber: confirmedBlock });
    return { state, found, told };
  };

  const truth = await audit();
  if (truth.found.length > 0) throw new Error(`the untampered history has ${truth.found.length} discrepancies: ${JSON.stringify(truth.found.slice(0, 3))}`);
  return { history, kindOf, answer, answers, audit, truth };
}

/**
 * Builds the tamper history on `connection`, then audits it once honestly and once per lie: every
 * protocol log altered, dropped and swapped with the next, and every word of every view's answers
 * bumped. The node's answers are read once and replayed from memory, so each run costs only the
 * audit itself. `sample` keeps every n-th lie, spread over all kinds (0: all).
 */
export async function runTamperBench(connection: NetworkConnection, options: { sample?: number; log?: (line: string) => void } = {}): Promise<TamperReport> {
  const say = options.log ?? (() => {});
  const started = performance.now();
  const { history, kindOf, answer, answers, audit, truth } = await tamperHarness(connection);
  say(`history: ${history.length} protocol logs, ${new Set(history.map((_, i) => kindOf(i))).size} event kinds`);
  const truthPrint = fingerprint(truth.state);
  const blockTime = async (block: bigint | undefined) =>
    Number(((await answer("eth_getBlockByNumber", [block === undefined ? "latest" : `0x${block.toString(16)}`, false])) as { timestamp: Hex }).timestamp);

  // Every view the honest audit called, by selector, with how many words its answers have.
  const words = new Map<Hex, number>();
  const honestAnswers = new Map<Hex, Hex[]>();
  for (const [k, v] of answers) {
    if (!k.startsWith("eth_call")) continue;
    const data = (JSON.parse(k.slice("eth_call".length)) as [{ data?: Hex; input?: Hex }])[0];
    const selector = (data.data ?? data.input ?? "0x").slice(0, 10) as Hex;
    const result = (await v) as Hex;
    words.set(selector, Math.max(words.get(selector) ?? 0, (result.length - 2) / 64));
    honestAnswers.set(selector, [...(honestAnswers.get(selector) ?? []), result]);
  }

  const plan: Tampering[] = [];
  history.forEach((_, log) => {
    plan.push({ kind: "alter", log, word: log });
    plan.push({ kind: "drop", log });
    if (log + 1 < history.length) plan.push({ kind: "swap", log });
  });
  for (const [selector, count] of words) for (let word = 0; word < count; word++) plan.push({ kind: "lie", selector, word });
  const sample = options.sample ?? 0;
  const chosen = sample > 0 ? plan.filter((_, i) => i % Math.max(1, Math.floor(plan.length / sample)) === 0).slice(0, sample) : plan;
  say(`${chosen.length} runs of ${plan.length}`);

  const runs: TamperRun[] = [];
  for (const tampering of chosen) {
    const subject =
      tampering.kind === "lie"
        ? `view ${VIEWS.get(tampering.selector)?.name ?? tampering.selector}`
        : tampering.kind === "swap"
          ? `${kindOf(tampering.log)}↔${kindOf(tampering.log + 1)}`
          : kindOf(tampering.log);
    const run: TamperRun = { tampering, subject, stateChanging: false, discrepancies: 0, changed: [] };
    try {
      const { state, found, told } = await audit(tampering);
      run.discrepancies = found.length;
      run.firstDiscrepancy = found[0];
      if (tampering.kind === "lie") {
        // A lie changes the chain as the auditor sees it: state-changing whenever a decoded answer differs.
        run.stateChanging = told && lieChangesAnswer(tampering);
        if (run.stateChanging) run.changed = [`${subject} word ${tampering.word}`];
      } else {
        const changed = differences(truthPrint, fingerprint(state));
        run.changed = changed.slice(0, 5);
        if (changed.length > 0) {
          const pausedAt = state.registry.pausedAtBlock;
          const pauseLapsed = pausedAt !== undefined && (await blockTime(pausedAt)) + MAX_PAUSE_SECONDS <= (await blockTime(undefined));
          const reasons = changed.map((p) => unobservable(p, truth.state, pauseLapsed));
          if (reasons.every((r) => r !== undefined)) run.notChainCheckable = reasons[0];
          else run.stateChanging = true;
        }
      }
    } catch (error) {
      run.crashed = (error as Error).message.split("\n")[0];
    }
    runs.push(run);
    if (runs.length % 100 === 0) say(`  ${runs.length}/${chosen.length} runs`);
  }

  const detectedRun = (r: TamperRun) => r.crashed === undefined && r.discrepancies > 0;
  const falseAlarm = (r: TamperRun) => !r.stateChanging && r.notChainCheckable === undefined && detectedRun(r);
  const perKind = new Map<string, TamperReport["perKind"][number]>();
  for (const r of runs) {
    const subject = r.tampering.kind === "swap" ? `${r.subject.split("↔")[0]} (swapped)` : r.tampering.kind === "lie" ? r.subject : `${r.subject} (${r.tampering.kind})`;
    const row = perKind.get(subject) ?? { subject, runs: 0, stateChanging: 0, detected: 0, notChainCheckable: 0, crashed: 0, falseAlarms: 0 };
    perKind.set(subject, row);
    row.runs++;
    if (r.stateChanging) row.stateChanging++;
    if (r.stateChanging && detectedRun(r)) row.detected++;
    if (r.notChainCheckable !== undefined) row.notChainCheckable++;
    if (r.crashed !== undefined) row.crashed++;
    if (falseAlarm(r)) row.falseAlarms++;
  }
  return {
    runs: runs.length,
    stateChanging: runs.filter((r) => r.stateChanging).length,
    detected: runs.filter((r) => r.stateChanging && detectedRun(r)).length,
    crashed: runs.filter((r) => r.crashed !== undefined).length,
    falseAlarms: runs.filter(falseAlarm).length,
    notChainCheckable: runs.filter((r) => r.notChainCheckable !== undefined).length,
    logs: history.length,
    kindsNotEmitted: NEVER_EMITTED,
    missed: runs.filter((r) => (r.stateChanging && !detectedRun(r)) || r.crashed !== undefined || falseAlarm(r)),
    unobservable: runs.filter((r) => r.notChainCheckable !== undefined).map((r) => ({ tampering: r.tampering, subject: r.subject, reason: r.notChainCheckable!, changed: r.changed })),
    perKind: [...perKind.values()].sort((a, b) => a.subject.localeCompare(b.subject)),
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };

  /** Whether bumping the word changes some decoded answer of the view (a bumped offset may not decode at all). */
  function lieChangesAnswer(tampering: Extract<Tampering, { kind: "lie" }>): boolean {
    const item = VIEWS.get(tampering.selector);
    if (item === undefined) return true;
    return (honestAnswers.get(tampering.selector) ?? []).some((result) => {
      if ((result.length - 2) / 64 <= tampering.word) return false;
      const decode = (data: Hex) => show(decodeFunctionResult({ abi: [item], functionName: item.name, data } as never));
      try {
        return decode(result) !== decode(bumpWord(result, tampering.word));
      } catch {
        return true;
      }
    });
  }
}
