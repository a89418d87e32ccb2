export * from "./abis/index.ts";
export * from "./adapter.ts";
export * from "./actions/attribution.ts";
export * from "./actions/contributions.ts";
export * from "./actions/datanets.ts";
export * from "./actions/datasets.ts";
export * from "./actions/epochs.ts";
export * from "./actions/models.ts";
export * from "./actions/rewards.ts";
export * from "./actions/validators.ts";
export * from "./actions/versions.ts";
export * from "./aggregator.ts";
export * from "./attribution/apportion.ts";
export * from "./attribution/engine.ts";
export * from "./attribution/explain.ts";
export * from "./attribution/result-file.ts";
export * from "./attribution/run.ts";
export * from "./attribution/suffix-array.ts";
export * from "./attribution/suffix-sort.ts";
export * from "./attribution/tokenizer.ts";
export * from "./checks.ts";
export * from "./audit.ts";
export {
  assertDeploymentChain,
  protocolClient,
  type AnyClient,
  type ClientOptions,
  attestationContract,
  attributionContract,
  distributorContract,
  merkleEpochContract,
  modelFactoryContract,
  registryContract,
  rewardPoolsContract,
  requireWallet,
  stakingContract,
  tokenContract,
  type ProtocolClient,
  type WritableProtocolClient,
} from "./client.ts";
export * from "./deployment.ts";
export * from "./known-deployments.ts";
export * from "./errors.ts";
export * from "./finetune-estimate.ts";
export * from "./history.ts";
export * from "./llama-factory.ts";
export * from "./indexer-api.ts";
export * from "./indexer-audit.ts";
export * from "./indexer/auditor.ts";
export * from "./indexer/ranges.ts";
export * from "./indexer/retry.ts";
export * from "./indexer/state.ts";
export * from "./merkle.ts";
export * from "./openledger.ts";
export * from "./permit.ts";
export * from "./policy.ts";
export * from "./reputation.ts";
export * from "./storage/index.ts";
export * from "./verdict-wire.ts";
export type { TransactionHandle } from "./transaction.ts";
