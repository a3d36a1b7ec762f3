import { App } from "cdktf";
import type { Estate } from "../config/estate";
import { DrStack } from "./dr-stack";
import { SourceStack } from "./source-stack";
import { OrgStack } from "./org-stack";
import { StateStack } from "./state-stack";

export interface EstateStacks {
  readonly state: StateStack;
  readonly sources: SourceStack[];
  readonly dr: DrStack;
  /** The management account's stack, when `organization.management` is set. */
  readonly org?: OrgStack;
}

/** Config in, stacks out: one per account role. Deploy order: state, org, sources, DR. */
export function buildStacks(app: App, estate: Estate): EstateStacks {
  const state = new StateStack(app, estate);
  const management = estate.organization?.management;
  const org = management ? new OrgStack(app, estate, management) : undefined;
  const sources = estate.sources.map((source) => new SourceStack(app, estate, source));
  const dr = new DrStack(app, estate, sources);
  return { state, sources, dr, ...(org ? { org } : {}) };
}
