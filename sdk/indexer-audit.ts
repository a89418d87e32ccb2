/**
 * The auditor's check of the indexer service: every row of the indexer's tables, read over its API,
 * against the rows the project's own replay (`rebuildProtocolState`) says they must hold. The replay
 * itself is checked against the chain's views by `verifyProtocolState`; together they tie every
 * row the indexer serves to the chain.
 */
import { zeroAddress } from "viem";

import type { Discrepancy } from "./audit.ts";
import type { IndexerClient } from "./indexer-api.ts";
import { reputationScore } from "./reputation.ts";
import type { ProtocolState } from "./indexer/state.ts";

type Row = Record<string, unknown>;

/**
 * What one of the indexer's tables must hold: its key columns and all its rows (by column, camelCase
 * as in ponder.schema.ts). `from` reads a part of a table (the replay keeps a datanet's terms in force
 * and the change to come, not every past one).
 */
export interface ExpectedTable {
  key: readonly string[];
  rows: Row[];
  from?: string;
}

/** A value as text the way both sides can be compared: numbers in decimal, hex in lower case, lists as JSON. */
const text = (value: unknown): string => {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return JSON.stringify(value.map(text));
  const s = String(value);
  return s.startsWith("0x") ? s.toLowerCase() : s;
};
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every table of the indexer (ponder.schema.ts) as the replay's state says it must be. */
export function expectedIndexerTables(state: ProtocolState): Record<string, ExpectedTable> {
  const { registry } = state;
  const table = (key: string[], rows: Row[], from?: string): ExpectedTable => ({ key, rows, ...(from === undefined ? {} : { from }) });
  /** The terms row a datanet points at: those in force, or the change to come. */
  const terms = (column: string) => `(select t.* from datanet_terms t join datanet d on d.id = t.datanet_id and t.from_epoch = d.${column}) terms`;
  const validators = new Map<string, Row>();
  for (const [k, s] of state.stakes) {
    const latest = state.stakeHistory.get(k)?.at(-1);
    validators.set(k, {
      datanetId: s.datanetId, validator: s.validator, amount: s.amount, unbondingEndsAt: s.unbondingEndsAt, generation: s.generation,
      bondedAmount: latest?.amount ?? 0n, checkpointAt: latest?.at ?? 0, agreed: 0, disagreed: 0,
    });
  }
  for (const [k, g] of state.agreement) {
    const row = validators.get(k) ?? { datanetId: g.datanetId, validator: g.validator, amount: 0n, unbondingEndsAt: 0, generation: 0, bondedAmount: 0n, checkpointAt: 0 };
    validators.set(k, { ...row, agreed: g.agreed, disagreed: g.disagreed });
  }
  // The leaderboard: every contributor with a submission on a datanet, its closed outcomes and score.
  const board = new Map<string, Row & { submitted: number }>();
  for (const c of registry.contributions.values()) {
    const k = `${c.datanetId}:${c.contributor}`;
    const row = board.get(k) ?? { datanetId: c.datanetId, contributor: c.contributor, submitted: 0, accepted: 0, rejected: 0, qualitySum: 0n, score: 0n };
    board.set(k, { ...row, submitted: row.submitted + 1 });
  }
  for (const r of state.reputation.values()) {
    const row = board.get(`${r.datanetId}:${r.contributor}`);
    if (row !== undefined) board.set(`${r.datanetId}:${r.contributor}`, { ...row, accepted: r.accepted, rejected: r.rejected, qualitySum: r.qualitySum, score: reputationScore(BigInt(r.accepted), BigInt(r.rejected), r.qualitySum) });
  }
  return {
    datanet: table(["id"], [...registry.datanets.values()].map((d) => ({
      id: d.datanetId, owner: d.owner, pendingOwner: d.pendingOwner, kind: d.kind, metadataUri: d.metadataURI, paused: d.paused,
      createdAt: d.createdAt, acceptedCount: d.acceptedCount, versionCount: d.versionCount,
    }))),
    "datanet_terms in force": table(["datanetId"], [...registry.datanets.values()].map((d) => ({ datanetId: d.datanetId, ...d.policy })), terms("terms_from_epoch")),
    "datanet_terms scheduled": table(
      ["datanetId"],
      [...registry.datanets.values()].flatMap((d) => (d.scheduled === undefined ? [] : [{ datanetId: d.datanetId, fromEpoch: d.scheduled.fromEpoch, ...d.scheduled.policy }])),
      terms("scheduled_from_epoch"),
    ),
    datanet_version: table(["datanetId", "version"], [...registry.versions.values()].map((v) => ({ ...v }))),
    commitment: table(["committer", "commitment"], [...registry.commitments.values()].map(({ contributor, ...c }) => ({ committer: contributor, ...c }))),
    allowlist_entry: table(["datanetId", "account"], [...registry.datanets.values()].flatMap((d) => [...d.allowlist].map(([account, e]) => ({ datanetId: d.datanetId, account, ...e })))),
    quota_usage: table(["datanetId", "epoch", "contributor"], [...registry.usage].map(([k, u]) => {
      const [datanetId, epoch, contributor] = k.split(":");
      return { datanetId, epoch, contributor, ...u };
    })),
    credit: table(["account"], [...registry.credits].map(([account, amount]) => ({ account, amount }))),
    contribution: table(["id"], [...registry.contributions.values()].map((c) => {
      const t = state.tallies.get(c.contributionId);
      return {
        id: c.contributionId, datanetId: c.datanetId, contributor: c.contributor, contentHash: c.contentHash, sizeBytes: c.sizeBytes, uri: c.uri,
        epoch: c.epoch, submittedAt: c.submittedAt, commitment: c.commitment, committedAt: c.committedAt, votingOpensAt: c.votingOpensAt,
        votingEndsAt: c.votingEndsAt, bond: c.bond, quorum: c.quorum, acceptanceThresholdBps: c.acceptanceThresholdBps,
        minValidatorStake: c.minValidatorStake, status: c.status, acceptedIndex: c.acceptedIndex,
        acceptWeight: t?.acceptWeight ?? 0n, acceptQualityWeight: t?.acceptQualityWeight ?? 0n, rejectWeight: t?.rejectWeight ?? 0n,
        eligibleWeight: t?.eligibleWeight ?? 0n, verdictCount: t?.verdicts.size ?? 0, outcome: t?.outcome ?? 1, closedEpoch: t?.epoch ?? 0,
        snapshotAt: c.submittedAt - 1, forfeit: t?.forfeit ?? 0n,
      };
    })),
    verdict: table(["contributionId", "validator"], [...state.tallies.values()].flatMap((t) =>
      [...t.verdicts].map(([validator, v]) => ({ contributionId: t.contributionId, validator, accept: v.accept, weight: v.weight, weightAtSnapshot: v.weightAtSnapshot, settled: v.settled, credit: v.credit })),
    )),
    validator: table(["datanetId", "validator"], [...validators.values()]),
    stake_checkpoint: table(["datanetId", "validator", "at"], [
      ...[...state.stakeHistory].flatMap(([k, history]) => history.map((c) => ({ datanetId: k.split(":")[0], validator: k.split(":")[1], at: c.at, amount: c.amount }))),
      ...[...state.totalStakeHistory].flatMap(([datanetId, history]) => history.map((c) => ({ datanetId, validator: zeroAddress, at: c.at, amount: c.amount }))),
    ]),
    reputation: table(["datanetId", "contributor"], [...state.reputation.values()].map((r) => ({ ...r }))),
    leaderboard: table(["datanetId", "contributor"], [...board.values()]),
    points: table(["datanetId", "epoch", "account"], [...state.points.values()].map((p) => ({ ...p }))),
    epoch: table(["datanetId", "epoch"], [...state.epochTotals.values()].map((t) => ({ datanetId: t.datanetId, epoch: t.epoch, contributorPoints: t.contributor, validatorPoints: t.validator }))),
    reward_pool: table(["datanetId", "epoch"], [...state.rewardPools.values()].map((p) => ({ datanetId: p.datanetId, epoch: p.epoch, funded: p.funded, claimed: p.claimed, contributorBps: p.contributorBps, swept: p.swept }))),
    reward_claim: table(["datanetId", "epoch", "account"], [...state.rewardPools.values()].flatMap((p) => [...p.claimants].map((account) => ({ datanetId: p.datanetId, epoch: p.epoch, account })))),
    merkle_epoch: table(["address"], [...state.merkleEpochs.values()].map((e) => ({
      address: e.address, poster: e.poster, poolId: e.poolId, epoch: e.epoch, root: e.root, total: e.total, maxLeafAmount: e.maxLeafAmount,
      expiresAt: e.expiresAt, claimed: e.claimed, claimCount: e.claimedIndices.size, swept: e.swept,
    }))),
    merkle_claim: table(["epochContract", "index"], [...state.merkleEpochs.values()].flatMap((e) => [...e.claimedIndices].map((index) => ({ epochContract: e.address, index })))),
    base_model: table(["id"], [...state.baseModels].map(([id, b]) => ({ id, registrant: b.registrant, parameterCount: b.parameterCount, artifactHash: b.artifactHash }))),
    model: table(["id"], [...state.models.values()].map((m) => ({ id: m.modelId, baseModelId: m.baseModelId, owner: m.owner, pendingOwner: m.pendingOwner, name: m.name, versionCount: m.versions.length }))),
    model_version: table(["modelId", "version"], [...state.models.values()].flatMap((m) =>
      m.versions.map((v) => ({ modelId: m.modelId, version: v.version, method: v.method, adapterHash: v.adapterHash, adapterUri: v.adapterURI, evaluationHash: v.evaluationHash, blockNumber: v.blockNumber,
        ...(v.publishedAt === undefined ? {} : { publishedAt: v.publishedAt }) })),
    )),
    training_data: table(["modelId", "version", "datanetId"], [...state.models.values()].flatMap((m) =>
      m.versions.flatMap((v) => v.trainingData.map((t) => ({ modelId: m.modelId, version: v.version, datanetId: t.datanetId, datanetVersion: t.version, versionRoot: t.versionRoot, contributionCount: t.contributionCount }))),
    )),
    fee_pool: table(["modelId", "epoch"], [...state.feePools.values()].map((p) => ({
      modelId: p.modelId, epoch: p.epoch, fees: p.fees, ...p.split, status: p.status, challengeEndsAt: p.challengeEndsAt, root: p.root,
      recordsHash: p.recordsHash, merkleTotal: p.merkleTotal, developer: p.released?.developer, developerAmount: p.released?.developerAmount,
      protocolAmount: p.released?.protocolAmount, epochContract: p.released?.epochContract,
    }))),
    earnings: table(["account"], [...state.earnings].map(([account, amount]) => ({ account, amount }))),
  };
}

/**
 * Compares every row of the indexer's tables (read over its API) with `expectedIndexerTables(state)`:
 * a row missing or extra, or a column that differs, is one discrepancy (`expected` is the replay's
 * value, `actual` the indexer's). Run it on a state rebuilt at the block the indexer has indexed.
 */
export async function verifyIndexerTables(indexer: IndexerClient, state: ProtocolState): Promise<Discrepancy[]> {
  const found: Discrepancy[] = [];
  const run = `${Date.now()}-${Math.random()}`;
  for (const [name, expected] of Object.entries(expectedIndexerTables(state))) {
    const columns = [...new Set([...expected.key, ...expected.rows.flatMap((r) => Object.keys(r))])];
    const keyOf = (read: (column: string) => unknown) => expected.key.map((c) => `${c}=${text(read(c))}`).join(" ");
    const want = new Map(expected.rows.map((row) => [keyOf((c) => row[c]), row]));
    // A query of its own (the run's nonce in it): the API caches an answer by its query until Ponder itself writes, and an audit reads the rows as stored.
    const rows = await indexer.sql(`select ${columns.map(snake).join(", ")}, $1::text as audit_run from ${expected.from ?? name}`, [run]);
    const seen = new Set<string>();
    for (const row of rows) {
      const key = keyOf((c) => row[snake(c)]);
      seen.add(key);
      const wanted = want.get(key);
      if (wanted === undefined) {
        found.push({ entity: `${name} ${key}`, field: "row", expected: "absent", actual: "present" });
        continue;
      }
      for (const column of Object.keys(wanted)) {
        const [e, a] = [text(wanted[column]), text(row[snake(column)])];
        if (e !== a) found.push({ entity: `${name} ${key}`, field: column, expected: e, actual: a });
      }
    }
    for (const key of want.keys()) if (!seen.has(key)) found.push({ entity: `${name} ${key}`, field: "row", expected: "present", actual: "missing" });
  }
  return found;
}
