import { requireTerraform } from "../../scripts/terraform";

describe("the real-Terraform tier without Terraform", () => {
  it("fails with what to install instead of skipping", () => {
    expect(() => requireTerraform({ ...process.env, PATH: "/nonexistent" })).toThrow(
      /Terraform CLI not found on PATH: install Terraform >= 1\.5 .* cannot run without it/,
    );
  });

  it("fails when a named provider mirror has no AWS provider", () => {
    expect(() => requireTerraform({ ...process.env, TF_PROVIDER_MIRROR: "/nonexistent-mirror" })).toThrow(
      "TF_PROVIDER_MIRROR=/nonexistent-mirror has no registry.terraform.io/hashicorp/aws provider in it",
    );
  });
});
