// The operator CLI (approach 1): `redshift-backup <command>`. One commander program; each command group lives in
// cli/commands/ and acts through the same core as the Lambda functions (functions/lib). `run` returns the exit
// code instead of exiting, so tests drive it with mocked clients and captured output.
import { Command, CommanderError } from "commander";
import { CliContext, ClientFactory, GlobalOptions, sdkClients } from "./context";
import { AwsCallError, EXIT, UsageError } from "./exit";
import { CliIO, processIO } from "./io";
import { COMMANDS, type RegisterCommands } from "./commands";

export interface RunDeps {
  readonly io?: CliIO;
  readonly clients?: ClientFactory;
  readonly env?: NodeJS.ProcessEnv;
  /** The command groups. @default all of cli/commands */
  readonly commands?: readonly RegisterCommands[];
}

/** What a command's action receives: the loaded context (config + clients) and its own parsed options. */
export type CommandAction<O> = (ctx: CliContext, options: O, args: string[]) => Promise<number | void>;

/** A command that needs no config and no AWS clients (it reads only its arguments and files). */
export type PlainAction<O> = (io: CliIO, options: O, args: string[]) => Promise<number | void>;

/** Wires a command's action to the context and the exit codes. */
export interface Registrar {
  action<O>(command: Command, fn: CommandAction<O>): Command;
  /** The same without loading the config: a bad or missing config does not stop it. */
  plain<O>(command: Command, fn: PlainAction<O>): Command;
}

export function buildProgram(deps: RunDeps, result: { code: number }): Command {
  const io = deps.io ?? processIO;
  const program = new Command("redshift-backup")
    .description("Operator CLI for Redshift cross-account backup and DR: snapshots, restore, AWS Backup, checks and status")
    .option("--config <file>", "estate config (default: $REDSHIFT_BACKUP_CONFIG, else the embedded example)")
    .option("--source-profile <profile>", "AWS profile for the source account(s)")
    .option("--dr-profile <profile>", "AWS profile for the DR account")
    .option("--use-config-roles", "assume the roles the config names: a source's deployRoleArn, the DR restore operator role")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.replace(/\n$/, "")), writeErr: (s) => io.err(s.replace(/\n$/, "")) });

  const wire = (command: Command, fn: (options: never, args: string[]) => Promise<number | void>) =>
    command.action(async (...received: unknown[]) => {
      const cmd = received[received.length - 1] as Command;
      const args = received.slice(0, -2).flat().filter((a): a is string => typeof a === "string"); // a variadic argument comes as a list
      const code = await fn(cmd.opts<never>(), args);
      result.code = typeof code === "number" ? code : EXIT.ok;
    });
  const registrar: Registrar = {
    action: (command, fn) =>
      wire(command, (options, args) => fn(CliContext.load(program.opts<GlobalOptions>(), deps.clients ?? sdkClients(), io, deps.env), options, args)),
    plain: (command, fn) => wire(command, (options, args) => fn(io, options, args)),
  };
  for (const register of deps.commands ?? COMMANDS) register(program, registrar);
  return program;
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function run(argv: readonly string[], deps: RunDeps = {}): Promise<number> {
  const io = deps.io ?? processIO;
  const result = { code: EXIT.ok as number };
  const program = buildProgram(deps, result);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0; anything else commander refuses is bad usage.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return EXIT.usage;
    }
    if (e instanceof AwsCallError) {
      io.err(`error: ${e.message}`);
      return EXIT.failed;
    }
    io.err(`error: ${(e as Error).stack ?? String(e)}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
