import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { chromium } from "playwright-core";
import { privateKeyToAddress } from "viem/accounts";
import { build, preview } from "vite";

import { DataKind } from "../sdk/index.ts";
import { measureSdkBundles, SDK_BUDGETS } from "../scripts/bench/bundles.ts";
import { nodeBuiltinsReachedFrom } from "./helpers/browser-imports.ts";
import { deployToNode, NODE_KEYS, ROOT, startLocalNode, type LocalNode } from "./helpers/local-node.ts";

const run = promisify(execFile);
const NPM = { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: "false" }, maxBuffer: 64 << 20 };
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

describe("the SDK core is browser-safe", function () {
  this.timeout(60_000);

  it("nothing reachable from ., ./actions or ./abis imports a Node built-in (./node does)", async function () {
    const core = ["@openledger-evm/sdk", "@openledger-evm/sdk/actions", "@openledger-evm/sdk/abis"];
    expect(await nodeBuiltinsReachedFrom(core)).to.deep.equal([]);
    // The check finds what it looks for: the Node-only entry reaches node:fs.
    expect(await nodeBuiltinsReachedFrom(["@openledger-evm/sdk/node"])).to.include("node:fs from sdk/node/index-file.ts");
  });
});

describe("the packages, packed and installed (npm pack; npm install of the tarballs)", function () {
  // Two tsc builds, an npm install from the cache, a local node and a deployment, a Vite build and Chromium.
  this.timeout(420_000);
  let dir: string;
  let node: LocalNode | undefined;
  /** Where the README's command writes the tarballs. */
  let packs: string;

  before(async function () {
    // The README's command, as written: builds both packages and packs them.
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    const command = readme.split("\n").find((line) => line.includes("npm run build:packages && npm pack "));
    if (command === undefined) throw new Error("README.md shows no command that builds and packs the packages");
    packs = /--pack-destination (\S+)/.exec(command)![1]!;
    await rm(packs, { recursive: true, force: true });
    await run("bash", ["-c", command], NPM);
    dir = await mkdtemp(path.join(tmpdir(), "openledger-packages-"));
  });

  after(async function () {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("publint finds nothing in either package; attw resolves every SDK entry in every mode an ESM-only package supports", async function () {
    for (const workspace of ["sdk", "cli"]) await run("npx", ["--no-install", "publint", "--strict"], { ...NPM, cwd: path.join(ROOT, workspace) });
    // esm-only: node10, node16 from ESM and bundler must be green; node16 from CommonJS may only import() it.
    const { stdout } = await run("npx", ["--no-install", "attw", "--pack", ".", "--profile", "esm-only", "--format", "json"], { ...NPM, cwd: path.join(ROOT, "sdk") });
    const { analysis, problems } = JSON.parse(stdout) as { analysis: { entrypoints: Record<string, unknown> }; problems: Record<string, { kind: string; resolutionKind?: string }[]> };
    expect(Object.keys(analysis.entrypoints)).to.include.members([".", "./actions", "./abis", "./node"]);
    expect(Object.values(problems).flat().filter((p) => !(p.kind === "CJSResolvesToESM" && p.resolutionKind === "node16-cjs"))).to.deep.equal([]);
  });

  it("bench:sdk builds its pages from the SDK's dist/ and measures what the SDK adds over viem", async function () {
    const report = await measureSdkBundles();
    expect(report.gzipBytes.viem).to.be.greaterThan(10_000);
    // The SDK adds to viem, more with every action bound than with one action alone.
    expect(report.overViem.oneAction).to.be.greaterThan(0);
    expect(report.overViem.createClientRead).to.be.greaterThan(report.overViem.oneAction);
    expect(report.budgets).to.deep.equal(SDK_BUDGETS);
  });

  it("installs in an empty project; the CLI runs; a Vite page type-checks, then reads and writes in headless Chromium", async function () {
    const tarballs = (await readdir(packs)).sort();
    expect(tarballs).to.deep.equal(["openledger-evm-cli-0.1.0.tgz", "openledger-evm-sdk-0.1.0.tgz"]);
    for (const tarball of tarballs) {
      const files = (await run("tar", ["-tzf", path.join(packs, tarball)])).stdout.trim().split("\n");
      expect(files.every((f) => f === "package/package.json" || f.startsWith("package/dist/")), `${tarball}: ${files.join(", ")}`).to.equal(true);
    }

    // A throwaway project with only the two tarballs (and what they declare, from npm's cache where it can).
    const app = path.join(dir, "app");
    await mkdir(app);
    await writeFile(path.join(app, "package.json"), JSON.stringify({ name: "throwaway", private: true, type: "module" }));
    await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", ...tarballs.map((t) => path.join(packs, t))], { ...NPM, cwd: app });
    const cli = (...args: string[]) => run("npx", ["--no-install", "openledger", ...args], { ...NPM, cwd: app, env: { ...NPM.env, OPENLEDGER_KEY: "", OPENLEDGER_RPC_URL: "" } });

    expect((await cli("--help")).stdout).to.match(/^openledger: /);
    // Without a node the installed CLI says, in one line, what to pass (the embedded network needs the repository).
    const embedded = await cli("datanet", "show", "1").then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(embedded?.code).to.equal(1);
    expect(embedded?.stderr.trim().split("\n")).to.have.length(1);
    expect(embedded?.stderr).to.match(/pass --rpc <url>/);

    node = await startLocalNode();
    const deploymentFile = await deployToNode(node.url, path.join(dir, "deployments"));
    const deployment = await readFile(deploymentFile, "utf8");

    // The page: viem and the SDK from the installed tarball; a local account signs in the page.
    const page = path.join(app, "page");
    await mkdir(page);
    await writeFile(path.join(page, "index.html"), `<!doctype html><title>openledger</title><script type="module" src="./main.ts"></script>\n`);
    await writeFile(
      path.join(page, "main.ts"),
      `import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { createClient, DataKind, datanetPolicy, parseDeployment } from "@openledger-evm/sdk";

const page = globalThis as { result?: Record<string, string | number> };
const transport = http(new URL("/rpc", location.href).href);
const publicClient = createPublicClient({ chain: hardhat, transport });
const walletClient = createWalletClient({ account: privateKeyToAccount(${JSON.stringify(NODE_KEYS[0])}), chain: hardhat, transport });
const openledger = createClient({ publicClient, walletClient, deployment: parseDeployment(${deployment.trim()}) });
try {
  const { datanetId } = await (await openledger.datanets.create({ kind: DataKind.Text, metadataURI: "ipfs://from-a-browser", policy: datanetPolicy() })).wait();
  const datanet = await openledger.datanets.get(datanetId);
  page.result = { datanetId: String(datanetId), owner: datanet.owner, kind: datanet.kind };
} catch (error) {
  page.result = { error: String(error) };
}
`,
    );
    // A dapp's type-check, with the compiler options of Vite's vanilla-ts template: the SDK's types resolve from the tarball.
    await writeFile(
      path.join(page, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "ESNext",
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          moduleResolution: "bundler",
          moduleDetection: "force",
          noEmit: true,
          strict: true,
          skipLibCheck: true,
          verbatimModuleSyntax: true,
          noUnusedLocals: true,
        },
        include: ["main.ts"],
      }),
    );
    await run(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", page], { ...NPM, cwd: page });
    await build({ root: page, configFile: false, logLevel: "silent", build: { outDir: "dist" } });
    const server = await preview({
      root: page,
      configFile: false,
      logLevel: "silent",
      preview: { host: "127.0.0.1", port: 0, strictPort: false, proxy: { "/rpc": { target: node.url, rewrite: () => "/" } } },
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const tab = await browser.newPage();
      await tab.goto(server.resolvedUrls!.local[0]!);
      await tab.waitForFunction(() => (globalThis as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
      const result = await tab.evaluate(() => (globalThis as unknown as { result: Record<string, string> }).result);
      expect(result).to.deep.equal({ datanetId: "1", owner: privateKeyToAddress(NODE_KEYS[0]), kind: DataKind.Text });
    } finally {
      await browser.close();
      await server.close();
    }

    // The installed CLI reads what the page wrote.
    const shown = JSON.parse((await cli("datanet", "show", "1", "--json", "--rpc", node.url, "--deployment", deploymentFile)).stdout) as { owner: string };
    expect(shown.owner).to.equal(privateKeyToAddress(NODE_KEYS[0]));
  });
});
