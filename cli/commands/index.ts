// Every command group of the CLI, in the order `--help` lists them.
import type { Command } from "commander";
import type { Registrar } from "../main";
import { registerBackupCommands } from "./backup";
import { registerCostCommand } from "./cost";
import { registerDrillCommands } from "./drill";
import { registerPlanCommands } from "./plan";
import { preflightCommand, sdkReaders } from "./preflight";
import { registerRestoreCommand } from "./restore";
import { registerSnapshotCommands } from "./snapshot";
import { registerStatusCommand } from "./status";

export type RegisterCommands = (program: Command, registrar: Registrar) => void;

export const COMMANDS: readonly RegisterCommands[] = [
  registerSnapshotCommands,
  registerRestoreCommand,
  registerBackupCommands,
  registerDrillCommands,
  preflightCommand(sdkReaders),
  registerStatusCommand,
  registerCostCommand,
  registerPlanCommands,
];
