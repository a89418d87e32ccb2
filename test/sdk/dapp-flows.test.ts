import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import {
  ContractFunctionRevertedError,
  createPublicClient,
  encodeErrorResult,
  createWalletClient,
  custom,
  getAddress,
  toFunctionSelector,
  toFunctionSignature,
  type Abi,
  type Address,
  type EIP1193RequestFn,
  type Hex,
} from "viem";
import { hardhat } from "viem/chains";

import * as abis from "../../sdk/abis/index.ts";
import {
  createClient,
  hashBlob,
  hashContent,
  InvalidInputError,
  memoryRevealStore,
  parsePendingReveal,
  parseSignedVerdicts,
  protocolErrorsAbi,
  ProtocolError,
  randomSalt,
  registryContract,
  requireWallet,
  serializePendingReveal,
  serializeSignedVerdicts,
  splitRanges,
  submissionCommitment,
  toSdkError,
  UserRejectedError,
  type SubmitProgress,
} from "../../sdk/index.ts";
import { hashFile } from "../../sdk/node/index.ts";
import { sendContractTransaction } from "../../sdk/transaction.ts";
import { item } from "../helpers/registry.ts";
import { BOND, validatorFixture } from "../helpers/validators.ts";

type AbiError = Extract<Abi[number], { type: "error" }>;

const connection = await network.create();
const { viem, networkHelpers } = connection;

/** A transport to the embedded node through `intercept`. */
function through(intercept: (method: string, params: unknown[], forward: () => Promise<unknown>) => Promise<unknown>) {
  const request = (async ({ method, params }: { method: string; params?: unknown[] }) =>
    intercept(method, params ?? [], () => connection.provider.request({ method, params }))) as EIP1193RequestFn;
  return custom({ request });
}

async function fixture() {
  const f = await validatorFixture(connection);
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const walletOf = (address: string) => wallets.find((w) => getAddress(w.account.address) === getAddress(address))!;
  const sdk = (address: string) => createClient({ publicClient, walletClient: walletOf(address), deployment: f.deployment });
  return { ...f, publicClient, sdk, validatorSdks: f.validators.map((v) => sdk(v.address)) };
}

const openBalance = (f: Awaited<ReturnType<typeof fixture>>, account: string) =>
  f.publicClient.readContract({ address: f.deployment.contracts.openToken, abi: abis.openTokenAbi, functionName: "balanceOf", args: [account as Address] });

describe("SDK flows for dapps", function () {
  describe("errors", function () {
    it("ships one error ABI for every contract, once per selector, and a selector file that matches it", async function () {
      const selectors = protocolErrorsAbi.map((e) => toFunctionSelector(toFunctionSignature(e as never)));
      expect(new Set(selectors).size).to.equal(selectors.length);
      const contractAbis = Object.entries(abis).filter(([name]) => name !== "protocolErrorsAbi" && name !== "knownDeployments");
      for (const [name, abi] of contractAbis) {
        for (const e of (abi as readonly { type: string }[]).filter((i) => i.type === "error")) {
          expect(selectors, `${name} ${(e as AbiError).name}`).to.include(toFunctionSelector(toFunctionSignature(e as never)));
        }
      }
      const dir = path.join(import.meta.dirname, "..", "..", "sdk", "abis");
      expect(JSON.parse(await readFile(path.join(dir, "errors.json"), "utf8"))).to.deep.equal(protocolErrorsAbi);
      const lines = (await readFile(path.join(dir, "errors.txt"), "utf8")).trimEnd().split("\n");
      expect(lines.length).to.equal(protocolErrorsAbi.length);
      for (const line of lines) {
        const [selector, signature] = line.split(" ") as [Hex, string];
        expect(toFunctionSelector(signature), line).to.equal(selector);
      }
      expect(lines).to.include("0xfb8f41b2 ERC20InsufficientAllowance(address,uint256,uint256)");
    });

    it("decodes a revert raised by another contract than the one called, with typed arguments", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // `lazy` holds OPEN but never approved the registry: the token refuses the bond inside the registry's call.
      const lazy = requireWallet(f.sdk(f.lazy.address), "commit");
      const commitment = submissionCommitment({ contributor: f.lazy.address as Address, datanetId: f.datanetId, contentHashes: [item().contentHash as Hex], salt: randomSalt() });
      const error = await sendContractTransaction(lazy, { ...registryContract(lazy), functionName: "commitSubmission", args: [f.datanetId, commitment, 1, 10n] }, () => ({})).then(
        () => expect.fail("expected a revert"),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(ProtocolError);
      if (!ProtocolError.is(error, "ERC20InsufficientAllowance")) return expect.fail(String(error));
      // Typed per error: `spender` is an address, `needed` a bigint.
      const { spender, needed }: { spender: Address; needed: bigint } = error.args;
      expect([getAddress(spender), needed]).to.deep.equal([f.deployment.contracts.datanetRegistry, BOND]);
    });
  });

  it("names an error's arguments as the contract that raised it declares them", async function () {
    for (const [abi, args, message] of [
      [abis.rewardPoolsAbi, { epochs: 3n }, /3 epochs/],
      [abis.merkleEpochDistributorAbi, { window: 3n }, /3s/],
    ] as const) {
      const data = encodeErrorResult({ abi, errorName: "InvalidClaimWindow", args: [3n] });
      const error = await toSdkError(new ContractFunctionRevertedError({ abi, data, functionName: "setClaimWindow" }));
      if (!ProtocolError.is(error, "InvalidClaimWindow")) return expect.fail(String(error));
      expect(error.args).to.deep.equal(args);
      expect(error.shortMessage).to.match(message);
    }
  });

  describe("signed verdicts on the wire", function () {
    it("round-trip through JSON, bigints included, and a relayer's aggregator takes them", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const signed = await Promise.all(
        f.validatorSdks.map((v) => v.validators.signVerdict({ contentHash: f.items[0]!.contentHash as Hex, accept: true, quality: 80, reasonCode: 7 })),
      );
      const body = serializeSignedVerdicts(signed);
      expect(() => JSON.parse(body)).not.to.throw();
      expect(parseSignedVerdicts(body)).to.deep.equal(signed);
      expect(parseSignedVerdicts(JSON.parse(body))).to.deep.equal(signed);
      expect(typeof parseSignedVerdicts(body)[0]!.deadline).to.equal("bigint");

      const aggregator = f.sdk(f.outsider.address).validators.aggregator();
      expect(await aggregator.addSerialized(body)).to.equal(f.validators.length);
      const { transactions, finalized } = await aggregator.flush();
      expect(transactions).to.have.length(1);
      expect(finalized.map((c) => c.contentHash)).to.deep.equal([f.items[0]!.contentHash]);
    });

    it("refuses malformed input with errors naming the field, and queues none of a body with a bad signature", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const signed = await f.validatorSdks[0]!.validators.signVerdict({ contentHash: f.items[1]!.contentHash as Hex, accept: false, quality: 0, reasonCode: 2 });
      const good = JSON.parse(serializeSignedVerdicts([signed])) as { format: string; verdicts: Record<string, unknown>[] };
      const edit = (change: (v: Record<string, unknown>) => void) => {
        const copy = structuredClone(good);
        change(copy.verdicts[0]!);
        return JSON.stringify(copy);
      };
      const cases: [string, string][] = [
        ["{ not json", "signedVerdicts"],
        [JSON.stringify([good]), "signedVerdicts"],
        [JSON.stringify({ ...good, format: "openledger/signed-verdicts@0" }), "format"],
        [JSON.stringify({ ...good, verdicts: {} }), "verdicts"],
        [JSON.stringify({ ...good, verdicts: [null] }), "verdicts[0]"],
        [edit((v) => (v.validator = "0x1234")), "verdicts[0].validator"],
        [edit((v) => (v.contributionId = 2)), "verdicts[0].contributionId"],
        [edit((v) => (v.contributionId = "0")), "verdicts[0].contributionId"],
        [edit((v) => (v.contributionId = "1e3")), "verdicts[0].contributionId"],
        [edit((v) => (v.deadline = "-1")), "verdicts[0].deadline"],
        [edit((v) => (v.deadline = (2n ** 64n).toString())), "verdicts[0].deadline"],
        [edit((v) => (v.generation = 1.5)), "verdicts[0].generation"],
        [edit((v) => ((v.verdict as Record<string, unknown>).quality = 101)), "verdicts[0].verdict.quality"],
        [edit((v) => ((v.verdict as Record<string, unknown>).accept = "yes")), "verdicts[0].verdict.accept"],
        [edit((v) => ((v.verdict as Record<string, unknown>).contentHash = "0x00")), "verdicts[0].verdict.contentHash"],
        [edit((v) => (v.signature = "0xdead")), "verdicts[0].signature"],
      ];
      for (const [body, field] of cases) {
        expect(() => parseSignedVerdicts(body), body).to.throw(InvalidInputError).with.property("field", field);
      }
      const other = await f.validatorSdks[1]!.validators.signVerdict({ contentHash: f.items[1]!.contentHash as Hex, accept: false, quality: 0, reasonCode: 2 });
      const forged = { ...other, signature: signed.signature };
      const aggregator = f.sdk(f.outsider.address).validators.aggregator();
      const refused = await aggregator.addSerialized(serializeSignedVerdicts([signed, forged])).then(() => expect.fail("expected a refusal"), (e: unknown) => e);
      expect(ProtocolError.is(refused, "InvalidSignature")).to.equal(true);
      expect(aggregator.size).to.equal(0);
    });
  });

  describe("commit–reveal", function () {
    it("hands the pending reveal back before revealing, and retries a rejected reveal without a new commitment", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const contributor = f.outsider.address as Address;
      // The user approves the commitment in the wallet, then rejects the reveal.
      let sends = 0;
      const rejectingReveal = createWalletClient({
        chain: hardhat,
        account: contributor,
        transport: through(async (method, _, forward) => {
          if (method === "eth_sendTransaction" && ++sends === 2) throw Object.assign(new Error("User rejected the request."), { code: 4001 });
          return forward();
        }),
      });
      const store = memoryRevealStore();
      const steps: SubmitProgress["step"][] = [];
      const handed: unknown[] = [];
      const onProgress = (p: SubmitProgress) => {
        steps.push(p.step);
        if (p.step === "committed") handed.push(p.pending);
      };
      const content = { ...hashContent("The Moon pulls the tides."), uri: "ipfs://moon" };
      const before = await openBalance(f, contributor);
      const sdk = createClient({ publicClient: f.publicClient, walletClient: rejectingReveal, deployment: f.deployment });
      const error = await sdk.contributions.submit({ datanetId: f.datanetId, ...content }, { store, onProgress }).then(
        () => expect.fail("expected the reveal to be rejected"),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(UserRejectedError);
      expect(steps).to.deep.equal(["checked", "committed", "revealing"]);
      const [saved] = await store.list();
      expect(handed).to.deep.equal([saved]); // handed back before the reveal, as saved
      // A page's own store keeps it as JSON (localStorage): it reads back the same, bigints included.
      const pending = parsePendingReveal(serializePendingReveal(saved!));
      expect(pending).to.deep.equal(saved);
      for (const [text, field] of [["{", "pendingReveal"], [serializePendingReveal({ ...saved!, salt: "0x12" }), "salt"], [serializePendingReveal(saved!).replace(/"bond":"\d+"/, '"bond":10'), "bond"]] as const) {
        expect(() => parsePendingReveal(text), text).to.throw(InvalidInputError).with.property("field", field);
      }
      expect(pending).to.include({ datanetId: f.datanetId, contributor: getAddress(contributor), bond: BOND });
      expect(pending!.items).to.deep.equal([content]);

      // Resumed from the store (as after a reload), with the same wallet now agreeing.
      steps.length = 0;
      const { contributionIds } = await (await sdk.contributions.reveal(pending!, { store, onProgress })).wait();
      expect(steps).to.deep.equal(["revealing", "revealed"]);
      expect(contributionIds).to.have.length(1);
      expect(await sdk.contributions.contentHashOf(contributionIds[0]!)).to.equal(content.contentHash);
      expect(await store.list()).to.deep.equal([]);
      expect(before - (await openBalance(f, contributor))).to.equal(BOND); // the bond was pulled once
      expect(sends).to.equal(3); // commit, rejected reveal, reveal: no second commitment

      // The commitment is used up: revealing it again is refused before anything is sent.
      const again = await sdk.contributions.reveal(pending!).then(() => expect.fail("expected a refusal"), (e: unknown) => e);
      expect(ProtocolError.is(again, "CommitmentNotFound") && again.preflight).to.equal(true);
    });

    it("refuses a pending reveal that is not the wallet's or does not match its commitment", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const store = memoryRevealStore();
      const sdk = f.sdk(f.outsider.address);
      await (await sdk.contributions.submit({ datanetId: f.datanetId, ...hashContent("Salt water freezes below 0 °C."), uri: "ipfs://salt" }, { store })).wait();
      expect(await store.list()).to.deep.equal([]);
      const pending = { datanetId: f.datanetId, contributor: f.outsider.address as Address, items: [{ ...hashContent("x"), uri: "ipfs://x" }], salt: randomSalt(), commitment: randomSalt(), committedAt: 1, bond: BOND };
      for (const [client, field] of [[f.sdk(f.contributor.address), "pending.contributor"], [sdk, "pending.commitment"]] as const) {
        const error = await client.contributions.reveal(pending).then(() => expect.fail("expected a refusal"), (e: unknown) => e);
        expect(error).to.be.instanceOf(InvalidInputError).with.property("field", field);
      }
    });
  });

  describe("uploads from a page", function () {
    it("hashes a File or Blob to the content hash a file on disk gets, and the chain registers it", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const bytes = new TextEncoder().encode("Photosynthesis turns light into sugar.\n");
      const dir = await mkdtemp(path.join(tmpdir(), "hash-blob-"));
      try {
        await writeFile(path.join(dir, "leaf.txt"), bytes);
        const fromFile = await hashFile(path.join(dir, "leaf.txt"));
        expect(await hashBlob(new File([bytes], "leaf.txt", { type: "text/plain" }))).to.deep.equal(fromFile);
        expect(await hashBlob(new Blob([bytes]))).to.deep.equal(hashContent(bytes));
        const sdk = f.sdk(f.outsider.address);
        const { contributionId } = await (await sdk.contributions.submit({ datanetId: f.datanetId, ...(await hashBlob(new File([bytes], "leaf.txt"))), uri: "ipfs://leaf" })).wait();
        expect(await sdk.contributions.contentHashOf(contributionId)).to.equal(fromFile.contentHash);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("readers behind an RPC that caps log ranges", function () {
    it("halves a refused range and never asks for that size again", async function () {
      const asked: bigint[] = [];
      const read = async (from: bigint, to: bigint) => {
        asked.push(to - from + 1n);
        if (to - from + 1n > 7n) throw new Error("eth_getLogs block range too large (max 7)");
        return Array.from({ length: Number(to - from + 1n) }, (_, i) => from + BigInt(i));
      };
      const blocks: bigint[] = [];
      for await (const chunk of splitRanges({ fromBlock: 0n, toBlock: 99n }, read, { rangeSize: 64n })) blocks.push(...chunk.items);
      expect(blocks).to.deep.equal(Array.from({ length: 100 }, (_, i) => BigInt(i)));
      expect(asked.filter((n) => n > 7n)).to.deep.equal([64n, 32n, 16n, 8n]); // refused once per size, then never again
      const failing = splitRanges({ fromBlock: 0n, toBlock: 9n }, async () => Promise.reject(new Error("execution reverted")));
      expect(await failing.next().then(() => "read", (e: Error) => e.message)).to.equal("execution reverted");
    });

    it("split their block ranges the way the indexer does", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      // Every validator accepting closes a contribution, so the leaderboard has an outcome to rank.
      for (const v of f.validatorSdks) await (await v.validators.attest({ contentHash: f.items[2]!.contentHash as Hex, accept: true, quality: 90, reasonCode: 0 })).wait();
      const MAX_BLOCKS = 4n;
      let refused = 0;
      let served = 0;
      const capped = createPublicClient({
        chain: hardhat,
        transport: through(async (method, params, forward) => {
          if (method === "eth_getLogs") {
            const { fromBlock, toBlock } = params[0] as { fromBlock?: string; toBlock?: string };
            if (fromBlock === undefined || toBlock === undefined || !toBlock.startsWith("0x") || BigInt(toBlock) - BigInt(fromBlock) + 1n > MAX_BLOCKS) {
              refused++;
              throw Object.assign(new Error(`block range too large: at most ${MAX_BLOCKS} blocks per query`), { code: -32602 });
            }
            served++;
          }
          return forward();
        }),
      });
      const direct = f.sdk(f.outsider.address);
      const behindCap = createClient({ publicClient: capped, deployment: f.deployment });
      // The cap bites: one query over the whole history is refused.
      const whole = await capped.getContractEvents({ ...registryContract(direct), fromBlock: 0n, toBlock: "latest" }).then(() => undefined, (e: unknown) => e);
      expect(String(whole)).to.match(/block range too large/);

      const validator = f.validators[3]!.address as Address;
      const [rebuilt, expected] = await Promise.all([behindCap.history.rebuild(), direct.history.rebuild()]);
      expect([...rebuilt.contributions.keys()]).to.deep.equal([...expected.contributions.keys()]);
      expect(rebuilt.contributions.size).to.equal(f.items.length);
      expect(await behindCap.reputation.leaderboard({ datanetId: f.datanetId })).to.deep.equal(await direct.reputation.leaderboard({ datanetId: f.datanetId }));
      expect((await behindCap.reputation.leaderboard({ datanetId: f.datanetId }))[0]!.accepted).to.equal(1);
      const pending = await behindCap.validators.pending({ validator });
      expect(pending.map((c) => c.contentHash)).to.deep.equal((await direct.validators.pending({ validator })).map((c) => c.contentHash));
      expect(pending).to.have.length(f.items.length - 1);
      expect(refused).to.be.greaterThan(1);
      expect(served).to.be.greaterThan(10);
    });
  });
});
