import { getAddress, type Address, type Hex } from "viem";

import { ContributionStatus, REVEAL_WINDOW } from "./actions/contributions.ts";
import type { DataKind, DatanetPolicy } from "./actions/datanets.ts";
import { datanetPolicy } from "./policy.ts";
import { registryContract, type ProtocolClient } from "./client.ts";
import { readLogRanges } from "./indexer/ranges.ts";
import { readProtocol } from "./transaction.ts";

/** A registry event as decoded by viem, with its position in the chain. */
export type RegistryLog = Awaited<ReturnType<typeof fetchRegistryLogs>>[number];

/** A datanet as rebuilt from events. */
export interface DatanetRecord {
  datanetId: bigint;
  owner: Address;
  pendingOwner: Address;
  kind: DataKind;
  metadataURI: string;
  /** The policy in force before `scheduled.fromEpoch` (always, when nothing is scheduled). */
  policy: DatanetPolicy;
  /** A policy change and the epoch it applies from (changes apply two epochs after they are made). */
  scheduled?: { policy: DatanetPolicy; fromEpoch: number };
  paused: boolean;
  createdAt: number;
  acceptedCount: bigint;
  versionCount: number;
  /** Every account the owner ever named: whether it is listed, and the epoch a removal applies from (0: none). */
  allowlist: Map<Address, { listed: boolean; removedFrom: number }>;
}

/** A contribution as rebuilt from events. */
export interface ContributionRecord {
  contributionId: bigint;
  datanetId: bigint;
  contributor: Address;
  contentHash: Hex;
  sizeBytes: bigint;
  uri: string;
  epoch: number;
  /** The reveal's second; verdicts weigh stake bonded before it. */
  submittedAt: number;
  /** The commitment the reveal consumed, and when it was made (an older one displaces a younger). */
  commitment: Hex;
  committedAt: number;
  votingOpensAt: number;
  votingEndsAt: number;
  /** The OPEN bond it carries, refunded or forfeited when it leaves `Pending`. */
  bond: bigint;
  /** The validation terms frozen at its reveal: those of the reveal's epoch (the minimum stake rounded
   * up to a whole `STAKE_UNIT`). */
  quorum: number;
  acceptanceThresholdBps: number;
  minValidatorStake: bigint;
  status: ContributionStatus;
  /** Position in the datanet's acceptance order (1-based), once accepted. */
  acceptedIndex?: bigint;
}

/** An unrevealed commitment: the quota it reserved and the bond it holds. */
export interface CommitmentRecord {
  commitment: Hex;
  contributor: Address;
  datanetId: bigint;
  itemCount: number;
  reservedBytes: bigint;
  bond: bigint;
  epoch: number;
  committedAt: number;
}

/** Quota a contributor reserved in a datanet epoch (reserved at commit, never given back). */
export interface ReservedQuota {
  contributions: number;
  bytesUsed: bigint;
}

/** A published version as rebuilt from events. */
export interface VersionRecord {
  datanetId: bigint;
  version: number;
  root: Hex;
  contributionCount: bigint;
  uri: string;
  publishedAt: number;
}

/** Everything the registry holds, rebuilt from its events without calling a view. */
export interface RegistryState {
  protocolPaused: boolean;
  /** The bound validation contract, which finalizes and keeps the tallies (zero until bound). */
  validation: Address;
  /** The block of the pause in force, if any: a pause lapses `MAX_PAUSE_SECONDS` after its block's time. */
  pausedAtBlock?: bigint;
  datanets: Map<bigint, DatanetRecord>;
  /** Every contribution ever registered, by id. */
  contributions: Map<bigint, ContributionRecord>;
  /** The id each content hash is registered under now: its latest registration (a hash whose
   * contribution was rejected, withdrawn, expired or displaced can be registered again). */
  currentIds: Map<Hex, bigint>;
  /** Unrevealed commitments, by `commitmentKey(committer, commitment)` (each committer has its own). */
  commitments: Map<string, CommitmentRecord>;
  /** Quota reserved by `${datanetId}:${epoch}:${contributor}`. */
  usage: Map<string, ReservedQuota>;
  /** Bytes reserved in a whole datanet, by `${datanetId}:${epoch}`. */
  datanetBytes: Map<string, bigint>;
  /** Withdrawable credit (refunded and forfeited bonds) by account. */
  credits: Map<Address, bigint>;
  /** Versions by `${datanetId}/${version}`. */
  versions: Map<string, VersionRecord>;
  /** Events about something whose creating event the history lacks: kept out of the state, since
   * only a history with a log left out or altered has them. */
  gaps: HistoryGap[];
}

/** An event about a datanet, contribution or model the history never created. */
export interface HistoryGap {
  /** What the event names, as discrepancies do: `contribution 3`, `model 1 version 2`. */
  entity: string;
  event: string;
  blockNumber: bigint;
  /** The creating event the history lacks. */
  missing: string;
}

/** Frozen minimum stakes are kept in units of a thousandth of an OPEN (`DatanetRegistry.STAKE_UNIT`). */
export const STAKE_UNIT = 10n ** 15n;

/** The key of `RegistryState.commitments`. */
export const commitmentKey = (committer: Address, commitment: Hex) => `${getAddress(committer)}:${commitment}`;

/** The longest a protocol pause lasts: it lapses by itself after this (`DatanetRegistry.MAX_PAUSE_DURATION`). */
export const MAX_PAUSE_SECONDS = 7 * 24 * 60 * 60;

/** The key of `RegistryState.usage`. */
export const usageKey = (datanetId: bigint, epoch: number, contributor: Address) => `${datanetId}:${epoch}:${getAddress(contributor)}`;

/**
 * The OPEN the registry must hold: every credit not yet withdrawn, and the bond of every pending
 * contribution and unrevealed commitment.
 */
export function registryHoldings(state: RegistryState): bigint {
  let total = 0n;
  for (const credit of state.credits.values()) total += credit;
  for (const c of state.contributions.values()) if (c.status === ContributionStatus.Pending) total += c.bond;
  for (const c of state.commitments.values()) total += c.bond;
  return total;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;

/** Every registry event from the deployment's start block (or `fromBlock`) to `toBlock`, in chain order, read in ranges the node accepts. */
export async function fetchRegistryLogs(
  client: ProtocolClient,
  range: { fromBlock?: bigint; toBlock?: bigint } = {},
) {
  const logs = await readProtocol(() =>
    readLogRanges(client, range, (fromBlock, toBlock) =>
      client.publicClient.getContractEvents({ ...registryContract(client), fromBlock, toBlock, strict: true }),
    ),
  );
  return logs.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

/** Applies registry events, in chain order, to an empty state. */
export function rebuildRegistryState(logs: readonly RegistryLog[]): RegistryState {
  const rebuild = registryRebuild();
  for (const log of logs) rebuild.apply(log);
  return rebuild.state;
}

/** An empty registry state, and `apply`, which applies one registry event to it (events in chain order):
 * for a history streamed through, never held whole. */
export function registryRebuild(): { state: RegistryState; apply: (log: RegistryLog) => void } {
  const state: RegistryState = {
    protocolPaused: false,
    validation: ZERO_ADDRESS,
    datanets: new Map(),
    contributions: new Map(),
    currentIds: new Map(),
    commitments: new Map(),
    usage: new Map(),
    datanetBytes: new Map(),
    credits: new Map(),
    versions: new Map(),
    gaps: [],
  };
  let log: RegistryLog;
  // An event about something never created is recorded as a gap and applied to a detached record,
  // which the state does not keep.
  const datanet = (id: bigint): DatanetRecord => {
    const found = state.datanets.get(id);
    if (found !== undefined) return found;
    state.gaps.push({ entity: `datanet ${id}`, event: log.eventName, blockNumber: log.blockNumber, missing: "DatanetCreated" });
    return { datanetId: id, owner: ZERO_ADDRESS, pendingOwner: ZERO_ADDRESS, kind: 0 as DataKind, metadataURI: "", policy: datanetPolicy(), paused: false, createdAt: 0, acceptedCount: 0n, versionCount: 0, allowlist: new Map() };
  };
  const contribution = (id: bigint): Pick<ContributionRecord, "status" | "acceptedIndex"> => {
    const found = state.contributions.get(id);
    if (found !== undefined) return found;
    state.gaps.push({ entity: `contribution ${id}`, event: log.eventName, blockNumber: log.blockNumber, missing: "ContributionSubmitted" });
    return { status: ContributionStatus.Pending };
  };

  const apply = (next: RegistryLog) => {
    log = next;
    switch (log.eventName) {
      case "DatanetCreated": {
        const { datanetId, owner, kind, metadataURI, policy, createdAt } = log.args;
        state.datanets.set(datanetId, {
          datanetId,
          owner,
          pendingOwner: ZERO_ADDRESS,
          kind: kind as DataKind,
          metadataURI,
          policy: { ...policy },
          paused: false,
          createdAt,
          acceptedCount: 0n,
          versionCount: 0,
          allowlist: new Map(),
        });
        break;
      }
      case "DatanetMetadataUpdated":
        datanet(log.args.datanetId).metadataURI = log.args.metadataURI;
        break;
      case "DatanetPolicyUpdated": {
        // The contract refuses a change while one is waiting, so a scheduled one has applied by now.
        const d = datanet(log.args.datanetId);
        if (d.scheduled !== undefined) d.policy = d.scheduled.policy;
        d.scheduled = { policy: { ...log.args.policy }, fromEpoch: log.args.effectiveEpoch };
        break;
      }
      case "DatanetPauseSet":
        datanet(log.args.datanetId).paused = log.args.paused;
        break;
      case "AllowlistUpdated": {
        // An addition applies at once; a removal from its effective epoch, recorded once.
        const { datanetId, account, allowed, effectiveEpoch } = log.args;
        const entries = datanet(datanetId).allowlist;
        const entry = entries.get(account) ?? { listed: false, removedFrom: 0 };
        if (allowed) entries.set(account, { listed: true, removedFrom: 0 });
        else if (entry.listed && entry.removedFrom === 0) entries.set(account, { ...entry, removedFrom: effectiveEpoch });
        else entries.set(account, entry);
        break;
      }
      case "DatanetOwnershipTransferStarted":
        datanet(log.args.datanetId).pendingOwner = log.args.pendingOwner;
        break;
      case "DatanetOwnershipTransferred": {
        const record = datanet(log.args.datanetId);
        record.owner = log.args.newOwner;
        record.pendingOwner = ZERO_ADDRESS;
        break;
      }
      case "ProtocolPauseSet":
        state.protocolPaused = log.args.paused;
        state.pausedAtBlock = log.args.paused ? log.blockNumber : undefined;
        break;
      case "ValidationBound":
        state.validation = getAddress(log.args.validation);
        break;
      case "SubmissionCommitted": {
        // The quota is reserved here, in the commit's epoch, and stays used whatever follows.
        const { contributor, commitment, datanetId, itemCount, reservedBytes, bond, epoch, committedAt } = log.args;
        state.commitments.set(commitmentKey(contributor, commitment), { commitment, contributor: getAddress(contributor), datanetId, itemCount, reservedBytes, bond, epoch, committedAt });
        const k = usageKey(datanetId, epoch, contributor);
        const used = state.usage.get(k) ?? { contributions: 0, bytesUsed: 0n };
        state.usage.set(k, { contributions: used.contributions + itemCount, bytesUsed: used.bytesUsed + reservedBytes });
        const total = `${datanetId}:${epoch}`;
        state.datanetBytes.set(total, (state.datanetBytes.get(total) ?? 0n) + reservedBytes);
        break;
      }
      case "SubmissionLapsed":
        state.commitments.delete(commitmentKey(log.args.committer, log.args.commitment));
        break;
      case "ContributionSubmitted": {
        const { contributionId, datanetId, contributor, contentHash, sizeBytes, uri, epoch, submittedAt, commitment, committedAt, votingEndsAt, bond } =
          log.args;
        // One commitment covers a whole batch: every item of the reveal names it.
        state.commitments.delete(commitmentKey(contributor, commitment));
        state.currentIds.set(contentHash, contributionId);
        const d = datanet(datanetId);
        const terms = d.scheduled !== undefined && epoch >= d.scheduled.fromEpoch ? d.scheduled.policy : d.policy;
        state.contributions.set(contributionId, {
          contributionId,
          datanetId,
          contributor,
          contentHash,
          sizeBytes,
          uri,
          epoch,
          submittedAt,
          commitment,
          committedAt,
          votingOpensAt: submittedAt + REVEAL_WINDOW,
          votingEndsAt,
          bond,
          quorum: terms.quorum,
          acceptanceThresholdBps: terms.acceptanceThresholdBps,
          minValidatorStake: ((terms.minValidatorStake + STAKE_UNIT - 1n) / STAKE_UNIT) * STAKE_UNIT,
          status: ContributionStatus.Pending,
        });
        break;
      }
      case "ContributionWithdrawn":
        contribution(log.args.contributionId).status = ContributionStatus.Withdrawn;
        break;
      case "ContributionDisplaced":
        // The displacing registration follows in the same transaction and takes the hash over.
        contribution(log.args.contributionId).status = ContributionStatus.Displaced;
        break;
      case "Credited": {
        const account = getAddress(log.args.account);
        state.credits.set(account, (state.credits.get(account) ?? 0n) + log.args.amount);
        break;
      }
      case "CreditTransferred": {
        const from = getAddress(log.args.from);
        state.credits.set(from, (state.credits.get(from) ?? 0n) - log.args.amount);
        break;
      }
      case "CreditWithdrawn": {
        const account = getAddress(log.args.account);
        state.credits.set(account, (state.credits.get(account) ?? 0n) - log.args.amount);
        break;
      }
      case "ContributionFinalized": {
        const record = contribution(log.args.contributionId);
        record.status = log.args.status as ContributionStatus;
        if (log.args.status === ContributionStatus.Accepted) {
          record.acceptedIndex = log.args.datanetAcceptedCount;
          datanet(log.args.datanetId).acceptedCount = log.args.datanetAcceptedCount;
        }
        break;
      }
      case "VersionPublished": {
        const { datanetId, version, root, contributionCount, uri, publishedAt } = log.args;
        datanet(datanetId).versionCount = version;
        state.versions.set(`${datanetId}/${version}`, { datanetId, version, root, contributionCount, uri, publishedAt });
        break;
      }
      // Role changes are AccessControl's own state, not the registry's data.
      case "RoleAdminChanged":
      case "RoleGranted":
      case "RoleRevoked":
      case "DefaultAdminTransferScheduled":
      case "DefaultAdminTransferCanceled":
      case "DefaultAdminDelayChangeScheduled":
      case "DefaultAdminDelayChangeCanceled":
        break;
      default: {
        const unhandled: never = log;
        throw new Error(`unhandled registry event ${(unhandled as { eventName: string }).eventName}`);
      }
    }
  };
  return { state, apply };
}
