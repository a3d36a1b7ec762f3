// The one place that reaches into cdktf's private modules (`cdktf/lib/private/...`), which carry no
// compatibility promise. cdktf 0.21 is its last release; its fork CDK Terrain (cdktn) keeps the same module
// with the same functions (checked in cdktn 0.24.0). Moving to cdktn changes the package name here and in the
// public imports, nothing else: see docs/cdktf-future.md.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const privateFs = require("cdktf/lib/private/fs") as {
  archiveSync(src: string, dest: string): void;
  hashPath(src: string): string;
};

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tokenStackTrace = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };

/**
 * Stops cdktf from recording, for every token it creates, the full stack trace of where it was created: thousands of
 * them for a large estate (a third of a second of a 20-source synth). cdktf reads them only to word an error about a
 * token it cannot resolve, and its modules look the function up on this exports object at each call, so an app
 * that calls this synthesizes the same files; such an error then names no creation stack.
 */
export function skipTokenCreationStacks(): void {
  tokenStackTrace.captureStackTrace = () => [];
}

/**
 * Zips the folder `src` into the file `dest` exactly as a cdktf ARCHIVE asset of that folder would be zipped,
 * so the Lambda's zip and its hash match what `TerraformAsset` would produce.
 */
export function archiveFolder(src: string, dest: string): void {
  privateFs.archiveSync(src, dest);
}

/** cdktf's hash of a folder: what a `TerraformAsset` of it would carry as `assetHash`. */
export function hashFolder(src: string): string {
  return privateFs.hashPath(src);
}
