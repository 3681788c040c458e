import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { appDeploymentOf, type AppDeployment } from "./lib/deployment";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element.");

let deployment: AppDeployment | undefined;
let problem = "";
try {
  deployment = appDeploymentOf(__ERA_DEPLOYMENT__);
} catch (e) {
  problem = e instanceof Error ? e.message : String(e);
}

createRoot(root).render(
  <StrictMode>
    {deployment ? (
      <App deployment={deployment} />
    ) : (
      <main id="main">
        <h1>ERA staking</h1>
        <p className="notice notice-error" role="alert">
          This page was built without a usable deployment: {problem}
        </p>
      </main>
    )}
  </StrictMode>,
);
