// The emulator tier's jest environment: node's, plus the registry of the child processes the harness starts
// (scripts/e2e/children.ts: terraform, moto, checkov). When a test file ends, after its afterAll hooks, whatever is
// still registered is killed (its process group, for terraform and moto), and the file fails, naming it: a test
// that timed out, or a task nobody awaited, must not leave terraform running against nothing after the suite.
// jest-environment-node is jest's own "node" environment (a dependency of jest).
const { TestEnvironment } = require("jest-environment-node");

/** Must equal CHILDREN_KEY in scripts/e2e/children.ts. */
const CHILDREN_KEY = "__rsdrE2eChildren";

/** Every registry of a file still running, for the last-resort exit hook below. */
const live = new Set();

function kill(pid, group) {
  try {
    process.kill(group ? -pid : pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
}

// The real process's exit (unlike a test file's copy of `process`): forceExit, or jest ending otherwise.
process.on("exit", () => {
  for (const children of live) for (const [pid, { group }] of children) kill(pid, group);
});

class E2eEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.children = new Map();
    live.add(this.children);
    this.global[CHILDREN_KEY] = this.children;
  }

  async teardown() {
    const left = [...this.children.entries()];
    for (const [pid, { group }] of left) kill(pid, group);
    this.children.clear();
    live.delete(this.children);
    await super.teardown();
    if (left.length > 0) {
      throw new Error(
        `${left.length} child process(es) of the harness were still running when the test file ended, and were killed:\n` +
          left.map(([pid, { what }]) => `  pid ${pid}: ${what}`).join("\n"),
      );
    }
  }
}

module.exports = E2eEnvironment;
