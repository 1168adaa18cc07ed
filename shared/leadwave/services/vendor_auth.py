"""The vendor key authorizer's rule: a key is valid when its peppered hash names an active vendor."""

from __future__ import annotations

from leadwave.config import key_pepper
from leadwave.rules.keys import hash_key
from leadwave.store import vendor_keys
from leadwave.store.vendor_keys import VendorKey


def vendor_for_key(api_key: str | None) -> VendorKey | None:
    if not api_key or len(api_key) > 200:
        return None
    vendor = vendor_keys.find(hash_key(api_key.strip(), key_pepper()))
    return vendor if vendor is not None and vendor.active else None
