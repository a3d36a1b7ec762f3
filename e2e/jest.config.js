// Emulator tier (moto server + real terraform): `npx jest -c e2e/jest.config.js`.
// Kept apart from the default config, which ignores __tests__/e2e/. Needs the venv from
// `bash scripts/e2e/setup-venv.sh`, terraform on PATH and the provider mirror (TF_PROVIDER_MIRROR).
/** @type {import('jest').Config} */
module.exports = {
  rootDir: "..",
  // node's, plus: child processes of the harness still running when a file ends are killed, and the file fails.
  testEnvironment: "<rootDir>/e2e/environment.js",
  roots: ["<rootDir>/__tests__/e2e"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  // terraform and moto are CPU-heavy: one test file at a time on the 2-core machines.
  maxWorkers: 1,
  testTimeout: 600000,
  // A stray handle (a child process, a socket) must not hold CI until its 90-minute limit: moto's
  // launcher exits by itself when its parent is gone, so ending the process here is safe.
  forceExit: true,
};
