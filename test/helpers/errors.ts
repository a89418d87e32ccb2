import { expect } from "chai";

import { ProtocolError, type ProtocolErrorName } from "../../sdk/index.ts";

/**
 * Awaits `promise` and asserts it failed with the SDK's `ProtocolError` of this name, refused before
 * sending (`preflight`) or decoded from a revert, with a message that names every argument.
 */
export async function expectProtocolError(promise: Promise<unknown>, errorName: ProtocolErrorName, preflight: boolean) {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ProtocolError);
    const protocolError = error as ProtocolError;
    expect(protocolError.errorName).to.equal(errorName);
    expect(protocolError.preflight).to.equal(preflight);
    expect(protocolError.shortMessage).to.not.include("undefined");
    return protocolError;
  }
  expect.fail(`expected ${errorName}`);
}

/** Awaits `promise` and asserts it failed with an error of `type` whose message matches `message`. */
export async function expectRejected<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E, message: RegExp): Promise<E> {
  try {
    await promise;
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(type);
    expect((error as Error).message).to.match(message);
    return error as E;
  }
  expect.fail(`expected a ${type.name}`);
}
