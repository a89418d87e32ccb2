import { getAddress, keccak256, toBytes } from "viem";

import { REVEAL_WINDOW } from "../../sdk/actions/contributions.ts";
import { buildMerkleEpoch } from "../../sdk/merkle.ts";
import { BASE_MODEL, qloraSpec } from "../../test/helpers/models.ts";
import { datanetPolicy } from "../../sdk/policy.ts";
import { OPEN, type Bench } from "./harness.ts";

const DAY = 24 * 3_600;
const LEAVES = 1_000;

/**
 * ModelFactory and Proof of Attribution: registering a QLoRA fine-tune on one datanet version,
 * paying a fee into a pool that already had one this epoch, proposing an epoch's root, releasing it,
 * and one payout claim (from a 1,000-leaf epoch, to an account that already holds OPEN).
 */
export async function benchAttribution(b: Bench) {
  const { ethers, registry, token, staking, attestations, signers, measure, submit } = b;
  const [treasury, owner, contributor] = signers;
  const validator = signers[16]!;
  const factory = await ethers.getContractAt("ModelFactory", b.deployment.contracts.modelFactory);
  const attribution = await ethers.getContractAt("ProofOfAttribution", b.deployment.contracts.proofOfAttribution);

  await (await registry.connect(owner!).createDatanet(0, "ipfs://bench-models", datanetPolicy({ quorum: 1 }))).wait();
  const datanetId = await registry.datanetCount();
  await (await token.connect(treasury!).transfer(validator.address, 1_000n * OPEN)).wait();
  await (await token.connect(validator).approve(await staking.getAddress(), 2n ** 255n)).wait();
  await (await staking.connect(validator).stake(datanetId, 1_000n * OPEN)).wait();
  const items = await submit(contributor!, datanetId, 2);
  await b.wait(REVEAL_WINDOW);
  for (const it of items) await (await attestations.connect(validator).attest({ contentHash: it.contentHash, accept: true, quality: 90, reasonCode: 0 })).wait();
  await (await registry.connect(owner!).publishVersion(datanetId, ethers.id("bench version"), 2n, "ipfs://bench-v1")).wait();

  const developer = signers[15]!;
  await (await factory.connect(developer).registerBaseModel(BASE_MODEL)).wait();
  const baseModelId = await factory.baseModelCount();
  await measure(
    "registerModel",
    factory.connect(developer).registerModel(
      baseModelId,
      "science-tutor",
      qloraSpec({ loraTarget: ["q_proj", "k_proj", "v_proj", "o_proj"] }, { trainingData: [{ datanetId, version: 1 }] }),
    ),
  );
  const modelId = await factory.modelCount();

  await (await token.connect(treasury!).approve(await attribution.getAddress(), 2n ** 255n)).wait();
  const pay = (n: number) => attribution.connect(treasury!).payFees([{ modelId, amount: 1_000n * OPEN, inferenceBatchHash: ethers.id(`batch ${n}`) }]);
  await measure("payInferenceFees_firstInEpoch", pay(0));
  await measure("payInferenceFees", pay(1));
  const epoch = await attribution.currentEpoch();
  await ethers.provider.send("evm_increaseTime", [DAY]);

  const leaves = Array.from({ length: LEAVES }, (_, i) => ({
    account: getAddress(keccak256(toBytes(`bench account ${i}`)).slice(0, 42)),
    amount: 10n ** 15n + BigInt(i),
  }));
  const built = buildMerkleEpoch(leaves);
  await measure("postAttributionRoot", attribution.proposeAttribution(modelId, epoch, built.root, built.total, ethers.id("records")));
  await ethers.provider.send("evm_increaseTime", [2 * DAY]);
  await measure("releaseAttribution", attribution.releaseAttribution(modelId, epoch));

  const distributor = await ethers.getContractAt("MerkleEpochDistributor", b.deployment.contracts.merkleEpochDistributor);
  const epochContract = await ethers.getContractAt(
    "MerkleEpoch",
    await distributor.epochContract(await attribution.getAddress(), await attribution.poolIdOf(modelId), epoch),
  );
  const [first, second] = [built.claim(0n), built.claim(1n)];
  for (const c of [first, second]) await (await token.connect(treasury!).transfer(c.account, 1n)).wait();
  await (await epochContract.claim(first.index, first.account, first.amount, first.proof)).wait();
  await measure("attributionClaim", epochContract.claim(second.index, second.account, second.amount, second.proof));
}
