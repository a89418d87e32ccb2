import { knownDeployments } from "./abis/deployments.ts";
import type { Deployment } from "./deployment.ts";
import { DeploymentError } from "./errors.ts";

export { knownDeployments };

/**
 * The protocol's addresses on a public chain, from the deployments shipped with the SDK
 * (`knownDeployments`, generated from the repository's deployments/). A local node's deployment
 * differs per run and is never shipped: read its addresses file instead (`parseDeployment`).
 */
export function knownDeployment(chainId: number): Deployment {
  const found = knownDeployments[chainId];
  if (found === undefined) {
    const known = Object.keys(knownDeployments);
    throw new DeploymentError(
      `No deployment of the protocol is shipped for chain ${chainId} (${known.length === 0 ? "none is shipped yet" : `shipped: ${known.join(", ")}`}); pass the addresses file your deploy wrote (deployments/${chainId}.json).`,
    );
  }
  return found;
}
