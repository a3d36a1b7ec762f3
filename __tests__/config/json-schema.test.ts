import * as fs from "fs";
import * as path from "path";
import { estateJsonSchema } from "../../config/json-schema";

describe("config/schema.json", () => {
  it("is the JSON Schema generated from the zod schema (run `npm run schema` when this fails)", () => {
    const checkedIn = fs.readFileSync(path.resolve(__dirname, "../../config/schema.json"), "utf8");
    expect(checkedIn).toBe(estateJsonSchema());
  });

  it("rejects unknown keys, as the zod schema does", () => {
    const schema = JSON.parse(estateJsonSchema());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.sources.items.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(["project", "state", "dr", "sources"]));
  });
});
