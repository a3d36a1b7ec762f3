// Composition root: validate the config, then build the stacks and synthesize. The stacks are
// loaded only after the config passed, so a bad config writes nothing to cdktf.out.
import { ConfigError, loadConfig } from "./config/load";

function main(): void {
  let estate;
  try {
    estate = loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App } = require("cdktf") as typeof import("cdktf");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildStacks } = require("./stacks") as typeof import("./stacks");
  const app = new App();
  buildStacks(app, estate);
  app.synth();
}

main();
