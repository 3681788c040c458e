import type { EmbeddedDeployment } from "./lib/deployment";

declare global {
  /** The deployment vite.config.ts embedded at build time. */
  const __ERA_DEPLOYMENT__: EmbeddedDeployment;
}
