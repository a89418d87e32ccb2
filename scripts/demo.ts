/**
 * The end-to-end demo on the embedded in-process network: `npm run demo` (add `-- --json` for a
 * machine-readable summary instead of tables, `-- --keep-store` to keep the temporary content store,
 * dataset export and training config).
 */
import { network } from "hardhat";

import { runDemoStory, type DemoSummary } from "./lib/demo-story.ts";

const json = process.argv.includes("--json");
const keepStore = process.argv.includes("--keep-store");
const started = performance.now();
const connection = await network.create();
const summary = await runDemoStory(connection, json ? () => {} : (line) => console.log(line), { keepStore });
const seconds = ((performance.now() - started) / 1000).toFixed(1);

if (json) {
  console.log(JSON.stringify({ ...summary, seconds: Number(seconds) }, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2));
} else {
  printTables(summary);
  console.log(`\nDone in ${seconds}s. ${keepStore ? `The content store is kept in ${summary.storage.dir}, the training config in ${summary.trainConfig}.` : "The content store, dataset export and training config were removed (--keep-store keeps them)."}`);
}
await connection.close();
const consistent =
  summary.audit.discrepancies.length === 0 &&
  summary.version.verified &&
  summary.storage.verified &&
  summary.dataset.verified &&
  summary.leaderboard.every((row) => row.verified);
if (!consistent) process.exitCode = 1;

function printTables(s: DemoSummary) {
  console.log("\n== Contributors");
  console.table(
    s.contributors.map((c) => ({
      contributor: c.name,
      behaviour: c.role,
      submitted: c.submitted,
      accepted: c.accepted,
      rejected: c.rejected,
      withdrawn: c.withdrawn,
      displaced: c.displaced,
      bytes: Number(c.bytes),
      refused: c.refusals.join(", "),
    })),
  );
  console.log("== Leaderboard (rebuilt from events; every score checked against the chain)");
  console.table(
    s.leaderboard.map((row) => {
      const name = s.contributors.find((c) => c.address.toLowerCase() === row.contributor.toLowerCase())?.name ?? row.contributor;
      return {
        contributor: name,
        "accepted / submitted": `${row.accepted} / ${row.submitted}`,
        "mean quality": row.meanQuality.toFixed(1),
        score: (Number(row.score) / 1e18).toFixed(4),
        "matches chain": row.verified,
      };
    }),
  );
  console.log("== Validators (agreement with final outcomes)");
  console.table(
    s.validators.map((v) => ({
      validator: v.name,
      "stake (OPEN)": Number(v.stake),
      agreed: v.agreed,
      disagreed: v.disagreed,
      judges: v.judges,
    })),
  );
  const open = (wei: bigint) => Number(wei) / 1e18;
  const weight = (w: bigint) => open(w * 10n ** 15n);
  console.log("== The attacks the validation redesign stops");
  console.table([
    {
      scene: "Sybil farmer (Sam and its two validators)",
      outcome: `bonded ${open(s.farmer.bondsForfeited)} OPEN of junk, recovered ${open(s.farmer.recovered)}: ${open(s.farmer.after - s.farmer.before)} OPEN`,
    },
    {
      scene: `first movers on #${s.firstMovers.contributionId}`,
      outcome:
        `${weight(s.firstMovers.rejectWeight)} OPEN rejecting (two 1,000-OPEN verdicts first), ${weight(s.firstMovers.acceptWeight)} accepting, ` +
        `of ${weight(s.firstMovers.eligibleWeight)} eligible: ${s.firstMovers.accepted ? "accepted" : "rejected"}`,
    },
    { scene: `dodger withdrawing #${s.dodger.contributionId} after a verdict`, outcome: `refused: ${s.dodger.refusal}` },
    {
      scene: `funded epoch ${s.terms.epoch}`,
      outcome: `keeps ${s.terms.contributorRewardBps / 100}% and quorum ${s.terms.quorum}; the curator's ${s.terms.scheduledContributorRewardBps / 100}% applies from epoch ${s.terms.scheduledFrom}`,
    },
  ]);
  console.log(`== Rewards of epoch ${s.rewards.epoch} (${Number(s.rewards.funded / 10n ** 18n)} OPEN funded)`);
  console.table(s.rewards.paid.map((p) => ({ claimant: p.name, "OPEN paid": Number(p.amount) / 1e18 })));
  console.log(`   dust left for the treasury: ${s.rewards.dust} wei`);
  console.log(`== Model ${s.model.modelId} "${s.model.name}": ${s.model.method}, r=${s.model.rank}, ${s.model.quantizationBit}-bit base, ${s.model.loraTarget.join("/")}`);
  console.table(s.model.trainedOn.map((d) => ({ "trained on": `datanet ${d.datanetId} version ${d.version}`, root: d.versionRoot })));
  console.table(s.model.estimate.map((e) => ({ method: e.method, "trainable parameters": e.trainableParameters.toLocaleString("en"), "memory (GB, no activations)": e.memoryGB })));
  console.log(`== Attribution epoch ${s.attribution.epoch}: ${open(s.attribution.fees)} OPEN of inference fees`);
  console.table(
    s.attribution.payouts.map((p) => ({ recipient: p.name, "attribution weight %": p.weightPercent || "validator", "OPEN paid": open(p.amount) })),
  );
  console.log(
    `   developer ${open(s.attribution.developerWithdrawn)} OPEN, treasury ${open(s.attribution.toTreasury)} OPEN; ` +
      `paid out ${open(s.attribution.claimed + s.attribution.developerWithdrawn + s.attribution.toTreasury)} of ${open(s.attribution.fees)} OPEN`,
  );
  console.log("== Refused by the protocol (before or at submission, and the dodger's withdrawal)");
  console.table(s.refusals.map((r) => ({ who: r.who, error: r.error, message: r.message })));
  console.log("== Version and audit");
  console.table([
    { check: `version ${s.version.version} root recomputed from events`, result: s.version.verified ? "matches" : "MISMATCH" },
    {
      check: `${s.audit.events} events rebuilt into ${s.audit.contributions} contributions, ${s.audit.models} model, ${s.audit.attributionEpochs} attribution epoch`,
      result: `${s.audit.discrepancies.length} discrepancies`,
    },
    {
      check: `${s.storage.contributions} contributions read back from the content store by CID`,
      result: s.storage.verified ? "verified" : "MISMATCH",
    },
    {
      check: `model lineage traced to ${s.dataset.rows} exported alpaca rows (root ${s.dataset.root.slice(0, 10)}…)`,
      result: s.dataset.verified ? "verified" : "MISMATCH",
    },
  ]);
}
