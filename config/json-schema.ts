import { z } from "zod";
import { estateSchema } from "./estate";

/** The JSON Schema of the config file (for editors and other tools), generated from the zod schema. */
export function estateJsonSchema(): string {
  const schema = z.toJSONSchema(estateSchema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
  return JSON.stringify({ ...schema, title: "Redshift cross-account DR estate" }, null, 2) + "\n";
}
