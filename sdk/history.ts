import type { Address, Hex } from "viem";

import { ContributionStatus } from "./actions/contributions.ts";
import type { DatanetPolicy } from "./actions/datanets.ts";
import { registryContract, type ProtocolClient } from "./client.ts";
import { readProtocol } from "./transaction.ts";

/** A registry event as decoded by viem, with its position in the chain. */
export type RegistryLog = Awaited<ReturnType<typeof fetchRegistryLogs>>[number];

/** A datanet as rebuilt from events. */
export interface DatanetRecord {
  datanetId: bigint;
  owner: Address;
  pendingOwner: Address;
  kind: number;
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
  submittedAt: number;
  status: number;
  /** Position in the datanet's acceptance order (1-based), once accepted. */
  acceptedIndex?: bigint;
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
  datanets: Map<bigint, DatanetRecord>;
  contributions: Map<bigint, ContributionRecord>;
  /** Unrevealed commitments and the block each was made in. */
  commitments: Map<Hex, bigint>;
  /** Versions by `${datanetId}/${version}`. */
  versions: Map<string, VersionRecord>;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;

/** Every registry event from the deployment's start block (or `fromBlock`) to `toBlock`, in chain order. */
export async function fetchRegistryLogs(
  client: ProtocolClient,
  range: { fromBlock?: bigint; toBlock?: bigint } = {},
) {
  const logs = await readProtocol(() =>
    client.publicClient.getContractEvents({
      ...registryContract(client),
      fromBlock: range.fromBlock ?? client.deployment.startBlock,
      toBlock: range.toBlock ?? "latest",
      strict: true,
    }),
  );
  return logs.sort((a, b) =>
    a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
  );
}

/** Applies registry events, in chain order, to an empty state. */
export function rebuildRegistryState(logs: readonly RegistryLog[]): RegistryState {
  const state: RegistryState = {
    protocolPaused: false,
    datanets: new Map(),
    contributions: new Map(),
    commitments: new Map(),
    versions: new Map(),
  };
  const datanet = (id: bigint) => {
    const found = state.datanets.get(id);
    if (found === undefined) throw new Error(`event for datanet ${id} before its DatanetCreated`);
    return found;
  };
  const contribution = (id: bigint) => {
    const found = state.contributions.get(id);
    if (found === undefined) throw new Error(`event for contribution ${id} before its ContributionSubmitted`);
    return found;
  };

  for (const log of logs) {
    switch (log.eventName) {
      case "DatanetCreated": {
        const { datanetId, owner, kind, metadataURI, policy, createdAt } = log.args;
        state.datanets.set(datanetId, {
          datanetId,
          owner,
          pendingOwner: ZERO_ADDRESS,
          kind,
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
        break;
      case "SubmissionCommitted":
        state.commitments.set(log.args.commitment, log.args.blockNumber);
        break;
      case "ContributionSubmitted": {
        const { contributionId, datanetId, contributor, contentHash, sizeBytes, uri, epoch, submittedAt } = log.args;
        state.commitments.delete(log.args.commitment);
        state.contributions.set(contributionId, {
          contributionId,
          datanetId,
          contributor,
          contentHash,
          sizeBytes,
          uri,
          epoch,
          submittedAt,
          status: ContributionStatus.Pending,
        });
        break;
      }
      case "ContributionWithdrawn":
        contribution(log.args.contributionId).status = ContributionStatus.Withdrawn;
        break;
      case "ContributionFinalized": {
        const record = contribution(log.args.contributionId);
        record.status = log.args.status;
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
  }
  return state;
}
