import { checksumAddress, decodeAbiParameters, decodeEventLog, toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Address, type Hex } from "viem";

/** What `decodeEventLog` returns for one log: the event's name and its arguments by name. */
export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown> | undefined;
}

/**
 * The same value, copied into one flat string if it is a string: values are held by the million, and a
 * string cut from a log's data keeps the whole data alive, and one viem builds piece by piece is a tree
 * of pieces (about 1 kB for a `bytes32`). Decoded strings are well-formed UTF-16, so UTF-8 carries them unchanged.
 */
function flat<T>(value: T): T {
  return (typeof value === "string" ? Buffer.from(value, "utf8").toString("utf8") : value) as T;
}

/** Reads one ABI word (`0x` and 64 hex digits) as a value of one static type, as viem's `decodeAbiParameters` would; throws where it would. */
type WordReader = (word: string) => unknown;

const TOPIC = /^0x[0-9a-fA-F]{64}$/;
const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

/**
 * A decoder of logs of the events in `abi`, strict, that returns exactly what viem's
 * `decodeEventLog({ abi: [event], topics, data, strict: true })` returns and throws when it throws,
 * several times faster and in a fraction of the memory: viem compares each log's topic with every
 * event's freshly hashed signature, decodes each topic through a byte cursor, and builds hex values
 * byte by byte (a tree of string pieces per `bytes32` until the string is next read whole). Events
 * whose arguments are all of the static one-word types (`uintN`, `address`, `bytes32`, `bool`) are read
 * word by word here; other non-indexed arguments are handed to viem's `decodeAbiParameters`, and a
 * log this decoder does not read alone (an unnamed argument, malformed hex) to `decodeEventLog`.
 * Hex values come out as flat lowercase strings and addresses checksummed once per decoder.
 */
export function createEventDecoder(abi: readonly AbiEvent[]) {
  const checksummed = new Map<string, Address>();
  const address: WordReader = (word) => {
    const lower = `0x${word.slice(-40)}`.toLowerCase();
    let found = checksummed.get(lower);
    if (found === undefined) checksummed.set(lower, (found = checksumAddress(lower as Address)));
    return found;
  };
  const readerOf = (param: AbiParameter): WordReader | undefined => {
    const uint = /^uint(\d*)$/.exec(param.type);
    // viem reads integers of up to 48 bits as numbers, wider ones as bigints.
    if (uint !== null) return Number(uint[1] || 256) > 48 ? (word) => BigInt(word) : (word) => Number(BigInt(word));
    if (param.type === "address") return address;
    if (param.type === "bytes32") return (word) => flat(word.toLowerCase());
    if (param.type === "bool")
      return (word) => {
        const value = BigInt(word);
        if (value > 1n) throw new Error(`${word} is not a boolean`);
        return value === 1n;
      };
    return undefined;
  };
  const plans = new Map(
    abi.map((event) => {
      const indexed = event.inputs.filter((input) => input.indexed).map((input) => ({ name: input.name!, read: readerOf(input) }));
      const data = event.inputs.filter((input) => !input.indexed);
      const dataReaders = data.map((input) => ({ name: input.name!, read: readerOf(input) }));
      const readable = event.inputs.every((input) => input.name) && indexed.every((input) => input.read !== undefined);
      return [toEventSelector(event), { event, readable, indexed, data, dataReaders, wordsOnly: dataReaders.every((input) => input.read !== undefined) }] as const;
    }),
  );

  /** Decodes one log of an event of `abi`; throws as viem's strict `decodeEventLog` does. */
  return function decodeEvent(topics: readonly Hex[], data: Hex): DecodedEvent {
    const plan = topics[0] === undefined ? undefined : plans.get(topics[0]);
    if (plan === undefined || !plan.readable || !HEX.test(data) || !topics.every((topic) => TOPIC.test(topic))) {
      return decodeEventLog({ abi: (plan === undefined ? abi : [plan.event]) as Abi, topics: topics as [Hex, ...Hex[]], data, strict: true }) as DecodedEvent;
    }
    const args: Record<string, unknown> = {};
    plan.indexed.forEach((input, i) => {
      const topic = topics[i + 1];
      if (topic === undefined) throw new Error(`the log has no topic for ${input.name}`);
      args[input.name] = input.read!(topic);
    });
    if (plan.data.length > 0) {
      if (data === "0x" || (plan.wordsOnly && data.length < 2 + 64 * plan.data.length)) throw new Error(`${plan.event.name}'s data is too short`);
      if (plan.wordsOnly) plan.dataReaders.forEach((input, i) => (args[input.name] = input.read!(`0x${data.slice(2 + 64 * i, 66 + 64 * i)}`)));
      else {
        const values = decodeAbiParameters(plan.data, data);
        plan.data.forEach((input, i) => (args[input.name!] = flat(values[i])));
      }
    }
    return { eventName: plan.event.name, args: Object.keys(args).length > 0 ? args : undefined };
  };
}
