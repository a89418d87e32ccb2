/**
 * Fixes the next block's timestamp at one second after the latest block's and returns it. Tests that
 * assert a block time pin it: on a busy machine the next block can come more than a second later.
 */
export async function pinNextBlockTime(time: {
  latest(): Promise<number>;
  setNextBlockTimestamp(timestamp: number): Promise<void>;
}): Promise<number> {
  const at = (await time.latest()) + 1;
  await time.setNextBlockTimestamp(at);
  return at;
}
