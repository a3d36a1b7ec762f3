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
  // Where each token was created is recorded only for cdktf's error messages; REDSHIFT_BACKUP_TOKEN_STACKS=on keeps it
  // (troubleshooting a synth error about an unresolved token). Same output either way.
  if (process.env.REDSHIFT_BACKUP_TOKEN_STACKS !== "on") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("./stacks/cdktf-internals") as typeof import("./stacks/cdktf-internals")).skipTokenCreationStacks();
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { finishSynth, hclRequested, HclOutputError } = require("./stacks/hcl-output") as typeof import("./stacks/hcl-output");
  let hcl: boolean;
  try {
    hcl = hclRequested(process.env);
  } catch (e) {
    if (!(e instanceof HclOutputError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // SYNTH_HCL_OUTPUT (npm run synth:hcl) would switch on cdktf's own HCL renderer, whose output Terraform refuses
  // for these stacks (stacks/hcl-output.ts says why): cdktf writes JSON, which finishSynth renders as HCL.
  delete process.env.SYNTH_HCL_OUTPUT;
  const app = new App();
  buildStacks(app, estate);
  app.synth();
  finishSynth(app, hcl);
}

// Only when run as the app (`npm run synth`, `cdktf synth`): importing this file synthesizes nothing. The package's
// entry point for other apps is index.ts.
if (require.main === module) main();
