// What every command needs: the estate config (the same file the stacks read), and AWS clients for the source and
// DR accounts with the credentials the operator chose. Clients are made through a factory so tests inject mocks.
import { BackupClient } from "@aws-sdk/client-backup";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { RedshiftClient } from "@aws-sdk/client-redshift";
import { RedshiftDataClient } from "@aws-sdk/client-redshift-data";
import { S3Client } from "@aws-sdk/client-s3";
import { fromIni, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { ConfigError, configPath, loadConfig } from "../config/load";
import type { ClusterConfig, Estate, SourceConfig } from "../config/estate";
import { AWS_CLIENT_CONFIG } from "../functions/lib/lambda";
import { restoreOperatorRoleName } from "../stacks/names";
import type { CliIO } from "./io";
import { UsageError } from "./exit";

export interface GlobalOptions {
  /** Config file; else REDSHIFT_BACKUP_CONFIG, else the embedded example. */
  readonly config?: string;
  readonly sourceProfile?: string;
  readonly drProfile?: string;
  /** Assume the roles the config names: a source's deployRoleArn, the DR restore operator role. */
  readonly useConfigRoles?: boolean;
}

/** One account the CLI acts in. */
export interface AccountTarget {
  readonly kind: "source" | "dr";
  /** The source's name, or "dr". */
  readonly name: string;
  readonly accountId: string;
  readonly region: string;
  /** How the CLI authenticates there, for messages: `profile <p>`, `role <arn>` or `the default credential chain`. */
  readonly identity: string;
  readonly profile?: string;
  readonly roleArn?: string;
}

export interface ClientFactory {
  redshift(target: AccountTarget): RedshiftClient;
  backup(target: AccountTarget): BackupClient;
  kms(target: AccountTarget): KMSClient;
  iam(target: AccountTarget): IAMClient;
  ec2(target: AccountTarget): EC2Client;
  redshiftData(target: AccountTarget): RedshiftDataClient;
  s3(target: AccountTarget): S3Client;
}

/** A profile alone is the SDK's own `profile` setting; a role is assumed from the profile (or the default chain). */
function credentialsOf(t: AccountTarget) {
  if (!t.roleArn) return t.profile ? { profile: t.profile } : {};
  return {
    credentials: fromTemporaryCredentials({
      params: { RoleArn: t.roleArn, RoleSessionName: "redshift-backup-cli" },
      ...(t.profile ? { masterCredentials: fromIni({ profile: t.profile }) } : {}),
    }),
  };
}

/** SDK clients with the SDK's retry strategy (as the Lambdas use), one per account and service. */
export function sdkClients(): ClientFactory {
  const cache = new Map<string, object>();
  // Keyed by region too: a source is read in its own region and, for its cross-region copies, in the DR region.
  const make = <C extends object>(service: string, t: AccountTarget, create: () => C): C => {
    const key = `${service}/${t.name}/${t.region}`;
    if (!cache.has(key)) cache.set(key, create());
    return cache.get(key) as C;
  };
  const config = (t: AccountTarget) => ({ ...AWS_CLIENT_CONFIG, region: t.region, ...credentialsOf(t) });
  return {
    redshift: (t) => make("redshift", t, () => new RedshiftClient(config(t))),
    backup: (t) => make("backup", t, () => new BackupClient(config(t))),
    kms: (t) => make("kms", t, () => new KMSClient(config(t))),
    iam: (t) => make("iam", t, () => new IAMClient(config(t))),
    ec2: (t) => make("ec2", t, () => new EC2Client(config(t))),
    redshiftData: (t) => make("redshift-data", t, () => new RedshiftDataClient(config(t))),
    s3: (t) => make("s3", t, () => new S3Client(config(t))),
  };
}

export class CliContext {
  constructor(
    readonly estate: Estate,
    readonly configFile: string,
    readonly options: GlobalOptions,
    readonly clients: ClientFactory,
    readonly io: CliIO,
  ) {}

  /** Reads and validates the config; an invalid one is bad usage (exit 2), with one line per problem. */
  static load(options: GlobalOptions, clients: ClientFactory, io: CliIO, env: NodeJS.ProcessEnv = process.env): CliContext {
    const file = options.config ?? configPath(env);
    try {
      return new CliContext(loadConfig(file), file, options, clients, io);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.message);
      throw e;
    }
  }

  /** The source with this name, or the only one; a name not in the config is bad usage. */
  source(name?: string): SourceConfig {
    const sources = this.estate.sources;
    if (name === undefined) {
      if (sources.length === 1) return sources[0];
      throw new UsageError(`--source is required: the config has ${sources.length} sources (${sources.map((s) => s.name).join(", ")})`);
    }
    const found = sources.find((s) => s.name === name);
    if (!found) throw new UsageError(`--source ${JSON.stringify(name)} is not in ${this.configFile}; sources: ${sources.map((s) => s.name).join(", ")}`);
    return found;
  }

  /** The configured cluster with this identifier and its source; one not in the config is bad usage. */
  cluster(identifier: string): { source: SourceConfig; cluster: ClusterConfig } {
    for (const source of this.estate.sources) {
      const cluster = source.clusters.find((c) => c.identifier === identifier);
      if (cluster) return { source, cluster };
    }
    const all = this.estate.sources.flatMap((s) => s.clusters.map((c) => c.identifier));
    throw new UsageError(`--cluster ${JSON.stringify(identifier)} is not in ${this.configFile}; clusters: ${all.join(", ")}`);
  }

  /** The source account, in its own region or (for its cross-region copies) in `region`. */
  sourceTarget(source: SourceConfig, region: string = source.region): AccountTarget {
    return this.target("source", source.name, { accountId: source.accountId, region }, this.options.sourceProfile, source.deployRoleArn);
  }

  drTarget(): AccountTarget {
    const dr = this.estate.dr;
    return this.target("dr", "dr", dr, this.options.drProfile, `arn:aws:iam::${dr.accountId}:role/${restoreOperatorRoleName(this.estate)}`);
  }

  /** An account with the given profile, and the role the config names for it when --use-config-roles is on. */
  target(kind: AccountTarget["kind"], name: string, at: { accountId: string; region: string }, profile: string | undefined, configRoleArn: string): AccountTarget {
    const roleArn = this.options.useConfigRoles ? configRoleArn : undefined;
    return { kind, name, accountId: at.accountId, region: at.region, profile, roleArn, identity: identityOf(profile, roleArn) };
  }

  /** Says, before anything changes, where the command acts. */
  announce(target: AccountTarget, what: string): void {
    this.io.err(`${what}: account ${target.accountId} (${target.kind === "dr" ? "DR" : `source ${target.name}`}), region ${target.region}, as ${target.identity}`);
  }
}

function identityOf(profile?: string, roleArn?: string): string {
  if (roleArn) return `role ${roleArn}${profile ? ` (from profile ${profile})` : ""}`;
  if (profile) return `profile ${profile}`;
  return "the default credential chain";
}
