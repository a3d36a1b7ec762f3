"""What every moto patch uses: a check that the moto code it wraps is still there."""

from typing import Any


def _require(obj: Any, name: str) -> Any:
    if not hasattr(obj, name):
        raise RuntimeError(f"moto_patches: {obj!r} has no attribute {name!r}; moto changed, review the patch")
    return getattr(obj, name)
