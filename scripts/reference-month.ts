/**
 * The reference month alone (`npm run demo:month`; the end-to-end demo, `npm run demo`, runs it too): deploys the economy with Ignition to the chain Hardhat runs on
 * (the in-process network by default), runs the reference month of DESIGN.md §3 and prints its figures, each beside
 * the figure the design asks for. Exits non-zero if any figure differs.
 *
 *   npm run demo:month                      # in-process chain
 *   npm run demo:month -- --network localhost   # a running `npx hardhat node`
 *   DEMO_JSON=1 npm run demo:month          # the report as JSON
 */
import hre from "hardhat";
import SuiteModule from "../deploy/modules/Suite";
import localParameters from "../deploy/parameters/local.json";
import { addressesOf, connectSuite } from "../src/sdk/economy";
import { formatEra, referenceCast, referenceChecks, runReferenceMonth } from "../src/demo/referenceMonth";
import { matches } from "../src/demo/report";

async function main() {
  const json = process.env.DEMO_JSON === "1";
  const log = (line: string) => {
    if (!json) console.log(line);
  };
  const s = await hre.ethers.getSigners();
  log(`Deploying the ERA economy to "${hre.network.name}" …`);
  const deployed = await hre.ignition.deploy(SuiteModule, { parameters: localParameters });
  const economy = connectSuite(await addressesOf(deployed), s[0]);
  for (const [name, address] of Object.entries(economy.addresses)) log(`  ${name.padEnd(17)} ${address}`);

  const report = await runReferenceMonth(economy, referenceCast(s), hre.ethers.provider, (step) => log(`• ${step}`));

  const checks = referenceChecks(report);
  if (json) {
    console.log(
      JSON.stringify(
        { network: hre.network.name, addresses: economy.addresses, report, checks },
        (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
        2,
      ),
    );
  } else {
    log("\nRevenue split of the month");
    log(
      `  ${"scenario".padEnd(12)}${["paid", "node", "user pool", "protocol", "developer"].map((h) => h.padStart(16)).join("")}`,
    );
    for (const r of report.revenue) {
      log(
        `  ${r.scenario.padEnd(12)}${[r.paid, r.node, r.userPool, r.protocol, r.developer].map((v) => formatEra(v).padStart(16)).join("")}`,
      );
    }
    log(`\nProtocol share sent to the staking reserve: ${formatEra(report.reserveFundedByProtocolShare)}`);
    log(
      `User rewards claimed: ${formatEra(report.rewardsClaimed)} (carol claimed and delegated ${formatEra(report.rewardDelegated.amount)} in one transaction)`,
    );
    log("\nReference figures (DESIGN.md §3)");
    for (const [label, expected, got] of checks) {
      log(
        `  ${matches(expected, got) ? "✔" : "✘"} ${label.padEnd(52)} expected ${expected.padStart(14)}   got ${got.padStart(14)}`,
      );
    }
  }
  const failed = checks.filter(([, expected, got]) => !matches(expected, got));
  if (failed.length > 0) {
    console.error(`${failed.length} reference figure(s) differ from DESIGN.md §3.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
