import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { withBitswap } from "@helia/bitswap";
import { withLibp2pLight } from "@helia/libp2p";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import type { Multiaddr } from "@multiformats/multiaddr";
import { createHeliaLight } from "helia";
import type { CID } from "multiformats/cid";

import { readDag } from "../../storage/blocks.ts";
import { contentBlocks, parseCid } from "../../storage/cid.ts";
import { ContentUnavailableError } from "../../storage/errors.ts";
import type { BlockStore } from "../../storage/store.ts";

/** A running Helia node as a `BlockStore`, with what it takes to connect it to peers. */
export interface HeliaStore extends BlockStore {
  /** Where peers reach this node (TCP on the listen host). */
  multiaddrs(): Multiaddr[];
  /** Connects to a peer (e.g. another node's `multiaddrs()[0]`). */
  dial(address: Multiaddr): Promise<void>;
  stop(): Promise<void>;
}

async function collect(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * A real IPFS node in process (Helia over libp2p: TCP, Noise, Yamux, Bitswap), for contributors and
 * validators who want content to travel peer to peer. It listens on `host` (127.0.0.1 unless given),
 * has no bootstrap list, no DHT and no HTTP routers, so it talks only to peers it is told to dial;
 * content it lacks is asked of them over Bitswap, and every block is verified against its CID
 * before use. Blocks are kept in memory: pair it with the filesystem store for durability.
 */
export async function startHeliaStore(options: { host?: string; port?: number; timeoutMs?: number } = {}): Promise<HeliaStore> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight(), {
      addresses: { listen: [`/ip4/${options.host ?? "127.0.0.1"}/tcp/${options.port ?? 0}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
    }),
  );
  await helia.start();

  const getBlock = async (cid: CID) => {
    try {
      return await collect(helia.blockstore.get(cid, { signal: AbortSignal.timeout(timeoutMs) }));
    } catch (cause) {
      throw new ContentUnavailableError(cid.toString(), `no peer sent block ${cid} within ${timeoutMs} ms`, { cause });
    }
  };
  return {
    getBlock,
    async put(bytes) {
      const { cid, blocks } = await contentBlocks(bytes);
      for (const block of blocks) await helia.blockstore.put(block.cid, block.bytes);
      return { cid: cid.toString() };
    },
    get: async (cid) => readDag(parseCid(cid, "cid"), getBlock),
    // Only what this node holds itself (asking peers is what `get` is for).
    has: async (cid) => helia.blockstore.has(parseCid(cid, "cid")),
    multiaddrs: () => helia.libp2p.getMultiaddrs(),
    async dial(address) {
      await helia.libp2p.dial(address);
    },
    async stop() {
      await helia.stop();
    },
  };
}
