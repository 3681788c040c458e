// Loads TypeScript files with ts-node's compiler, transpile-only (types are checked by `npm run typecheck`, not on
// every start). Transpiled files are cached by content hash under cache/era-cli/, so only changed files are compiled
// again: a start takes well under a second instead of several. Used by bin/era.js, and as
// `node -r ./bin/ts-require.js file.ts` for the demo's child processes.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const project = path.join(root, "tsconfig.json");
const cacheDir = path.join(root, "cache", "era-cli");

let service;
function compiler() {
  service ??= require("ts-node").create({ project, transpileOnly: true });
  return service;
}

// Anything that changes the output of a compile changes every key.
const salt = [
  require("ts-node/package.json").version,
  require("typescript/package.json").version,
  fs.readFileSync(project, "utf8"),
].join("\0");

function transpile(source, filename) {
  const key = crypto.createHash("sha256").update(salt).update("\0").update(filename).update("\0").update(source);
  const cached = path.join(cacheDir, `${key.digest("hex")}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    const code = compiler().compile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only checkout still runs, only slower.
    }
    return code;
  }
}

require.extensions[".ts"] = function (module, filename) {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
