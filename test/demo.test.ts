import { execFile } from "node:child_process";
import { access, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { network } from "hardhat";

import { runDemoStory, type DemoSummary } from "../scripts/lib/demo-story.ts";
import { assertSameContent, blockKey, cidOfUri, ContentMismatchError, datanetRegistryAbi, parseCid, parseTrainConfig, type AlpacaRow } from "../sdk/index.ts";
import { openFsStore, readDatasetExport } from "../sdk/node/index.ts";
import { expectRejected } from "./helpers/errors.ts";

/** The facts the story promises, checked on a summary however it was obtained. */
function checkStory(summary: DemoSummary) {
  const who = (name: string) => summary.contributors.find((c) => c.name === name)!;

  expect(who("Sam").refusals).to.deep.equal(["ContributorCountQuotaExceeded", "ContributorCountQuotaExceeded", "WithdrawalClosed"]);
  expect(who("Sam").accepted).to.equal(0);
  expect(who("Sam").submitted).to.equal(4);
  expect(who("Ada").accepted).to.equal(who("Ada").submitted);
  // The oversized file is refused before anything is sent: its reservation exceeds the largest item.
  expect(who("Dev").refusals).to.deep.equal(["DuplicateContent", "InvalidReservation"]);
  // Eve's copy of Ben's pending reveal landed first and was displaced by his older commitment.
  expect(who("Eve").refusals).to.deep.equal(["CommitmentNotFound", "DuplicateContent"]);
  expect([who("Eve").submitted, who("Eve").displaced, who("Eve").accepted]).to.deep.equal([1, 1, 0]);
  expect(who("Ben").accepted).to.equal(3);
  expect(who("Cleo").withdrawn).to.equal(1);

  // The Sybil farmer loses its bonds: its validators recover part of the forfeit, never all of it.
  const { farmer } = summary;
  expect(farmer.bondsForfeited).to.equal(4n * 10n ** 19n);
  expect(farmer.before - farmer.after).to.equal(farmer.bondsForfeited - farmer.recovered);
  expect(farmer.recovered > 0n && farmer.recovered < farmer.bondsForfeited).to.equal(true);
  // Two 1,000-OPEN validators rejected Ada's first text first; the 10,000-OPEN verdict decided it.
  const WEIGHT_PER_OPEN = 1_000n;
  expect(summary.firstMovers.accepted).to.equal(true);
  expect(summary.firstMovers.rejectWeight >= 2_000n * WEIGHT_PER_OPEN).to.equal(true);
  expect(summary.firstMovers.acceptWeight >= 10_000n * WEIGHT_PER_OPEN).to.equal(true);
  expect(summary.dodger.refusal).to.equal("WithdrawalClosed");
  // The funded epoch kept its terms; the curator's change waits two epochs.
  expect(summary.terms).to.deep.equal({ epoch: summary.rewards.epoch, contributorRewardBps: 8_000, quorum: 3, scheduledFrom: Number(summary.rewards.epoch) + 2, scheduledContributorRewardBps: 5_000 });

  expect(who("Sam").rejected).to.equal(4);
  const rank = (name: string) => summary.leaderboard.findIndex((row) => row.contributor.toLowerCase() === who(name).address.toLowerCase());
  expect(rank("Ada")).to.be.lessThan(rank("Sam"));
  expect(summary.leaderboard.every((row) => row.verified)).to.equal(true);
  const validator = (name: string) => summary.validators.find((v) => v.name === name)!;
  expect(validator("Carl").disagreed).to.be.greaterThan(validator("Carl").agreed);
  expect(validator("Vera").disagreed).to.equal(0);
  expect(summary.aggregator.transactions).to.be.greaterThan(0);

  // Claims pay the whole pool but rounding dust (under one wei per claimant), the spammer nothing.
  const paidOut = summary.rewards.paid.reduce((sum, p) => sum + p.amount, 0n);
  expect(paidOut + summary.rewards.dust).to.equal(summary.rewards.funded);
  expect(summary.rewards.dust < BigInt(summary.rewards.paid.length)).to.equal(true);
  for (const farmerAccount of ["Sam", "Sam-1", "Sam-2"]) expect(summary.rewards.paid.map((p) => p.name)).to.not.include(farmerAccount);
  expect(summary.rewards.paid.map((p) => p.name)).to.include.members(["Ada", "Vera"]);

  const accepted = summary.contributors.reduce((sum, c) => sum + c.accepted, 0);
  expect(summary.version.contributionCount).to.equal(BigInt(accepted));
  expect(summary.version.verified).to.equal(true);
  expect(summary.audit.discrepancies).to.deep.equal([]);
  expect(summary.audit.contributions).to.equal(summary.contributors.reduce((sum, c) => sum + c.submitted, 0));

  // The loop closes: a QLoRA model trained on version 1; its fees reach the contributors its
  // outputs draw on, never the spammer nor a withdrawn text, and add up exactly.
  expect([summary.model.method, summary.model.quantizationBit, summary.model.rank]).to.deep.equal(["qlora", 4, 16]);
  expect(summary.model.trainedOn).to.deep.equal([{ datanetId: summary.datanetId, version: summary.version.version, versionRoot: summary.version.root }]);
  const paidTo = summary.attribution.payouts.map((p) => p.name);
  expect(paidTo).to.include.members(["Ada", "Ben", "Cleo", "Dev"]);
  expect(paidTo).to.not.include("Sam");
  expect(summary.attribution.outputs.find((o) => o.inferenceId === "inf-0004")!.drawsOn).to.deep.equal([]); // Cleo withdrew that text
  const { claimed, developerWithdrawn, toTreasury, fees, parts } = summary.attribution;
  expect(claimed + developerWithdrawn + toTreasury).to.equal(fees);
  expect(developerWithdrawn).to.equal(parts.developer);

  // Every contribution's bytes went into a temporary filesystem store (never the repository) and
  // every read of them, by validators, the attributor and the auditor, went by CID.
  expect(path.dirname(summary.storage.dir)).to.equal(tmpdir());
  expect(summary.storage.contributions).to.equal(summary.audit.contributions);
  expect(summary.storage.verified).to.equal(true);
  expect(summary.storage.reads).to.be.greaterThan(summary.storage.contributions);

  // Version 1 went out as one alpaca row per accepted contribution, checked against the version's
  // root, and the audit traced the model's recorded training data back to those rows.
  expect(summary.dataset).to.deep.equal({ rows: Number(summary.version.contributionCount), root: summary.version.root, verified: true });
  expect(path.basename(summary.trainConfig)).to.equal("train.yaml");
  expect(path.dirname(path.dirname(summary.trainConfig))).to.equal(tmpdir());
}

describe("demo story", function () {
  it("tells the story it promises: refusals, outcomes and ranking, rewards, a model, attribution, a clean audit", async function () {
    const connection = await network.create();
    const summary = await runDemoStory(connection, () => {}, { keepStore: true });
    try {
      checkStory(summary);
      expect(summary.storage.kept).to.equal(true);
      // Straight from the chain: every registered URI is ipfs://<cid>, and the kept store returns
      // bytes verified against that CID which hash to the registered content hash.
      const publicClient = await connection.viem.getPublicClient();
      const submitted = await publicClient.getContractEvents({
        address: summary.contracts.datanetRegistry,
        abi: datanetRegistryAbi,
        eventName: "ContributionSubmitted",
        fromBlock: 0n,
        strict: true,
      });
      expect(submitted).to.have.length(summary.audit.contributions);
      const store = await openFsStore(summary.storage.dir);
      for (const { args } of submitted) {
        expect(args.uri).to.match(/^ipfs:\/\/bafkrei[a-z2-7]+$/);
        const cid = cidOfUri(args.uri)!;
        await assertSameContent(await store.get(cid), { contentHash: args.contentHash, cid });
      }
      // Nothing refused was stored: one block per registered content (each under 1 MiB); Eve's
      // displaced copy is Ben's content, one block.
      const blocks = await readdir(path.join(summary.storage.dir, "blocks"));
      expect(blocks).to.have.length(new Set(submitted.map(({ args }) => args.uri)).size);
      expect(blocks).to.have.length(summary.audit.contributions - 1);
      // The store's reads are verified: an altered block is refused, not returned.
      const cid = cidOfUri(submitted[0]!.args.uri)!;
      await writeFile(path.join(summary.storage.dir, "blocks", blockKey(parseCid(cid, "cid"))), "altered");
      await expectRejected(store.get(cid), ContentMismatchError, /do not hash to its CID/);

      // The kept training folder: the LLaMA-Factory config names the export, whose rows are the
      // version's texts split into question and answer, in acceptance order.
      const config = parseTrainConfig(await readFile(summary.trainConfig, "utf8"));
      const datasetDir = config.dataset_dir as string;
      expect(path.dirname(datasetDir)).to.equal(path.dirname(summary.trainConfig));
      const { manifest, rows, datasetInfo } = await readDatasetExport(datasetDir);
      expect(Object.keys(datasetInfo)).to.deep.equal([config.dataset]);
      expect([config.stage, config.finetuning_type, config.lora_rank, config.quantization_bit, config.template]).to.deep.equal(["sft", "lora", 16, 4, "llama3"]);
      expect(rows).to.have.length(summary.dataset.rows);
      expect(manifest.root).to.equal(summary.dataset.root);
      for (const row of rows as AlpacaRow[]) {
        expect(row.instruction).to.match(/^(How|What|Why) [^?]+\?$/);
        expect(row.output.length).to.be.greaterThan(100);
      }
    } finally {
      await rm(summary.storage.dir, { recursive: true, force: true });
      await rm(path.dirname(summary.trainConfig), { recursive: true, force: true });
      await connection.close();
    }
  });

  it("prints the same facts as a machine-readable summary, and only JSON on stdout, with the README's command", async function () {
    const root = path.resolve(import.meta.dirname, "..");
    const command = "npm run --silent demo -- --json";
    expect(await readFile(path.join(root, "README.md"), "utf8")).to.include(`\`${command}\``);
    // As written, through npm (which prints a banner on stdout unless --silent) and the build step.
    const { stdout } = await promisify(execFile)("bash", ["-c", command], { cwd: root });
    // Amounts and ids are printed as decimal strings; read them back as bigints.
    const summary = JSON.parse(stdout, (_, v: unknown) => (typeof v === "string" && /^\d+$/.test(v) ? BigInt(v) : v)) as DemoSummary & {
      seconds: number;
    };
    checkStory(summary);
    expect(summary.seconds).to.be.a("number");
    // Without --keep-store the temporary store is gone once the demo ends.
    expect(summary.storage.kept).to.equal(false);
    await expectRejected(access(summary.storage.dir), Error, /ENOENT/);
    await expectRejected(access(summary.trainConfig), Error, /ENOENT/);
  });

  it("says where the content went and keeps the store with --keep-store", async function () {
    const script = path.resolve(import.meta.dirname, "..", "scripts", "demo.ts");
    const { stdout } = await promisify(execFile)(process.execPath, [script, "--keep-store"], { cwd: path.dirname(path.dirname(script)) });
    const line = /content store (\S+): 13 of 13 contributions by CID; all \d+ reads \(validators, attributor, auditor\) verified against their CIDs\n/.exec(stdout);
    expect(line, stdout).to.not.equal(null);
    const dir = line![1]!;
    let config: string | undefined;
    try {
      const kept = /The content store is kept in (\S+), the training config in (\S+)\.\n/.exec(stdout);
      expect(kept?.[1], stdout).to.equal(dir);
      config = kept![2]!;
      expect(await readdir(path.join(dir, "blocks"))).to.have.length(12);
      expect((await readFile(config, "utf8")).startsWith("# llamafactory-cli train train.yaml\n")).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
      if (config !== undefined) await rm(path.dirname(config), { recursive: true, force: true });
    }
  });
});
