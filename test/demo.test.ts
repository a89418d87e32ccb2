import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { network } from "hardhat";

import { runDemoStory } from "../scripts/lib/demo-story.ts";

describe("demo story", function () {
  it("tells the story it promises: refusals, validators' outcomes and ranking, a verified version, a clean audit", async function () {
    const connection = await network.create();
    const summary = await runDemoStory(connection, () => {});
    const who = (name: string) => summary.contributors.find((c) => c.name === name)!;

    expect(who("Sam").refusals).to.include("ContributorCountQuotaExceeded");
    expect(who("Sam").accepted).to.equal(0);
    expect(who("Sam").submitted).to.equal(4);
    expect(who("Ada").accepted).to.equal(who("Ada").submitted);
    expect(who("Dev").refusals).to.deep.equal(["DuplicateContent", "ContributionTooLarge"]);
    expect(who("Eve").refusals).to.deep.equal(["CommitmentNotFound", "DuplicateContent"]);
    expect(who("Eve").submitted).to.equal(0);
    expect(who("Cleo").withdrawn).to.equal(1);

    expect(who("Sam").rejected).to.equal(4);
    const rank = (name: string) =>
      summary.leaderboard.findIndex((row) => row.contributor.toLowerCase() === who(name).address.toLowerCase());
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
    expect(summary.rewards.paid.map((p) => p.name)).to.not.include("Sam");
    expect(summary.rewards.paid.map((p) => p.name)).to.include.members(["Ada", "Vera"]);

    const accepted = summary.contributors.reduce((sum, c) => sum + c.accepted, 0);
    expect(summary.version.contributionCount).to.equal(BigInt(accepted));
    expect(summary.version.verified).to.equal(true);
    expect(summary.audit.discrepancies).to.deep.equal([]);
    expect(summary.audit.contributions).to.equal(summary.contributors.reduce((sum, c) => sum + c.submitted, 0));
    await connection.close();
  });

  it("prints a machine-readable summary with --json", async function () {
    const script = path.resolve(import.meta.dirname, "..", "scripts", "demo.ts");
    const { stdout } = await promisify(execFile)(process.execPath, [script, "--json"], { cwd: path.dirname(path.dirname(script)) });
    const summary = JSON.parse(stdout) as { audit: { discrepancies: unknown[] }; version: { verified: boolean }; seconds: number };
    expect(summary.audit.discrepancies).to.deep.equal([]);
    expect(summary.version.verified).to.equal(true);
    expect(summary.seconds).to.be.a("number");
  });
});
