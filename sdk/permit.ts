import { hexToSignature, type Address, type Hex } from "viem";

import { tokenContract, type WritableProtocolClient } from "./client.ts";
import { readProtocol, withSdkErrors } from "./transaction.ts";

/** The ERC-2612 `Permit` type, as OPEN's `permit` verifies it. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * Signs an ERC-2612 permit letting `spender` take `amount` OPEN from the wallet account, valid for
 * an hour, so a contract can pull the tokens in the same transaction as the action that needs them.
 */
export async function signPermit(
  client: WritableProtocolClient,
  params: { spender: Address; amount: bigint },
): Promise<{ deadline: bigint; v: number; r: Hex; s: Hex }> {
  const owner = client.walletClient.account.address;
  const token = tokenContract(client);
  const [nonce, latest] = await Promise.all([
    readProtocol(() => client.publicClient.readContract({ ...token, functionName: "nonces", args: [owner] })),
    client.publicClient.getBlock(),
  ]);
  const deadline = latest.timestamp + 3_600n;
  const signature = await withSdkErrors(() =>
    client.walletClient.signTypedData({
      account: client.walletClient.account,
      domain: { name: "OpenLedger", version: "1", chainId: client.deployment.chainId, verifyingContract: token.address },
      types: PERMIT_TYPES,
      primaryType: "Permit",
      message: { owner, spender: params.spender, value: params.amount, nonce, deadline },
    }),
  );
  const { v, r, s } = hexToSignature(signature);
  return { deadline, v: Number(v), r, s };
}
