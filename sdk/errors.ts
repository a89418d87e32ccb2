import {
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  UserRejectedRequestError,
  type AbiParameter,
  type AbiParameterToPrimitiveType,
  type ContractErrorArgs,
  type ContractErrorName,
} from "viem";

import type { protocolErrorsAbi } from "./abis/errors.ts";
import type * as contractAbis from "./abis/index.ts";

/** The name of a custom error of one of the protocol's contracts. */
export type ProtocolErrorName = ContractErrorName<typeof protocolErrorsAbi>;

/** Every contract's declaration of an error: two contracts may name the same error's parameter differently. */
type ErrorItem<N extends ProtocolErrorName> = Extract<
  { [K in keyof typeof contractAbis]: (typeof contractAbis)[K] extends readonly (infer I)[] ? I : never }[keyof typeof contractAbis],
  { type: "error"; name: N }
>;
type Named<I> = I extends { inputs: readonly AbiParameter[] }
  ? { readonly [P in I["inputs"][number] as P["name"] & string]: AbiParameterToPrimitiveType<P> }
  : never;

/**
 * A custom error's arguments by their Solidity names, typed from the contracts' ABIs:
 * `ProtocolErrorArgs<"DatanetUnknown">` is `{ readonly datanetId: bigint }`. An error declared twice
 * with different parameters (`InvalidClaimWindow`) is the union of both.
 */
export type ProtocolErrorArgs<N extends ProtocolErrorName = ProtocolErrorName> = N extends ProtocolErrorName ? Named<ErrorItem<N>> : never;

/** A custom error's arguments in declaration order, as a revert carries them. */
export type ProtocolErrorArgList<N extends ProtocolErrorName> = ContractErrorArgs<typeof protocolErrorsAbi, N>;

/** Root of every error the SDK throws; mirrors viem's `BaseError` (`shortMessage`, `details`, `cause`). */
export class OpenLedgerError extends Error {
  override name = "OpenLedgerError";
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(shortMessage: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    });
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** An argument was rejected by the SDK before anything was sent. */
export class InvalidInputError extends OpenLedgerError {
  override name = "InvalidInputError";
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`Invalid ${field}: ${problem}`);
    this.field = field;
  }
}

/** Why a dataset export stopped (see `exportDataset`). */
export type DatasetExportProblem = "Unavailable" | "HashMismatch" | "Unmappable" | "RootMismatch";

/**
 * A dataset export stopped and wrote nothing: a contribution's content could not be fetched
 * (`Unavailable`), did not hash to its on-chain content hash (`HashMismatch`) or could not be mapped
 * to a row of the format (`Unmappable`), or the contributions' Merkle root is not the version's
 * (`RootMismatch`). `subject` names the contribution (or the version); `contributionId` is set when
 * one contribution is at fault.
 */
export class DatasetExportError extends OpenLedgerError {
  override name = "DatasetExportError";
  readonly problem: DatasetExportProblem;
  readonly subject: string;
  readonly contributionId: bigint | undefined;

  constructor(problem: DatasetExportProblem, subject: string, reason: string, options: { contributionId?: bigint; cause?: unknown } = {}) {
    super(`Dataset export stopped (${problem}): ${subject}: ${reason}`, { cause: options.cause });
    this.problem = problem;
    this.subject = subject;
    this.contributionId = options.contributionId;
  }
}

/**
 * A fine-tune's pieces disagree: the adapter's `adapter_config.json` with the training config, or the
 * config with the dataset export it names, or the export with the chain. `field` names what differs.
 */
export class LineageMismatchError extends OpenLedgerError {
  override name = "LineageMismatchError";
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`${field} does not match: ${problem}`);
    this.field = field;
  }
}

/** A deployment (addresses file) is missing, malformed, or for another chain. */
export class DeploymentError extends OpenLedgerError {
  override name = "DeploymentError";
}

/** The client lacks something the action needs (a wallet client, an account). */
export class ClientConfigError extends OpenLedgerError {
  override name = "ClientConfigError";
}

/**
 * A protocol rule was broken: either a contract reverted with the custom error `errorName`, or the
 * SDK's pre-flight check found that it would (`preflight: true`, nothing was sent).
 */
export class ProtocolError<N extends ProtocolErrorName = ProtocolErrorName> extends OpenLedgerError {
  override name = "ProtocolError";
  readonly errorName: N;
  /** The custom error's arguments, by their Solidity names, typed per error (narrow with `ProtocolError.is`). */
  readonly args: ProtocolErrorArgs<N>;
  readonly preflight: boolean;

  /** Made by `protocolError`, or by `toSdkError` from a revert: they word the message. */
  constructor(errorName: N, args: ProtocolErrorArgs<N>, options: { message: string; preflight?: boolean; cause?: unknown }) {
    super(options.message, {
      details: `${errorName}(${Object.entries(args)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(", ")})`,
      cause: options.cause,
    });
    this.errorName = errorName;
    this.args = args;
    this.preflight = options.preflight ?? false;
  }

  /** Narrows an unknown error to a `ProtocolError` with the given name. */
  static is<N extends ProtocolErrorName>(error: unknown, errorName: N): error is ProtocolError<N> {
    return error instanceof ProtocolError && error.errorName === errorName;
  }
}

/** Why a read from the indexer service's API failed. */
export type IndexerApiProblem = "Unreachable" | "BadAnswer";

/**
 * The indexer service's API (`createIndexerClient`) could not be read: no answer from `url`
 * (`Unreachable`), or an answer that is an error or not the rows asked for (`BadAnswer`).
 */
export class IndexerApiError extends OpenLedgerError {
  override name = "IndexerApiError";
  readonly problem: IndexerApiProblem;
  readonly url: string;

  constructor(problem: IndexerApiProblem, url: string, reason: string, options: { cause?: unknown } = {}) {
    super(problem === "Unreachable" ? `The indexer API at ${url} is unreachable: ${reason}` : `The indexer API at ${url} gave a bad answer: ${reason}`, {
      cause: options.cause,
    });
    this.problem = problem;
    this.url = url;
  }
}

/** A transaction failed for a reason that is not a protocol rule (gas, nonce, RPC...). */
export class TransactionError extends OpenLedgerError {
  override name = "TransactionError";
}

/**
 * The user declined in the wallet: a transaction or a signature request was rejected (EIP-1193 code
 * 4001). Nothing was sent; asking again is safe.
 */
export class UserRejectedError extends OpenLedgerError {
  override name = "UserRejectedError";
}

/**
 * The sentence per error and the merged error ABI load with the first protocol error, so a page that
 * never meets one never downloads them.
 */
const protocolErrors = () => import("./protocol-errors.ts");

/**
 * A `ProtocolError` for `errorName` with its arguments in declaration order, worded as a revert with
 * it would be (the SDK's pre-flight checks make theirs with `preflight: true`).
 */
export async function protocolError<N extends ProtocolErrorName>(
  errorName: N,
  args: ProtocolErrorArgList<N>,
  options: { preflight?: boolean; cause?: unknown } = {},
): Promise<ProtocolError<N>> {
  return (await protocolErrors()).makeProtocolError(errorName, args, options);
}

/**
 * Turns what viem threw into an SDK error: a wallet's refusal becomes a `UserRejectedError`, a revert
 * with a protocol custom error (of whichever contract raised it) a `ProtocolError`; anything else a
 * `TransactionError` that keeps viem's error as `cause`.
 */
export async function toSdkError(error: unknown): Promise<OpenLedgerError> {
  if (error instanceof OpenLedgerError) return error;
  if (causes(error).some((e) => e instanceof UserRejectedRequestError || (e as { code?: unknown }).code === UserRejectedRequestError.code)) {
    return new UserRejectedError("The request was rejected in the wallet.", { cause: error });
  }
  // An SDK error raised inside viem's call (the retry layer's `NodeUnavailableError`) is what happened.
  const inner = causes(error).find((e): e is OpenLedgerError => e instanceof OpenLedgerError);
  if (inner !== undefined) return inner;
  if (error instanceof ViemBaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      const protocol = (await protocolErrors()).fromRevert(reverted, error);
      if (protocol !== undefined) return protocol;
    }
    return new TransactionError(error.shortMessage, { details: error.details, cause: error });
  }
  return new TransactionError(error instanceof Error ? error.message : String(error), { cause: error });
}

/** An error and its causes, outermost first. */
export function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 20; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}
