import { expect } from "chai";

import { computeCid, ContentUnavailableError } from "../../sdk/index.ts";
import { startHeliaStore, type HeliaStore } from "../../sdk/node/index.ts";
import { expectRejected } from "../helpers/errors.ts";
import { sampleBytes } from "../helpers/storage.ts";

describe("Storage: Helia nodes exchange a contribution on 127.0.0.1", function () {
  this.timeout(60_000);
  let contributor: HeliaStore;
  let validator: HeliaStore;

  before(async function () {
    contributor = await startHeliaStore();
    validator = await startHeliaStore({ timeoutMs: 3_000 });
  });
  after(async function () {
    await validator?.stop();
    await contributor?.stop();
  });

  it("listens on loopback only", function () {
    for (const node of [contributor, validator]) {
      expect(node.multiaddrs().map((a) => a.toString())).to.satisfy((addrs: string[]) => addrs.length > 0 && addrs.every((a) => a.startsWith("/ip4/127.0.0.1/tcp/")));
    }
  });

  it("fetches over Bitswap what only the other node holds, verified, byte for byte", async function () {
    const bytes = sampleBytes(2 * 1024 * 1024 + 99, 11); // three blocks under a dag-pb root
    const { cid } = await contributor.put(bytes);
    expect(cid).to.equal(await computeCid(bytes));
    expect(await validator.has(cid)).to.equal(false);
    await validator.dial(contributor.multiaddrs()[0]!);
    const fetched = await validator.get(cid);
    expect(Buffer.from(fetched).equals(Buffer.from(bytes))).to.equal(true);
    expect(await validator.has(cid)).to.equal(true);
  });

  it("reports content no peer has as unavailable", async function () {
    await expectRejected(validator.get(await computeCid(sampleBytes(50, 12))), ContentUnavailableError, /no peer sent/);
  });
});
