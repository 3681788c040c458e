#!/usr/bin/env node
// The `era` command: runs the TypeScript CLI (src/cli/era.ts) through bin/ts-require.js (transpile-only, cached
// under cache/era-cli/).
"use strict";
require("./ts-require");
require("../src/cli/era").main();
