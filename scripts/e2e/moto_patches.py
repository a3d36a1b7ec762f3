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
  lambda_function_configs
      CreateFunction / UpdateFunctionConfiguration drop ``DeadLetterConfig`` and ``LoggingConfig``
      and GetFunction reports neither: the provider then plans to add both on every run. Record
      them and report them back; ``LoggingConfig`` with AWS's defaults for what the request leaves
      out (``LogFormat`` Text, ``LogGroup`` /aws/lambda/<name>, levels INFO for the JSON format).
  cloudwatch_json_protocol
      The AWS SDK for JavaScript v3 (client-cloudwatch 3.11xx, used by the Lambda bundles) speaks
      CloudWatch's AWS JSON 1.0 protocol (X-Amz-Target GraniteServiceVersion20100801.*). moto takes the
      protocols a service accepts from botocore's model, and the botocore in the venv (1.35.x, held
      there by checkov's boto3 pin) lists only ``query`` for CloudWatch: every JSON request is a 500
      "Unsupported protocol [json] for service cloudwatch". Parse and answer JSON-typed CloudWatch
      requests with moto's own JSON parser/serializer (same operation shapes); moto's CloudWatch
      backend does the work. Query requests (Terraform's) are unaffected.
"""

import hashlib
import json
from typing import Any, Callable, Dict, List


def _require(obj: Any, name: str) -> Any:
    if not hasattr(obj, name):
        raise RuntimeError(f"moto_patches: {obj!r} has no attribute {name!r}; moto changed, review the patch")
    return getattr(obj, name)


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


# --- redshift_cluster_availability_status -------------------------------------------------------

_AVAILABILITY = {
    "available": "Available",
    "creating": "Modifying",
    "modifying": "Modifying",
    "rebooting": "Modifying",
    "resizing": "Modifying",
    "paused": "Paused",
    "deleting": "Unavailable",
}


def redshift_cluster_availability_status() -> None:
    from moto.redshift.models import Cluster

    _require(Cluster, "__init__")
    if "cluster_availability_status" in vars(Cluster):
        raise RuntimeError("moto_patches: moto now has Cluster.cluster_availability_status; drop this patch")
    Cluster.cluster_availability_status = property(  # type: ignore[attr-defined]
        lambda self: _AVAILABILITY.get(getattr(self, "status", ""), "Available")
    )


# --- redshift_cluster_request_flags -------------------------------------------------------------

def _secret_arn(cluster: Any) -> str:
    suffix = hashlib.sha256(cluster.arn.encode()).hexdigest()[:6]
    return (
        f"arn:aws:secretsmanager:{cluster.region}:{cluster.account_id}:secret:"
        f"redshift!{cluster.cluster_identifier}-{cluster.master_username}-{suffix}"
    )


def _record_flags(resp: Any, cluster: Any, creating: bool) -> None:
    """Remember the request fields that moto drops, so that Describe reports them back."""
    fields = {
        # request parameter: (reader, default as AWS applies it)
        "ManageMasterPassword": (resp._get_bool_param, False),
        "AvailabilityZoneRelocation": (resp._get_bool_param, False),
        "MultiAZ": (resp._get_bool_param, False),
        "MaintenanceTrackName": (resp._get_param, "current"),
        "ManualSnapshotRetentionPeriod": (resp._get_int_param, -1),
        "MasterPasswordSecretKmsKeyId": (
            resp._get_param,
            f"arn:aws:kms:{cluster.region}:{cluster.account_id}:alias/aws/secretsmanager",
        ),
    }
    for name, (read, default) in fields.items():
        value = read(name)
        attr = f"e2e_{name}"
        if value is None:
            if creating or not hasattr(cluster, attr):
                setattr(cluster, attr, default)
        else:
            setattr(cluster, attr, value)
    if cluster.e2e_ManageMasterPassword:
        cluster.master_user_password = None


def _cluster_nodes(cluster: Any) -> List[Dict[str, str]]:
    count = int(getattr(cluster, "number_of_nodes", 1) or 1)
    base = int(hashlib.sha256(cluster.cluster_identifier.encode()).hexdigest()[:4], 16) % 200 + 10
    if count <= 1:
        return [{"NodeRole": "SHARED", "PrivateIPAddress": f"10.0.{base}.10", "PublicIPAddress": ""}]
    nodes = [{"NodeRole": "LEADER", "PrivateIPAddress": f"10.0.{base}.10", "PublicIPAddress": ""}]
    for i in range(count):
        nodes.append({"NodeRole": f"COMPUTE-{i}", "PrivateIPAddress": f"10.0.{base}.{11 + i}", "PublicIPAddress": ""})
    return nodes


def redshift_cluster_request_flags() -> None:
    from moto.redshift.models import Cluster
    from moto.redshift.responses import RedshiftResponse

    added = {
        # ManageMasterPassword=true -> a Secrets Manager ARN (no secret is created; nothing reads it)
        "master_password_secret_arn": lambda self: _secret_arn(self)
        if getattr(self, "e2e_ManageMasterPassword", False) else None,
        "master_password_secret_kms_key_id": lambda self: self.e2e_MasterPasswordSecretKmsKeyId
        if getattr(self, "e2e_ManageMasterPassword", False) else None,
        # The provider refuses any value but "enabled"/"disabled" and "Enabled"/"Disabled".
        "availability_zone_relocation_status": lambda self: "enabled"
        if getattr(self, "e2e_AvailabilityZoneRelocation", False) else "disabled",
        "multi_az": lambda self: "Enabled" if getattr(self, "e2e_MultiAZ", False) else "Disabled",
        "maintenance_track_name": lambda self: getattr(self, "e2e_MaintenanceTrackName", "current"),
        "manual_snapshot_retention_period": lambda self: getattr(self, "e2e_ManualSnapshotRetentionPeriod", -1),
        # The provider derives cluster_type from the number of ClusterNodes (none -> single-node).
        "cluster_nodes": lambda self: _cluster_nodes(self),
    }
    for attr, getter in added.items():
        if attr in vars(Cluster):
            raise RuntimeError(f"moto_patches: moto now has Cluster.{attr}; review this patch")
        setattr(Cluster, attr, property(getter))

    # AWS reports the maintenance window in lower case; moto echoes the input and its default
    # is "Mon:03:00-Mon:03:30", which the provider (which lower-cases the config) sees as a change.
    if "preferred_maintenance_window" in vars(Cluster):
        raise RuntimeError("moto_patches: moto now has Cluster.preferred_maintenance_window; review this patch")
    Cluster.preferred_maintenance_window = property(
        lambda self: self.__dict__.get("e2e_preferred_maintenance_window"),
        lambda self, value: self.__dict__.__setitem__(
            "e2e_preferred_maintenance_window", value.lower() if isinstance(value, str) else value
        ),
    )

    def wrap(name: str, creating: bool) -> None:
        original: Callable[..., Any] = _require(RedshiftResponse, name)

        def method(self):  # type: ignore[no-untyped-def]
            result = original(self)
            ident = self._get_param("NewClusterIdentifier") or self._get_param("ClusterIdentifier")
            cluster = self.redshift_backend.clusters.get(ident)
            if cluster is not None:
                _record_flags(self, cluster, creating)
            return result

        setattr(RedshiftResponse, name, method)

    wrap("create_cluster", True)
    wrap("restore_from_cluster_snapshot", True)
    wrap("modify_cluster", False)


# --- redshift_parameter_group_parameters --------------------------------------------------------

def _user_params(group: Any) -> Dict[str, str]:
    if not hasattr(group, "e2e_user_parameters"):
        group.e2e_user_parameters = {}
    return group.e2e_user_parameters


def redshift_parameter_group_parameters() -> None:
    from moto.redshift.exceptions import ClusterParameterGroupNotFoundError
    from moto.redshift.models import RedshiftBackend
    from moto.redshift.responses import RedshiftResponse
    from moto.core.responses import ActionResult

    _require(RedshiftBackend, "describe_cluster_parameters")
    _require(RedshiftBackend, "describe_default_cluster_parameters")
    for name in ("modify_cluster_parameter_group", "reset_cluster_parameter_group"):
        if name in vars(RedshiftResponse):
            raise RuntimeError(f"moto_patches: moto now implements {name}; drop this patch")

    def group_of(backend: Any, name: str) -> Any:
        group = backend.parameter_groups.get(name)
        if group is None:
            raise ClusterParameterGroupNotFoundError(name)
        return group

    def describe_cluster_parameters(self, parameter_group_name: str, source: Any = None) -> List[Dict[str, Any]]:
        group = group_of(self, parameter_group_name)
        user = _user_params(group)
        out = []
        for param in self.describe_default_cluster_parameters():
            name = param["ParameterName"]
            if name in user:
                param = dict(param, ParameterValue=user[name], Source="user")
            out.append(param)
        for name, value in user.items():
            if name not in self.default_params:
                out.append({
                    "ParameterName": name, "ParameterValue": value, "Description": "mock parameter",
                    "Source": "user", "DataType": "string", "ApplyType": "static", "IsModifiable": True,
                })
        if source:
            out = [p for p in out if p["Source"] == source]
        return out

    RedshiftBackend.describe_cluster_parameters = describe_cluster_parameters

    def describe_cluster_parameters_response(self):  # type: ignore[no-untyped-def]
        params = self.redshift_backend.describe_cluster_parameters(
            self._get_param("ParameterGroupName"), self._get_param("Source")
        )
        return ActionResult({"Parameters": params})

    def modify_cluster_parameter_group(self):  # type: ignore[no-untyped-def]
        name = self._get_param("ParameterGroupName")
        group = group_of(self.redshift_backend, name)
        for param in self._get_param("Parameters", []) or []:
            if param.get("ParameterName") is not None and param.get("ParameterValue") is not None:
                _user_params(group)[param["ParameterName"]] = str(param["ParameterValue"])
        return ActionResult({
            "ParameterGroupName": name,
            "ParameterGroupStatus": "Your parameter group has been updated but changes won't get applied until you reboot the associated Clusters.",
        })

    def reset_cluster_parameter_group(self):  # type: ignore[no-untyped-def]
        name = self._get_param("ParameterGroupName")
        group = group_of(self.redshift_backend, name)
        if self._get_bool_param("ResetAllParameters"):
            _user_params(group).clear()
        for param in self._get_param("Parameters", []) or []:
            _user_params(group).pop(param.get("ParameterName"), None)
        return ActionResult({"ParameterGroupName": name, "ParameterGroupStatus": "Your parameter group has been reset."})

    RedshiftResponse.describe_cluster_parameters = describe_cluster_parameters_response
    RedshiftResponse.modify_cluster_parameter_group = modify_cluster_parameter_group
    RedshiftResponse.reset_cluster_parameter_group = reset_cluster_parameter_group


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


# --- cloudwatch_json_protocol -------------------------------------------------------------------

_JSON_CONTENT_TYPES = ("application/x-amz-json-1.0", "application/x-amz-json-1.1")


def cloudwatch_json_protocol() -> None:
    import botocore.session

    import moto.core.responses as core_responses

    original = _require(core_responses, "determine_request_protocol")
    model = botocore.session.get_session().get_service_model("cloudwatch")
    if "json" in model.metadata.get("protocols", [model.protocol]):
        raise RuntimeError("moto_patches: botocore's CloudWatch model now accepts json; drop cloudwatch_json_protocol")

    def determine_request_protocol(service_model, content_type=None):  # type: ignore[no-untyped-def]
        if service_model.service_name == "cloudwatch" and (content_type or "").split(";")[0].strip() in _JSON_CONTENT_TYPES:
            return "json"
        return original(service_model, content_type)

    core_responses.determine_request_protocol = determine_request_protocol


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
    backup_list_tags_path,
    s3_policy_secure_transport,
    lambda_function_configs,
    cloudwatch_json_protocol,
]


def apply() -> List[str]:
    """Apply every patch; return the names of those applied."""
    applied = []
    for patch in PATCHES:
        patch()
        applied.append(patch.__name__)
    return applied
