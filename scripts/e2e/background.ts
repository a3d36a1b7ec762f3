// A suite of tests that runs in the background of a jest test file, alongside the file's own tests.
//
//   // cross-region.scenario.ts: written as a test file is, against the suite instead of jest's globals
//   export const suite = new BackgroundSuite();
//   suite.beforeAll(async () => { ... });
//   suite.describe("…", () => { suite.it("applies …", async () => { ... }); });
//
//   // stacks.e2e.test.ts, after its own tests:
//   suite.register();
//
// Why: the emulator tier runs one jest file at a time (e2e/jest.config.js, maxWorkers 1), and most of a Terraform
// apply or destroy against moto is the AWS provider waiting (SQS attributes, KMS keys, the state bucket's lifecycle
// rule: FINDINGS.md), with both cores idle. A suite registered here starts when the host file's hooks run and goes
// through its hooks and tests one after another, in declaration order, exactly as jest would run them in a file of
// their own (a failing hook fails the tests of its block; a failing test does not stop the next one), but while the
// host's tests run. Each of its tests is also a jest test of the host file, listed after the host's own tests, which
// awaits the outcome of its background run and reports it: its name, its assertion failure, its error.
//
// `jest -t` does not select the background tests: they all run whenever the host file runs. A background test that
// failed is never lost: if its jest test did not run to report it (deselected with `-t`, or skipped), the host file's
// afterAll fails, naming it.

type Fn = () => unknown;

/** jest's default for this tier (e2e/jest.config.js testTimeout), for a background test or hook given none. */
const DEFAULT_TIMEOUT_MS = 600_000;
/** How long a jest test of the host waits for its background test: that one may still wait for the tests before it. */
const HOST_WAIT_MS = 900_000;

interface Test {
  readonly kind: "test";
  readonly name: string;
  readonly fn: Fn;
  readonly timeoutMs?: number;
  readonly outcome: Deferred;
  /** Full name (its describe blocks and its own), for the host's afterAll. */
  readonly path: string;
  /** Set when the host's jest test for it has run (and so reported its outcome). */
  reported: boolean;
}

interface Hook {
  readonly fn: Fn;
  readonly timeoutMs?: number;
}

interface Block {
  readonly kind: "describe";
  readonly name: string;
  readonly children: (Block | Test)[];
  readonly beforeAll: Hook[];
  readonly afterAll: Hook[];
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(reason: unknown): void;
  /** The rejection reason, once rejected. */
  readonly failure: { readonly reason: unknown } | undefined;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Handled here: a test that jest does not run (or runs late) must not make an unhandled rejection. Such a
  // failure is not lost: the host's afterAll reports every failed test whose jest test did not run.
  promise.catch(() => undefined);
  let failure: { reason: unknown } | undefined;
  return {
    promise,
    resolve,
    reject(reason) {
      failure ??= { reason };
      reject(reason);
    },
    get failure() {
      return failure;
    },
  };
}

/** Runs `fn`, failing after `timeoutMs` as jest would (what it started is not stopped, as in jest). */
async function withTimeout(fn: Fn, timeoutMs = DEFAULT_TIMEOUT_MS, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms (background suite)`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class BackgroundSuite {
  private readonly root: Block = { kind: "describe", name: "", children: [], beforeAll: [], afterAll: [] };
  private current: Block = this.root;
  /** Names of the enclosing describe blocks while they are declared. */
  private readonly names: string[] = [];
  private readonly tests: Test[] = [];
  private running?: Promise<void>;
  /** Errors of afterAll hooks, reported by the host's afterAll. */
  private readonly afterAllErrors: unknown[] = [];

  describe(name: string, body: () => void): void {
    const block: Block = { kind: "describe", name, children: [], beforeAll: [], afterAll: [] };
    this.current.children.push(block);
    const parent = this.current;
    this.current = block;
    this.names.push(name);
    try {
      body();
    } finally {
      this.current = parent;
      this.names.pop();
    }
  }

  it(name: string, fn: Fn, timeoutMs?: number): void {
    const test: Test = { kind: "test", name, fn, timeoutMs, outcome: deferred(), path: [...this.names, name].join(" › "), reported: false };
    this.current.children.push(test);
    this.tests.push(test);
  }

  beforeAll(fn: Fn, timeoutMs?: number): void {
    this.current.beforeAll.push({ fn, timeoutMs });
  }

  afterAll(fn: Fn, timeoutMs?: number): void {
    this.current.afterAll.push({ fn, timeoutMs });
  }

  /**
   * Registers the suite in the calling jest file: a beforeAll that starts it in the background, its describe blocks
   * and tests (each awaiting its background outcome) after the tests the file declared before this call, and an
   * afterAll that waits until the suite, its afterAll hooks included, has finished, then fails if an afterAll hook
   * failed or a background test failed whose jest test did not run (`jest -t`): no failure is swallowed.
   */
  register(): void {
    if (this.tests.length === 0) throw new Error("BackgroundSuite.register: the suite has no test (declare them before registering)");
    beforeAll(() => {
      void this.start(); // never rejects: every outcome goes to a test, every afterAll error to the afterAll below
    });
    const declare = (block: Block): void => {
      for (const child of block.children) {
        if (child.kind === "describe") describe(child.name, () => declare(child));
        else
          it(
            child.name,
            () => {
              child.reported = true;
              void this.start(); // in case the beforeAll above did not run
              return child.outcome.promise;
            },
            HOST_WAIT_MS,
          );
      }
    };
    declare(this.root);
    afterAll(async () => {
      await this.running;
      const unreported = this.tests.filter((t) => !t.reported && t.outcome.failure);
      const errors = [
        ...this.afterAllErrors.map((e) => `an afterAll hook of the background suite failed: ${describeError(e)}`),
        ...unreported.map((t) => `background test "${t.path}" failed, and its jest test did not run to report it: ${describeError(t.outcome.failure!.reason)}`),
      ];
      if (errors.length === 1 && this.afterAllErrors.length === 1) throw this.afterAllErrors[0];
      if (errors.length > 0) throw new Error(errors.join("\n\n"));
    }, HOST_WAIT_MS);
  }

  /** Starts the suite (once); `register` does this in a beforeAll of the host file. */
  start(): Promise<void> {
    this.running ??= this.runBlock(this.root, undefined);
    return this.running;
  }

  private async runBlock(block: Block, hookError: unknown): Promise<void> {
    let failed = hookError;
    if (failed === undefined) {
      for (const hook of block.beforeAll) {
        try {
          await withTimeout(hook.fn, hook.timeoutMs, "beforeAll");
        } catch (e) {
          failed = e ?? new Error("beforeAll failed");
          break;
        }
      }
    }
    for (const child of block.children) {
      if (child.kind === "describe") {
        await this.runBlock(child, failed);
      } else if (failed !== undefined) {
        child.outcome.reject(failed);
      } else {
        try {
          await withTimeout(child.fn, child.timeoutMs, `test "${child.name}"`);
          child.outcome.resolve();
        } catch (e) {
          child.outcome.reject(e);
        }
      }
    }
    for (const hook of block.afterAll) {
      try {
        await withTimeout(hook.fn, hook.timeoutMs, "afterAll");
      } catch (e) {
        this.afterAllErrors.push(e);
      }
    }
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
