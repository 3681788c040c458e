import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "./errors";

/**
 * Reads a JSON file that must hold one object. `what` names the file in messages ("The parameters file"), `fix`
 * says what to do when it is not what it should be.
 */
export function readJsonObject(file: string, what: string, fix: string): Record<string, unknown> {
  if (!existsSync(file)) throw new UsageError(`${what} ${file} does not exist.`, fix);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UsageError(`${what} ${file} is not JSON (${(e as Error).message}).`, fix);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new UsageError(`${what} ${file} does not hold a JSON object.`, fix);
  }
  return json as Record<string, unknown>;
}
