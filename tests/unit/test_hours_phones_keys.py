from datetime import UTC, datetime

import pytest
from leadwave.models import DayHours
from leadwave.rules.hours import is_open, next_opening
from leadwave.rules.keys import hash_key, new_key
from leadwave.rules.phones import masked, to_e164

from tests import factories as f

WEEKDAYS = {d: [DayHours(open="09:00", close="18:00")] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_org_without_hours_is_always_open():
    assert is_open(f.org(), datetime(2026, 11, 22, 3, 0, tzinfo=UTC))


def test_hours_are_read_in_the_org_time_zone():
    org = f.org(time_zone="America/New_York", business_hours=WEEKDAYS)
    # Monday 2026-11-23 13:59 UTC = 08:59 in New York (EST, UTC-5)
    assert not is_open(org, datetime(2026, 11, 23, 13, 59, tzinfo=UTC))
    assert is_open(org, datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    assert not is_open(org, datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # 18:00 local, closing time


def test_closed_dates_close_the_whole_day():
    org = f.org(business_hours=WEEKDAYS, closed_dates=["2026-11-26"])
    assert not is_open(org, datetime(2026, 11, 26, 16, 0, tzinfo=UTC))
    assert not is_open(f.org(closed_dates=["2026-11-26"]), datetime(2026, 11, 26, 16, 0, tzinfo=UTC))


def test_next_opening_skips_weekends_and_closed_dates():
    org = f.org(business_hours=WEEKDAYS, closed_dates=["2026-11-30"])
    friday_evening = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert next_opening(org, friday_evening) == datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def test_next_opening_of_an_open_org_is_now_and_none_when_never_open():
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert next_opening(f.org(business_hours=WEEKDAYS), now) == now
    assert next_opening(f.org(business_hours={}), now) is None


@pytest.mark.parametrize("raw", ["(415) 555-2671", "415.555.2671", "+1 415 555 2671", "14155552671"])
def test_us_numbers_are_normalised_to_e164(raw):
    assert to_e164(raw) == "+14155552671"


def test_international_e164_is_kept_and_garbage_refused():
    assert to_e164("+44 20 7946 0958") == "+442079460958"
    for bad in ["abc", "123", "+1 000 000 0000"]:
        with pytest.raises(ValueError):
            to_e164(bad)


def test_masked_phone_shows_only_last_two_digits():
    assert masked("+14155552671").endswith("71") and "5552" not in masked("+14155552671")


def test_keys_are_hashed_with_a_pepper_and_never_equal_their_hash():
    key = new_key()
    assert key.startswith("lw_") and len(key) > 40
    assert hash_key(key, "p1") != hash_key(key, "p2") and key not in hash_key(key, "p1")
    assert hash_key(key, "p1") == hash_key(key, "p1")
