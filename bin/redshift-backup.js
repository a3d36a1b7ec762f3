#!/usr/bin/env node
// `npx redshift-backup ...`: runs the TypeScript CLI through ts-node's transpiler.
require("ts-node").register({ transpileOnly: true, project: require("path").resolve(__dirname, "../tsconfig.json") });
const { run } = require("../cli/main.ts");
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
