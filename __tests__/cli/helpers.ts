// Shared by the CLI tests: captured output, mocked AWS clients (aws-sdk-client-mock; moto and the in-memory fake
// are used elsewhere), and a run of the CLI on an argv with a config file.
import * as path from "path";
import { BackupClient } from "@aws-sdk/client-backup";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import type { AccountTarget, ClientFactory } from "../../cli/context";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import type { CliIO } from "../../cli/io";
import { run } from "../../cli/main";
import type { RegisterCommands } from "../../cli/commands";

export const EXAMPLE = path.resolve(__dirname, "../../config/example.json");
export const BACKUP_EXAMPLE = path.resolve(__dirname, "../../config/example-aws-backup.json");

export interface Captured extends CliIO {
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Output captured line by line; not a terminal unless asked; a fixed clock that moves when told. */
export function captureIO(opts: { isTTY?: boolean; now?: () => Date } = {}): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => void stdout.push(...line.split("\n")),
    err: (line) => void stderr.push(...line.split("\n")),
    isTTY: opts.isTTY ?? false,
    now: opts.now ?? (() => new Date("2026-11-27T12:00:00Z")),
  };
}

/**
 * Clients per account, all real SDK clients (so `mockClient(RedshiftClient)` intercepts them); the targets the
 * CLI asked for are recorded, so tests can check which account and credentials a command used.
 */
export function recordingClients(): ClientFactory & { readonly targets: AccountTarget[] } {
  const targets: AccountTarget[] = [];
  return {
    targets,
    redshift: (t) => (targets.push(t), new RedshiftClient({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
    backup: (t) => (targets.push(t), new BackupClient({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
    kms: (t) => (targets.push(t), new KMSClient({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
    iam: (t) => (targets.push(t), new IAMClient({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
    ec2: (t) => (targets.push(t), new EC2Client({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
    redshiftData: (t) => (targets.push(t), new RedshiftDataClient({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
    s3: (t) => (targets.push(t), new S3Client({ region: t.region, credentials: { accessKeyId: "test", secretAccessKey: "test" } })),
  };
}

export async function cli(argv: string[], commands: readonly RegisterCommands[], opts: { io?: Captured; clients?: ClientFactory; config?: string } = {}) {
  const io = opts.io ?? captureIO();
  const clients = opts.clients ?? recordingClients();
  const code = await run(["--config", opts.config ?? EXAMPLE, ...argv], { io, clients, commands, env: {} });
  return { code, io, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}
