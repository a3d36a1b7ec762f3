/** Service errors as the SDK raises them, for injecting into the fake Redshift (testing/fake-redshift.ts). */
import { RedshiftServiceException } from "@aws-sdk/client-redshift";

export function awsError(name: string, message: string, httpStatusCode = 400): RedshiftServiceException {
  return new RedshiftServiceException({ name, $fault: "client", message, $metadata: { httpStatusCode } });
}

export function throttlingError(): RedshiftServiceException {
  return awsError("Throttling", "Rate exceeded", 400);
}
