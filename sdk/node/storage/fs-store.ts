import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";

import { blockKey, blockLinks, readDag } from "../../storage/blocks.ts";
import { contentBlocks, parseCid } from "../../storage/cid.ts";
import { ContentUnavailableError } from "../../storage/errors.ts";
import type { BlockStore } from "../../storage/store.ts";

/** Temporary files older than this are a killed writer's leftovers. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * The embedded default store: one file per block under `<dir>/blocks/`, named by the block's
 * multihash. Every block is written to `<dir>/tmp/`, fsynced, renamed into place and the directory
 * fsynced, children before their root. So a file under `blocks/` is always whole and durable, and a
 * root is present only once every block under it is: a writer killed at any point leaves at most
 * stray temporary files, never a partial file that is served. Several processes may share a folder.
 */
export async function openFsStore(dir: string): Promise<BlockStore & { dir: string }> {
  const blocksDir = path.join(dir, "blocks");
  const tmpDir = path.join(dir, "tmp");
  await mkdir(blocksDir, { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  await fsyncDir(dir);
  // What a killed writer left in tmp/ was never renamed into blocks/, so it is never served; it is
  // dropped once old enough that no live writer (in this or another process) can still own it.
  const now = Date.now();
  for (const name of await readdir(tmpDir)) {
    const file = path.join(tmpDir, name);
    const info = await stat(file).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_TEMP_MS) await rm(file, { force: true });
  }

  const file = (cid: CID) => path.join(blocksDir, blockKey(cid));
  const exists = (cid: CID) => stat(file(cid)).then(() => true, () => false);

  async function writeBlock(cid: CID, bytes: Uint8Array): Promise<void> {
    const tmp = path.join(tmpDir, `${blockKey(cid)}.${randomBytes(6).toString("hex")}`);
    const handle = await open(tmp, "wx");
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file(cid));
  }

  async function getBlock(cid: CID): Promise<Uint8Array> {
    try {
      return await readFile(file(cid));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") throw new ContentUnavailableError(cid.toString(), `block ${cid} is not in ${dir}`);
      throw cause;
    }
  }

  return {
    dir,
    getBlock,
    async put(bytes) {
      const { cid, blocks } = await contentBlocks(bytes);
      if (await exists(cid)) return { cid: cid.toString() };
      const root = blocks.at(-1)!;
      const children = blocks.slice(0, -1);
      for (const block of children) if (!(await exists(block.cid))) await writeBlock(block.cid, block.bytes);
      // The children's renames are durable before the root can appear.
      if (children.length > 0) await fsyncDir(blocksDir);
      await writeBlock(root.cid, root.bytes);
      await fsyncDir(blocksDir);
      return { cid: cid.toString() };
    },
    get: async (cid) => readDag(parseCid(cid, "cid"), getBlock),
    async has(cidText) {
      const root = parseCid(cidText, "cid");
      if (!(await exists(root))) return false;
      if (root.code === raw.code) return true;
      // A root is written after its leaves, so this holds unless the disk lost a rename; one level of
      // links covers all content up to 1 GiB (1,024 leaves of 1 MiB under one root).
      const links = blockLinks(root, await getBlock(root));
      for (const link of links) if (!(await exists(link))) return false;
      return true;
    },
  };
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
