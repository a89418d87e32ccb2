import {
  bytesToHex,
  concat,
  encodeAbiParameters,
  getAddress,
  keccak256,
  toBytes,
  type Address,
  type ContractFunctionReturnType,
  type Hash,
  type Hex,
} from "viem";

import type { datanetRegistryAbi } from "../abis/index.ts";
import { registryContract, requireWallet, tokenContract, type ProtocolClient, type WritableProtocolClient } from "../client.ts";
import { InvalidInputError, protocolError, type ProtocolErrorName } from "../errors.ts";
import { readLogRanges } from "../indexer/ranges.ts";
import { only, readProtocol, sendContractTransaction, type DecodedLogs, type TransactionHandle } from "../transaction.ts";
import { assertAddress, assertBytes32, assertPositiveId, assertUint64 } from "../validate.ts";

/** One contribution to register. */
export interface SubmissionItem {
  contentHash: Hex;
  sizeBytes: bigint;
  uri: string;
}

/** A contribution as stored on chain, keyed by content hash (size, URI and time are in its `ContributionSubmitted` event). */
export type Contribution = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "getContribution">;

/** An unrevealed commitment: what it reserved and the bond it holds (all zero when there is none). */
export type Commitment = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "getCommitment">;

/** The contract's `ContributionStatus` enum. */
export const ContributionStatus = {
  None: 0,
  Pending: 1,
  Accepted: 2,
  Rejected: 3,
  Withdrawn: 4,
  /** Closed with fewer verdicts than the quorum when its window ended; its bond was refunded. */
  Expired: 5,
  /** Replaced, before its verdicts opened, by the reveal of an older commitment to the same content. */
  Displaced: 6,
} as const;
export type ContributionStatus = (typeof ContributionStatus)[keyof typeof ContributionStatus];

/** Seconds a commitment may wait for its reveal, and a reveal for its verdicts (the contract's `REVEAL_WINDOW`). */
export const REVEAL_WINDOW = 30 * 60;

/** A reveal is valid only after its commitment's second, so it is simulated in the pending block. */
const REVEAL = { simulateAt: "pending" } as const;

const MAX_UINT16 = 65_535;

/** The content hash the protocol registers (keccak256 of the bytes) and the size in bytes. */
export function hashContent(content: Uint8Array | string): { contentHash: Hex; sizeBytes: bigint } {
  const bytes = typeof content === "string" ? toBytes(content) : content;
  return { contentHash: keccak256(bytes), sizeBytes: BigInt(bytes.length) };
}

/**
 * `hashContent` of a `Blob` or `File` (a page's upload): the same content hash and size the protocol
 * registers for the same bytes read from disk with `hashFile`.
 */
export async function hashBlob(blob: Blob): Promise<{ contentHash: Hex; sizeBytes: bigint }> {
  return hashContent(new Uint8Array(await blob.arrayBuffer()));
}

/** A fresh random salt for a commitment. */
export function randomSalt(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * The commitment `commitSubmission` stores and `submit` / `submitBatch` reveal:
 * keccak256(abi.encode(contributor, datanetId, keccak256(abi.encodePacked(contentHashes)), salt)).
 */
export function submissionCommitment(params: {
  contributor: Address;
  datanetId: bigint;
  contentHashes: readonly Hex[];
  salt: Hex;
}): Hex {
  const digest = keccak256(concat(params.contentHashes));
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
      [params.contributor, params.datanetId, digest, params.salt],
    ),
  );
}

function assertItems(items: readonly SubmissionItem[]): void {
  if (items.length === 0) throw new InvalidInputError("items", "the batch is empty");
  if (items.length > MAX_UINT16) throw new InvalidInputError("items", `${items.length} items are more than one commitment holds (65,535)`);
  items.forEach((item, i) => {
    assertBytes32(`items[${i}].contentHash`, item.contentHash);
    assertUint64(`items[${i}].sizeBytes`, item.sizeBytes);
    if (typeof item.uri !== "string") throw new InvalidInputError(`items[${i}].uri`, "must be a string");
  });
}

/** Throws the `ProtocolError` the contract would revert with (`preflight: true`: nothing was sent). */
async function fail(error: ProtocolErrorName, args: readonly unknown[]): Promise<never> {
  throw await protocolError(error, args as never, { preflight: true });
}

/** A commitment to check: who makes it, on which datanet, and what it reserves. */
interface Reservation {
  datanetId: bigint;
  contributor: Address;
  itemCount: number;
  reservedBytes: bigint;
}

/**
 * Checks a commitment the way `commitSubmission` will (protocol and datanet open, allowlist, the
 * count and byte quotas of the current epoch) and that the contributor holds the bond. Returns the
 * epoch's terms and the bond, so nothing is approved or sent for a commitment the chain would refuse.
 */
async function checkReservation(client: ProtocolClient, params: Reservation) {
  const { datanetId, contributor, itemCount, reservedBytes } = params;
  if (itemCount === 0 || reservedBytes < BigInt(itemCount)) await fail("InvalidReservation", [BigInt(itemCount), reservedBytes]);
  const { publicClient } = client;
  const contract = registryContract(client);
  // `getDatanet`'s policy is the current epoch's terms (`epochTerms` of the current epoch), the ones
  // a commitment made now is held to; `contributorUsage` names that epoch.
  const [protocolPaused, info, usage, datanetBytes, allowlisted, balance] = await readProtocol(() =>
    Promise.all([
      publicClient.readContract({ ...contract, functionName: "protocolPaused" }),
      publicClient.readContract({ ...contract, functionName: "getDatanet", args: [datanetId] }),
      publicClient.readContract({ ...contract, functionName: "contributorUsage", args: [datanetId, contributor] }),
      publicClient.readContract({ ...contract, functionName: "datanetBytesUsed", args: [datanetId] }),
      publicClient.readContract({ ...contract, functionName: "isAllowlisted", args: [datanetId, contributor] }),
      publicClient.readContract({ ...tokenContract(client), functionName: "balanceOf", args: [contributor] }),
    ]),
  );
  const { policy } = info;
  if (protocolPaused) await fail("ProtocolPaused", []);
  if (info.paused) await fail("DatanetPaused", [datanetId]);
  if (policy.allowlistOnly && !allowlisted) await fail("ContributorNotAllowlisted", [datanetId, contributor]);
  // A reservation may not exceed what its items may declare.
  if (reservedBytes > BigInt(itemCount) * policy.maxBytesPerContribution) await fail("InvalidReservation", [BigInt(itemCount), reservedBytes]);
  const e = BigInt(usage.epoch);
  if (usage.contributions + itemCount > policy.maxContributionsPerContributorPerEpoch) {
    await fail("ContributorCountQuotaExceeded", [
      datanetId, contributor, e, BigInt(usage.contributions), BigInt(policy.maxContributionsPerContributorPerEpoch),
    ]);
  }
  if (usage.bytesUsed + reservedBytes > policy.maxBytesPerContributorPerEpoch) {
    await fail("ContributorBytesQuotaExceeded", [
      datanetId, contributor, e, usage.bytesUsed, reservedBytes, policy.maxBytesPerContributorPerEpoch,
    ]);
  }
  if (datanetBytes + reservedBytes > policy.maxBytesPerDatanetPerEpoch) {
    await fail("DatanetBytesQuotaExceeded", [datanetId, e, datanetBytes, reservedBytes, policy.maxBytesPerDatanetPerEpoch]);
  }
  const bond = policy.submissionBond * BigInt(itemCount);
  if (balance < bond) await fail("ERC20InsufficientBalance", [contributor, balance, bond]);
  return { policy, bond };
}

/**
 * Checks a submission against the datanet's terms for the current epoch, its quotas, the bond and
 * the registered hashes, and throws the `ProtocolError` the contract would revert with (`preflight:
 * true`). Submitting is an approval, a commitment (which reserves the quota and pulls the bond) and a
 * reveal, so this keeps a doomed submission from spending the first two. Near an epoch boundary it
 * can refuse what the next epoch would allow.
 */
export async function checkSubmission(
  client: ProtocolClient,
  params: { datanetId: bigint; contributor: Address; items: readonly SubmissionItem[] },
): Promise<void> {
  await checkItems(client, params);
}

/** `checkSubmission`, returning the bond the commitment will pull. */
async function checkItems(
  client: ProtocolClient,
  params: { datanetId: bigint; contributor: Address; items: readonly SubmissionItem[] },
): Promise<{ bond: bigint; reservedBytes: bigint }> {
  const { datanetId, contributor, items } = params;
  const reservedBytes = items.reduce((sum, item) => sum + item.sizeBytes, 0n);
  const { policy, bond } = await checkReservation(client, { datanetId, contributor, itemCount: items.length, reservedBytes });
  const contract = registryContract(client);
  // A pending or accepted registration blocks a hash (a new commitment is never older than a pending
  // one, so it cannot displace it), and closed content stays its contributor's for a reveal window
  // after its validation window.
  const [count, latest, blocking] = await readProtocol(() =>
    Promise.all([
      client.publicClient.readContract({ ...contract, functionName: "contributionCount" }),
      client.publicClient.getBlock(),
      Promise.all(
        items.map(async (item) => {
          const id = await client.publicClient.readContract({ ...contract, functionName: "contributionIdOf", args: [item.contentHash] });
          if (id === 0n) return undefined;
          return client.publicClient.readContract({ ...contract, functionName: "getContribution", args: [item.contentHash] });
        }),
      ),
    ]),
  );
  const blockingId = (c: Contribution | undefined): bigint => {
    if (c === undefined) return 0n;
    if (c.status === ContributionStatus.Pending || c.status === ContributionStatus.Accepted) return c.id;
    const graceEnds = BigInt(c.votingEndsAt) + BigInt(REVEAL_WINDOW);
    return getAddress(c.contributor) !== getAddress(contributor) && latest.timestamp < graceEnds ? c.id : 0n;
  };
  const inBatch = new Map<string, bigint>();
  for (const [i, item] of items.entries()) {
    const { contentHash, sizeBytes } = item;
    if (BigInt(contentHash) === 0n) await fail("ZeroContentHash", []);
    if (sizeBytes === 0n) await fail("ZeroSize", [contentHash]);
    if (sizeBytes > policy.maxBytesPerContribution) {
      await fail("ContributionTooLarge", [contentHash, sizeBytes, policy.maxBytesPerContribution]);
    }
    // A second copy in one reveal finds the first pending under the same commitment, which is not older.
    const duplicateOf = blockingId(blocking[i]) || inBatch.get(contentHash.toLowerCase());
    if (duplicateOf) await fail("DuplicateContent", [contentHash, duplicateOf]);
    inBatch.set(contentHash.toLowerCase(), count + BigInt(i) + 1n);
  }
  return { bond, reservedBytes };
}

/** Sends an approval of the registry for `bond` when the allowance is short of it, and waits for it. */
async function approveBond(wallet: WritableProtocolClient, bond: bigint): Promise<void> {
  if (bond === 0n) return;
  const owner = wallet.walletClient.account.address;
  const registry = registryContract(wallet).address;
  const allowance = await readProtocol(() =>
    wallet.publicClient.readContract({ ...tokenContract(wallet), functionName: "allowance", args: [owner, registry] }),
  );
  if (allowance >= bond) return;
  // Exactly the bond: the registry is never left a standing allowance beyond what this commitment pulls.
  const approval = await sendContractTransaction(
    wallet,
    { ...tokenContract(wallet), functionName: "approve", args: [registry, bond] },
    () => ({}),
  );
  await approval.wait();
}

/** What a mined commitment reserved and paid. */
export interface CommittedSubmission {
  /** The salt to reveal with: keep it, the reveal cannot be made without it. */
  salt: Hex;
  commitment: Hex;
  /** The commitment's second: reveal after it and at most `REVEAL_WINDOW` later. */
  committedAt: number;
  /** OPEN wei pulled as bond: the datanet's `submissionBond` times the items. */
  bond: bigint;
}

async function commit(
  wallet: WritableProtocolClient,
  params: { datanetId: bigint; contentHashes: readonly Hex[]; reservedBytes: bigint; salt?: Hex },
  bond: bigint,
): Promise<CommittedSubmission> {
  const salt = params.salt ?? randomSalt();
  const commitment = submissionCommitment({
    contributor: wallet.walletClient.account.address,
    datanetId: params.datanetId,
    contentHashes: params.contentHashes,
    salt,
  });
  await approveBond(wallet, bond);
  const handle = await sendContractTransaction(
    wallet,
    {
      ...registryContract(wallet),
      functionName: "commitSubmission",
      args: [params.datanetId, commitment, params.contentHashes.length, params.reservedBytes],
    },
    (logs) => {
      const { committedAt, bond: paid } = only(logs, "SubmissionCommitted").args;
      return { committedAt, bond: paid };
    },
  );
  const { committedAt, bond: paid } = await handle.wait();
  return { salt, commitment, committedAt, bond: paid };
}

/**
 * Commits to a later submission of `contentHashes`, reserving their count and `reservedBytes` (the
 * most their declared sizes will add up to) of the current epoch's quotas. The bond (the epoch's
 * `submissionBond` per item) is pulled at commit: when the registry's allowance is short of it, an
 * approval of exactly the bond is sent first. Waits until the commitment is mined; reveal in a later
 * second and within `REVEAL_WINDOW`, or it lapses and the bond goes to the treasury.
 */
export async function commitSubmission(
  client: ProtocolClient,
  params: { datanetId: bigint; contentHashes: readonly Hex[]; reservedBytes: bigint; salt?: Hex },
): Promise<CommittedSubmission> {
  const wallet = requireWallet(client, "commitSubmission");
  assertPositiveId("datanetId", params.datanetId);
  if (params.contentHashes.length === 0) throw new InvalidInputError("contentHashes", "name at least one content hash");
  if (params.contentHashes.length > MAX_UINT16) {
    throw new InvalidInputError("contentHashes", `${params.contentHashes.length} hashes are more than one commitment holds (65,535)`);
  }
  params.contentHashes.forEach((hash, i) => assertBytes32(`contentHashes[${i}]`, hash));
  assertUint64("reservedBytes", params.reservedBytes);
  if (params.salt !== undefined) assertBytes32("salt", params.salt);
  const { bond } = await checkReservation(client, {
    datanetId: params.datanetId,
    contributor: wallet.walletClient.account.address,
    itemCount: params.contentHashes.length,
    reservedBytes: params.reservedBytes,
  });
  return commit(wallet, params, bond);
}

/** Everything a reveal needs: handed back (and saved to the caller's store) before the reveal is sent. */
export interface PendingReveal {
  datanetId: bigint;
  /** The account that committed: only it can reveal. */
  contributor: Address;
  items: SubmissionItem[];
  salt: Hex;
  commitment: Hex;
  /** The commitment's second: reveal after it and at most `REVEAL_WINDOW` later. */
  committedAt: number;
  /** OPEN wei pulled as bond at commit (never pulled again by the reveal). */
  bond: bigint;
}

/**
 * Where pending reveals wait until their reveal is mined. `memoryRevealStore()` keeps them in memory;
 * a page can keep them in `localStorage` or IndexedDB with its own implementation, so a reload or a
 * rejected reveal does not lose the salt.
 */
export interface RevealStore {
  save(reveal: PendingReveal): void | Promise<void>;
  remove(commitment: Hex): void | Promise<void>;
  list(): readonly PendingReveal[] | Promise<readonly PendingReveal[]>;
}

/**
 * A pending reveal as a JSON string (bigints as decimal strings), for a store over `localStorage`
 * or a file; `parsePendingReveal` reads it back.
 */
export function serializePendingReveal(reveal: PendingReveal): string {
  return JSON.stringify(reveal, (_, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** Reads what `serializePendingReveal` wrote, checking every field (`InvalidInputError` naming it). */
export function parsePendingReveal(text: string): PendingReveal {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new InvalidInputError("pendingReveal", `not JSON (${(cause as Error).message})`);
  }
  if (typeof json !== "object" || json === null) throw new InvalidInputError("pendingReveal", "is not a JSON object");
  const whole = (field: string, value: unknown): bigint => {
    if (typeof value !== "string" || !/^(0|[1-9]\d*)$/.test(value)) throw new InvalidInputError(field, `${JSON.stringify(value)} is not a decimal string`);
    return BigInt(value);
  };
  const { contributor, salt, commitment, committedAt, items } = json;
  if (typeof contributor !== "string") throw new InvalidInputError("contributor", "is not a string");
  assertAddress("contributor", contributor);
  if (typeof salt !== "string") throw new InvalidInputError("salt", "is not a string");
  assertBytes32("salt", salt);
  if (typeof commitment !== "string") throw new InvalidInputError("commitment", "is not a string");
  assertBytes32("commitment", commitment);
  if (typeof committedAt !== "number" || !Number.isSafeInteger(committedAt)) throw new InvalidInputError("committedAt", "is not a whole number");
  if (!Array.isArray(items)) throw new InvalidInputError("items", "is not an array");
  const parsed = items.map((item: Record<string, unknown> | null, i) => {
    if (typeof item !== "object" || item === null) throw new InvalidInputError(`items[${i}]`, "is not an object");
    return { contentHash: item.contentHash as Hex, sizeBytes: whole(`items[${i}].sizeBytes`, item.sizeBytes), uri: item.uri as string };
  });
  assertItems(parsed);
  const datanetId = whole("datanetId", json.datanetId);
  assertPositiveId("datanetId", datanetId);
  return { datanetId, contributor: getAddress(contributor), items: parsed, salt, commitment, committedAt, bond: whole("bond", json.bond) };
}

/** A `RevealStore` in memory (browser and Node alike). */
export function memoryRevealStore(): RevealStore {
  const reveals = new Map<string, PendingReveal>();
  return {
    save: (reveal) => void reveals.set(reveal.commitment.toLowerCase(), reveal),
    remove: (commitment) => void reveals.delete(commitment.toLowerCase()),
    list: () => [...reveals.values()],
  };
}

/** The steps of a submission, as `onProgress` reports them. */
export type SubmitProgress =
  /** Checked against the datanet's terms, quotas and registered hashes; `bond` is what the commitment pulls. */
  | { step: "checked"; bond: bigint }
  /** The commitment is mined; `pending` is everything needed to reveal (saved to the store first). */
  | { step: "committed"; pending: PendingReveal }
  /** The reveal is being simulated and sent (a wallet may now ask the user). */
  | { step: "revealing"; pending: PendingReveal }
  /** The reveal was sent; its handle's `wait()` yields the contribution ids. */
  | { step: "revealed"; hash: Hash };

/** Options of a submission: where to keep the pending reveal, and who to tell about each step. */
export interface SubmitOptions {
  store?: RevealStore;
  onProgress?: (progress: SubmitProgress) => void;
}

async function prepare(
  client: ProtocolClient,
  action: string,
  datanetId: bigint,
  items: readonly SubmissionItem[],
  options: SubmitOptions,
): Promise<{ wallet: WritableProtocolClient; pending: PendingReveal }> {
  const wallet = requireWallet(client, action);
  assertPositiveId("datanetId", datanetId);
  assertItems(items);
  const contributor = wallet.walletClient.account.address;
  const { bond, reservedBytes } = await checkItems(client, { datanetId, contributor, items });
  options.onProgress?.({ step: "checked", bond });
  const committed = await commit(wallet, { datanetId, contentHashes: items.map((item) => item.contentHash), reservedBytes }, bond);
  const pending: PendingReveal = {
    datanetId,
    contributor: getAddress(contributor),
    items: items.map(({ contentHash, sizeBytes, uri }) => ({ contentHash, sizeBytes, uri })),
    salt: committed.salt,
    commitment: committed.commitment,
    committedAt: committed.committedAt,
    bond: committed.bond,
  };
  await options.store?.save(pending);
  options.onProgress?.({ step: "committed", pending });
  return { wallet, pending };
}

/**
 * Sends the reveal of a mined commitment: `submit` for a single item, `submitBatch` for several (as
 * the submission was made). The pending reveal leaves the store once the reveal is mined.
 */
async function sendReveal(
  wallet: WritableProtocolClient,
  pending: PendingReveal,
  batch: boolean,
  options: SubmitOptions,
): Promise<TransactionHandle<{ contributionIds: bigint[] }>> {
  options.onProgress?.({ step: "revealing", pending });
  const { datanetId, items, salt } = pending;
  const ids = (logs: DecodedLogs<typeof datanetRegistryAbi>) => ({
    contributionIds: logs.filter((log) => log.eventName === "ContributionSubmitted").map((log) => (log.args as { contributionId: bigint }).contributionId),
  });
  const contract = registryContract(wallet);
  const handle = batch
    ? await sendContractTransaction(wallet, { ...contract, functionName: "submitBatch", args: [datanetId, items, salt] }, ids, REVEAL)
    : await sendContractTransaction(
        wallet,
        { ...contract, functionName: "submit", args: [datanetId, items[0]!.contentHash, items[0]!.sizeBytes, items[0]!.uri, salt] },
        ids,
        REVEAL,
      );
  options.onProgress?.({ step: "revealed", hash: handle.hash });
  return {
    hash: handle.hash,
    async wait(waitOptions) {
      const result = await handle.wait(waitOptions);
      await options.store?.remove(pending.commitment);
      return result;
    },
  };
}

/**
 * Registers one contribution: checks it, approves the bond if needed, commits (reserving its size),
 * then reveals in a later second. The returned handle is the reveal; `wait()` gives the contribution
 * id. Verdicts open `REVEAL_WINDOW` after the reveal. Everything the reveal needs is saved to
 * `options.store` and reported to `options.onProgress` before the reveal is sent, so a reveal that
 * is rejected or fails is retried with `revealSubmission`, without a new commitment or bond.
 */
export async function submitContribution(
  client: ProtocolClient,
  params: { datanetId: bigint } & SubmissionItem,
  options: SubmitOptions = {},
): Promise<TransactionHandle<{ contributionId: bigint }>> {
  const { wallet, pending } = await prepare(client, "submitContribution", params.datanetId, [params], options);
  const handle = await sendReveal(wallet, pending, false, options);
  return {
    hash: handle.hash,
    async wait(waitOptions) {
      const { contributionIds, receipt } = await handle.wait(waitOptions);
      return { contributionId: contributionIds[0]!, receipt };
    },
  };
}

/** Registers several contributions with one approval, one commitment and one reveal; all or nothing (options as `submitContribution`). */
export async function submitContributions(
  client: ProtocolClient,
  params: { datanetId: bigint; items: readonly SubmissionItem[] },
  options: SubmitOptions = {},
): Promise<TransactionHandle<{ contributionIds: bigint[] }>> {
  const { wallet, pending } = await prepare(client, "submitContributions", params.datanetId, params.items, options);
  return sendReveal(wallet, pending, true, options);
}

/**
 * Reveals a commitment made earlier (a `PendingReveal` from the store or from `onProgress`): after a
 * reveal was rejected in the wallet or failed, this retries it with the same salt; no new
 * commitment is made and no bond is pulled again. Refused before sending when the commitment is no
 * longer on chain (already revealed, or lapsed) or was made by another account.
 */
export async function revealSubmission(
  client: ProtocolClient,
  pending: PendingReveal,
  options: SubmitOptions = {},
): Promise<TransactionHandle<{ contributionIds: bigint[] }>> {
  const wallet = requireWallet(client, "revealSubmission");
  assertPositiveId("pending.datanetId", pending.datanetId);
  assertItems(pending.items);
  assertBytes32("pending.salt", pending.salt);
  assertBytes32("pending.commitment", pending.commitment);
  const committer = wallet.walletClient.account.address;
  if (getAddress(pending.contributor) !== getAddress(committer)) {
    throw new InvalidInputError("pending.contributor", `${pending.contributor} made this commitment; the wallet account is ${committer}`);
  }
  const expected = submissionCommitment({ contributor: committer, datanetId: pending.datanetId, contentHashes: pending.items.map((i) => i.contentHash), salt: pending.salt });
  if (expected !== pending.commitment) throw new InvalidInputError("pending.commitment", "does not match the items, datanet and salt");
  const onChain = await getCommitment(client, { committer, commitment: pending.commitment });
  if (onChain.committedAt === 0) await fail("CommitmentNotFound", [pending.commitment]);
  return sendReveal(wallet, pending, pending.items.length > 1, options);
}

/**
 * Withdraws one of the wallet account's pending contributions. Only before its verdicts open
 * (`WithdrawalClosed` after); the bond is forfeited to the treasury and the quota stays used.
 */
export async function withdrawContribution(
  client: ProtocolClient,
  params: { contentHash: Hex },
): Promise<TransactionHandle<{ contributionId: bigint; bondForfeited: bigint }>> {
  assertBytes32("contentHash", params.contentHash);
  return sendContractTransaction(
    requireWallet(client, "withdrawContribution"),
    { ...registryContract(client), functionName: "withdraw", args: [params.contentHash] },
    (logs) => {
      const { contributionId, bondForfeited } = only(logs, "ContributionWithdrawn").args;
      return { contributionId, bondForfeited };
    },
  );
}

/**
 * Ends a commitment nobody revealed within `REVEAL_WINDOW` (anyone may call it): its bond goes to
 * the treasury, or back to the committer when a protocol pause overlapped the window (`refunded`);
 * its quota stays used. Commitments are kept per committer: `committer` is the account that made it
 * (the wallet account by default).
 */
export async function lapseCommitment(
  client: ProtocolClient,
  params: { committer?: Address; commitment: Hex },
): Promise<TransactionHandle<{ datanetId: bigint; bond: bigint; refunded: boolean }>> {
  const wallet = requireWallet(client, "lapseCommitment");
  if (params.committer !== undefined) assertAddress("committer", params.committer);
  assertBytes32("commitment", params.commitment);
  const committer = params.committer ?? wallet.walletClient.account.address;
  return sendContractTransaction(
    wallet,
    { ...registryContract(client), functionName: "lapseCommitment", args: [committer, params.commitment] },
    (logs) => {
      const { datanetId, bond } = only(logs, "SubmissionLapsed").args;
      const credited = logs.find((log) => log.eventName === "Credited");
      const refunded = credited !== undefined && getAddress(credited.args.account) === getAddress(committer);
      return { datanetId, bond, refunded };
    },
  );
}

/** A committer's unrevealed commitment (all zero when there is none, or once revealed or lapsed). */
export async function getCommitment(client: ProtocolClient, params: { committer: Address; commitment: Hex }): Promise<Commitment> {
  assertAddress("committer", params.committer);
  assertBytes32("commitment", params.commitment);
  return readProtocol(() =>
    client.publicClient.readContract({
      ...registryContract(client),
      functionName: "getCommitment",
      args: [params.committer, params.commitment],
    }),
  );
}

/** OPEN wei an account can withdraw from the registry: refunded bonds and forfeit shares. */
export async function getCredit(client: ProtocolClient, params: { account: Address }): Promise<bigint> {
  assertAddress("account", params.account);
  return readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "creditOf", args: [params.account] }),
  );
}

/** Pays the wallet account its whole registry credit in OPEN (`NoCredit` when there is none). */
export async function withdrawCredit(client: ProtocolClient): Promise<TransactionHandle<{ amount: bigint }>> {
  return sendContractTransaction(
    requireWallet(client, "withdrawCredit"),
    { ...registryContract(client), functionName: "withdrawCredit", args: [] },
    (logs) => ({ amount: only(logs, "CreditWithdrawn").args.amount }),
  );
}

/** Reads a stored contribution by its content hash (its key on chain). */
export async function getContribution(client: ProtocolClient, contentHash: Hex): Promise<Contribution> {
  assertBytes32("contentHash", contentHash);
  return readProtocol(() =>
    client.publicClient.readContract({ ...registryContract(client), functionName: "getContribution", args: [contentHash] }),
  );
}

/** The content hash of a contribution id, from its `ContributionSubmitted` event (ids are indexed). */
export async function contentHashOf(client: ProtocolClient, contributionId: bigint): Promise<Hex> {
  assertPositiveId("contributionId", contributionId);
  const logs = await readProtocol(() =>
    readLogRanges(client, {}, (fromBlock, toBlock) =>
      client.publicClient.getContractEvents({
        ...registryContract(client),
        eventName: "ContributionSubmitted",
        args: { contributionId },
        fromBlock,
        toBlock,
        strict: true,
      }),
    ),
  );
  const log = logs[0];
  if (log === undefined) throw new InvalidInputError("contributionId", `no contribution ${contributionId} was submitted`);
  return log.args.contentHash;
}
