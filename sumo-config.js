// SuMo (`npm run mutation`, see scripts/mutation/) reads this file with require(); Node 22 loads
// this ES module through require(esm), and the named exports below are the configuration object.
// Only `minimal` changes what is generated; the directories document the layout for SuMo's CLI.
export const contractsDir = "contracts";
export const testDir = "test";
export const buildDir = "artifacts";
export const skipContracts = ["interfaces", "mocks"];
export const skipTests = [];
export const testingTimeOutInSec = 600;
export const network = "none";
export const testingFramework = "hardhat";
export const minimal = true;
export const tce = true;
