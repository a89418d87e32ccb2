import type { NetworkUserConfig } from "hardhat/types/config";

/**
 * A live network is configured only from the environment (`.env` via dotenv), never from
 * committed files, so a deployer key cannot end up in git. Without OPENLEDGER_RPC_URL only
 * the embedded in-process network exists.
 */
export function networksFromEnv(
  env: NodeJS.ProcessEnv,
): Record<string, NetworkUserConfig> {
  const url = env.OPENLEDGER_RPC_URL;
  if (url === undefined || url === "") return {};
  const name = env.OPENLEDGER_NETWORK ?? "live";
  const chainType = env.OPENLEDGER_CHAIN_TYPE === "op" ? "op" : "l1";
  const key = env.OPENLEDGER_DEPLOYER_KEY;
  return {
    [name]: {
      type: "http",
      chainType,
      url,
      accounts: key === undefined || key === "" ? [] : [key],
    },
  };
}
