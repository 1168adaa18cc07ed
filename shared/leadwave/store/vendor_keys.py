"""The vendor key authorizer's one read: which active vendor a key hash names. Kept apart from
``directory`` so the authorizer imports no domain model (its cold start is mostly this)."""

from __future__ import annotations

from dataclasses import dataclass

from leadwave.store.tables import DirectoryItem, bind


@dataclass(frozen=True)
class VendorKey:
    org_id: str
    vendor_id: str
    active: bool


def find(key_hash: str) -> VendorKey | None:
    """The vendor whose key hashes to ``key_hash`` (the directory's gsi1 ``KEY#<hash>``)."""
    bind()
    for item in DirectoryItem.by_gsi1.query(f"KEY#{key_hash}", DirectoryItem.gsi1sk == "VENDOR"):
        doc = item.doc or {}
        return VendorKey(org_id=str(doc["org_id"]), vendor_id=str(doc["vendor_id"]),
                         active=bool(doc.get("active", True)))
    return None
