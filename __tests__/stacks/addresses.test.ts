// Terraform addresses are a contract with every deployed estate: a moved address makes `terraform plan`
// destroy and re-create the resource. This test compares the addresses of the examples and the three-source
// estate with the recorded list. When an address changes on purpose, regenerate the list with
// `UPDATE_ADDRESSES=1 npx jest __tests__/stacks/addresses.test.ts` and say why in the commit.
import * as fs from "fs";
import * as path from "path";
import { estateOf, rawBackupExample, rawExample, rawMultiSource, synthEstate } from "../helpers";

const FIXTURE = path.resolve(__dirname, "../fixtures/resource-addresses.json");

function addresses(stacks: Record<string, any>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(stacks)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, json]) => [
        name,
        [
          ...Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`)),
          ...Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `data.${type}.${n}`)),
        ].sort(),
      ]),
  );
}

const current = () => ({
  example: addresses(synthEstate(estateOf(rawExample()))),
  "three-sources": addresses(synthEstate(estateOf(rawMultiSource()))),
  "aws-backup": addresses(synthEstate(estateOf(rawBackupExample()))),
});

describe("Terraform resource addresses", () => {
  it("are the recorded ones", () => {
    const now = current();
    if (process.env.UPDATE_ADDRESSES === "1") fs.writeFileSync(FIXTURE, JSON.stringify(now, null, 2) + "\n");
    expect(now).toEqual(JSON.parse(fs.readFileSync(FIXTURE, "utf8")));
  });
});
