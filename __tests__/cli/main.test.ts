// The CLI's frame: help, bad usage, a bad config, and where it says it acts. No AWS call is made here.
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { RegisterCommands } from "../../cli/commands";
import { COMMANDS } from "../../cli/commands";
import { captureIO, cli, recordingClients } from "./helpers";

/** A command that only announces the DR account: shows what the frame passes to every command. */
const probe: RegisterCommands = (program: Command, registrar) => {
  registrar.action(program.command("probe"), (ctx) => {
    ctx.announce(ctx.drTarget(), "probing");
    ctx.announce(ctx.sourceTarget(ctx.source()), "probing");
    return Promise.resolve(0);
  });
};

describe("the CLI frame", () => {
  it("lists every command group in --help and exits 0", async () => {
    const r = await cli(["--help"], COMMANDS);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: redshift-backup \[options\] \[command\]|Usage: redshift-backup \[options\]/);
    for (const register of COMMANDS) {
      const program = new Command();
      register(program, { action: (c) => c, plain: (c) => c });
      for (const c of program.commands) expect(r.stdout).toContain(c.name());
    }
  });

  it("refuses an unknown option or command with exit code 2 (bad usage)", async () => {
    expect((await cli(["--no-such-option"], [probe])).code).toBe(2);
    const r = await cli(["no-such-command"], [probe]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'no-such-command'/);
  });

  it("refuses an invalid config with exit code 2, naming the field", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-config-"));
    const bad = path.join(dir, "estate.json");
    const raw = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../config/example.json"), "utf8"));
    raw.sources[0].clusters[0].identifier = "Prod_DB";
    fs.writeFileSync(bad, JSON.stringify(raw));
    const r = await cli(["probe"], [probe], { config: bad });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sources\[0\]\.clusters\[0\]\.identifier: "Prod_DB" is not a valid cluster identifier/);
  });

  it("names the account, region and identity it acts as: profiles, or the roles the config names", async () => {
    const plain = await cli(["probe"], [probe]);
    expect(plain.stderr).toContain("probing: account 999999999999 (DR), region eu-west-2, as the default credential chain");
    const profiles = await cli(["--dr-profile", "dr-ops", "--source-profile", "src-ops", "probe"], [probe]);
    expect(profiles.stderr).toContain("probing: account 999999999999 (DR), region eu-west-2, as profile dr-ops");
    expect(profiles.stderr).toContain("probing: account 222222222222 (source analytics), region eu-west-2, as profile src-ops");
    const roles = await cli(["--use-config-roles", "probe"], [probe], { io: captureIO(), clients: recordingClients() });
    expect(roles.stderr).toContain("as role arn:aws:iam::999999999999:role/rsdr-dr-restore-operator");
    expect(roles.stderr).toContain("as role arn:aws:iam::222222222222:role/terraform-deploy");
  });
});
