/**
 * The web app end to end (`npm run test:e2e`): one local stack for the whole file, started by the
 * README's command (`bash scripts/run.sh npm run app`: a node with the demo story as seed data, the
 * storage service, the indexer, the built app), and headless Chromium driving each page's main flow
 * with burner wallets, plus an injected (EIP-1193) wallet for the wrong network and a rejected
 * signature. axe-core checks every page; the main pages' screenshots go to docs/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createPublicClient, getAbiItem, http, toFunctionSelector, type AbiFunction } from "viem";
import { privateKeyToAddress } from "viem/accounts";

import {
  ContributionStatus,
  createClient,
  datanetRegistryAbi,
  gatewayFetcher,
  openTokenAbi,
  parseAttributionResultFile,
  parseDeployment,
  type Deployment,
  type RegistryState,
} from "../sdk/index.ts";
import { launchChromium, seriousAxeViolations } from "./helpers/app-browser.ts";
import { advanceTime, NODE_KEYS, ROOT } from "./helpers/local-node.ts";

/** The app as the README's command starts it: its URL, what it serves as its configuration, the process. */
interface RunningApp {
  url: string;
  rpcUrl: string;
  deployment: Deployment;
  /** The registry after the demo story (the seed data), read through the app's RPC proxy. */
  seed: RegistryState;
  /** The seed's attribution epoch whose result file the app prints the CID of (one leaf left unclaimed). */
  published: { modelId: string; epoch: string; cid: string };
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Runs the README's `npm run app` line as written and waits for the URL it prints. */
async function startReadmeApp(): Promise<RunningApp> {
  const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
  const command = readme.split("\n").find((line) => line.trim() === "bash scripts/run.sh npm run app");
  if (command === undefined) throw new Error("README.md shows no `bash scripts/run.sh npm run app` line");
  const child = spawn("bash", ["-c", command], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Ctrl-C, to the whole group (bash, npm, node): the app stops its services and exits.
    process.kill(-child.pid!, "SIGINT");
    await exited;
  };
  const deadline = Date.now() + 420_000;
  let url: string | undefined;
  while (url === undefined) {
    url = /^The app: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output)?.[1];
    if (child.exitCode !== null) throw new Error(`npm run app exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm run app printed no URL:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const [, modelId, epoch, cid] = /^Model (\d+)'s attribution epoch (\d+): the result file is published as (\S+) /m.exec(output) ?? [];
  if (cid === undefined) throw new Error(`npm run app printed no attribution result CID:\n${output}`);
  const config = (await (await fetch(new URL("openledger.json", url))).json()) as { deployment: unknown; rpcUrl: string };
  const deployment = parseDeployment(config.deployment);
  const rpcUrl = new URL(config.rpcUrl, url).href;
  const seed = await createClient({ publicClient: createPublicClient({ transport: http(rpcUrl) }), deployment }).history.rebuild();
  return { url, rpcUrl, deployment, seed, published: { modelId: modelId!, epoch: epoch!, cid }, process: child, stop };
}

const TIMEOUT = 60_000;
/** The reveal's function selector, to hold the reveal back in the network (a reveal interrupted before it reaches the node). */
const SUBMIT_BATCH = toFunctionSelector(getAbiItem({ abi: datanetRegistryAbi, name: "submitBatch" }) as AbiFunction).slice(2);

describe("the web app, end to end (Chromium against the local stack)", function () {
  this.timeout(600_000);
  let stack: RunningApp;
  let browser: Browser;
  let contributor: Page;
  let validator: Page;
  /** The demo story's datanet. */
  const datanet = () => "1";

  /** Opens a page of the app and waits for its heading. */
  async function open(page: Page, route: string, heading: RegExp) {
    await page.goto(`${stack.url}#/${route}`);
    await page.getByRole("heading", { level: 1, name: heading }).waitFor({ timeout: TIMEOUT });
  }
  async function expectAccessible(page: Page) {
    expect(await seriousAxeViolations(page), `axe on ${page.url()}`).to.deep.equal([]);
  }
  const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(ROOT, "docs", `app-${name}.png`), fullPage: true });
  /** A burner wallet in its own browser context (its own localStorage), funded from the node's seed account. */
  async function burnerPage(): Promise<Page> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await open(page, `datanets`, /Datanets/);
    await page.getByRole("button", { name: "Use a burner wallet" }).click();
    await page.getByRole("button", { name: "Fund from the local node" }).click();
    await page.getByText("The burner wallet is funded.").waitFor({ timeout: TIMEOUT });
    await page.getByTestId("balances").getByText(/5,000 OPEN/).waitFor({ timeout: TIMEOUT });
    return page;
  }

  before(async function () {
    stack = await startReadmeApp();
    browser = await launchChromium();
    contributor = await burnerPage();
    validator = await burnerPage();
  });

  after(async function () {
    await browser?.close();
    await stack?.stop();
  });

  it("Datanets: the list, then a datanet's policy, each epoch's fixed terms, its versions (roots recomputed) and contributions by status", async function () {
    await open(contributor, "datanets", /Datanets/);
    await contributor.getByRole("link", { name: /#1 ipfs:\/\/science-explained/ }).click();
    await contributor.getByRole("heading", { level: 1, name: `Datanet #${datanet()}` }).waitFor();
    await contributor.getByRole("table", { name: "Policy (for new epochs)" }).waitFor({ timeout: TIMEOUT });
    expect(await contributor.getByRole("table", { name: /Epoch \d+'s fixed terms/ }).count()).to.equal(2);
    const versions = contributor.getByRole("table", { name: /Published versions/ });
    expect(await versions.getByText("matches").count()).to.equal(stack.seed.datanets.get(1n)!.versionCount).and.to.be.greaterThan(0);
    await contributor.getByLabel("Status").selectOption({ label: "Accepted" });
    const accepted = [...stack.seed.contributions.values()].filter((c) => c.datanetId === 1n && c.status === ContributionStatus.Accepted).length;
    expect(accepted).to.be.greaterThan(0);
    await contributor.getByRole("table", { name: `${accepted} accepted contribution(s)` }).waitFor();
    await expectAccessible(contributor);
    await screenshot(contributor, "datanet");
  });

  it("Validate: a burner stakes (permit and stake) before anything is revealed", async function () {
    await open(validator, `validate/${datanet()}`, /Validate/);
    await validator.getByLabel("Amount (OPEN)").fill("1000");
    await validator.getByRole("button", { name: "Stake", exact: true }).click();
    await validator.getByText(/Staked: 1,000 OPEN bonded/).waitFor({ timeout: TIMEOUT });
    await validator.getByTestId("stake").getByText(/^1,000 OPEN bonded/).waitFor();
    await expectAccessible(validator);
  });

  it("Contribute: an oversize file is refused in the page and nothing is sent", async function () {
    await open(contributor, `contribute/${datanet()}`, /Contribute/);
    const before = await contributor.evaluate(() => JSON.stringify(localStorage));
    await contributor.getByLabel("Drop files here, or choose them").setInputFiles({ name: "big.txt", mimeType: "text/plain", buffer: Buffer.alloc(2_000, "a") });
    await contributor.getByRole("alert").getByText("big.txt is 2000 bytes, over this datanet's limit of 1024 bytes per item.").waitFor();
    expect(await contributor.getByRole("button", { name: "Upload, commit and reveal" }).count()).to.equal(0);
    expect(await contributor.evaluate(() => JSON.stringify(localStorage))).to.equal(before);
  });

  it("Contribute: upload, commit with the bond shown first, a reveal lost in the network, and a reload that resumes it", async function () {
    await open(contributor, `contribute/${datanet()}`, /Contribute/);
    const text = "Why is the sky blue? Sunlight scatters off the molecules of the air, and blue light, with its shorter wavelength, scatters far more than red. So the sky glows blue in every direction, while the sun itself looks slightly yellow.";
    await contributor.getByLabel("Drop files here, or choose them").setInputFiles({ name: "sky.txt", mimeType: "text/plain", buffer: Buffer.from(text) });
    expect(await contributor.getByTestId("bond").textContent()).to.equal("10 OPEN");
    // The reveal never reaches the node: the page says so, and the commitment's salt stays in localStorage.
    const context = contributor.context();
    await context.route("**/rpc", (route) => {
      const body = route.request().postData() ?? "";
      return body.includes("eth_sendRawTransaction") && body.toLowerCase().includes(SUBMIT_BATCH) ? route.abort() : route.continue();
    });
    await contributor.getByRole("button", { name: "Upload, commit and reveal" }).click();
    await contributor.getByText(/Stored sky\.txt as /).waitFor({ timeout: TIMEOUT });
    await contributor.getByText(/the salt is saved in this browser/).waitFor({ timeout: TIMEOUT });
    await contributor.locator("p.error[role=alert]").waitFor({ timeout: TIMEOUT });
    await screenshot(contributor, "contribute");
    await context.unroute("**/rpc");

    await contributor.reload();
    await contributor.getByRole("heading", { name: "Committed, not yet revealed" }).waitFor({ timeout: TIMEOUT });
    await contributor.getByRole("button", { name: "Reveal now" }).click();
    await contributor.getByText(/^Revealed: contribution #\d+\.$/).waitFor({ timeout: TIMEOUT });
    await contributor.getByRole("heading", { name: "Committed, not yet revealed" }).waitFor({ state: "detached" });
    await expectAccessible(contributor);
  });

  it("My contributions: the new contribution pending, with no verdict yet", async function () {
    await open(contributor, `mine/${datanet()}`, /My contributions/);
    const row = contributor.getByRole("row").filter({ hasText: "Pending" });
    await row.first().waitFor({ timeout: TIMEOUT });
    expect(await row.first().textContent()).to.include("none yet");
    await expectAccessible(contributor);
  });

  it("Validate: once verdicts open, the queue has it; the content is fetched by CID and verified, the SDK's checks shown, and an accepting verdict submitted", async function () {
    await advanceTime(stack.rpcUrl, 30 * 60 + 1);
    await open(validator, `validate/${datanet()}`, /Validate/);
    await validator.getByRole("button", { name: /^Fetch and check #\d+$/ }).first().click({ timeout: TIMEOUT });
    await validator.getByText("Fetched by CID; every block and the content hash verified.").waitFor({ timeout: TIMEOUT });
    const checks = validator.getByRole("table", { name: "The SDK's checks" });
    expect(await checks.getByText(/^passes/).count()).to.equal(5);
    await validator.getByLabel("Quality (0–100)").fill("90");
    await validator.getByRole("button", { name: "Submit verdict" }).click();
    await validator.getByText(/^Verdict recorded/).waitFor({ timeout: TIMEOUT });
    await screenshot(validator, "validate");
    await expectAccessible(validator);

    await open(contributor, `mine/${datanet()}`, /My contributions/);
    await contributor.getByRole("row").filter({ hasText: "accept (90)" }).waitFor({ timeout: TIMEOUT });
    await screenshot(contributor, "my-contributions");
  });

  it("Leaderboard: ranks with accepted / submitted, mean quality and score, and the confidence bound explained for a row", async function () {
    await open(contributor, `leaderboard/${datanet()}`, /Leaderboard/);
    const table = contributor.getByRole("table", { name: /Leaderboard, \d+ contributors/ });
    await table.waitFor({ timeout: TIMEOUT });
    expect(await contributor.getByText(/as the indexer read it up to block \d+/).count()).to.equal(1);
    await contributor.getByRole("button", { name: /ranked 1\?$/ }).click();
    await contributor.getByRole("heading", { name: "Why rank 1?" }).waitFor();
    expect(await contributor.getByText(/Wilson bound/).count()).to.equal(1);
    await expectAccessible(contributor);
    await screenshot(contributor, "leaderboard");
  });

  it("Rewards: an ended epoch cannot be funded; the current one is funded with its terms shown first", async function () {
    await open(validator, `rewards/${datanet()}`, /Rewards/);
    const epoch = validator.getByLabel("Epoch", { exact: true });
    // The field holds the current epoch only once the chain has answered: until then it is empty, and reading it would give 0.
    await validator.getByRole("table", { name: /^Epoch \d+'s terms$/ }).waitFor({ timeout: TIMEOUT });
    const current = Number(await epoch.inputValue());
    await epoch.fill(String(current - 1));
    await validator.getByText(/ended epochs cannot be funded/).waitFor();
    await epoch.fill(String(current));
    await validator.getByRole("table", { name: `Epoch ${current}'s terms` }).waitFor({ timeout: TIMEOUT });
    await validator.getByLabel("Amount (OPEN)").fill("250");
    await validator.getByRole("button", { name: `Fund epoch ${current} under these terms` }).click();
    await validator.getByText(/^Funded 250 OPEN; epoch \d+'s pool holds/).waitFor({ timeout: TIMEOUT });
    await expectAccessible(validator);
    await screenshot(validator, "rewards");
  });

  it("ModelFactory: LLaMA-Factory's fields with defaults and ranges, the LoRA/QLoRA memory chart, the config download and the lineage", async function () {
    await open(contributor, `models/${datanet()}`, /ModelFactory/);
    expect(await contributor.getByLabel("LoRA rank").inputValue()).to.equal("8");
    await contributor.getByLabel("LoRA rank").fill("16");
    await contributor.getByText(/trainable parameters .* with rank 16/).waitFor();
    await contributor.getByLabel("LoRA rank").fill("5000");
    await contributor.getByText("LoRA rank must be from 1 to 1024.").waitFor();
    await contributor.getByLabel("LoRA rank").fill("16");
    const [download] = await Promise.all([contributor.waitForEvent("download"), contributor.getByRole("button", { name: "Download the training config" }).click()]);
    const yaml = await readFile((await download.path())!, "utf8");
    expect(yaml).to.match(/^lora_rank: 16$/m);
    expect(yaml).to.match(/^finetuning_type: "lora"$/m);
    await contributor.getByRole("list", { name: "Lineage in words" }).getByText(/datanet #1/).first().waitFor({ timeout: TIMEOUT });
    // The seeded model's graph: the model, each datanet version it was trained on, each contribution in those, an edge for each link.
    const reader = createClient({ publicClient: createPublicClient({ transport: http(stack.rpcUrl) }), deployment: stack.deployment });
    const trainedOn = (await reader.models.lineage({ modelId: 1n })).versions.flatMap((v) => v.trainingData);
    const contributions = trainedOn.reduce((n, d) => n + Number(d.contributionCount), 0);
    expect([trainedOn.length, contributions]).to.deep.equal([1, Number(stack.seed.versions.get(`1/${trainedOn[0]!.version}`)!.contributionCount)]);
    const graph = contributor.getByRole("img", { name: /^Lineage of model #1 / });
    await graph.waitFor({ timeout: TIMEOUT });
    expect(await graph.locator("g.node").count()).to.equal(1 + trainedOn.length + contributions);
    expect(await graph.locator("path.edge").count()).to.equal(trainedOn.length + contributions);
    expect(await graph.getByText(/^contribution #\d+$/).count()).to.equal(contributions);
    await expectAccessible(contributor);
    await screenshot(contributor, "modelfactory");
  });

  it("ModelFactory: a dropped PEFT folder whose config differs from the chosen settings reads as a sentence and sends nothing; the matching settings register the model", async function () {
    await open(contributor, `models/${datanet()}`, /ModelFactory/);
    const folder = path.join(ROOT, "examples", "qlora-adapter");
    await contributor.getByLabel("Model name").fill("web-tutor");
    await contributor.getByLabel("Adapter URI").fill("ipfs://web-tutor/adapter");
    // Rank 8 (alpha follows as 16), where the example adapter has r = 16.
    await contributor.getByLabel("LoRA rank").fill("8");
    await contributor.getByLabel("PEFT adapter folder").setInputFiles(folder);
    await contributor.getByText(/^r \/ lora_rank does not match: the adapter has 16, the config 8/).waitFor({ timeout: TIMEOUT });
    expect(await contributor.getByText(/Registering/).count()).to.equal(0);
    // The example's training settings (scripts/lib/demo-story.ts): r 16, alpha 32, dropout 0.05, attention projections, 4-bit base.
    await contributor.getByLabel("LoRA rank").fill("16");
    await contributor.getByLabel("LoRA alpha").fill("32");
    await contributor.getByLabel("LoRA dropout").fill("0.05");
    for (const m of ["gate_proj", "up_proj", "down_proj"]) await contributor.getByRole("checkbox", { name: m }).uncheck();
    await contributor.getByLabel("Quantization (QLoRA)").selectOption("4");
    await contributor.getByLabel("PEFT adapter folder").setInputFiles(folder);
    await contributor.getByText(/^Registered as model #\d+ version 1\.$/).waitFor({ timeout: TIMEOUT });
    await contributor.getByRole("list", { name: "Lineage in words" }).getByText(/web-tutor/).waitFor({ timeout: TIMEOUT });
    await contributor.getByRole("img", { name: /^Lineage of model #\d+ web-tutor: trained on 1 datanet version/ }).waitFor({ timeout: TIMEOUT });
  });

  it("Attribution: per model and epoch, a tampered result file is refused; the published one is verified against the chain, its payouts listed, and an unclaimed leaf claimed for its account", async function () {
    const { modelId, epoch, cid } = stack.published;
    const text = new TextDecoder().decode(await gatewayFetcher(new URL("storage", stack.url).href).get(cid));
    const published = parseAttributionResultFile(text);
    const chain = createPublicClient({ transport: http(stack.rpcUrl) });
    const balanceOf = (account: `0x${string}`) => chain.readContract({ address: stack.deployment.contracts.openToken, abi: openTokenAbi, functionName: "balanceOf", args: [account] });

    await open(contributor, "attribution", /Attribution/);
    await contributor.getByLabel("Model", { exact: true }).selectOption(modelId);
    await contributor.getByLabel("Attribution epoch").selectOption(epoch);
    await contributor.getByTestId("fee-pool").getByText(`Attribution epoch ${epoch}:`, { exact: false }).waitFor({ timeout: TIMEOUT });
    const payouts = contributor.getByRole("table", { name: new RegExp(`payout\\(s\\) of model #${modelId}, epoch ${epoch}`) });

    // One amount changed: refused with a sentence, nothing shown, nothing sent.
    const tampered = JSON.parse(text) as { proofs: { claims: { amount: string }[] } };
    tampered.proofs.claims[0]!.amount = String(BigInt(tampered.proofs.claims[0]!.amount) + 1n);
    const blockBefore = await chain.getBlockNumber();
    await contributor.getByLabel("or a result file").setInputFiles({ name: "tampered.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(tampered)) });
    await contributor.getByRole("alert").getByText(/^Invalid result: the payout of leaf 0 \(.*\) does not lead to the proposed root: the file was altered$/).waitFor({ timeout: TIMEOUT });
    expect(await payouts.count()).to.equal(0);
    // Not JSON at all: a sentence too.
    await contributor.getByLabel("or a result file").setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
    await contributor.getByRole("alert").getByText("Invalid result: notes.json is not JSON").waitFor({ timeout: TIMEOUT });
    expect(await payouts.count()).to.equal(0);
    expect(await chain.getBlockNumber()).to.equal(blockBefore);

    await contributor.getByLabel("Result CID").fill(cid);
    await contributor.getByRole("button", { name: "Fetch and verify" }).click();
    await contributor.getByText(/verified against the root proposed on chain/).waitFor({ timeout: TIMEOUT });
    await payouts.waitFor({ timeout: TIMEOUT });
    expect(await payouts.locator("tbody tr").count()).to.equal(published.claims.length);
    const unclaimed = payouts.locator("tbody tr").filter({ hasText: /unclaimed$/ });
    await unclaimed.first().waitFor({ timeout: TIMEOUT });
    expect(await unclaimed.count()).to.equal(1);
    expect(await payouts.locator("tbody tr").filter({ hasText: /claimed$/ }).count()).to.equal(published.claims.length);
    const leaf = published.claims.at(-1)!;
    const before = await balanceOf(leaf.account);
    await contributor.getByRole("checkbox", { name: `Claim leaf ${leaf.index}` }).check();
    await contributor.getByRole("button", { name: "Claim 1 chosen payout(s)" }).click();
    await contributor.getByText(/^Claimed 1 payout\(s\):/).waitFor({ timeout: TIMEOUT });
    await payouts.locator("tbody tr").filter({ hasText: /unclaimed$/ }).first().waitFor({ state: "detached", timeout: TIMEOUT });
    expect(await balanceOf(leaf.account)).to.equal(before + leaf.amount);
    await expectAccessible(contributor);
    await screenshot(contributor, "attribution-payouts");
  });

  it("Attribution: an output's spans marked and linked to the training contributions they come from, with the fee pool", async function () {
    await open(contributor, "attribution", /Attribution/);
    await contributor.getByTestId("fee-pool").waitFor({ timeout: TIMEOUT });
    // The opening of a text version 1 holds (the demo's careful contributor's first), as a model might echo it.
    const examples = path.join(ROOT, "examples", "science-explained");
    const first = (await readdir(examples)).filter((f) => f.endsWith(".txt")).sort()[0]!;
    const echoed = (await readFile(path.join(examples, first), "utf8")).slice(0, 160);
    await contributor.getByLabel("A model output to explain").fill(`As the textbook says: ${echoed}`);
    await contributor.getByRole("button", { name: "Explain" }).click();
    await contributor.getByText(/^\d+ span\(s\) matched\.$/).waitFor({ timeout: 120_000 });
    expect(await contributor.locator("mark").count()).to.be.greaterThan(0);
    expect(await contributor.getByRole("link", { name: /^contribution #\d+/ }).count()).to.be.greaterThan(0);
    await expectAccessible(contributor);
    await screenshot(contributor, "attribution");
  });

  it("Audit: the SDK's auditor, run from the page against the node, finds no discrepancy", async function () {
    await open(contributor, "audit", /Audit/);
    await contributor.getByRole("button", { name: "Run the audit" }).click();
    await contributor.getByText(/^No discrepancy: \d+ contribution\(s\) and \d+ model\(s\) verified/).waitFor({ timeout: 120_000 });
    await expectAccessible(contributor);
  });

  describe("with an injected (EIP-1193) wallet", function () {
    let context: BrowserContext;
    let page: Page;
    /**
     * A wallet in the page that answers `chainId`, refuses every signature (code 4001) and relays reads
     * to the node. Its account is the node's first (it holds OPEN for a bond, so only the wallet stands in the way).
     */
    async function injectedWallet(chainId: number) {
      context = await browser.newContext();
      // A string, not a function: the test runner's transpiler adds helpers a serialized function would miss.
      await context.addInitScript(`
        const account = "${privateKeyToAddress(NODE_KEYS[0])}";
        const refuse = () => Promise.reject(Object.assign(new Error("User rejected the request."), { code: 4001 }));
        window.ethereum = {
          on() {},
          removeListener() {},
          async request({ method, params }) {
            if (method === "eth_chainId") return "0x${chainId.toString(16)}";
            if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
            if (method === "wallet_requestPermissions" || method === "wallet_getPermissions") return [{ parentCapability: "eth_accounts" }];
            if (/^(personal_sign|eth_sign|eth_signTypedData.*|eth_sendTransaction)$/.test(method)) return refuse();
            const response = await fetch(new URL("rpc", location.href), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }) });
            const body = await response.json();
            if (body.error !== undefined) throw new Error(body.error.message);
            return body.result;
          },
        };
      `);
      page = await context.newPage();
      await open(page, `contribute/${datanet()}`, /Contribute/);
      await page.getByRole("button", { name: /^Connect / }).click();
    }
    afterEach(async function () {
      await context?.close();
    });

    it("on another network, the page says which chain to switch to and offers nothing to sign", async function () {
      await injectedWallet(1);
      await page.getByRole("alert").getByText(`Your wallet is on chain 1, but this deployment is on chain ${stack.deployment.chainId}: switch the wallet to chain ${stack.deployment.chainId}.`).first().waitFor({ timeout: TIMEOUT });
      await page.getByLabel("Drop files here, or choose them").setInputFiles({ name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("A short note about tides and the moon's pull on the oceans.") });
      expect(await page.getByRole("button", { name: "Upload, commit and reveal" }).isDisabled()).to.equal(true);
      await expectAccessible(page);
    });

    it("a rejected signature reads as a sentence and nothing is committed", async function () {
      await injectedWallet(stack.deployment.chainId);
      await page.getByLabel("Drop files here, or choose them").setInputFiles({ name: "a.txt", mimeType: "text/plain", buffer: Buffer.from("A short note about tides and the moon's pull on the oceans.") });
      await page.getByRole("button", { name: "Upload, commit and reveal" }).click();
      await page.getByRole("alert").getByText("The request was rejected in the wallet.").waitFor({ timeout: TIMEOUT });
      expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("openledger.reveals")))).to.deep.equal([]);
    });
  });
});
