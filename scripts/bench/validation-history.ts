/**
 * A long validation history on a local node, for the auditor and indexer benchmarks: the protocol
 * deployed through `npm run deploy`, one datanet (quorum 1, one validator holding all stake, so each
 * verdict closes its contribution), and contributions revealed in batches, attested and settled.
 */
import { createPublicClient, createWalletClient, defineChain, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  attestationRegistryAbi,
  datanetPolicy,
  datanetRegistryAbi,
  hashContent,
  openTokenAbi,
  randomSalt,
  REVEAL_WINDOW,
  submissionCommitment,
  validatorStakingAbi,
  type Deployment,
} from "../../sdk/index.ts";
import { readDeploymentFile } from "../../sdk/node/index.ts";
import { deployToNode, NODE_KEYS, type LocalNode } from "../../test/helpers/local-node.ts";

/** Events per contribution: submitted; then verdict, validation closed, finalized, bond credited; then its settlement. */
export const EVENTS_PER_CONTRIBUTION = 6;
/** Bond per contribution: small, but every refund is a credit the audit balances against the registry's OPEN. */
const BOND = 10n ** 15n;
const SUBMIT_BATCH = 250;
const ATTEST_BATCH = 120;
const GAS = 16_000_000n;

/**
 * Deploys to `node` (addresses file into `dir`) and builds about `targetEvents` protocol events; the
 * last `pending` contributions are left unattested (a validator's queue). Progress goes to stderr.
 */
export async function buildValidationHistory(node: LocalNode, dir: string, targetEvents: number, options: { pending?: number } = {}) {
  const deploymentFile = await deployToNode(node.url, dir);
  const deployment: Deployment = await readDeploymentFile(deploymentFile);
  const chain = defineChain({ id: 31_337, name: "hardhat node", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [node.url] } } });
  const transport = http(node.url, { timeout: 120_000 });
  const [treasury, owner, contributor, validator] = NODE_KEYS.slice(0, 4).map((k) => createWalletClient({ account: privateKeyToAccount(k as Hex), chain, transport }));
  const publicClient = createPublicClient({ chain, transport });
  const send = async (hash: Promise<Hex>) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  };
  const c = deployment.contracts;
  const policy = datanetPolicy({
    quorum: 1,
    maxContributionsPerContributorPerEpoch: 1_000_000,
    maxBytesPerContribution: 1_000n,
    maxBytesPerContributorPerEpoch: 10n ** 12n,
    maxBytesPerDatanetPerEpoch: 10n ** 12n,
    submissionBond: BOND,
  });
  await send(owner!.writeContract({ address: c.datanetRegistry, abi: datanetRegistryAbi, functionName: "createDatanet", args: [0, "ipfs://bench", policy] }));
  await send(treasury!.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "transfer", args: [validator!.account.address, policy.minValidatorStake] }));
  await send(validator!.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "approve", args: [c.validatorStaking, policy.minValidatorStake] }));
  await send(validator!.writeContract({ address: c.validatorStaking, abi: validatorStakingAbi, functionName: "stake", args: [1n, policy.minValidatorStake] }));
  // A pending contribution has one event (its reveal); the rest have EVENTS_PER_CONTRIBUTION each.
  const pending = options.pending ?? 0;
  const contributions = pending + Math.max(0, Math.ceil((targetEvents - pending) / EVENTS_PER_CONTRIBUTION));
  await send(treasury!.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "transfer", args: [contributor!.account.address, BOND * BigInt(contributions)] }));
  await send(contributor!.writeContract({ address: c.openToken, abi: openTokenAbi, functionName: "approve", args: [c.datanetRegistry, BOND * BigInt(contributions)] }));
  // Verdicts open REVEAL_WINDOW after a reveal: the bench node's clock is moved on, as a real chain's would be.
  const waitRevealWindow = async () => {
    await publicClient.request({ method: "evm_increaseTime" as never, params: [REVEAL_WINDOW] as never });
    await publicClient.request({ method: "evm_mine" as never });
  };

  const started = performance.now();
  for (let done = 0; done < contributions; done += SUBMIT_BATCH) {
    const items = Array.from({ length: Math.min(SUBMIT_BATCH, contributions - done) }, (_, i) => ({
      ...hashContent(`audit bench contribution ${done + i}`),
      uri: `ipfs://bench/${done + i}`,
    }));
    const salt = randomSalt();
    const commitment = submissionCommitment({ contributor: contributor!.account.address, datanetId: 1n, contentHashes: items.map((i) => i.contentHash), salt });
    const reservedBytes = items.reduce((sum, it) => sum + it.sizeBytes, 0n);
    // The commitment reserves each item's tally word (about 22,000 gas an item): a whole batch's worth.
    await send(contributor!.writeContract({ address: c.datanetRegistry, abi: datanetRegistryAbi, functionName: "commitSubmission", args: [1n, commitment, items.length, reservedBytes], gas: GAS }));
    await send(contributor!.writeContract({ address: c.datanetRegistry, abi: datanetRegistryAbi, functionName: "submitBatch", args: [1n, items, salt], gas: GAS }));
    await waitRevealWindow();
    const attested = Math.max(0, Math.min(items.length, contributions - pending - done));
    for (let i = 0; i < attested; i += ATTEST_BATCH) {
      const batch = items.slice(i, Math.min(i + ATTEST_BATCH, attested));
      const verdicts = batch.map((it) => ({ contentHash: it.contentHash, accept: true, quality: 80, reasonCode: 0 }));
      await send(validator!.writeContract({ address: c.attestationRegistry, abi: attestationRegistryAbi, functionName: "attestBatch", args: [verdicts], gas: GAS }));
      const ids = batch.map((_, j) => BigInt(done + i + j + 1));
      await send(validator!.writeContract({ address: c.attestationRegistry, abi: attestationRegistryAbi, functionName: "settle", args: [validator!.account.address, ids], gas: GAS }));
    }
    process.stderr.write(`\rhistory: ${done + items.length}/${contributions} contributions`);
  }
  process.stderr.write(`\nhistory built in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  return { deployment, deploymentFile, chain, transport, treasury: treasury!, publicClient };
}
