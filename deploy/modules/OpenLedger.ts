import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/**
 * The whole protocol. Parameters (all optional, default: the deployer):
 * - `admin`: holds DEFAULT_ADMIN_ROLE and PAUSER_ROLE on the registry;
 * - `treasury`: receives the fixed OPEN supply.
 * FINALIZER_ROLE is granted to the attestation contract by the module that deploys it.
 */
export default buildModule("OpenLedger", (m) => {
  const admin = m.getParameter("admin", m.getAccount(0));
  const treasury = m.getParameter("treasury", m.getAccount(0));

  const openToken = m.contract("OpenToken", [treasury]);
  const datanetRegistry = m.contract("DatanetRegistry", [admin]);

  return { openToken, datanetRegistry };
});
