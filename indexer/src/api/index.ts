/** The API: GraphQL over every table (at / and /graphql) and read-only SQL over HTTP (/sql, for `@ponder/client`). */
import { db } from "ponder:api";
import schema from "ponder:schema";
import { Hono } from "hono";
import { client, graphql } from "ponder";

const app = new Hono();

/**
 * Each SQL answer encoded once. Ponder keeps a query's result until a table it reads changes and
 * answers every repeat of the query with that same object, but encodes it to JSON again each time:
 * about a millisecond for a 200-row pending queue, most of what a repeated query costs the server.
 * The bytes are remembered per result object, weakly, so they go when Ponder lets the result go and
 * can never outlive it.
 */
const encodedAnswers = new WeakMap<object, Uint8Array<ArrayBuffer>>();
const encoder = new TextEncoder();
app.use("/sql/*", async (c, next) => {
  const json = c.json;
  // (Ponder answers with `c.json(result)`; a call with a status or headers is left to Hono.)
  c.json = ((answer: unknown, ...rest: unknown[]) => {
    if (rest.length > 0 || typeof answer !== "object" || answer === null) return (json as (...args: unknown[]) => Response)(answer, ...rest);
    let bytes = encodedAnswers.get(answer);
    if (bytes === undefined) encodedAnswers.set(answer, (bytes = encoder.encode(JSON.stringify(answer))));
    return c.body(bytes, 200, { "content-type": "application/json" });
  }) as typeof c.json;
  await next();
});
app.use("/sql/*", client({ db, schema }));
app.use("/", graphql({ db, schema }));
app.use("/graphql", graphql({ db, schema }));

export default app;
