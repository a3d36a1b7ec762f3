// The names CrossAccountBackupPlan gives its vault, role and plan. Apart from the construct (no cdktf here), so
// that the operator CLI finds them without loading the provider bindings.
export const backupPlanNames = (namePrefix: string) => ({
  vault: `${namePrefix}-backup`,
  role: `${namePrefix}-backup`,
  plan: `${namePrefix}-redshift`,
});
