import { BaseError, encodeAbiParameters, getAddress, HttpRequestError, keccak256, TimeoutError, toHex, WebSocketRequestError, zeroAddress, zeroHash, type Abi, type Address, type Hex } from "viem";

import { ContributionStatus } from "../actions/contributions.ts";
import { computeVersionRoot } from "../actions/versions.ts";
import {
  attestationContract,
  attributionContract,
  distributorContract,
  merkleEpochContract,
  modelFactoryContract,
  tokenContract,
  registryContract,
  rewardPoolsContract,
  stakingContract,
  type ProtocolClient,
} from "../client.ts";
import type { Discrepancy } from "../audit.ts";
import type { ModelLineage } from "../actions/models.ts";
import { MAX_PAUSE_SECONDS, registryHoldings, usageKey, type HistoryGap, type RegistryState } from "../history.ts";
import { reputationScore } from "../reputation.ts";
import { AttributionStatus } from "../actions/attribution.ts";
import { checkpointAt, WEIGHT_UNIT, type ProtocolState } from "./state.ts";

/** One rebuilt value and the view call that must return it (`pick` extracts the field). */
export interface ViewCheck {
  entity: string;
  field: string;
  expected: unknown;
  call: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] };
  pick?: (result: unknown) => unknown;
}

/** The block an audit reads every view at, and its second (the views of "the current epoch" answer for it). */
export interface AuditBlock {
  number: bigint;
  timestamp: number;
  /** When the protocol pause the rebuild says is in force lapses by itself (absent: none in force). */
  pauseEndsAt?: number;
}

/** The block an audit reads at, with when the rebuilt protocol pause (if any) lapses. */
export async function auditBlockFor(client: ProtocolClient, r: RegistryState, blockNumber?: bigint): Promise<AuditBlock> {
  const at = await auditBlock(client, blockNumber);
  if (!r.protocolPaused || r.pausedAtBlock === undefined) return at;
  const paused = await client.publicClient.getBlock({ blockNumber: r.pausedAtBlock! });
  return { ...at, pauseEndsAt: Number(paused.timestamp) + MAX_PAUSE_SECONDS };
}

/** The block `blockNumber`, or the head now: where an audit pins its reads. */
export async function auditBlock(client: ProtocolClient, blockNumber?: bigint): Promise<AuditBlock> {
  const block = await client.publicClient.getBlock(blockNumber === undefined ? { blockTag: "latest" } : { blockNumber });
  return { number: block.number, timestamp: Number(block.timestamp) };
}

/** A value as discrepancies show it: JSON for objects (bigints as decimal strings). */
export const show = (value: unknown): string =>
  typeof value === "object" && value !== null
    ? JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof Set ? [...v] : v))
    : String(value);

type Contract = { address: Address; abi: Abi };

/**
 * Closes a contract's books: its OPEN balance must equal what the rebuild says it holds and owes.
 * More than that is OPEN that came in outside the protocol's functions (a plain transfer, which the
 * contract cannot refuse) or a log left out; less is a log left out or altered, or missing funds.
 */
function books(add: ReturnType<typeof checkList>["add"], client: ProtocolClient, entity: string, owed: string, holder: Address, expected: bigint) {
  add(entity, `OPEN held = ${owed}`, String(expected), tokenContract(client) as Contract, "balanceOf", [holder], (balance) => {
    const held = balance as bigint;
    if (held === expected) return String(held);
    return held > expected ? `${held}: holds ${held - expected} more than owed` : `${held}: holds ${expected - held} less than owed`;
  });
}

/** A list of checks and the function that adds one. */
function checkList() {
  const checks: ViewCheck[] = [];
  const add = (
    entity: string,
    field: string,
    expected: unknown,
    contract: Contract,
    functionName: string,
    args: readonly unknown[],
    pick?: (r: unknown) => unknown,
  ) => checks.push({ entity, field, expected, call: { ...contract, functionName, args }, pick });
  return { checks, add };
}

/** A counter's answer, naming the ids the logs lack when the chain counts more (ids count from 1). */
const counted = (kind: string, rebuilt: bigint) => (count: unknown) => {
  const n = count as bigint;
  if (n <= rebuilt) return String(n);
  return `${n}: ${kind} ${rebuilt + 1n}${n > rebuilt + 1n ? ` to ${n}` : ""} not in the logs`;
};

const field = (name: string) => (r: unknown) => (r as Record<string, unknown>)[name];

/** The registry's views at block `at` against its rebuilt state, and every version root recomputed. */
export function registryViewChecks(client: ProtocolClient, r: RegistryState, at: AuditBlock, accounts: ReadonlySet<Address> = new Set()): ViewCheck[] {
  const { checks, add } = checkList();
  const registry = registryContract(client) as Contract;

  const paused = r.protocolPaused && (at.pauseEndsAt === undefined || at.timestamp < at.pauseEndsAt);
  add("protocol", "paused", paused, registry, "protocolPaused", []);
  add("protocol", "validation contract", r.validation, registry, "validation", [], (x) => getAddress(x as Address));
  add("protocol", "datanetCount", String(r.datanets.size), registry, "datanetCount", [], counted("datanet", BigInt(r.datanets.size)));
  add("protocol", "contributionCount", String(r.contributions.size), registry, "contributionCount", [], counted("contribution", BigInt(r.contributions.size)));
  for (const d of r.datanets.values()) {
    const entity = `datanet ${d.datanetId}`;
    const info = { owner: getAddress(d.owner), pendingOwner: getAddress(d.pendingOwner), kind: d.kind, paused: d.paused, createdAt: d.createdAt, acceptedCount: d.acceptedCount, versionCount: d.versionCount };
    for (const [name, value] of Object.entries(info)) add(entity, name, value, registry, "getDatanet", [d.datanetId], field(name));
    // Policies and allowlist entries as stored, which do not depend on when the views are read.
    const pick = (i: number) => (r: unknown) => (r as unknown[])[i];
    add(entity, "policy", d.policy, registry, "policySchedule", [d.datanetId], pick(0));
    if (d.scheduled !== undefined) add(entity, "scheduled policy", d.scheduled.policy, registry, "policySchedule", [d.datanetId], pick(1));
    add(entity, "policy effective epoch", d.scheduled?.fromEpoch ?? 0, registry, "policySchedule", [d.datanetId], pick(2));
    // `getDatanet` answers with the policy in force in the audited block's epoch.
    const epochNow = Math.floor((at.timestamp - d.createdAt) / d.policy.epochLength);
    add(entity, "policy in force", d.scheduled !== undefined && epochNow >= d.scheduled.fromEpoch ? d.scheduled.policy : d.policy, registry, "getDatanet", [d.datanetId], field("policy"));
    for (const [account, entry] of d.allowlist) {
      add(entity, `allowlist ${account}`, [entry.listed, entry.removedFrom], registry, "allowlistEntry", [d.datanetId, account]);
    }
    // The other way: an account the history names but never listed here must not be listed on chain.
    if (d.allowlist.size > 0 || d.policy.allowlistOnly || d.scheduled?.policy.allowlistOnly) {
      for (const account of accounts) if (!d.allowlist.has(account)) add(entity, `allowlist ${account}`, [false, 0], registry, "allowlistEntry", [d.datanetId, account]);
    }
  }
  // The registry keeps one record per content hash: the latest registration. Earlier ids of a hash
  // live on in the attestation contract's tallies, which are checked by id.
  for (const [contentHash, id] of r.currentIds) {
    const c = r.contributions.get(id)!;
    const entity = `contribution ${id}`;
    const stored = {
      id,
      contributor: getAddress(c.contributor),
      datanetId: Number(c.datanetId),
      status: c.status,
      committedAt: c.committedAt,
      revealedAt: c.submittedAt,
      votingOpensAt: c.votingOpensAt,
      votingEndsAt: c.votingEndsAt,
      bond: c.bond,
      quorum: c.quorum,
      acceptanceThresholdBps: c.acceptanceThresholdBps,
      minValidatorStake: c.minValidatorStake,
    };
    // `contributionIdOf` reads the same record's id, so `getContribution` answers for it.
    for (const [name, value] of Object.entries(stored)) add(entity, name, value, registry, "getContribution", [contentHash], field(name));
  }
  for (const v of r.versions.values()) {
    const entity = `datanet ${v.datanetId} version ${v.version}`;
    const published = { root: v.root, contributionCount: v.contributionCount, publishedAt: v.publishedAt };
    for (const [name, value] of Object.entries(published)) add(entity, name, value, registry, "getVersion", [v.datanetId, v.version], field(name));
    add(entity, "recomputed root", computeVersionRoot(r, v.datanetId, v.contributionCount), registry, "getVersion", [v.datanetId, v.version], field("root"));
  }
  for (const c of r.commitments.values()) {
    const held = { committedAt: c.committedAt, datanetId: Number(c.datanetId), itemCount: c.itemCount, reservedBytes: c.reservedBytes, bond: c.bond };
    for (const [name, value] of Object.entries(held)) add(`commitment ${c.commitment}`, name, value, registry, "getCommitment", [c.contributor, c.commitment], field(name));
  }
  // Quota views answer for the epoch of the audited block: the reservations made in it.
  const epochAt = (datanetId: bigint) => {
    const d = r.datanets.get(datanetId);
    // A datanet the history never created (a gap, reported as such) has no epoch to read quotas for.
    return d === undefined ? undefined : Math.floor((at.timestamp - d.createdAt) / d.policy.epochLength);
  };
  for (const d of r.datanets.values()) {
    const epoch = epochAt(d.datanetId)!;
    add(`quota ${d.datanetId}`, `bytes reserved in epoch ${epoch}`, r.datanetBytes.get(`${d.datanetId}:${epoch}`) ?? 0n, registry, "datanetBytesUsed", [d.datanetId]);
  }
  const usagePairs = new Map<string, [bigint, Address]>();
  for (const c of r.contributions.values()) usagePairs.set(`${c.datanetId}:${getAddress(c.contributor)}`, [c.datanetId, getAddress(c.contributor)]);
  for (const c of r.commitments.values()) usagePairs.set(`${c.datanetId}:${c.contributor}`, [c.datanetId, c.contributor]);
  for (const [datanetId, contributor] of usagePairs.values()) {
    const epoch = epochAt(datanetId);
    if (epoch === undefined) continue;
    const used = r.usage.get(usageKey(datanetId, epoch, contributor)) ?? { contributions: 0, bytesUsed: 0n };
    add(`quota ${datanetId}/${contributor}`, "epoch, items and bytes reserved", [epoch, used.contributions, used.bytesUsed], registry, "contributorUsage", [datanetId, contributor], (x) => {
      const u = x as { epoch: number; contributions: number; bytesUsed: bigint };
      return [u.epoch, u.contributions, u.bytesUsed];
    });
  }
  for (const [account, credit] of r.credits) add(`credit ${account}`, "creditOf", credit, registry, "creditOf", [account]);
  // Every OPEN the registry holds is someone's credit or a bond still at stake: nothing else comes in.
  books(add, client, "registry", "credits + pending bonds + commitment bonds", registry.address, registryHoldings(r));
  return checks;
}

/** The model factory's views against rebuilt lineage, and each training root against the registry. */
export function modelViewChecks(client: ProtocolClient, models: ReadonlyMap<bigint, ModelLineage>): ViewCheck[] {
  const { checks, add } = checkList();
  const registry = registryContract(client) as Contract;
  const factory = modelFactoryContract(client) as Contract;
  add("models", "modelCount", String(models.size), factory, "modelCount", [], counted("model", BigInt(models.size)));
  for (const m of models.values()) {
    add(`model ${m.modelId}`, "owner, base, versions, pending owner", [getAddress(m.owner), m.baseModelId, m.versions.length, getAddress(m.pendingOwner)], factory, "getModel", [m.modelId], (x) => {
      const i = x as { owner: Address; baseModelId: bigint; versionCount: number; pendingOwner: Address };
      return [i.owner, i.baseModelId, i.versionCount, i.pendingOwner];
    });
    for (const v of m.versions) {
      const { loraTarget: _targets, lrSchedulerType: _scheduler, template: _template, ...settings } = v.hyperparameters;
      // The second it was published is known when the logs carry their blocks' times.
      const known = v.publishedAt === undefined ? {} : { publishedAt: v.publishedAt };
      add(`model ${m.modelId} version ${v.version}`, "settings and hashes", { ...settings, ...known, adapterHash: v.adapterHash, evaluationHash: v.evaluationHash }, factory, "getModelVersion", [m.modelId, v.version], (x) => {
        const { publishedAt: _at, ...rest } = x as Record<string, unknown>;
        return v.publishedAt === undefined ? rest : x;
      });
      add(`model ${m.modelId} version ${v.version}`, "training data", v.trainingData.map((d) => [Number(d.datanetId), d.version]), factory, "trainingDataOf", [m.modelId, v.version], (x) =>
        (x as { datanetId: number; version: number }[]).map((d) => [d.datanetId, d.version]),
      );
      for (const d of v.trainingData) {
        const dataset = `root and size of datanet ${d.datanetId} v${d.version}`;
        add(`model ${m.modelId} version ${v.version}`, dataset, [d.versionRoot, d.contributionCount], registry, "getVersion", [d.datanetId, d.version], (x) => {
          const i = x as { root: string; contributionCount: bigint };
          return [i.root, i.contributionCount];
        });
      }
    }
  }
  return checks;
}

/** Every view check the rebuilt protocol state implies, read at block `at`. */
export function viewChecks(client: ProtocolClient, state: ProtocolState, at: AuditBlock): ViewCheck[] {
  return registryViewChecks(client, state.registry, at, state.accounts).concat(modelViewChecks(client, state.models), protocolViewChecks(client, state, at));
}

/** The views of every contract but the registry and the factory, and every contract's books. */
function protocolViewChecks(client: ProtocolClient, state: ProtocolState, at: AuditBlock): ViewCheck[] {
  const { checks, add } = checkList();
  const staking = stakingContract(client) as Contract;
  const attestations = attestationContract(client) as Contract;
  const pools = rewardPoolsContract(client) as Contract;
  const factory = modelFactoryContract(client) as Contract;
  const attribution = attributionContract(client) as Contract;
  const distributor = distributorContract(client) as Contract;

  let total = 0n;
  for (const s of state.stakes.values()) {
    total += s.amount;
    add(`stake ${s.datanetId}/${s.validator}`, "amount, unbonding, generation", [s.amount, s.unbondingEndsAt, s.generation], staking, "stakeOf", [s.datanetId, s.validator], (x) => {
      const i = x as { amount: bigint; unbondingEndsAt: number; generation: number };
      return [i.amount, i.unbondingEndsAt, i.generation];
    });
  }
  add("staking", "totalStaked", total, staking, "totalStaked", []);
  // Unbonding stake stays held (and slashable) until withdrawn; a slash sends its part to the treasury.
  books(add, client, "staking", "stakes, unbonding ones included", staking.address, total);
  for (const k of state.incidents) {
    const [datanetId, validator, incidentId] = k.split(":");
    add(`stake ${datanetId}/${validator}`, `incident ${incidentId} used`, true, staking, "isIncidentSlashed", [BigInt(datanetId!), validator, incidentId]);
  }

  // Each checkpoint, and the second before it (the amount before the change): a change the logs
  // place at another second shows at one of the two.
  for (const [k, history] of state.stakeHistory) {
    const { datanetId, validator } = state.stakes.get(k)!;
    history.forEach((c, i) => {
      add(`stake ${datanetId}/${validator}`, `bonded at ${c.at}`, c.amount, staking, "stakeAt", [datanetId, validator, BigInt(c.at)]);
      add(`stake ${datanetId}/${validator}`, `bonded at ${c.at - 1}`, history[i - 1]?.amount ?? 0n, staking, "stakeAt", [datanetId, validator, BigInt(c.at - 1)]);
    });
    // And the amount bonded now: a change left out after the last checkpoint shows here.
    add(`stake ${datanetId}/${validator}`, `bonded at ${at.timestamp - 1}`, checkpointAt(history, at.timestamp - 1), staking, "stakeAt", [datanetId, validator, BigInt(at.timestamp - 1)]);
  }
  for (const [datanetId, history] of state.totalStakeHistory) {
    history.forEach((c, i) => {
      add(`staking ${datanetId}`, `total bonded at ${c.at}`, c.amount, staking, "totalStakeAt", [datanetId, BigInt(c.at)]);
      add(`staking ${datanetId}`, `total bonded at ${c.at - 1}`, history[i - 1]?.amount ?? 0n, staking, "totalStakeAt", [datanetId, BigInt(c.at - 1)]);
    });
    add(`staking ${datanetId}`, `total bonded at ${at.timestamp - 1}`, checkpointAt(history, at.timestamp - 1), staking, "totalStakeAt", [datanetId, BigInt(at.timestamp - 1)]);
  }

  for (const [id, t] of state.tallies) {
    const entity = `tally ${id}`;
    const stored = {
      acceptWeight: t.acceptWeight,
      rejectWeight: t.rejectWeight,
      acceptQualityWeight: t.acceptQualityWeight,
      verdicts: BigInt(t.verdicts.size),
      eligibleWeight: t.eligibleWeight,
      outcome: t.outcome,
      epoch: t.epoch,
      datanetId: Number(t.datanetId),
      snapshotAt: t.snapshotAt,
    };
    for (const [name, value] of Object.entries(stored)) add(entity, name, value, attestations, "tallyOf", [id], field(name));
    // Only a rejection leaves a forfeit to the validators.
    if (t.outcome === ContributionStatus.Rejected) add(entity, "forfeit", t.forfeit, attestations, "forfeitOf", [id]);
    for (const [validator, v] of t.verdicts) {
      add(entity, `verdict of ${validator}`, [true, v.accept, v.settled], attestations, "verdictOf", [id, validator]);
    }
    const contentHash = state.registry.contributions.get(id)?.contentHash;
    // A content hash registered again starts a new tally: only the latest registration's verdicts answer by hash.
    if (contentHash !== undefined && state.registry.currentIds.get(contentHash) === id) {
      for (const validator of t.verdicts.keys()) add(entity, `attested by ${validator}`, true, attestations, "hasAttested", [contentHash, validator]);
    }
  }
  // A contribution never judged nor closed (withdrawn, displaced, or waiting for verdicts) has no tally.
  for (const id of state.registry.contributions.keys()) {
    if (!state.tallies.has(id)) add(`tally ${id}`, "verdicts", 0n, attestations, "tallyOf", [id], field("verdicts"));
  }
  for (const rep of state.reputation.values()) {
    const score = reputationScore(BigInt(rep.accepted), BigInt(rep.rejected), rep.qualitySum);
    add(`reputation ${rep.datanetId}/${rep.contributor}`, "accepted, rejected, qualitySum, score", [rep.accepted, rep.rejected, rep.qualitySum, score], attestations, "reputationOf", [rep.datanetId, rep.contributor], (x) => {
      const i = x as { accepted: number; rejected: number; qualitySum: bigint; score: bigint };
      return [i.accepted, i.rejected, i.qualitySum, i.score];
    });
  }
  for (const g of state.agreement.values()) {
    add(`agreement ${g.datanetId}/${g.validator}`, "agreed, disagreed", [g.agreed, g.disagreed], attestations, "agreementOf", [g.datanetId, g.validator], (x) => {
      const i = x as { agreed: number; disagreed: number };
      return [i.agreed, i.disagreed];
    });
  }
  for (const p of state.points.values()) add(`points ${p.datanetId}/${p.epoch}/${p.account}`, "contributor, validator", [p.contributor, p.validator], attestations, "pointsOf", [p.datanetId, p.epoch, p.account]);
  for (const t of state.epochTotals.values()) add(`epoch ${t.datanetId}/${t.epoch}`, "point totals", [t.contributor, t.validator], attestations, "epochTotals", [t.datanetId, t.epoch]);

  let poolsHold = 0n;
  for (const pool of state.rewardPools.values()) {
    poolsHold += pool.funded - pool.claimed - pool.sweptAmount;
    const entity = `reward pool ${pool.datanetId}/${pool.epoch}`;
    add(entity, "funded, claimed, bps, swept", [pool.funded, pool.claimed, pool.contributorBps, pool.swept], pools, "poolOf", [pool.datanetId, pool.epoch], (x) => {
      const i = x as { funded: bigint; claimed: bigint; contributorBps: number; swept: boolean };
      return [i.funded, i.claimed, i.contributorBps, i.swept];
    });
    for (const account of pool.claimants) add(entity, `claimed by ${account}`, true, pools, "hasClaimed", [pool.datanetId, pool.epoch, account]);
    // The other way: no account the history names claimed without a RewardsClaimed.
    for (const account of state.accounts) if (!pool.claimants.has(account)) add(entity, `claimed by ${account}`, false, pools, "hasClaimed", [pool.datanetId, pool.epoch, account]);
  }
  books(add, client, "reward pools", "funded − claimed − swept, over every pool", pools.address, poolsHold);

  for (const m of state.merkleEpochs.values()) {
    const epoch = merkleEpochContract(m.address) as { address: Address; abi: Abi };
    const entity = `merkle epoch ${m.address}`;
    // The treasury is known once any event names it (every contract sends to the same one).
    const treasury = m.treasury ?? state.treasury;
    add(entity, "terms", [m.poster, m.poolId, m.epoch, m.root, m.total, m.maxLeafAmount, m.expiresAt, getAddress(client.deployment.contracts.openToken), treasury ?? "(none named)"], epoch, "terms", [], (x) => {
      const i = x as { poster: Address; poolId: bigint; epoch: bigint; root: string; total: bigint; maxLeafAmount: bigint; expiresAt: number; token: Address; treasury: Address };
      return [i.poster, i.poolId, i.epoch, i.root, i.total, i.maxLeafAmount, i.expiresAt, i.token, treasury === undefined ? "(none named)" : i.treasury];
    });
    add(entity, "registered under its poster", m.address, distributor, "epochContract", [m.poster, m.poolId, m.epoch]);
    // Leaves are published off chain (only the root is posted), so every index up to one past the
    // highest claim is checked both ways; a claim beyond it left out of the logs shows in the books.
    const highest = [...m.claimedIndices].reduce((a, b) => (b > a ? b : a), -1n);
    for (let leaf = 0n; leaf <= highest + 1n; leaf++) add(entity, `leaf ${leaf} claimed`, m.claimedIndices.has(leaf), epoch, "isClaimed", [leaf]);
    // The epoch is funded with its total at posting; a sweep takes everything left.
    books(add, client, entity, m.swept > 0n ? "nothing after its sweep" : "total − claimed", m.address, m.swept > 0n ? 0n : m.total - m.claimed);
  }

  add("models", "baseModelCount", String(state.baseModelCount), factory, "baseModelCount", [], counted("base model", state.baseModelCount));
  for (const pool of state.feePools.values()) {
    const entity = `fee pool ${pool.modelId}/${pool.epoch}`;
    add(entity, "fees, split, status, proposal", [pool.fees, pool.split, pool.status, pool.challengeEndsAt, pool.root, pool.recordsHash, pool.merkleTotal], attribution, "feePool", [pool.modelId, pool.epoch], (x) => {
      const i = x as { fees: bigint; split: unknown; status: number; challengeEndsAt: number; root: string; recordsHash: string; merkleTotal: bigint };
      return [i.fees, i.split, i.status, i.challengeEndsAt, i.root, i.recordsHash, i.merkleTotal];
    });
  }
  for (const pool of state.feePools.values()) {
    if (pool.released === undefined) continue;
    // The released epoch is the one the distributor registered under this contract and the model's pool.
    const poolId = BigInt(keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [getAddress(attribution.address), pool.modelId])));
    add(`fee pool ${pool.modelId}/${pool.epoch}`, "released to the epoch registered", pool.released.epochContract, distributor, "epochContract", [attribution.address, poolId, pool.epoch]);
  }
  for (const [account, amount] of state.earnings) add(`developer ${account}`, "earnings", amount, attribution, "earningsOf", [account]);
  // Fees stay in the contract until released (to the epoch, the developer's earnings and the treasury) or swept.
  let attributionHolds = 0n;
  for (const pool of state.feePools.values()) if (pool.status !== AttributionStatus.Released && pool.status !== AttributionStatus.Unattributed) attributionHolds += pool.fees;
  for (const amount of state.earnings.values()) attributionHolds += amount;
  books(add, client, "proof of attribution", "fees not released or swept + developer earnings", attribution.address, attributionHolds);
  // Every model's split: the one set, or the default (as the pools opened before any was set show).
  for (const modelId of new Set([...state.models.keys(), ...state.feeSplits.keys()])) {
    const split = state.feeSplits.get(modelId) ?? state.defaultFeeSplit;
    if (split !== undefined) add(`model ${modelId}`, "fee split", split, attribution, "feeSplitOf", [modelId]);
  }

  for (const [id, b] of state.baseModels) {
    add(`base model ${id}`, "registrant, parameters, registered at, artifact", [b.registrant, b.parameterCount, b.registeredAt, b.artifactHash], factory, "getBaseModel", [id], (x) => {
      const i = x as { registrant: Address; parameterCount: bigint; registeredAt: number; artifactHash: string };
      return [i.registrant, i.parameterCount, b.registeredAt === undefined ? undefined : i.registeredAt, i.artifactHash];
    });
  }
  accessChecks(client, state, at, add);
  return checks;
}

/** Roles (both ways, over the accounts role events name), pending default-admin changes and pauses. */
function accessChecks(client: ProtocolClient, state: ProtocolState, at: AuditBlock, add: ReturnType<typeof checkList>["add"]) {
  const contracts: [string, Contract][] = [
    ["registry", registryContract(client) as Contract],
    ["staking", stakingContract(client) as Contract],
    ["reward pools", rewardPoolsContract(client) as Contract],
    ["proof of attribution", attributionContract(client) as Contract],
  ];
  // Every role a contract declares or its events name, for every account any event names (and the
  // protocol's own contracts, which hold roles too): a grant or revocation left out of the logs shows
  // as a holder the other way round.
  const named = new Set([...state.accounts, ...Object.values(client.deployment.contracts).map((a) => getAddress(a))]);
  for (const [name, contract] of contracts) {
    const record = state.access.get(getAddress(contract.address)) ?? { roles: new Map(), pendingAdmin: { newAdmin: zeroAddress, schedule: 0 }, pendingDelay: { newDelay: 0, schedule: 0 }, effectiveDelay: undefined, pausedUntil: 0n };
    const roles = new Set<Hex>([zeroHash, ...record.roles.keys()]);
    for (const item of contract.abi) if (item.type === "function" && item.name.endsWith("_ROLE") && item.inputs.length === 0) roles.add(keccak256(toHex(item.name)));
    // The default admin transfer in progress, and who may accept it.
    if (record.pendingAdmin.newAdmin !== zeroAddress) named.add(record.pendingAdmin.newAdmin);
    for (const role of roles) {
      const holders = record.roles.get(role);
      for (const account of named) add(`${name} role ${role}`, `held by ${account}`, holders?.has(account) ?? false, contract, "hasRole", [role, account]);
    }
    add(name, "pending default admin", [record.pendingAdmin.newAdmin, record.pendingAdmin.schedule], contract, "pendingDefaultAdmin", [], (x) => x);
    // A scheduled delay change applies by itself once its time has come.
    const applied = record.pendingDelay.schedule !== 0 && record.pendingDelay.schedule < at.timestamp;
    add(name, "pending default admin delay", applied ? [0, 0] : [record.pendingDelay.newDelay, record.pendingDelay.schedule], contract, "pendingDefaultAdminDelay", [], (x) => x);
    const delay = applied ? record.pendingDelay.newDelay : record.effectiveDelay;
    if (delay !== undefined) add(name, "default admin delay", delay, contract, "defaultAdminDelay", []);
    if (name !== "registry") add(name, "paused until", record.pausedUntil, contract, "pausedUntil", []);
  }
}

/** Events about something never created, and logs that do not decode: only a tampered history has them. */
export function gapDiscrepancies(gaps: readonly HistoryGap[]): Discrepancy[] {
  return gaps.map((g) => ({ entity: g.entity, field: `${g.event} at block ${g.blockNumber}`, expected: `its ${g.missing} first`, actual: "not in the logs" }));
}

/** Money checks that need no view: nothing paid out beyond what came in. */
export function conservationChecks(state: ProtocolState): Discrepancy[] {
  const found: Discrepancy[] = [];
  const check = (entity: string, field: string, ok: boolean, expected: string, actual: string) => {
    if (!ok) found.push({ entity, field, expected, actual });
  };
  found.push(...gapDiscrepancies(state.gaps));
  // Each datanet's acceptances are numbered 1, 2, 3… with no number twice or skipped.
  const accepted = new Map<bigint, bigint[]>();
  for (const c of state.registry.contributions.values()) {
    if (c.acceptedIndex !== undefined) accepted.set(c.datanetId, [...(accepted.get(c.datanetId) ?? []), c.acceptedIndex]);
  }
  for (const d of state.registry.datanets.values()) {
    const order = (accepted.get(d.datanetId) ?? []).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const expected = Array.from({ length: Number(d.acceptedCount) }, (_, i) => String(i + 1)).join(",");
    check(`datanet ${d.datanetId}`, "acceptance order", order.join(",") === expected, expected, order.join(","));
  }
  for (const [id, t] of state.tallies) {
    if (t.verdicts.size === 0) continue;
    // Weights are stake checkpoints rebuilt from staking events: every verdict must weigh its stake then.
    const eligible = checkpointAt(state.totalStakeHistory.get(t.datanetId), t.snapshotAt) / WEIGHT_UNIT;
    check(`tally ${id}`, "eligible weight = stake bonded at the snapshot", eligible === t.eligibleWeight, String(eligible), String(t.eligibleWeight));
    let paid = 0n;
    for (const [validator, v] of t.verdicts) {
      paid += v.credit;
      check(`tally ${id}`, `weight of ${validator} = its stake at the snapshot`, v.weight === v.weightAtSnapshot, String(v.weightAtSnapshot), String(v.weight));
    }
    check(`tally ${id}`, "forfeit shares paid ≤ forfeit", paid <= t.forfeit, `≤ ${t.forfeit}`, String(paid));
  }
  for (const pool of state.rewardPools.values()) {
    check(`reward pool ${pool.datanetId}/${pool.epoch}`, "claimed ≤ funded", pool.claimed <= pool.funded, `≤ ${pool.funded}`, String(pool.claimed));
  }
  for (const m of state.merkleEpochs.values()) {
    check(`merkle epoch ${m.address}`, "claimed ≤ total", m.claimed <= m.total, `≤ ${m.total}`, String(m.claimed));
    // A sweep takes what is left: more than total − claimed is OPEN sent to the epoch outside a claim.
    if (m.swept > 0n) check(`merkle epoch ${m.address}`, "swept = total − claimed", m.swept === m.total - m.claimed, String(m.total - m.claimed), String(m.swept));
    // One leaf per account (the trie's paths are the accounts' bits), so no account exceeds the cap.
    for (const [account, paid] of m.paidTo) {
      check(`merkle epoch ${m.address}`, `paid to ${account} ≤ cap`, paid <= m.maxLeafAmount, `≤ ${m.maxLeafAmount}`, String(paid));
    }
  }
  for (const pool of state.feePools.values()) {
    if (pool.released === undefined) continue;
    // The contract's FeeSplitMath: the developer's part rounds down; everything else is accounted for.
    const developer = (pool.fees * BigInt(pool.split.developerBps)) / 10_000n;
    const paid = pool.merkleTotal + pool.released.developerAmount + pool.released.protocolAmount;
    const entity = `fee pool ${pool.modelId}/${pool.epoch}`;
    check(entity, "released = fees", paid === pool.fees, String(pool.fees), String(paid));
    check(entity, "developer part", developer === pool.released.developerAmount, String(developer), String(pool.released.developerAmount));
    const epoch = state.merkleEpochs.get(pool.released.epochContract);
    check(entity, `epoch ${pool.released.epochContract} posted`, epoch !== undefined, "its RootPosted", "not in the logs");
    if (epoch !== undefined) check(entity, "epoch total and cap", epoch.total === pool.merkleTotal && epoch.maxLeafAmount === pool.released.maxLeafAmount, `${pool.merkleTotal}, ${pool.released.maxLeafAmount}`, `${epoch.total}, ${epoch.maxLeafAmount}`);
  }
  return found;
}

/**
 * Compares every value rebuilt from events with the chain's views and checks that no pool paid out
 * more than it received. Reads go through Multicall3 when the chain declares one (500 calls per
 * request, four requests in flight), otherwise `concurrency` parallel `eth_call`s; every read is retried on transient
 * failures. Every read is at one block: `options.blockNumber`, or the head when the audit starts.
 * Returns the discrepancies (entity, field, expected = rebuilt, actual = chain).
 */
export async function verifyProtocolState(
  client: ProtocolClient,
  state: ProtocolState,
  options: ReadOptions = {},
): Promise<Discrepancy[]> {
  const at = await auditBlockFor(client, state.registry, options.blockNumber);
  return [...conservationChecks(state), ...(await runViewChecks(client, viewChecks(client, state, at), { ...options, blockNumber: at.number }))];
}

/** Multicall3 requests in flight at once. */
const MULTICALL_IN_FLIGHT = 4;

const isTransportFailure = (error: Error) =>
  error instanceof BaseError && error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError || e instanceof WebSocketRequestError) !== null;

/** How checks read the chain: parallel `eth_call`s (without Multicall3), and at which block. */
export interface ReadOptions {
  concurrency?: number;
  blockNumber?: bigint;
}

/** Runs view checks in batches (Multicall3 when the chain has it) and returns the disagreements. */
export async function runViewChecks(client: ProtocolClient, allChecks: readonly ViewCheck[], options: ReadOptions = {}): Promise<Discrepancy[]> {
  const found: Discrepancy[] = [];
  // Checks of different fields of one view share one call.
  const byCall = new Map<string, ViewCheck[]>();
  for (const check of allChecks) {
    const callKey = `${check.call.address}.${check.call.functionName}(${show(check.call.args ?? [])})`;
    byCall.set(callKey, [...(byCall.get(callKey) ?? []), check]);
  }
  const groups = [...byCall.values()];
  const compare = (group: ViewCheck[], result: unknown) => {
    for (const check of group) {
      const reverted = typeof result === "string" && result.startsWith("unreadable: ");
      const actual = check.pick === undefined || reverted ? result : check.pick(result);
      if (show(check.expected) !== show(actual)) found.push({ entity: check.entity, field: check.field, expected: show(check.expected), actual: show(actual) });
    }
  };
  const blockNumber = options.blockNumber;
  const multicall = client.publicClient.chain?.contracts?.multicall3;
  if (multicall !== undefined) {
    // Batches of 500 calls, a few in flight at once: a node answers one while the next is encoded.
    let nextBatch = 0;
    const batchWorker = async () => {
      while (nextBatch < groups.length) {
        const batch = groups.slice(nextBatch, (nextBatch += 500));
        const results = (await client.publicClient.multicall({
          contracts: batch.map((g) => g[0]!.call) as never,
          allowFailure: true,
          blockNumber,
          batchSize: 0,
        })) as { status: "success" | "failure"; result?: unknown; error?: Error }[];
        results.forEach((r, j) => compare(batch[j]!, r.status === "success" ? r.result : `unreadable: ${r.error?.message.split("\n")[0]}`));
      }
    };
    await Promise.all(Array.from({ length: MULTICALL_IN_FLIGHT }, batchWorker));
    return found;
  }
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const group = groups[next++]!;
      const { call } = group[0]!;
      const result = await client.publicClient.readContract({ ...call, args: call.args ?? [], blockNumber } as never).catch((error: Error) => {
        // A node that cannot be reached fails the audit; an answer that reverts or does not decode
        // (no contract there, or a lying node) is a disagreement like any other.
        if (isTransportFailure(error)) throw error;
        return `unreadable: ${error.message.split("\n")[0]}`;
      });
      compare(group, result);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return found;
}
