// The child processes the emulator tier starts (terraform, moto, checkov), registered while they run, so that none
// outlives the jest file that started it, whatever failed:
//
//   trackChild(child, { what: "terraform apply", group: true });   // until the child exits
//
// The tier's jest environment (e2e/environment.js) owns the registry: when a test file ends, after its afterAll
// hooks, it kills what is still registered and fails the file, naming it. A `process.on("exit")` hook in a test file
// cannot do this: jest gives each test file a copy of `process` whose events node never emits. Outside jest (a script
// run with ts-node) the registry is a plain map on the global object, and nobody reads it.
import type { ChildProcess } from "child_process";

export interface TrackedChild {
  /** What it is, for the message that names it, e.g. "terraform apply -auto-approve in /…/dr". */
  readonly what: string;
  /** Whether it leads its own process group (spawned with `detached: true`): then the whole group is killed. */
  readonly group: boolean;
}

/** The key of the registry on the global object: e2e/environment.js puts its map there. */
export const CHILDREN_KEY = "__rsdrE2eChildren";

function registry(): Map<number, TrackedChild> {
  const g = globalThis as unknown as Record<string, Map<number, TrackedChild> | undefined>;
  return (g[CHILDREN_KEY] ??= new Map());
}

/** Registers `child` until it exits. */
export function trackChild(child: ChildProcess, info: TrackedChild): void {
  const pid = child.pid;
  if (pid === undefined) return; // not started: its "error" event says why
  registry().set(pid, info);
  child.once("exit", () => registry().delete(pid));
}

/** What is registered now (pid and description), e.g. for a test that checks nothing is left. */
export function runningChildren(): { pid: number; what: string }[] {
  return [...registry().entries()].map(([pid, { what }]) => ({ pid, what }));
}
