// Regenerates config/schema.json from the zod schema (npm run schema). A test fails when it is stale.
import * as fs from "fs";
import * as path from "path";
import { estateJsonSchema } from "../config/json-schema";

const file = path.resolve(__dirname, "../config/schema.json");
fs.writeFileSync(file, estateJsonSchema());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
