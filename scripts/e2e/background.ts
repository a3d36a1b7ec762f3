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
// `jest -t` does not select the background tests: they all run whenever the host file runs.

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
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Handled here: a test that jest does not run (or runs late) must not make an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
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
  private running?: Promise<void>;
  /** Errors of afterAll hooks, reported by the host's afterAll. */
  private readonly afterAllErrors: unknown[] = [];

  describe(name: string, body: () => void): void {
    const block: Block = { kind: "describe", name, children: [], beforeAll: [], afterAll: [] };
    this.current.children.push(block);
    const parent = this.current;
    this.current = block;
    try {
      body();
    } finally {
      this.current = parent;
    }
  }

  it(name: string, fn: Fn, timeoutMs?: number): void {
    this.current.children.push({ kind: "test", name, fn, timeoutMs, outcome: deferred() });
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
   * afterAll that waits until the suite, its afterAll hooks included, has finished.
   */
  register(): void {
    beforeAll(() => {
      void this.start(); // never rejects: every outcome goes to a test, every afterAll error to the afterAll below
    });
    const declare = (block: Block): void => {
      for (const child of block.children) {
        if (child.kind === "describe") describe(child.name, () => declare(child));
        else it(child.name, () => child.outcome.promise, HOST_WAIT_MS);
      }
    };
    declare(this.root);
    afterAll(async () => {
      await this.running;
      if (this.afterAllErrors.length > 0) throw this.afterAllErrors[0];
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
