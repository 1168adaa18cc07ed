"""Virtual numbers (issue 11): ``NUMBER#<e164>`` / ``NUMBER`` items in the directory table name
the org and campaign a number belongs to, so an inbound call finds its campaign with one read.
A number belongs to one campaign: taken with a conditional write."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from leadwave.errors import Conflict
from leadwave.store.tables import DirectoryItem, bind

SK = "NUMBER"


def _pk(number: str) -> str:
    return f"NUMBER#{number}"


def claim(number: str, org_id: str, campaign_id: str) -> None:
    """The number is this campaign's (again, if it was); ``Conflict`` when another campaign has it."""
    bind()
    owner = f"{org_id}#{campaign_id}"
    item = DirectoryItem(_pk(number), SK, kind="number", doc={"org_id": org_id, "campaign_id": campaign_id},
                         owner=owner)
    try:
        item.save(condition=DirectoryItem.pk.does_not_exist() | (DirectoryItem.owner == owner))
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise Conflict(f"{number} already belongs to another campaign", code="number_in_use") from None
        raise


def release(number: str, org_id: str, campaign_id: str) -> None:
    bind()
    try:
        DirectoryItem(_pk(number), SK).delete(condition=DirectoryItem.owner == f"{org_id}#{campaign_id}")
    except DeleteError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def owner(number: str) -> tuple[str, str] | None:
    """(org_id, campaign_id) of a virtual number, or None."""
    bind()
    try:
        item = DirectoryItem.get(_pk(number), SK)
    except DirectoryItem.DoesNotExist:
        return None
    doc = dict(item.doc or {})
    return str(doc["org_id"]), str(doc["campaign_id"])
