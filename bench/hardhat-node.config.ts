import path from "node:path";
import type { HardhatUserConfig } from "hardhat/config";
import base from "../hardhat.config";

/**
 * The project's configuration for the bench's `hardhat node`, with one change: blocks may share a timestamp, so the
 * chain's clock follows the wall clock however fast blocks come (by default every block is a second after the last,
 * and automining or 250 ms blocks run the chain's time ahead). Lock deadlines (chain time) and the executor's
 * follow-up due times (wall clock) then agree, as on a real chain.
 */
const config: HardhatUserConfig = {
  ...base,
  paths: { ...base.paths, root: path.resolve(__dirname, "..") },
  networks: { ...base.networks, hardhat: { ...base.networks?.hardhat, allowBlocksWithSameTimestamp: true } },
};

export default config;
