// A cost-model input that cannot be used: names the flag, the value and what is allowed.
export class CostInputError extends Error {
  constructor(
    readonly flag: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`${flag} ${value}: not allowed; ${allowed}`);
    this.name = "CostInputError";
  }
}
