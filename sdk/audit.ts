import { getAddress } from "viem";

import { computeEpochAttribution } from "./actions/attribution.ts";
import type { ModelLineage } from "./actions/models.ts";
import { computeVersionRoot } from "./actions/versions.ts";
import type { InferenceOutput } from "./attribution/run.ts";
import { attributionContract, modelFactoryContract, registryContract, type ProtocolClient } from "./client.ts";
import type { ContributionRecord } from "./history.ts";
import type { RegistryState } from "./history.ts";
import { readProtocol } from "./transaction.ts";

/** One value rebuilt from events that the chain's views disagree with. */
export interface Discrepancy {
  entity: string;
  field: string;
  expected: string;
  actual: string;
}

const show = (value: unknown): string =>
  typeof value === "object" && value !== null
    ? JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v))
    : String(value);

/** A list of discrepancies and the check that adds to it when two values differ. */
function discrepancies() {
  const found: Discrepancy[] = [];
  const check = (entity: string, field: string, expected: unknown, actual: unknown) => {
    if (show(expected) !== show(actual)) found.push({ entity, field, expected: show(expected), actual: show(actual) });
  };
  return { found, check };
}

/**
 * Compares every value of a state rebuilt from events with the registry's views, and recomputes
 * every published version root from the rebuilt contributions. Returns the disagreements; an empty
 * list means the history verifies. `expected` is the rebuilt value, `actual` the chain's.
 */
export async function verifyRegistryState(client: ProtocolClient, state: RegistryState): Promise<Discrepancy[]> {
  const registry = registryContract(client);
  const read = client.publicClient;
  const { found, check } = discrepancies();

  await readProtocol(async () => {
    check("protocol", "paused", state.protocolPaused, await read.readContract({ ...registry, functionName: "protocolPaused" }));
    check("protocol", "datanetCount", BigInt(state.datanets.size), await read.readContract({ ...registry, functionName: "datanetCount" }));
    check("protocol", "contributionCount", BigInt(state.contributions.size), await read.readContract({ ...registry, functionName: "contributionCount" }));

    for (const d of state.datanets.values()) {
      const entity = `datanet ${d.datanetId}`;
      const info = await read.readContract({ ...registry, functionName: "getDatanet", args: [d.datanetId] });
      check(entity, "owner", getAddress(d.owner), info.owner);
      check(entity, "pendingOwner", getAddress(d.pendingOwner), info.pendingOwner);
      check(entity, "kind", d.kind, info.kind);
      check(entity, "paused", d.paused, info.paused);
      check(entity, "createdAt", d.createdAt, info.createdAt);
      check(entity, "acceptedCount", d.acceptedCount, info.acceptedCount);
      check(entity, "versionCount", d.versionCount, info.versionCount);
      check(entity, "policy", d.policy, info.policy);
      for (const [account, allowed] of d.allowlist) {
        const onChain = await read.readContract({ ...registry, functionName: "isAllowlisted", args: [d.datanetId, account] });
        check(entity, `allowlist ${account}`, allowed, onChain);
      }
    }

    for (const c of state.contributions.values()) {
      const entity = `contribution ${c.contributionId}`;
      const stored = await read.readContract({ ...registry, functionName: "getContribution", args: [c.contentHash] });
      check(entity, "id", c.contributionId, stored.id);
      check(entity, "contributor", getAddress(c.contributor), stored.contributor);
      check(entity, "datanetId", c.datanetId, BigInt(stored.datanetId));
      check(entity, "status", c.status, stored.status);
      const id = await read.readContract({ ...registry, functionName: "contributionIdOf", args: [c.contentHash] });
      check(entity, "contributionIdOf", c.contributionId, id);
    }

    for (const v of state.versions.values()) {
      const entity = `datanet ${v.datanetId} version ${v.version}`;
      const onChain = await read.readContract({
        ...registry,
        functionName: "getVersion",
        args: [v.datanetId, v.version],
      });
      check(entity, "root", v.root, onChain.root);
      check(entity, "contributionCount", v.contributionCount, onChain.contributionCount);
      check(entity, "publishedAt", v.publishedAt, onChain.publishedAt);
      check(entity, "recomputed root", computeVersionRoot(state, v.datanetId, v.contributionCount), onChain.root);
    }

    for (const [commitment, block] of state.commitments) {
      const onChain = await read.readContract({ ...registry, functionName: "commitmentBlock", args: [commitment] });
      check(`commitment ${commitment}`, "block", block, onChain);
    }
  });
  return found;
}

/**
 * Compares every model rebuilt from the factory's events (`rebuildModelLineage`) with the factory's
 * views, and every training dataset's root with the registry's published version.
 */
export async function verifyModelLineage(client: ProtocolClient, lineage: ReadonlyMap<bigint, ModelLineage>): Promise<Discrepancy[]> {
  const factory = modelFactoryContract(client);
  const registry = registryContract(client);
  const read = client.publicClient;
  const { found, check } = discrepancies();
  await readProtocol(async () => {
    check("models", "modelCount", BigInt(lineage.size), await read.readContract({ ...factory, functionName: "modelCount" }));
    for (const m of lineage.values()) {
      const entity = `model ${m.modelId}`;
      const info = await read.readContract({ ...factory, functionName: "getModel", args: [m.modelId] });
      check(entity, "owner", getAddress(m.owner), info.owner);
      check(entity, "baseModelId", m.baseModelId, info.baseModelId);
      check(entity, "versionCount", m.versions.length, info.versionCount);
      for (const v of m.versions) {
        const ventity = `${entity} version ${v.version}`;
        const stored = await read.readContract({ ...factory, functionName: "getModelVersion", args: [m.modelId, v.version] });
        const { targetModules: _modules, ...settings } = v.hyperparameters;
        const { publishedAt: _at, adapterHash, evaluationHash, ...onChain } = stored;
        check(ventity, "hyperparameters", settings, onChain);
        check(ventity, "adapterHash", v.adapterHash, adapterHash);
        check(ventity, "evaluationHash", v.evaluationHash, evaluationHash);
        const refs = await read.readContract({ ...factory, functionName: "trainingDataOf", args: [m.modelId, v.version] });
        check(ventity, "trainingData", v.trainingData.map((d) => [Number(d.datanetId), d.version]), refs.map((r) => [r.datanetId, r.version]));
        for (const d of v.trainingData) {
          const published = await read.readContract({ ...registry, functionName: "getVersion", args: [d.datanetId, d.version] });
          check(`${ventity} dataset ${d.datanetId}/${d.version}`, "versionRoot", d.versionRoot, published.root);
        }
      }
    }
  });
  return found;
}

/**
 * Recomputes a model epoch's attribution from public inputs (the outputs, the training corpus
 * rebuilt from events and fetched content) and compares it with what was proposed on chain; checks
 * that the pool's parts add up to its fees.
 */
export async function verifyAttributionEpoch(
  client: ProtocolClient,
  params: {
    modelId: bigint;
    epoch: bigint;
    outputs: readonly InferenceOutput[];
    fetchContent: (contribution: ContributionRecord) => Promise<Uint8Array | string>;
  },
): Promise<Discrepancy[]> {
  const { found, check } = discrepancies();
  const entity = `model ${params.modelId} attribution epoch ${params.epoch}`;
  const recomputed = await computeEpochAttribution(client, params);
  const pool = await readProtocol(() =>
    client.publicClient.readContract({ ...attributionContract(client), functionName: "feePool", args: [params.modelId, params.epoch] }),
  );
  check(entity, "root", recomputed.epoch.root, pool.root);
  check(entity, "recordsHash", recomputed.recordsHash, pool.recordsHash);
  check(entity, "merkleTotal", recomputed.epoch.total, pool.merkleTotal);
  const { contributors, developer, validators, protocol } = recomputed.amounts;
  check(entity, "parts add up to the fees", pool.fees, contributors + developer + validators + protocol);
  recomputed.inputs.datasets.forEach((d) => check(entity, `dataset ${d.datanetId}/${d.version} root recomputed`, true, d.rootMatches));
  return found;
}
