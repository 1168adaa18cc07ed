"""Lead returns (issue 14): only a lead a vendor posted goes back to a vendor."""

from __future__ import annotations

import pytest
from leadwave.services.returns import posted_by_vendor


@pytest.mark.parametrize("vendor_id, posted", [("vd_1", True), ("e2e-vendor", True), ("agent:a01", False),
                                               ("upload:m1", False), ("call", False), ("", False), (None, False)])
def test_only_a_vendors_lead_goes_back_to_a_vendor(vendor_id, posted):
    assert posted_by_vendor(vendor_id) is posted
