"""The Redshift patches of moto_patches.py (see its docstring for what each one does and why)."""

import hashlib
from typing import Any, Callable, Dict, List

from moto_patch_support import _require

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


# --- redshift_snapshot_copy_manual_retention ----------------------------------------------------

def redshift_snapshot_copy_manual_retention() -> None:
    """EnableSnapshotCopy drops ManualSnapshotRetentionPeriod (ClusterSnapshotCopyStatus lacks it), and
    ModifySnapshotCopyRetentionPeriod with Manual=true changes the automated RetentionPeriod instead."""
    import inspect

    from moto.redshift.models import RedshiftBackend
    from moto.redshift.responses import RedshiftResponse

    original_enable: Callable[..., Any] = _require(RedshiftResponse, "enable_snapshot_copy")
    original_modify: Callable[..., Any] = _require(RedshiftResponse, "modify_snapshot_copy_retention_period")
    if "ManualSnapshotRetentionPeriod" in inspect.getsource(RedshiftBackend.enable_snapshot_copy) + inspect.getsource(original_modify):
        raise RuntimeError("moto_patches: moto now handles ManualSnapshotRetentionPeriod of snapshot copies; drop this patch")

    def status_of(self: Any) -> Any:
        cluster = self.redshift_backend.clusters.get(self._get_param("ClusterIdentifier"))
        return None if cluster is None else cluster.cluster_snapshot_copy_status

    def enable_snapshot_copy(self):  # type: ignore[no-untyped-def]
        result = original_enable(self)
        status = status_of(self)
        if status is not None:
            # AWS keeps copied manual snapshots indefinitely (-1) unless the request says otherwise.
            manual = self._get_int_param("ManualSnapshotRetentionPeriod")
            status["ManualSnapshotRetentionPeriod"] = -1 if manual is None else manual
            status["RetentionPeriod"] = int(status["RetentionPeriod"])
        return result

    def modify_snapshot_copy_retention_period(self):  # type: ignore[no-untyped-def]
        status = status_of(self)
        if status is not None and self._get_bool_param("Manual", False):
            automated = status["RetentionPeriod"]
            result = original_modify(self)  # validates as moto does, but sets RetentionPeriod
            status["RetentionPeriod"] = automated
            status["ManualSnapshotRetentionPeriod"] = self._get_int_param("RetentionPeriod")
            return result
        result = original_modify(self)
        if status is not None:
            status["RetentionPeriod"] = int(status["RetentionPeriod"])
        return result

    RedshiftResponse.enable_snapshot_copy = enable_snapshot_copy
    RedshiftResponse.modify_snapshot_copy_retention_period = modify_snapshot_copy_retention_period


# --- redshift_snapshot_copy_grant_tags ----------------------------------------------------------

def redshift_snapshot_copy_grant_tags() -> None:
    """CreateSnapshotCopyGrant drops Tags (DescribeSnapshotCopyGrants reports none), and a grant's ARN is not
    taggable (CreateTags/DeleteTags: "Tagging is not supported for this type of resource: 'snapshotcopygrant'")."""
    import inspect

    from moto.redshift.models import RedshiftBackend, SnapshotCopyGrant
    from moto.redshift.responses import RedshiftResponse

    original_create: Callable[..., Any] = _require(RedshiftResponse, "create_snapshot_copy_grant")
    original_init: Callable[..., Any] = _require(RedshiftBackend, "__init__")
    if "tags" in inspect.getsource(SnapshotCopyGrant.__init__) or "snapshotcopygrant" in inspect.getsource(original_init):
        raise RuntimeError("moto_patches: moto now tags snapshot copy grants; drop redshift_snapshot_copy_grant_tags")

    def __init__(self, region_name: str, account_id: str) -> None:  # type: ignore[no-untyped-def]
        original_init(self, region_name, account_id)
        self.RESOURCE_TYPE_MAP["snapshotcopygrant"] = self.snapshot_copy_grants

    def create_snapshot_copy_grant(self):  # type: ignore[no-untyped-def]
        result = original_create(self)
        grant = self.redshift_backend.snapshot_copy_grants.get(self._get_param("SnapshotCopyGrantName"))
        if grant is not None:
            # What TaggableResourceMixin.__init__ would have set (SnapshotCopyGrant does not call it).
            grant.account_id = self.current_account
            grant.region = self.region
            grant.tags = list(self._get_param("Tags", []) or [])
        return result

    RedshiftBackend.__init__ = __init__
    RedshiftResponse.create_snapshot_copy_grant = create_snapshot_copy_grant
