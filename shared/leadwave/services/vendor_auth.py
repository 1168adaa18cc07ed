"""The vendor key authorizer's rule: a key is valid when its peppered hash names an active vendor."""

from __future__ import annotations

from leadwave.config import key_pepper
from leadwave.models import Vendor
from leadwave.rules.keys import hash_key
from leadwave.store import directory


def vendor_for_key(api_key: str | None) -> Vendor | None:
    if not api_key or len(api_key) > 200:
        return None
    vendor = directory.find_vendor_by_key_hash(hash_key(api_key.strip(), key_pepper()))
    return vendor if vendor is not None and vendor.active else None
