import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { freePort } from "./ports.ts";

const run = promisify(execFile);

/** A throwaway PostgreSQL cluster on 127.0.0.1 (trust authentication, its own folder); `stop()` removes it. */
export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

/** The newest Debian `postgresql` binaries (/usr/lib/postgresql/<version>/bin), or undefined when none are installed. */
export async function postgresBinaries(): Promise<string | undefined> {
  const versions = await readdir("/usr/lib/postgresql").catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : path.join("/usr/lib/postgresql", newest, "bin");
}

/** Starts a cluster with the binaries in `bin` (as the `postgres` user when running as root: initdb refuses root). */
export async function startPostgres(bin: string): Promise<PostgresServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "openledger-postgres-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    await chown(dir, Number(uid.stdout), Number(gid.stdout));
  }
  const pg = (tool: string, args: string[]) => (asRoot ? run("runuser", ["-u", "postgres", "--", path.join(bin, tool), ...args]) : run(path.join(bin, tool), args));
  const data = path.join(dir, "data");
  const port = await freePort();
  await pg("initdb", ["-D", data, "-U", "openledger", "--auth=trust", "--no-sync"]);
  await pg("pg_ctl", ["-D", data, "-l", path.join(dir, "log"), "-w", "-o", `-h 127.0.0.1 -p ${port} -k ${dir}`, "start"]);
  return {
    url: `postgresql://openledger@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
