"""Outbound webhooks' rules (issue 14): the signature and its check, which answers are retried
and when (at least a day), and which endpoints may be registered."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from leadwave.rules import webhooks as rules

SECRET, NOW, BODY = "whsec_test", 1_764_662_400, b'{"id":"ev_1","type":"lead.assigned"}'


def test_the_signature_is_an_hmac_of_the_timestamp_and_the_raw_body():
    header = rules.signature(SECRET, NOW, BODY)
    mac = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={mac}"
    assert rules.verify(SECRET, header, BODY, NOW + 299)


@pytest.mark.parametrize("why, secret, body, now, header", [
    ("another secret", "whsec_other", BODY, NOW, None),
    ("a changed body", SECRET, BODY + b" ", NOW, None),
    ("an old delivery replayed", SECRET, BODY, NOW + 301, None),
    ("a delivery from the future", SECRET, BODY, NOW - 301, None),
    ("no timestamp", SECRET, BODY, NOW, "v1=abc"),
    ("a timestamp not a number", SECRET, BODY, NOW, "t=soon,v1=abc"),
    ("no signature", SECRET, BODY, NOW, f"t={NOW}"),
    ("empty", SECRET, BODY, NOW, ""),
])
def test_a_forged_or_stale_delivery_does_not_verify(why, secret, body, now, header):
    given = header if header is not None else rules.signature(SECRET, NOW, BODY)
    assert not rules.verify(secret, given, body, now), why


def test_a_secret_is_long_random_and_prefixed():
    a, b = rules.new_secret(), rules.new_secret()
    assert a.startswith("whsec_") and len(a) >= 40 and a != b


@pytest.mark.parametrize("status, verdict", [
    (200, "delivered"), (204, "delivered"), (299, "delivered"),
    (None, "retry"), (500, "retry"), (502, "retry"), (503, "retry"), (408, "retry"), (425, "retry"), (429, "retry"),
    (301, "failed"), (302, "failed"), (400, "failed"), (401, "failed"), (403, "failed"), (404, "failed"),
    (410, "failed"), (413, "failed"), (422, "failed"),
])
def test_what_each_answer_means(status, verdict):
    assert rules.verdict(status) == verdict


def test_retries_last_more_than_a_day_and_each_wait_fits_in_an_sqs_visibility():
    assert sum(rules.RETRY_DELAYS) >= 86_400
    assert all(0 < d <= 43_200 for d in rules.RETRY_DELAYS)
    assert list(rules.RETRY_DELAYS) == sorted(rules.RETRY_DELAYS)
    attempts = [rules.next_delay(n) for n in range(1, len(rules.RETRY_DELAYS) + 2)]
    assert attempts[:-1] == list(rules.RETRY_DELAYS) and attempts[-1] is None
    assert rules.next_delay(0) is None


def test_the_schedule_can_be_shortened_but_not_past_sqs():
    assert rules.parse_delays("") == rules.RETRY_DELAYS
    assert rules.parse_delays("1,1,1") == (1, 1, 1)
    for bad in ("-1", "43201", "a", "1,,2"):
        with pytest.raises(ValueError):
            rules.parse_delays(bad)


@pytest.mark.parametrize("url", ["https://crm.example.com/leadwave", "https://crm.example.com:8443/hooks?x=1",
                                 "https://8.8.8.8/hook"])
def test_a_public_https_endpoint_is_accepted(url):
    assert rules.url_problem(url) is None


@pytest.mark.parametrize("url", [
    "http://crm.example.com/hook", "ftp://crm.example.com/", "https://", "not a url", "https://user:pw@crm.example.com/",
    "https://localhost/hook", "https://127.0.0.1/hook", "https://10.0.0.5/hook", "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/", "https://[::1]/hook", "https://[fd00::1]/", "https://crm.internal/",
    "https://printer.local/", "https://x.localhost/", "https://crm.example.com:99999/",
    "https://" + "a" * 2050 + ".com",
])
def test_a_private_plain_or_malformed_endpoint_is_refused(url):
    assert rules.url_problem(url)


def test_the_local_stack_may_deliver_to_its_loopback_receiver():
    assert rules.url_problem("http://127.0.0.1:3000/local/webhooks/crm", allow_local=True) is None
    assert rules.url_problem("http://127.0.0.1:3000/local/webhooks/crm") is not None
    assert rules.url_problem("http://10.0.0.5/", allow_local=True) is not None
