// Where the Lambda handlers of this package are, for the constructs that bundle them by default. Found from this
// file's own folder, so that it works wherever the package is: in the repository (scripts/register-ts.js runs
// stacks/constructs/*.ts, the handlers are functions/<name>/handler.ts) and in an installed copy (the build's
// dist/stacks/constructs/*.js, the handlers compiled to dist/functions/<name>/handler.js). esbuild bundles either.
import * as fs from "fs";
import * as path from "path";

/** The handlers this package ships, by the folder under functions/ that holds each. */
export type PackagedHandler = "snapshot-manager" | "dr-monitor" | "restore-drill";

/**
 * Absolute path of a packaged handler's entry file: the TypeScript source when present, else the compiled JavaScript.
 * Called only when a construct is given no `entry`, so that an app with its own handlers never needs these.
 */
export function packagedHandlerEntry(name: PackagedHandler, constructsDir: string = __dirname): string {
  const base = path.resolve(constructsDir, "../../functions", name, "handler");
  const candidates = [`${base}.ts`, `${base}.js`];
  const found = candidates.find((file) => fs.existsSync(file));
  if (found === undefined) {
    throw new Error(`handler ${name}: none of ${candidates.join(", ")} exists; build the package (npm run build) or pass the construct an entry`);
  }
  return found;
}
