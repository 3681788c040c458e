// solidity-coverage settings. Mocks exist only for tests; the timelock is OpenZeppelin's, unchanged.
module.exports = {
  skipFiles: ["mocks/", "governance/EraTimelock.sol"],
  istanbulReporter: ["html", "lcov", "json-summary", "text-summary"],
  mocha: { timeout: 300000 },
};
