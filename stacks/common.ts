import type { Estate } from "../config/estate";
import { AccountTarget, RemoteStateSettings } from "./account-stack";
import { lockTableName, stateKey } from "./names";

/** Tags on every resource: the config's own, plus the project and the stack that owns it. */
export function stackTags(estate: Estate, stackName: string): Record<string, string> {
  return { ...estate.tags, "rsdr:project": estate.project, "rsdr:stack": stackName };
}

export function remoteState(estate: Estate, stackName: string): RemoteStateSettings {
  const s = estate.state;
  const target: AccountTarget = { accountId: s.accountId, region: s.region, deployRoleArn: s.deployRoleArn };
  return {
    ...target,
    bucket: s.bucket,
    key: stateKey(estate, stackName),
    lockTable: s.locking === "dynamodb" ? lockTableName(estate) : undefined,
  };
}
