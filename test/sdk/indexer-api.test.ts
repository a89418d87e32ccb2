/**
 * The indexer API client's failures, without a service: bad input is refused before any request, and
 * an API that cannot be reached or answers wrongly is a typed `IndexerApiError` with a readable message.
 * (Its answers on a real history are checked in test/indexer.test.ts.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { expect } from "chai";

import { createIndexerClient, IndexerApiError, InvalidInputError } from "../../sdk/index.ts";

const ACCOUNT = "0x00000000000000000000000000000000000000a1";

/** A server on 127.0.0.1 that gives every request `answer`'s status and body. */
async function serve(answer: { status: number; body: string }): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("indexer API client: errors", function () {
  it("refuses a URL that is not http(s)", function () {
    expect(() => createIndexerClient({ url: "not a url" })).to.throw(InvalidInputError, "not a URL");
    expect(() => createIndexerClient({ url: "ftp://127.0.0.1/" })).to.throw(InvalidInputError, "not an http(s) URL");
  });

  it("refuses bad arguments before sending anything", async function () {
    const { url, requests, server } = await serve({ status: 200, body: '{"rows":[]}' });
    try {
      const indexer = createIndexerClient({ url });
      expect(await rejection(indexer.contributions({ datanetId: 0n }))).to.be.instanceOf(InvalidInputError).with.property("field", "datanetId");
      expect(await rejection(indexer.contributions({ datanetId: 1n, limit: 1001 }))).to.be.instanceOf(InvalidInputError).with.property("field", "limit");
      expect(await rejection(indexer.contributions({ datanetId: 1n, status: 9 as never }))).to.be.instanceOf(InvalidInputError).with.property("field", "status");
      expect(await rejection(indexer.leaderboard(1n, { offset: -1 }))).to.be.instanceOf(InvalidInputError).with.property("field", "offset");
      expect(await rejection(indexer.pendingQueue({ validator: "0x12" as never }))).to.be.instanceOf(InvalidInputError).with.property("field", "validator");
      expect(await rejection(indexer.claimableEpochs(ACCOUNT, { claimWindowEpochs: 0 }))).to.be.instanceOf(InvalidInputError).with.property("field", "claimWindowEpochs");
      expect(await rejection(indexer.lineage(0n))).to.be.instanceOf(InvalidInputError).with.property("field", "modelId");
      expect(requests, "nothing sent").to.deep.equal([]);
    } finally {
      server.close();
    }
  });

  it("an API that does not answer is Unreachable, naming the URL", async function () {
    const { url, server } = await serve({ status: 200, body: "{}" });
    await new Promise((resolve) => server.close(resolve));
    const error = await rejection(createIndexerClient({ url }).leaderboard(1n));
    expect(error).to.be.instanceOf(IndexerApiError).with.property("problem", "Unreachable");
    expect(error.message).to.match(new RegExp(`^The indexer API at ${url} is unreachable: `));
  });

  for (const [what, answer, reason] of [
    ["an HTTP error", { status: 500, body: "Function call not supported" }, "HTTP 500: Function call not supported"],
    ["not JSON", { status: 200, body: "<html>" }, "not JSON: <html>"],
    ["no rows", { status: 200, body: '{"error":"x"}' }, "no rows in the answer"],
    ["a row of the wrong shape", { status: 200, body: '{"rows":[{"contributor":"0x1","submitted":1,"accepted":0,"rejected":0,"quality_sum":"0","score":"0"}]}' }, "contributor is \"0x1\", not an address"],
  ] as const) {
    it(`an answer that is ${what} is a BadAnswer`, async function () {
      const { url, server } = await serve(answer);
      try {
        const error = await rejection(createIndexerClient({ url }).leaderboard(1n));
        expect(error).to.be.instanceOf(IndexerApiError).with.property("problem", "BadAnswer");
        expect(error.message).to.equal(`The indexer API at ${url} gave a bad answer: ${reason}`);
      } finally {
        server.close();
      }
    });
  }

  // Long lists come as one array of value arrays (column names once): each must have every column.
  for (const [what, rows, reason] of [
    ["not a list", '"x"', 'rows of 19 values expected, not "x"'],
    ["a row short of a column", '[["1"]]', 'rows of 19 values expected, not [["1"]]'],
  ] as const) {
    it(`a pending queue whose rows are ${what} is a BadAnswer`, async function () {
      const { url, server } = await serve({ status: 200, body: `{"rows":[{"rows":${rows}}]}` });
      try {
        const error = await rejection(createIndexerClient({ url }).pendingQueue({ validator: ACCOUNT }));
        expect(error).to.be.instanceOf(IndexerApiError).with.property("problem", "BadAnswer");
        expect(error.message).to.equal(`The indexer API at ${url} gave a bad answer: ${reason}`);
      } finally {
        server.close();
      }
    });
  }

  it("reads an empty pending queue (the aggregate of no rows is null) as an empty list", async function () {
    const indexer = createIndexerClient({ url: "http://indexer.invalid/", fetch: async () => new Response('{"rows":[{"rows":null}]}', { status: 200 }) });
    expect(await indexer.pendingQueue({ validator: ACCOUNT })).to.deep.equal([]);
  });

  it("reads a page of contributions from one array of value arrays, in the columns' order", async function () {
    const values = ["7", "1", ACCOUNT, "0xab", "12", "ipfs://x", "0", "100", "0xcd", "90", "110", "200", "5", "3", "6000", "9", "2", "4"];
    const indexer = createIndexerClient({
      url: "http://indexer.invalid/",
      fetch: async () => new Response(JSON.stringify({ rows: [{ rows: [values] }] }), { status: 200 }),
    });
    const { items } = await indexer.contributions({ datanetId: 1n, limit: 1 });
    expect(items).to.deep.equal([
      {
        contributionId: 7n, datanetId: 1n, contributor: "0x00000000000000000000000000000000000000A1", contentHash: "0xab", sizeBytes: 12n,
        uri: "ipfs://x", epoch: 0, submittedAt: 100, commitment: "0xcd", committedAt: 90, votingOpensAt: 110, votingEndsAt: 200, bond: 5n,
        quorum: 3, acceptanceThresholdBps: 6000, minValidatorStake: 9n, status: 2, acceptedIndex: 4n,
      },
    ]);
  });

  it("sends the query to the SQL endpoint with the fetch it was given", async function () {
    const seen: string[] = [];
    const indexer = createIndexerClient({
      url: "http://indexer.invalid/",
      fetch: async (input) => {
        seen.push(String(input));
        return new Response('{"rows":[]}', { status: 200 });
      },
    });
    expect(await indexer.leaderboard(3n, { limit: 5, offset: 10 })).to.deep.equal({ items: [] });
    expect(seen).to.have.length(1);
    const query = JSON.parse(decodeURIComponent(seen[0]!.split("?sql=")[1]!)) as { json: { sql: string; params: string[] } };
    expect(seen[0]).to.match(/^http:\/\/indexer\.invalid\/sql\/db\?sql=/);
    expect(query.json.params).to.deep.equal(["3"]);
    expect(query.json.sql).to.match(/limit 5 offset 10$/);
  });
});
