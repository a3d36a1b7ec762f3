"""Test-only adjustments to moto 5.2, applied by moto_server.py before the server starts.

Each patch works around one way in which moto's answers differ from AWS's in a way that blocks
the Terraform AWS provider (5.100) on a resource this project really deploys. None of them makes
an unsupported operation look successful: operations that moto lacks still fail (faster, see
``not_implemented_is_501``). Every patch checks that the moto code it wraps is still there and
raises at start-up otherwise, so a moto upgrade that changes it is noticed at once.

Patches:
  not_implemented_is_501
      moto answers an operation it does not implement with HTTP 500 (a Python traceback). The AWS
      SDKs retry 500s, so the provider spends ~10 minutes retrying before it reports the error.
      Answer 501 with an AWS-shaped error ``NotImplemented`` instead: not retried, clear message.
  redshift_cluster_availability_status
      DescribeClusters lacks ``ClusterAvailabilityStatus``; the provider waits for it to become
      ``Available`` after create/modify and times out (75 min). Derive it from ``ClusterStatus``.
  redshift_cluster_request_flags
      CreateCluster/ModifyCluster/RestoreFromClusterSnapshot drop ``ManageMasterPassword``,
      ``AvailabilityZoneRelocation``, ``MultiAZ``, ``MaintenanceTrackName`` and
      ``ManualSnapshotRetentionPeriod``, and DescribeClusters lacks them and ``ClusterNodes``:
      the provider fails reading the cluster ("unexpected AvailabilityZoneRelocationStatus
      value") or plans changes on every run (cluster_type, maintenance_track_name,
      manual_snapshot_retention_period, preferred_maintenance_window case). Record the fields and
      report them back; list leader/compute nodes; lower-case the maintenance window as AWS does;
      for a managed password report a deterministic Secrets Manager ARN (no secret is created).
  redshift_snapshot_copy_manual_retention
      EnableSnapshotCopy drops ``ManualSnapshotRetentionPeriod`` and ClusterSnapshotCopyStatus lacks it:
      the provider fails the apply of aws_redshift_snapshot_copy ("inconsistent result after apply":
      manual_snapshot_retention_period was 5, now null). Record it (AWS's default -1 when not sent) and
      report it back; ModifySnapshotCopyRetentionPeriod with ``Manual=true`` changes it, not the
      automated ``RetentionPeriod`` (moto changes the automated one).
  redshift_snapshot_copy_grant_tags
      CreateSnapshotCopyGrant drops ``Tags`` and a grant's ARN cannot be tagged: the provider's default
      tags (``tags_all``) of aws_redshift_snapshot_copy_grant change on every plan. Keep the request's
      tags, report them in DescribeSnapshotCopyGrants, and let CreateTags/DeleteTags find the grant.
  redshift_parameter_group_parameters
      ModifyClusterParameterGroup / ResetClusterParameterGroup are missing and
      DescribeClusterParameters always returns the defaults, ignoring ``Source``. Store the
      user-set values per group and honour ``Source`` (the provider reads ``Source=user``).
  backup_list_tags_path
      ListTags takes the ARN from the second-to-last path segment, which is right for boto3's
      ``/tags/<arn>/`` but not for the Go SDK's ``/tags/<arn>`` (no trailing slash): every Backup
      vault and plan then reads back without tags and ``tags_all`` (default_tags) drifts forever.
  s3_policy_secure_transport
      moto evaluates bucket policies on object requests (and DeleteObjects) but ignores condition
      operators other than StringEquals: a TLS-only statement (Deny, ``Bool aws:SecureTransport
      "false"``) becomes an unconditional Deny, so every object read/write in such a bucket is a 403
      (e.g. the S3 backend's state object in the state bucket). The loopback endpoint stands in for
      AWS's TLS endpoint: statements that only apply to non-TLS requests are left out of the
      evaluation. Every other statement is evaluated by moto as before.
  s3_delete_marker_dispose
      In a bucket whose versioning is suspended (destroying aws_s3_bucket_versioning does that before
      the bucket goes), deleting a version of a key whose versions include a delete marker (an S3 lock
      file of the state backend: written, then deleted, on every run) fails with HTTP 500
      ("'FakeDeleteMarker' object has no attribute 'dispose'": moto drops the whole key and disposes
      every version), so ``force_destroy`` of the state bucket retries until terraform is killed. A
      delete marker holds no data: give it a ``dispose`` that does nothing.
  lambda_function_configs
      CreateFunction / UpdateFunctionConfiguration drop ``DeadLetterConfig`` and ``LoggingConfig``
      and GetFunction reports neither: the provider then plans to add both on every run. Record
      them and report them back; ``LoggingConfig`` with AWS's defaults for what the request leaves
      out (``LogFormat`` Text, ``LogGroup`` /aws/lambda/<name>, levels INFO for the JSON format).
"""

import json
from typing import Any, Callable, Dict, List

from moto_patch_support import _require
from moto_opt_in_patches import requested as opt_in_patches
from moto_redshift_patches import (
    redshift_cluster_availability_status,
    redshift_cluster_request_flags,
    redshift_parameter_group_parameters,
    redshift_snapshot_copy_grant_tags,
    redshift_snapshot_copy_manual_retention,
)


# --- not_implemented_is_501 ---------------------------------------------------------------------

def _not_implemented_response(resp: Any, message: str):
    headers: Dict[str, str] = {"x-amzn-ErrorType": "NotImplemented", "x-amzn-RequestId": "moto-not-implemented"}
    content_type = ""
    target = ""
    try:
        content_type = resp.headers.get("Content-Type", "") or ""
        target = resp.headers.get("X-Amz-Target", "") or ""
    except Exception:  # noqa: BLE001 - best effort only
        pass
    msg = f"moto (emulator) does not implement this operation: {message}"
    if "json" in content_type or target:
        headers["Content-Type"] = "application/json"
        body = json.dumps({"__type": "NotImplemented", "message": msg, "Message": msg})
    else:
        headers["Content-Type"] = "text/xml"
        esc = msg.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if getattr(resp, "service_name", "") == "ec2":
            body = (
                f"<Response><Errors><Error><Code>NotImplemented</Code><Message>{esc}</Message>"
                "</Error></Errors><RequestID>moto-not-implemented</RequestID></Response>"
            )
        else:
            body = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code>"
                f"<Message>{esc}</Message></Error><RequestId>moto-not-implemented</RequestId></ErrorResponse>"
            )
    return 501, headers, body


def not_implemented_is_501() -> None:
    from moto.core.responses import BaseResponse

    original = _require(BaseResponse, "call_action")

    def call_action(self):  # type: ignore[no-untyped-def]
        try:
            return original(self)
        except NotImplementedError as err:
            return _not_implemented_response(self, str(err))

    BaseResponse.call_action = call_action


# --- backup_list_tags_path ----------------------------------------------------------------------

def backup_list_tags_path() -> None:
    from urllib.parse import unquote

    from moto.backup.responses import BackupResponse

    _require(BackupResponse, "list_tags")

    def list_tags(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0]
        arn = unquote(path.split("/tags/", 1)[1].rstrip("/"))
        return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})

    BackupResponse.list_tags = list_tags


# --- s3_policy_secure_transport -----------------------------------------------------------------

def _only_for_insecure_transport(statement: Any) -> bool:
    """True when the statement's conditions require aws:SecureTransport to be false (ANDed: never met over TLS)."""
    conditions = statement.get("Condition") or {}
    for operator, values in conditions.items():
        if operator not in ("Bool", "BoolIfExists") or not isinstance(values, dict):
            continue
        for key, value in values.items():
            wanted = value if isinstance(value, list) else [value]
            if key.lower() == "aws:securetransport" and [str(v).lower() for v in wanted] == ["false"]:
                return True
    return False


def s3_policy_secure_transport() -> None:
    import inspect

    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    original: Callable[..., Any] = _require(FakeBucket, "get_permission")
    _require(IAMPolicy, "is_action_permitted")
    if "IAMPolicy(self.policy.decode())" not in inspect.getsource(original):
        raise RuntimeError("moto_patches: FakeBucket.get_permission changed; review s3_policy_secure_transport")

    def get_permission(self, action: str, resource: str) -> Any:  # type: ignore[no-untyped-def]
        policy = getattr(self, "policy", None)
        if not policy:
            return original(self, action, resource)
        document = json.loads(policy.decode() if isinstance(policy, bytes) else policy)
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if not _only_for_insecure_transport(s)]
        if len(kept) == len(statements):
            return original(self, action, resource)
        if not kept:
            return PermissionResult.NEUTRAL
        # What the original does (IAMPolicy(policy).is_action_permitted), on the kept statements.
        return IAMPolicy(json.dumps(dict(document, Statement=kept))).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission


# --- s3_delete_marker_dispose -------------------------------------------------------------------

def s3_delete_marker_dispose() -> None:
    import inspect

    from moto.s3.models import FakeDeleteMarker
    from moto.s3.utils import _VersionedKeyStore

    if "dispose" in vars(FakeDeleteMarker):
        raise RuntimeError("moto_patches: moto now has FakeDeleteMarker.dispose; drop s3_delete_marker_dispose")
    if "version.dispose()" not in inspect.getsource(_require(_VersionedKeyStore, "pop")):
        raise RuntimeError("moto_patches: _VersionedKeyStore.pop changed; review s3_delete_marker_dispose")
    FakeDeleteMarker.dispose = lambda self, garbage=False: None  # type: ignore[attr-defined]


# --- lambda_function_configs --------------------------------------------------------------------

def lambda_function_configs() -> None:
    import inspect

    from moto.awslambda.models import LambdaFunction

    original_init: Callable[..., Any] = _require(LambdaFunction, "__init__")
    original_update: Callable[..., Any] = _require(LambdaFunction, "update_configuration")
    original_get: Callable[..., Any] = _require(LambdaFunction, "get_configuration")
    source = inspect.getsource(original_get) + inspect.getsource(original_update)
    for name in ("DeadLetterConfig", "LoggingConfig"):
        if name in source:
            raise RuntimeError(f"moto_patches: moto now handles Lambda {name}; review lambda_function_configs")

    def __init__(self, account_id: str, spec: Dict[str, Any], *args: Any, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
        original_init(self, account_id, spec, *args, **kwargs)
        self.e2e_dead_letter_config = spec.get("DeadLetterConfig")
        self.e2e_logging_config = spec.get("LoggingConfig")

    def update_configuration(self, config_updates: Dict[str, Any]) -> Dict[str, Any]:  # type: ignore[no-untyped-def]
        if "DeadLetterConfig" in config_updates:
            self.e2e_dead_letter_config = config_updates["DeadLetterConfig"]
        if "LoggingConfig" in config_updates:
            self.e2e_logging_config = config_updates["LoggingConfig"]
        return original_update(self, config_updates)

    def get_configuration(self, *args: Any, **kwargs: Any) -> Dict[str, Any]:  # type: ignore[no-untyped-def]
        config = original_get(self, *args, **kwargs)
        dlq = getattr(self, "e2e_dead_letter_config", None)
        if dlq and dlq.get("TargetArn"):
            config["DeadLetterConfig"] = {"TargetArn": dlq["TargetArn"]}
        logging_config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{self.function_name}"}
        logging_config.update({k: v for k, v in (getattr(self, "e2e_logging_config", None) or {}).items() if v})
        if logging_config["LogFormat"] == "JSON":
            # AWS fills in the levels of a JSON-format function (the provider suppresses unset ones).
            logging_config.setdefault("ApplicationLogLevel", "INFO")
            logging_config.setdefault("SystemLogLevel", "INFO")
        config["LoggingConfig"] = logging_config
        return config

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration


PATCHES = [
    not_implemented_is_501,
    redshift_cluster_availability_status,
    redshift_cluster_request_flags,
    redshift_parameter_group_parameters,
    redshift_snapshot_copy_manual_retention,
    redshift_snapshot_copy_grant_tags,
    backup_list_tags_path,
    s3_policy_secure_transport,
    s3_delete_marker_dispose,
    lambda_function_configs,
    *opt_in_patches(),  # only those a test names in E2E_MOTO_OPT_IN (moto_opt_in_patches.py)
]


def apply() -> List[str]:
    """Apply every patch; return the names of those applied."""
    applied = []
    for patch in PATCHES:
        patch()
        applied.append(patch.__name__)
    return applied
