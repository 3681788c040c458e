import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import type { JsonRpcProvider } from "ethers";
import {
  buildPage,
  deploySuite,
  REPO_ROOT,
  seedSampleData,
  startHardhatNode,
  type Deployment,
  type LocalNode,
} from "../../../scripts/app/localChain";

/**
 * What every browser test shares, set up once by mocha's root hooks: a `hardhat node` on a free port with the suite
 * deployed by Ignition and the sample data seeded, the page built for that deployment and served by a small static
 * server on a free port, and a headless Chromium.
 */

export const DEPLOYMENT_ID = "app-e2e";
/** Screenshots of the main states (gitignored). */
export const OUTPUT_DIR = path.join(REPO_ROOT, "app", "test-output");

const CHROMIUM = process.env.ERA_CHROMIUM_PATH || "/usr/bin/chromium";

export interface Environment {
  node: LocalNode;
  provider: JsonRpcProvider;
  deployment: Deployment;
  appUrl: string;
  browser: Browser;
  /** Every URL any page requested, to check that the page talks to nothing but itself and the chain. */
  requests: string[];
}

let current: Environment | undefined;
let server: Server | undefined;
let buildDir: string | undefined;

/** The shared environment; only available inside tests. */
export function env(): Environment {
  if (!current) throw new Error("The browser-test environment is not up: run the tests through npm run test:app.");
  return current;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Serves the built page from `root` on a free port of 127.0.0.1. */
function serveStatic(root: string): Promise<{ server: Server; url: string }> {
  const s = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    let file = path.join(root, path.normalize(urlPath));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(root, "index.html");
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ server: s, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(600_000);
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `No Chromium at ${CHROMIUM}. Install it (apt-get install -y chromium) or set ERA_CHROMIUM_PATH to a ` +
          "Chromium or Chrome binary.",
      );
    }
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const node = await startHardhatNode();
    try {
      const deployment = await deploySuite(node.rpcUrl, DEPLOYMENT_ID);
      await seedSampleData(node.provider, deployment.addresses);
      buildDir = mkdtempSync(path.join(tmpdir(), "era-app-"));
      await buildPage(DEPLOYMENT_ID, node.rpcUrl, buildDir);
      const served = await serveStatic(buildDir);
      server = served.server;
      const browser = await chromium.launch({ executablePath: CHROMIUM });
      current = { node, provider: node.provider, deployment, appUrl: served.url, browser, requests: [] };
    } catch (error) {
      await node.stop();
      throw error;
    }
  },

  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    const e = current;
    current = undefined;
    await e?.browser.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await e?.node.stop();
    if (buildDir) rmSync(buildDir, { recursive: true, force: true });
    rmSync(path.join(REPO_ROOT, "deploy", "deployments", DEPLOYMENT_ID), { recursive: true, force: true });
  },
};

/** Saves a full-page screenshot of `page` as app/test-output/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage: true });
}
