import { parsePendingReveal, serializePendingReveal, type PendingReveal, type RevealStore } from "@openledger-evm/sdk";
import type { Address } from "viem";

/**
 * Pending reveals in localStorage, one list per account: a commitment's salt and items survive a
 * reload, so the page can reveal what was committed without a new commitment or bond.
 */
export function localRevealStore(account: Address): Omit<RevealStore, "list"> & { list(): PendingReveal[] } {
  const key = `openledger.reveals.${account.toLowerCase()}`;
  const read = (): PendingReveal[] => (JSON.parse(localStorage.getItem(key) ?? "[]") as string[]).map(parsePendingReveal);
  const write = (reveals: PendingReveal[]) => localStorage.setItem(key, JSON.stringify(reveals.map(serializePendingReveal)));
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return {
    save: (reveal) => write([...read().filter((r) => !same(r.commitment, reveal.commitment)), reveal]),
    remove: (commitment) => write(read().filter((r) => !same(r.commitment, commitment))),
    list: read,
  };
}
