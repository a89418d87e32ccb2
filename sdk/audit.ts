import { computeEpochAttribution, type EpochAttributionInputs } from "./actions/attribution.ts";
import type { ModelLineage } from "./actions/models.ts";
import { attributionContract, type ProtocolClient } from "./client.ts";
import type { RegistryState } from "./history.ts";
import { auditBlockFor, gapDiscrepancies, modelViewChecks, registryViewChecks, runViewChecks, show } from "./indexer/auditor.ts";
import { readProtocol } from "./transaction.ts";

/** One value rebuilt from events that the chain's views disagree with. */
export interface Discrepancy {
  entity: string;
  field: string;
  expected: string;
  actual: string;
}


/**
 * Compares every value of a registry state rebuilt from events with the registry's views, and
 * recomputes every published version root from the rebuilt contributions, all read at the head
 * when it starts. Returns the disagreements; an empty list means the history verifies. `expected`
 * is the rebuilt value, `actual` the chain's.
 */
export async function verifyRegistryState(client: ProtocolClient, state: RegistryState): Promise<Discrepancy[]> {
  const at = await auditBlockFor(client, state);
  return [...gapDiscrepancies(state.gaps), ...(await runViewChecks(client, registryViewChecks(client, state, at), { blockNumber: at.number }))];
}

/**
 * Compares every model rebuilt from the factory's events (`rebuildModelLineage`) with the factory's
 * views, and every training dataset's root with the registry's published version.
 */
export async function verifyModelLineage(client: ProtocolClient, lineage: ReadonlyMap<bigint, ModelLineage>): Promise<Discrepancy[]> {
  return runViewChecks(client, modelViewChecks(client, lineage));
}

/**
 * Recomputes a model epoch's attribution from public inputs (the outputs, the training corpus
 * rebuilt from events and fetched content) and compares it with what was proposed on chain; checks
 * that the pool's parts add up to its fees.
 */
export async function verifyAttributionEpoch(client: ProtocolClient, params: EpochAttributionInputs): Promise<Discrepancy[]> {
  const found: Discrepancy[] = [];
  const check = (entity: string, field: string, expected: unknown, actual: unknown) => {
    if (show(expected) !== show(actual)) found.push({ entity, field, expected: show(expected), actual: show(actual) });
  };
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
