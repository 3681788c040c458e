// solidity-coverage settings. Mocks exist only for tests; SMTChecker harnesses (verification/) are never deployed;
// the timelock is OpenZeppelin's, unchanged.
module.exports = {
  skipFiles: ["mocks/", "verification/", "governance/EraTimelock.sol"],
  istanbulReporter: ["html", "lcov", "json-summary", "text-summary"],
  mocha: { timeout: 300000 },
};
