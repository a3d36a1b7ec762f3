#!/usr/bin/env bash
# Runs the tests that depend on the Node.js version (the app run as cdktf runs it, the function cores, the
# CLI, the stacks) on Node 22 as well: the project supports Node 20 and 22 alike (package.json engines).
# Node 22 is the official binary that the npm registry publishes as the package node-<os>-<arch>; it goes
# into .node22/ (git-ignored), so the machine's own Node is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${NODE22_VERSION:-22.23.3}"
pkg="node-$(node -p process.platform)-$(node -p process.arch)"
node22=".node22/node_modules/$pkg/bin/node"
if [ ! -x "$node22" ] || [ "$("$node22" --version)" != "v$VERSION" ]; then
  npm install --prefix .node22 --no-save --no-audit --no-fund --ignore-scripts "$pkg@$VERSION"
fi
echo "::: Node $("$node22" --version) from $node22"
# The function cores' tests, except the months-long tiered scenario: it exercises the same cores as the others at
# length (about half a minute), and runs on Node 20 in npm test.
"$node22" node_modules/jest/bin/jest.js __tests__/main.test.ts __tests__/synth-cache.test.ts __tests__/functions __tests__/cli __tests__/stacks/stacks.test.ts __tests__/repository.test.ts \
  --testPathIgnorePatterns /node_modules/ /__tests__/functions/tiered-scenario.test.ts
