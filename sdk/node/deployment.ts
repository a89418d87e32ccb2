import { readFile } from "node:fs/promises";
import path from "node:path";

import { parseDeployment, type Deployment } from "../deployment.ts";
import { DeploymentError } from "../errors.ts";

/** The addresses file for a chain: `<dir>/<chainId>.json`. */
export function deploymentFilePath(dir: string, chainId: number): string {
  return path.join(dir, `${chainId}.json`);
}

/** Reads and validates an addresses file written by `scripts/deploy.ts`. */
export async function readDeploymentFile(file: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new DeploymentError(`No deployment file at ${file}; deploy first (npm run deploy).`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DeploymentError(`${file} is not valid JSON.`, { cause });
  }
  return parseDeployment(json, file);
}
