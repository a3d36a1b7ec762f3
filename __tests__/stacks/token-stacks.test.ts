// main.ts stops cdktf from recording where each token was created (stacks/cdktf-internals.ts
// skipTokenCreationStacks): a third of a second of a large synth, read only by cdktf's error messages. This checks
// that the switch reaches the function cdktf's tokens call, and that the stacks come out the same without it.
import { Lazy, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { buildStacks } from "../../stacks";
import { skipTokenCreationStacks } from "../../stacks/cdktf-internals";
import { estateOf, rawBackupExample } from "../helpers";

/** Every stack's cdk.tf.json, as text. */
function synthesized(): Record<string, string> {
  const app = Testing.app();
  buildStacks(app, estateOf(rawBackupExample()));
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).map((stack) => [stack, fs.readFileSync(path.join(dir, stack, "cdk.tf.json"), "utf8")]));
}

/** The creation stack cdktf records for a new lazy token. */
const creationStack = (): string[] => (Lazy.anyValue({ produce: () => "x" }) as unknown as { creationStack?: string[] }).creationStack ?? [];

it("cdktf records a creation stack per token until skipTokenCreationStacks, and the stacks synthesize to the same files", () => {
  expect(creationStack().length).toBeGreaterThan(0);
  const before = synthesized();
  skipTokenCreationStacks();
  expect(creationStack()).toEqual([]);
  const after = synthesized();
  expect(Object.keys(after).sort()).toEqual(["dr", "org", "source-analytics", "state"]);
  expect(after).toEqual(before);
});
