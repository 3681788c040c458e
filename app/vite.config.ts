import react from "@vitejs/plugin-react";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin, type UserConfig } from "vite";
import { contentSecurityPolicy, loadDeployment } from "./build/deploymentSource";

const appRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(appRoot, "..");

/** The built page may load only its own files and talk only to the chain's RPC (the dev server needs more). */
function cspOnBuild(rpcUrl: string | undefined): Plugin {
  return {
    name: "era-csp",
    apply: "build",
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(rpcUrl)}" />`,
      ),
  };
}

export default defineConfig((): UserConfig => {
  const deployment = loadDeployment(repoRoot, process.env);
  return {
    root: appRoot,
    publicDir: false,
    plugins: [react(), cspOnBuild(deployment.rpcUrl)],
    define: { __ERA_DEPLOYMENT__: JSON.stringify(deployment) },
    server: { fs: { allow: [repoRoot] } },
    build: {
      outDir: process.env.ERA_APP_OUT_DIR || path.join(appRoot, "dist"),
      emptyOutDir: true,
      chunkSizeWarningLimit: 2048,
    },
  };
});
