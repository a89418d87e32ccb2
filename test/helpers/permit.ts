import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Signature } from "ethers";

import { PERMIT_TYPES } from "../../sdk/permit.ts";
import type { OpenToken } from "../../types/ethers-contracts/index.ts";

/** An ERC-2612 permit by `owner` for `spender` to take `value` OPEN, valid for an hour. */
export async function signPermit(owner: HardhatEthersSigner, token: OpenToken, spender: string, value: bigint) {
  const provider = owner.provider!;
  const latest = await provider.getBlock("latest");
  const deadline = BigInt(latest!.timestamp + 3_600);
  const { chainId } = await provider.getNetwork();
  const signature = Signature.from(
    await owner.signTypedData(
      { name: "OpenLedger", version: "1", chainId, verifyingContract: await token.getAddress() },
      { Permit: [...PERMIT_TYPES.Permit] },
      { owner: owner.address, spender, value, nonce: await token.nonces(owner.address), deadline },
    ),
  );
  return { deadline, v: signature.v, r: signature.r, s: signature.s };
}
