import { getAddress } from "viem";

import { computeVersionRoot } from "./actions/versions.ts";
import { registryContract, type ProtocolClient } from "./client.ts";
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

/**
 * Compares every value of a state rebuilt from events with the registry's views, and recomputes
 * every published version root from the rebuilt contributions. Returns the disagreements; an empty
 * list means the history verifies. `expected` is the rebuilt value, `actual` the chain's.
 */
export async function verifyRegistryState(client: ProtocolClient, state: RegistryState): Promise<Discrepancy[]> {
  const registry = registryContract(client);
  const read = client.publicClient;
  const found: Discrepancy[] = [];
  const check = (entity: string, field: string, expected: unknown, actual: unknown) => {
    if (show(expected) !== show(actual)) found.push({ entity, field, expected: show(expected), actual: show(actual) });
  };

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
