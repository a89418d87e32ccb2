import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy does with one request. */
export type Fault = "forward" | "429" | "503" | "401" | "drop-before" | "drop-after" | "slow";

/** Rewrites the node's result of one request (a batch is rewritten call by call). */
export type Rewrite = (method: string, params: unknown, result: unknown) => unknown;

/**
 * A JSON-RPC proxy on 127.0.0.1 in front of a node that injects faults: `plan(method, n)` decides
 * for the n-th request of each method. "drop-after" forwards the request and then cuts the
 * connection, so the node acted but the client never hears back. `rewrite` makes it a lying node:
 * every forwarded result passes through it (`tamperResult` in `tamper.ts` tells the lies).
 */
export async function startFaultProxy(target: string, plan: (method: string, n: number) => Fault, rewrite?: Rewrite) {
  const counts = new Map<string, number>();
  const seen: { method: string; fault: Fault }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString();
      const method = (JSON.parse(body) as { method?: string }).method ?? "batch";
      const n = (counts.get(method) ?? 0) + 1;
      counts.set(method, n);
      const fault = plan(method, n);
      seen.push({ method, fault });
      type Call = { id?: unknown; method: string; params?: unknown; result?: unknown };
      const lie = (text: string) => {
        if (rewrite === undefined) return text;
        const request = JSON.parse(body) as Call | Call[];
        const response = JSON.parse(text) as Call | Call[];
        const edit = (call: Call, answer: Call) => ("result" in answer ? { ...answer, result: rewrite(call.method, call.params, answer.result) } : answer);
        if (!Array.isArray(request)) return JSON.stringify(edit(request, response as Call));
        // A batch's answers may come in any order: each is matched to its call by id.
        return JSON.stringify((response as Call[]).map((answer) => edit(request.find((call) => call.id === answer.id)!, answer)));
      };
      const forward = () => fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.text()).then(lie);
      if (fault === "429" || fault === "503" || fault === "401") {
        res.writeHead(Number(fault), { "content-type": "text/plain" }).end(`injected ${fault}`);
      } else if (fault === "drop-before") {
        req.socket.destroy();
      } else if (fault === "drop-after") {
        await forward();
        req.socket.destroy();
      } else {
        if (fault === "slow") await new Promise((resolve) => setTimeout(resolve, 1_500));
        const text = await forward();
        if (!res.destroyed) res.writeHead(200, { "content-type": "application/json" }).end(text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
