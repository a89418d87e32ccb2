/**
 * `npm run app`: the web app on a local stack (see scripts/lib/app-stack.ts), until Ctrl-C.
 * `-- --port <n>` serves it on that port (any free one otherwise).
 */
import { startAppStack } from "./lib/app-stack.ts";

const portArg = process.argv.indexOf("--port");
const port = portArg === -1 ? undefined : Number(process.argv[portArg + 1]);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536)) {
  console.error(`npm run app: --port takes a port number (1-65535), not ${process.argv[portArg + 1] ?? "nothing"}`);
  process.exit(1);
}
console.log("Starting a local node, playing the demo story as seed data, then the storage service, the indexer and the app…");
const verbose = process.argv.includes("--verbose");
const stack = await startAppStack({ log: (line) => (verbose || !line.startsWith("  ") ? console.log(line) : undefined), ...(port === undefined ? {} : { port }) });
const { attribution, model } = stack.summary;
console.log(`\nModel ${model.modelId}'s attribution epoch ${attribution.epoch}: the result file is published as ${attribution.published!.cid} (load it on the Attribution page).`);
console.log(`\nThe app: ${stack.url}\n(Ctrl-C stops everything.)`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
