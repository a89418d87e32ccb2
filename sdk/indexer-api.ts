/**
 * A typed reader of the indexer service's API (indexer/, Ponder): the queries the chain cannot answer
 * in one call, answered from the indexer's tables over its read-only SQL over HTTP endpoint (`/sql/db`,
 * the one `@ponder/client` uses). Browser-safe: it needs only `fetch`.
 *
 * ```ts
 * const indexer = createIndexerClient({ url: "http://127.0.0.1:42069" });
 * const { items } = await indexer.leaderboard(1n, { limit: 20, offset: 0 });
 * ```
 *
 * Lists that can grow without bound are paged: `contributions` by id (`after`: the last id of the
 * previous page), `leaderboard` by rank (`offset`), each page one index scan, so a page costs the same
 * at row 10,000 as at row 1. Readers that return a whole list (`pendingQueue`, `claimableEpochs`)
 * page through it themselves.
 */
import { getAddress, type Address, type Hex } from "viem";

import { ContributionStatus } from "./actions/contributions.ts";
import { fromHyperparameters, type Hyperparameters, type ModelLineage } from "./actions/models.ts";
import type { ClaimableReward } from "./actions/rewards.ts";
import type { LeaderboardEntry } from "./actions/validators.ts";
import { IndexerApiError, InvalidInputError } from "./errors.ts";
import type { ContributionRecord } from "./history.ts";
import { FINETUNING_TYPES, trainingMethod } from "./llama-factory.ts";
import { assertAddress, assertPositiveId, isWhole } from "./validate.ts";

/** Where the API is, and the `fetch` to reach it with (the global one by default). */
export interface IndexerClientConfig {
  url: string;
  fetch?: typeof fetch;
}

/** One row of a datanet's leaderboard as the indexer ranks it: the numbers of the log-built row, its
 * score the chain's `reputationOf` formula, and its rank. */
export type IndexedLeaderboardEntry = Omit<LeaderboardEntry, "onChainScore" | "verified"> & {
  /** 1 for the highest score; ties by more accepted, then by address. */
  rank: number;
};

/** A contribution open for a validator's verdict, with the size limit its content is judged by. */
export interface PendingContribution extends ContributionRecord {
  /** The datanet's `maxBytesPerContribution` in the terms of the contribution's epoch. */
  maxBytesPerContribution: bigint;
}

/** What an account can claim now from one ended epoch of one datanet. */
export interface ClaimableEpoch extends ClaimableReward {
  datanetId: bigint;
}

/** A page of a list read by id: `next` is the `after` of the next page (undefined on the last page). */
export interface IdPage<T> {
  items: T[];
  next: bigint | undefined;
}

/** The block the indexer has indexed up to: its answers are the chain's state at this block. */
export interface IndexedBlock {
  number: bigint;
  timestamp: number;
}

/** The most rows one page may ask for. */
export const MAX_PAGE = 1000;

type Row = Record<string, unknown>;

/** The client `createIndexerClient` returns. */
export type IndexerClient = ReturnType<typeof createIndexerClient>;

/** A reader of the indexer API at `url` (no request is made until a reader is called). */
export function createIndexerClient(config: IndexerClientConfig) {
  let base: URL;
  try {
    base = new URL(config.url);
  } catch {
    throw new InvalidInputError("url", `${config.url} is not a URL`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new InvalidInputError("url", `${config.url} is not an http(s) URL`);
  const url = base.href.replace(/\/$/, "");
  const fetchFn = config.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const bad = (reason: string) => new IndexerApiError("BadAnswer", url, reason);

  async function get(path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetchFn(`${url}${path}`);
    } catch (cause) {
      throw new IndexerApiError("Unreachable", url, (cause as Error).message ?? String(cause), { cause });
    }
    const body = await response.text().catch(() => "");
    if (!response.ok) throw bad(`HTTP ${response.status}${body === "" ? "" : `: ${body.split("\n")[0]!.slice(0, 200)}`}`);
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw bad(`not JSON: ${body.slice(0, 80)}`);
    }
  }

  /** The rows of a read-only SQL query with `$n` parameters (sent as text, cast in the query). */
  async function query(sql: string, params: (string | number)[] = []): Promise<Row[]> {
    // The endpoint takes the query superjson-encoded; with only strings and numbers that is `{ json }`.
    const encoded = encodeURIComponent(JSON.stringify({ json: { sql, params } }));
    const answer = (await get(`/sql/db?sql=${encoded}`)) as { rows?: unknown } | null;
    if (answer === null || !Array.isArray(answer.rows)) throw bad("no rows in the answer");
    return answer.rows as Row[];
  }

  /**
   * The rows of `select <columns> <rest>`, fetched as one JSON array of value arrays (`order` orders
   * them, by the columns' names): the column names come once instead of in every row, so a 200-row
   * pending queue is 70 kB instead of 130 kB, and encoding and decoding those bytes is most of what
   * the API and this reader spend on a long list. Every value comes as text (or null), so no amount
   * loses precision; the rows are returned keyed by the columns' names, as `query` returns them.
   */
  async function compactQuery(columns: readonly string[], rest: string, order: string, params: (string | number)[]): Promise<Row[]> {
    const names = columns.map((column) => column.split(/ as |\./).at(-1)!);
    const [answer] = await query(
      `select json_agg(json_build_array(${names.map((name) => `q.${name}::text`).join(", ")}) order by ${order}) as rows
       from (select ${columns.join(", ")} ${rest}) q`,
      params,
    );
    const rows = answer?.rows ?? [];
    if (!Array.isArray(rows) || !rows.every((values) => Array.isArray(values) && values.length === names.length)) {
      throw bad(`rows of ${names.length} values expected, not ${JSON.stringify(rows).slice(0, 80)}`);
    }
    return rows.map((values: unknown[]) => {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
      return row;
    });
  }

  // Column readers: the API answers numeric columns as text or numbers; anything else is a bad answer.
  const field = (row: Row, column: string) => {
    if (!(column in row)) throw bad(`no column ${column}`);
    return row[column];
  };
  const whole = (row: Row, column: string): string | number => {
    const value = field(row, column);
    if ((typeof value === "string" && /^-?\d+$/.test(value)) || (typeof value === "number" && Number.isInteger(value))) return value;
    throw bad(`${column} is ${JSON.stringify(value)}, not a whole number`);
  };
  const big = (row: Row, column: string): bigint => BigInt(whole(row, column));
  // (Number of the text directly: the same nearest double as through a bigint, without making one.)
  const num = (row: Row, column: string): number => Number(whole(row, column));
  const address = (row: Row, column: string): Address => {
    const value = field(row, column);
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw bad(`${column} is ${JSON.stringify(value)}, not an address`);
    return getAddress(value);
  };
  const hex = (row: Row, column: string): Hex => {
    const value = field(row, column);
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]*$/.test(value)) throw bad(`${column} is ${JSON.stringify(value)}, not hex`);
    return value as Hex;
  };
  const text = (row: Row, column: string): string => {
    const value = field(row, column);
    if (typeof value !== "string") throw bad(`${column} is ${JSON.stringify(value)}, not text`);
    return value;
  };
  const list = (row: Row, column: string): string[] => {
    const value = field(row, column);
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw bad(`${column} is ${JSON.stringify(value)}, not a list of text`);
    return value as string[];
  };

  /** The indexed block's second as a one-row subquery (`now`): Ponder's checkpoint of the chain starts
   * with it in ten digits, as /status decodes it. */
  const INDEXED_SECOND = "(select substring(latest_checkpoint, 1, 10)::integer as now from _ponder_checkpoint order by chain_id limit 1)";

  /** The indexer's latest indexed block. */
  async function indexedBlock(): Promise<IndexedBlock> {
    const status = (await get("/status")) as Record<string, { block?: { number?: unknown; timestamp?: unknown } }> | null;
    const block = status === null ? undefined : Object.values(status)[0]?.block;
    if (typeof block?.number !== "number" || typeof block.timestamp !== "number") throw bad("/status names no indexed block");
    return { number: BigInt(block.number), timestamp: block.timestamp };
  }

  const CONTRIBUTION_COLUMNS = [
    ...["id", "datanet_id", "contributor", "content_hash", "size_bytes", "uri", "epoch", "submitted_at", "commitment", "committed_at"],
    ...["voting_opens_at", "voting_ends_at", "bond", "quorum", "acceptance_threshold_bps", "min_validator_stake", "status", "accepted_index"],
  ].map((column) => `c.${column}`);

  const contributionOf = (row: Row): ContributionRecord => {
    const acceptedIndex = field(row, "accepted_index");
    return {
      contributionId: big(row, "id"),
      datanetId: big(row, "datanet_id"),
      contributor: address(row, "contributor"),
      contentHash: hex(row, "content_hash"),
      sizeBytes: big(row, "size_bytes"),
      uri: text(row, "uri"),
      epoch: num(row, "epoch"),
      submittedAt: num(row, "submitted_at"),
      commitment: hex(row, "commitment"),
      committedAt: num(row, "committed_at"),
      votingOpensAt: num(row, "voting_opens_at"),
      votingEndsAt: num(row, "voting_ends_at"),
      bond: big(row, "bond"),
      quorum: num(row, "quorum"),
      acceptanceThresholdBps: num(row, "acceptance_threshold_bps"),
      minValidatorStake: big(row, "min_validator_stake"),
      status: num(row, "status") as ContributionStatus,
      ...(acceptedIndex === null ? {} : { acceptedIndex: big(row, "accepted_index") }),
    };
  };

  const assertPage = (limit: number) => {
    if (!isWhole(limit, 1, MAX_PAGE)) throw new InvalidInputError("limit", `${String(limit)} is not a page size from 1 to ${MAX_PAGE}`);
  };
  const assertCursor = (after: bigint | undefined) => {
    if (after !== undefined && (typeof after !== "bigint" || after < 0n)) throw new InvalidInputError("after", `${String(after)} is not a contribution id`);
  };

  /**
   * A datanet's contributions in id order, a page at a time: only those with `status`, or by
   * `contributor`, or (`version`) the accepted ones a published version of the datanet holds.
   */
  async function contributions(params: {
    datanetId: bigint;
    status?: ContributionStatus;
    contributor?: Address;
    version?: number;
    limit?: number;
    after?: bigint;
  }): Promise<IdPage<ContributionRecord>> {
    assertPositiveId("datanetId", params.datanetId);
    const limit = params.limit ?? 100;
    assertPage(limit);
    assertCursor(params.after);
    if (params.status !== undefined && !isWhole(params.status, ContributionStatus.Pending, ContributionStatus.Displaced)) {
      throw new InvalidInputError("status", `${String(params.status)} is not a contribution status`);
    }
    if (params.contributor !== undefined) assertAddress("contributor", params.contributor);
    if (params.version !== undefined && !isWhole(params.version, 1, 2 ** 32 - 1)) throw new InvalidInputError("version", `${String(params.version)} is not a version`);
    const where = ["c.datanet_id = $1::numeric", "c.id > $2::numeric"];
    const values: (string | number)[] = [String(params.datanetId), String(params.after ?? 0n)];
    const add = (condition: (n: number) => string, value: string | number) => {
      values.push(value);
      where.push(condition(values.length));
    };
    if (params.status !== undefined) add((n) => `c.status = $${n}::integer`, params.status);
    if (params.contributor !== undefined) add((n) => `c.contributor = $${n}`, params.contributor.toLowerCase());
    let from = "contribution c";
    if (params.version !== undefined) {
      // A version holds the first `contribution_count` contributions accepted into its datanet.
      from = "contribution c join datanet_version v on v.datanet_id = c.datanet_id";
      add((n) => `v.version = $${n}::integer`, params.version);
      where.push(`c.status = ${ContributionStatus.Accepted}`, "c.accepted_index <= v.contribution_count");
    }
    const rows = await compactQuery(CONTRIBUTION_COLUMNS, `from ${from} where ${where.join(" and ")} order by c.id limit ${limit}`, "q.id", values);
    const items = rows.map(contributionOf);
    return { items, next: items.length === limit ? items.at(-1)!.contributionId : undefined };
  }

  /** A page of a datanet's leaderboard: highest reputation score first, ties by more accepted, then by address. */
  async function leaderboard(datanetId: bigint, page: { limit?: number; offset?: number } = {}): Promise<{ items: IndexedLeaderboardEntry[] }> {
    assertPositiveId("datanetId", datanetId);
    const limit = page.limit ?? 100;
    const offset = page.offset ?? 0;
    assertPage(limit);
    if (!isWhole(offset, 0, Number.MAX_SAFE_INTEGER)) throw new InvalidInputError("offset", `${String(offset)} is not a row count`);
    const rows = await query(
      "select contributor, submitted, accepted, rejected, quality_sum, score from leaderboard where datanet_id = $1::numeric " +
        `order by score desc, accepted desc, contributor limit ${limit} offset ${offset}`,
      [String(datanetId)],
    );
    const items = rows.map((row, i) => {
      const accepted = num(row, "accepted");
      const qualitySum = big(row, "quality_sum");
      return {
        rank: offset + i + 1,
        contributor: address(row, "contributor"),
        submitted: num(row, "submitted"),
        accepted,
        rejected: num(row, "rejected"),
        meanQuality: accepted === 0 ? 0 : Number(qualitySum) / accepted,
        score: big(row, "score"),
      };
    });
    return { items };
  }

  /**
   * Contributions `validator` can judge at the indexed block: pending with their voting window open, in
   * `datanetId` (or every datanet where it has stake bonded, not unbonding), not its own, not yet judged
   * by it, and revealed after it had the contribution's minimum stake bonded, still bonded in full (a
   * verdict weighs the stake bonded before the reveal). Oldest first.
   */
  async function pendingQueue(params: { validator: Address; datanetId?: bigint }): Promise<PendingContribution[]> {
    assertAddress("validator", params.validator);
    if (params.datanetId !== undefined) assertPositiveId("datanetId", params.datanetId);
    const values: (string | number)[] = [params.validator.toLowerCase()];
    const datanet = params.datanetId === undefined ? "" : (values.push(String(params.datanetId)), `and c.datanet_id = $${values.length}::numeric`);
    const queue: PendingContribution[] = [];
    for (let after = 0n; ; ) {
      // One query, with the indexed block's second read in it (not from /status): the same query text
      // and parameters until the next block, so the API answers it from its cache of query results.
      const rows = await compactQuery(
        [...CONTRIBUTION_COLUMNS, "terms.max_bytes_per_contribution"],
        `from contribution c
         cross join ${INDEXED_SECOND} indexed
         join validator v on v.datanet_id = c.datanet_id and v.validator = $1 and v.amount > 0 and v.unbonding_ends_at = 0
         left join verdict j on j.contribution_id = c.id and j.validator = $1
         left join lateral (select s.amount from stake_checkpoint s where s.datanet_id = c.datanet_id and s.validator = $1 and s.at <= c.snapshot_at order by s.at desc limit 1) at_snapshot on true
         join lateral (select t.max_bytes_per_contribution from datanet_terms t where t.datanet_id = c.datanet_id and t.from_epoch <= c.epoch order by t.from_epoch desc limit 1) terms on true
         where c.status = ${ContributionStatus.Pending} and c.voting_opens_at <= indexed.now and c.voting_ends_at > indexed.now
           and c.contributor <> $1 and j.validator is null and c.id > $${values.length + 1}::numeric ${datanet}
           and coalesce(at_snapshot.amount, 0) >= c.min_validator_stake and v.amount >= coalesce(at_snapshot.amount, 0)
         order by c.id limit ${MAX_PAGE}`,
        "q.id",
        [...values, String(after)],
      );
      queue.push(...rows.map((row) => ({ ...contributionOf(row), maxBytesPerContribution: big(row, "max_bytes_per_contribution") })));
      if (rows.length < MAX_PAGE) return queue;
      after = queue.at(-1)!.contributionId;
    }
  }

  /**
   * What `account` can claim now (at the indexed block) from the reward pools of ended epochs, every
   * datanet or one: epochs where it earned points, funded, not claimed by it, and still in the claim
   * window (`claimWindowEpochs`: RewardPools' immutable of that name). Shares as `RewardPools.claimable`
   * computes them; epochs with nothing to claim are left out.
   */
  async function claimableEpochs(account: Address, options: { claimWindowEpochs: number; datanetId?: bigint }): Promise<ClaimableEpoch[]> {
    assertAddress("account", account);
    if (!isWhole(options.claimWindowEpochs, 1, 2 ** 32 - 1)) throw new InvalidInputError("claimWindowEpochs", `${String(options.claimWindowEpochs)} is not a number of epochs`);
    if (options.datanetId !== undefined) assertPositiveId("datanetId", options.datanetId);
    const { timestamp: now } = await indexedBlock();
    const values: (string | number)[] = [account.toLowerCase()];
    const datanet = options.datanetId === undefined ? "" : (values.push(String(options.datanetId)), `and p.datanet_id = $${values.length}::numeric`);
    const claimable: ClaimableEpoch[] = [];
    for (let offset = 0; ; offset += MAX_PAGE) {
      const rows = await query(
        `select p.datanet_id, p.epoch, p.contributor, p.validator, e.contributor_points, e.validator_points, r.funded, r.contributor_bps,
                d.created_at, t.epoch_length
         from points p
         join reward_pool r on r.datanet_id = p.datanet_id and r.epoch = p.epoch and r.funded > 0
         join epoch e on e.datanet_id = p.datanet_id and e.epoch = p.epoch
         join datanet d on d.id = p.datanet_id
         join datanet_terms t on t.datanet_id = p.datanet_id and t.from_epoch = 0
         left join reward_claim k on k.datanet_id = p.datanet_id and k.epoch = p.epoch and k.account = $1
         where p.account = $1 and k.account is null ${datanet}
         order by p.datanet_id, p.epoch limit ${MAX_PAGE} offset ${offset}`,
        values,
      );
      for (const row of rows) {
        const epoch = big(row, "epoch");
        // The epoch length never changes after creation (EpochLengthImmutable).
        const current = BigInt(Math.floor((now - num(row, "created_at")) / num(row, "epoch_length")));
        if (epoch >= current || current > epoch + BigInt(options.claimWindowEpochs)) continue;
        const funded = big(row, "funded");
        const contributorPart = (funded * big(row, "contributor_bps")) / 10_000n;
        const share = (part: bigint, points: bigint, total: bigint) => (points === 0n ? 0n : (part * points) / total);
        const contributorShare = share(contributorPart, big(row, "contributor"), big(row, "contributor_points"));
        const validatorShare = share(funded - contributorPart, big(row, "validator"), big(row, "validator_points"));
        if (contributorShare + validatorShare > 0n) claimable.push({ datanetId: big(row, "datanet_id"), epoch, contributorShare, validatorShare });
      }
      if (rows.length < MAX_PAGE) return claimable;
    }
  }

  /**
   * A model's lineage as `modelLineage` reads it from events: its versions with their settings and
   * adapter, and the exact datanet versions each was trained on (their contributions:
   * `contributions({ datanetId, version })`). An unknown model is `undefined`.
   */
  async function lineage(modelId: bigint): Promise<ModelLineage | undefined> {
    assertPositiveId("modelId", modelId);
    const [model] = await query("select id, base_model_id, name, owner, pending_owner from model where id = $1::numeric", [String(modelId)]);
    if (model === undefined) return undefined;
    const versions = await query(
      `select version, finetuning_type, lora_rank, lora_alpha, lora_dropout_bps, quantization_bit, learning_rate_wad, num_train_epochs_milli,
              per_device_train_batch_size, gradient_accumulation_steps, cutoff_len, lora_target, lr_scheduler_type, template,
              adapter_hash, adapter_uri, evaluation_hash, block_number, published_at
       from model_version where model_id = $1::numeric order by version`,
      [String(modelId)],
    );
    const training = await query(
      "select version, datanet_id, datanet_version, version_root, contribution_count from training_data where model_id = $1::numeric order by version, datanet_id",
      [String(modelId)],
    );
    // In the order `modelLineage` builds it from the events (`ModelRegistered`'s arguments first).
    return {
      modelId: big(model, "id"),
      baseModelId: big(model, "base_model_id"),
      owner: address(model, "owner"),
      name: text(model, "name"),
      pendingOwner: address(model, "pending_owner"),
      versions: versions.map((row) => {
        const finetuningType = FINETUNING_TYPES.indexOf(text(row, "finetuning_type") as (typeof FINETUNING_TYPES)[number]);
        if (finetuningType < 0) throw bad(`finetuning_type ${text(row, "finetuning_type")} is not one of ${FINETUNING_TYPES.join(", ")}`);
        const hyperparameters: Hyperparameters = {
          finetuningType,
          loraRank: num(row, "lora_rank"),
          loraAlpha: num(row, "lora_alpha"),
          loraDropoutBps: num(row, "lora_dropout_bps"),
          quantizationBit: num(row, "quantization_bit"),
          learningRateWad: big(row, "learning_rate_wad"),
          numTrainEpochsMilli: num(row, "num_train_epochs_milli"),
          perDeviceTrainBatchSize: num(row, "per_device_train_batch_size"),
          gradientAccumulationSteps: num(row, "gradient_accumulation_steps"),
          cutoffLen: num(row, "cutoff_len"),
          loraTarget: list(row, "lora_target"),
          lrSchedulerType: text(row, "lr_scheduler_type"),
          template: text(row, "template"),
        };
        const version = num(row, "version");
        const settings = fromHyperparameters(hyperparameters);
        return {
          version,
          method: trainingMethod(settings),
          settings,
          hyperparameters,
          adapterHash: hex(row, "adapter_hash"),
          adapterURI: text(row, "adapter_uri"),
          evaluationHash: hex(row, "evaluation_hash"),
          trainingData: training
            .filter((t) => num(t, "version") === version)
            .map((t) => ({ datanetId: big(t, "datanet_id"), version: num(t, "datanet_version"), versionRoot: hex(t, "version_root"), contributionCount: big(t, "contribution_count") })),
          blockNumber: big(row, "block_number"),
          publishedAt: num(row, "published_at"),
        };
      }),
    };
  }

  return {
    url,
    /** Rows of any read-only SQL query over the indexer's tables (ponder.schema.ts; columns in snake_case). */
    sql: query,
    indexedBlock,
    contributions,
    leaderboard,
    pendingQueue,
    claimableEpochs,
    lineage,
  };
}
