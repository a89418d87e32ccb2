import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const DAY = 24 * 60 * 60;
const WEEK = 7 * DAY;

/**
 * The whole protocol, administered by the deploying account (`scripts/lib/deploy.ts` hands the
 * admin roles to another address afterwards when asked). Parameters (optional):
 * - `treasury`: receives the fixed OPEN supply and slashed stake (default: the deployer);
 * - `unbondingPeriod`: seconds between a validator's unbond request and withdrawal (default: 7 days);
 * - `claimWindow`: seconds a Merkle epoch stays claimable before it may be swept (default: 365 days);
 * - `rewardClaimEpochs`: datanet epochs an ended reward pool stays claimable (default: 52);
 * - `protocolFeeBps`: the protocol's share of inference fees (default: 500, at most 1,000);
 * - `attributionEpochLength`: seconds per attribution epoch (default: 1 day);
 * - `challengeWindow`: seconds an attribution proposal can be rejected before release (default: 2 days);
 * - `attributor`: proposes attributions (default: the deployer);
 * - `guardian` (required): may reject proposals in their challenge window; never the attributor
 *   (`scripts/lib/deploy.ts` passes the connection's second account when none is named);
 * - `adminDelay`: seconds a new admin waits before accepting the admin role (default: 1 day).
 * The attestation contract gets the registry's FINALIZER_ROLE: it alone moves contributions out of
 * Pending. The distributor has no roles: Proof of Attribution, like anyone, posts epochs in its own
 * namespace.
 */
export default buildModule("OpenLedger", (m) => {
  const deployer = m.getAccount(0);
  const treasury = m.getParameter("treasury", deployer);
  const unbondingPeriod = m.getParameter("unbondingPeriod", WEEK);
  const claimWindow = m.getParameter("claimWindow", 365 * 24 * 60 * 60);
  const rewardClaimEpochs = m.getParameter("rewardClaimEpochs", 52);
  const protocolFeeBps = m.getParameter("protocolFeeBps", 500);
  const attributionEpochLength = m.getParameter("attributionEpochLength", DAY);
  const challengeWindow = m.getParameter("challengeWindow", 2 * DAY);
  const attributor = m.getParameter("attributor", deployer);
  const guardian = m.getParameter<string>("guardian");
  const adminDelay = m.getParameter("adminDelay", DAY);

  const openToken = m.contract("OpenToken", [treasury]);
  const datanetRegistry = m.contract("DatanetRegistry", [openToken, treasury, deployer, adminDelay]);
  const validatorStaking = m.contract("ValidatorStaking", [openToken, datanetRegistry, deployer, treasury, unbondingPeriod, adminDelay]);
  const attestationRegistry = m.contract("AttestationRegistry", [datanetRegistry, validatorStaking]);
  const merkleEpochDistributor = m.contract("MerkleEpochDistributor", [openToken, treasury, claimWindow]);
  const rewardPools = m.contract("RewardPools", [
    openToken,
    datanetRegistry,
    attestationRegistry,
    treasury,
    rewardClaimEpochs,
    deployer,
    adminDelay,
  ]);
  const modelFactory = m.contract("ModelFactory", [datanetRegistry]);
  const proofOfAttribution = m.contract("ProofOfAttribution", [
    openToken,
    modelFactory,
    merkleEpochDistributor,
    treasury,
    { admin: deployer, attributor, guardian },
    protocolFeeBps,
    attributionEpochLength,
    challengeWindow,
    adminDelay,
  ]);

  // The attestation contract finalizes contributions and keeps their tallies, whose words each
  // commitment reserves; bound before any commitment, so every contribution's word is reserved.
  m.call(datanetRegistry, "bindValidation", [attestationRegistry]);

  return {
    openToken,
    datanetRegistry,
    validatorStaking,
    attestationRegistry,
    merkleEpochDistributor,
    rewardPools,
    modelFactory,
    proofOfAttribution,
  };
});
