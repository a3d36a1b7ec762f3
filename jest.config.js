// Unit, synth and real-Terraform tiers. Type checking is done once by `tsc` (npm run typecheck),
// so ts-jest only transpiles (isolatedModules in tsconfig.json): compiling the AWS provider bindings per test file would take minutes.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/e2e/"],
  transform: { "^.+\\.ts$": "ts-jest" },
  setupFilesAfterEnv: ["aws-sdk-client-mock-jest"],
  maxWorkers: 2,
};
