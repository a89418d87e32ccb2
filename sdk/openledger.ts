import type { Account, Chain } from "viem";

import * as attribution from "./actions/attribution.ts";
import * as contributions from "./actions/contributions.ts";
import * as datanets from "./actions/datanets.ts";
import * as epochs from "./actions/epochs.ts";
import * as datasets from "./actions/datasets.ts";
import * as models from "./actions/models.ts";
import * as rewards from "./actions/rewards.ts";
import * as validators from "./actions/validators.ts";
import * as versions from "./actions/versions.ts";
import { VerdictAggregator } from "./aggregator.ts";
import { protocolClient, type AnyClient, type ClientOptions, type ProtocolClient } from "./client.ts";
import type { Deployment } from "./deployment.ts";
import { fetchRegistryLogs, rebuildRegistryState } from "./history.ts";

type Bound<F> = F extends (client: ProtocolClient, ...rest: infer P) => infer R ? (...rest: P) => R : never;
function bind<F extends (client: ProtocolClient, ...rest: never[]) => unknown>(client: ProtocolClient, action: F) {
  return ((...rest: never[]) => action(client, ...rest)) as Bound<F>;
}

/** Every action bound to one client: the one table `createClient` and `openledgerActions` share. */
function bindActions(client: ProtocolClient) {
  return {
    deployment: client.deployment,
    datanets: {
      create: bind(client, datanets.createDatanet),
      get: bind(client, datanets.getDatanet),
      updatePolicy: bind(client, datanets.updateDatanetPolicy),
      epochTerms: bind(client, datanets.getEpochTerms),
      updateMetadata: bind(client, datanets.updateDatanetMetadata),
      setAllowlisted: bind(client, datanets.setAllowlisted),
      setPaused: bind(client, datanets.setDatanetPaused),
      transferOwnership: bind(client, datanets.transferDatanetOwnership),
      acceptOwnership: bind(client, datanets.acceptDatanetOwnership),
      currentEpoch: bind(client, datanets.getCurrentEpoch),
      contributorUsage: bind(client, datanets.getContributorUsage),
    },
    contributions: {
      check: bind(client, contributions.checkSubmission),
      submit: bind(client, contributions.submitContribution),
      submitBatch: bind(client, contributions.submitContributions),
      withdraw: bind(client, contributions.withdrawContribution),
      commit: bind(client, contributions.commitSubmission),
      /** Retries the reveal of a `PendingReveal` (from the store or `onProgress`) without a new commitment. */
      reveal: bind(client, contributions.revealSubmission),
      lapse: bind(client, contributions.lapseCommitment),
      getCommitment: bind(client, contributions.getCommitment),
      credit: bind(client, contributions.getCredit),
      withdrawCredit: bind(client, contributions.withdrawCredit),
      get: bind(client, contributions.getContribution),
      contentHashOf: bind(client, contributions.contentHashOf),
    },
    datasets: {
      export: bind(client, datasets.exportDataset),
    },
    versions: {
      compute: bind(client, versions.computeVersion),
      publish: bind(client, versions.publishVersion),
      get: bind(client, versions.getVersion),
      verify: bind(client, versions.verifyVersion),
    },
    validators: {
      stake: bind(client, validators.stake),
      requestUnbond: bind(client, validators.requestUnbond),
      withdraw: bind(client, validators.withdrawStake),
      getStake: bind(client, validators.getStake),
      invalidateSignatures: bind(client, validators.invalidateSignatures),
      attest: bind(client, validators.attest),
      attestBatch: bind(client, validators.attestBatch),
      signVerdict: bind(client, validators.signVerdict),
      submitSigned: bind(client, validators.submitSignedVerdicts),
      finalize: bind(client, validators.finalizeContributions),
      finalizable: bind(client, validators.finalizableContributions),
      settle: bind(client, validators.settleVerdicts),
      unsettled: bind(client, validators.unsettledVerdicts),
      tally: bind(client, validators.getTally),
      verdict: bind(client, validators.getVerdict),
      pending: bind(client, validators.pendingContributions),
      agreement: bind(client, validators.getAgreement),
      /** An aggregator that batches signed verdicts under the per-transaction gas cap. */
      aggregator: (options?: { gasCap?: bigint }) => new VerdictAggregator(client, options),
    },
    epochs: {
      postRoot: bind(client, epochs.postEpochRoot),
      contractOf: bind(client, epochs.getEpochContract),
      claim: bind(client, epochs.claimFromEpochs),
      info: bind(client, epochs.getEpochInfo),
      isClaimed: bind(client, epochs.isEpochClaimed),
    },
    rewards: {
      fund: bind(client, rewards.fundRewards),
      claimable: bind(client, rewards.claimableRewards),
      claimableEpochs: bind(client, rewards.claimableEpochs),
      claim: bind(client, rewards.claimRewards),
      pool: bind(client, rewards.getRewardPool),
    },
    models: {
      registerBase: bind(client, models.registerBaseModel),
      register: bind(client, models.registerModel),
      publishVersion: bind(client, models.publishModelVersion),
      transferOwnership: bind(client, models.transferModelOwnership),
      acceptOwnership: bind(client, models.acceptModelOwnership),
      get: bind(client, models.getModel),
      getVersion: bind(client, models.getModelVersion),
      lineage: bind(client, models.modelLineage),
    },
    attribution: {
      setFeeSplit: bind(client, attribution.setFeeSplit),
      payFees: bind(client, attribution.payInferenceFees),
      currentEpoch: bind(client, attribution.currentAttributionEpoch),
      pool: bind(client, attribution.getFeePool),
      feeEpochs: bind(client, attribution.modelFeeEpochs),
      verifyPublished: bind(client, attribution.verifyPublishedAttribution),
      splitAmounts: bind(client, attribution.getSplitAmounts),
      /** Runs the engine over the model's training corpus for an epoch's outputs. */
      compute: bind(client, attribution.computeEpochAttribution),
      explain: bind(client, attribution.explainAttribution),
      propose: bind(client, attribution.proposeAttribution),
      reject: bind(client, attribution.rejectAttribution),
      release: bind(client, attribution.releaseAttribution),
      claim: bind(client, attribution.claimAttribution),
      earnings: bind(client, attribution.developerEarnings),
      withdrawEarnings: bind(client, attribution.withdrawDeveloperEarnings),
      poolId: (modelId: bigint) => attribution.attributionPoolId(client, modelId),
    },
    reputation: {
      get: bind(client, validators.getReputation),
      leaderboard: bind(client, validators.leaderboard),
    },
    history: {
      /** Every registry event, then the state they rebuild, with no view calls. */
      rebuild: async (range?: { fromBlock?: bigint; toBlock?: bigint }) =>
        rebuildRegistryState(await fetchRegistryLogs(client, range)),
    },
  };
}

/** The actions `openledgerActions` adds to a viem client, by namespace. */
export type OpenLedgerActions = ReturnType<typeof bindActions>;

/**
 * The high-level SDK client: every action bound to one chain, deployment and (optionally) wallet.
 * Any viem clients on any chain work (`PublicClient`, `WalletClient`, or a bare `Client`).
 *
 * ```ts
 * const openledger = createClient({ publicClient, walletClient, deployment });
 * const { datanetId } = await (await openledger.datanets.create({ kind: DataKind.Text, metadataURI, policy })).wait();
 * ```
 */
export function createClient<chain extends Chain | undefined>(
  config: {
    publicClient: AnyClient<chain>;
    walletClient?: AnyClient<chain, Account> | undefined;
    deployment: Deployment;
  } & ClientOptions,
) {
  const client = protocolClient(config);
  return { ...client, ...bindActions(client) };
}

/** The client `createClient` returns. */
export type OpenLedgerClient = ReturnType<typeof createClient>;

/**
 * A decorator in viem's style: `publicClient.extend(openledgerActions(deployment))` adds the SDK's
 * actions (by namespace: `datanets`, `contributions`, ...) to any viem client on any chain. A client
 * with an account (a wallet client) also sends transactions with it.
 */
export function openledgerActions(deployment: Deployment, options: ClientOptions = {}) {
  return <chain extends Chain | undefined, account extends Account | undefined>(client: AnyClient<chain, account>): OpenLedgerActions => {
    const walletClient = client.account === undefined ? undefined : (client as AnyClient<chain, Account>);
    return bindActions(protocolClient({ publicClient: client, walletClient, deployment, ...options }));
  };
}
