// The yardstick of `npm run bench:synth`: a bare CDK for Terraform app in plain JavaScript (nothing to transpile,
// no config to validate, no bundling) that synthesizes as many stacks, resources and data sources as a given
// synthesized app has. Each resource is a plain TerraformResource of type null_resource with one attribute.
// Usage: node bench/bare-app.js <shape.json>, where shape.json is [{ "name", "resources", "data" }, ...] (one per
// stack); writes to CDKTF_OUTDIR like any cdktf app.
"use strict";
const fs = require("fs");
const { App, TerraformDataSource, TerraformResource, TerraformStack } = require("cdktf");

class PlainResource extends TerraformResource {
  constructor(scope, id, index) {
    super(scope, id, { terraformResourceType: "null_resource" });
    this.index = index;
  }

  synthesizeAttributes() {
    return { triggers: { index: String(this.index) } };
  }
}

class PlainData extends TerraformDataSource {
  constructor(scope, id, index) {
    super(scope, id, { terraformResourceType: "null_data_source" });
    this.index = index;
  }

  synthesizeAttributes() {
    return { inputs: { index: String(this.index) } };
  }
}

const shape = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const app = new App();
for (const { name, resources, data } of shape) {
  const stack = new TerraformStack(app, name);
  for (let i = 0; i < resources; i++) new PlainResource(stack, `r${i}`, i);
  for (let i = 0; i < data; i++) new PlainData(stack, `d${i}`, i);
}
app.synth();
