// The one place that reaches into cdktf's private modules (`cdktf/lib/private/...`), which carry no
// compatibility promise. cdktf 0.21 is its last release; its fork CDK Terrain (cdktn) keeps the same module
// with the same functions (checked in cdktn 0.24.0). Moving to cdktn changes the package name here and in the
// public imports, nothing else: see docs/cdktf-future.md.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const privateFs = require("cdktf/lib/private/fs") as {
  archiveSync(src: string, dest: string): void;
  hashPath(src: string): string;
};

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
