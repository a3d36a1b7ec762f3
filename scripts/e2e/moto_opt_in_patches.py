"""Opt-in moto patches: applied only for a moto server whose test asks for them.

A patch here changes an answer that other emulator tests assert as moto's own behaviour, so it cannot be on for
every server. A test opts in by naming the patches in ``E2E_MOTO_OPT_IN`` (comma-separated) in its own process
environment before ``startMoto()``: the server inherits that environment (scripts/e2e/moto.ts, ``childEnv``), and
``moto_patches.PATCHES`` then includes them, so ``MotoServer.patches`` lists them. An unknown name stops the server
at start-up. The rules of ``moto_patches.py`` hold: faithful to the shape of AWS's answer, never making an
unsupported operation look successful, and failing at start-up when the moto code a patch wraps has changed.

Patches:
  redshift_snapshot_owner_account
      moto's Snapshot has no owner, so every Snapshot it returns (DescribeClusterSnapshots, CreateClusterSnapshot,
      DeleteClusterSnapshot) lacks ``OwnerAccount``, which AWS always reports ("the Amazon Web Services account
      used to create or copy the snapshot"; for automated snapshots, the cluster's owner). Report the account that
      owns the snapshot in moto. Only the field: moto still ignores the ``OwnerAccount`` request filter, still
      cannot share a snapshot with another account (AuthorizeSnapshotAccess is 501) and still lists only the
      caller's own snapshots, so with this patch an account sees its own snapshots with itself as the owner, as
      it does on AWS. Used by __tests__/e2e/drill.e2e.test.ts, where one account stands for source and DR.
  redshift_data_epoch_timestamps
      The Redshift Data API is a JSON-protocol service: AWS sends its timestamps (ExecuteStatement's CreatedAt,
      DescribeStatement's CreatedAt and UpdatedAt) as epoch seconds. moto sends ISO 8601 strings, which boto3
      accepts but the AWS SDK for JavaScript v3 refuses ("Expected real number, got implicit NaN"), so no
      JavaScript client can read moto's answer at all. Send the same instants as epoch seconds. Nothing else
      changes: a statement still never leaves STARTED (moto runs no SQL), and GetStatementResult still returns
      moto's fixed sample rows whatever the SQL.
"""

import json
import os
from datetime import datetime
from typing import Any, Callable, List

from moto_patch_support import _require

OPT_IN_ENV = "E2E_MOTO_OPT_IN"


# --- redshift_snapshot_owner_account -------------------------------------------------------------

def redshift_snapshot_owner_account() -> None:
    from moto.redshift.models import Snapshot

    _require(Snapshot, "__init__")
    if "owner_account" in vars(Snapshot):
        raise RuntimeError("moto_opt_in_patches: moto now has Snapshot.owner_account; drop this patch")
    # The response serializer looks up `owner_account` for the Snapshot shape's OwnerAccount member.
    Snapshot.owner_account = property(lambda self: self.account_id)  # type: ignore[attr-defined]


# --- redshift_data_epoch_timestamps --------------------------------------------------------------

def _epoch_seconds(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # moto writes datetime.now() (local time) with a "Z" suffix: read it back as the local time it is.
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").timestamp()


def redshift_data_epoch_timestamps() -> None:
    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse

    for name in ("execute_statement", "describe_statement"):
        original = _require(RedshiftDataAPIServiceResponse, name)

        def wrapped(self: Any, _original: Callable[..., Any] = original) -> Any:
            status, headers, body = _original(self)
            data = json.loads(body)
            for key in ("CreatedAt", "UpdatedAt"):
                if key in data:
                    data[key] = _epoch_seconds(data[key])
            return status, headers, json.dumps(data)

        setattr(RedshiftDataAPIServiceResponse, name, wrapped)


AVAILABLE = {p.__name__: p for p in [redshift_snapshot_owner_account, redshift_data_epoch_timestamps]}


def requested() -> List[Callable[[], None]]:
    """The opt-in patches named in E2E_MOTO_OPT_IN (in that order); raises on an unknown name."""
    names = [n.strip() for n in os.environ.get(OPT_IN_ENV, "").split(",") if n.strip()]
    unknown = [n for n in names if n not in AVAILABLE]
    if unknown:
        raise RuntimeError(f"{OPT_IN_ENV}: unknown opt-in patch(es) {unknown}; known: {sorted(AVAILABLE)}")
    return [AVAILABLE[n] for n in names]
