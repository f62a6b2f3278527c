"""The egress policy (SPEC §2): internal addresses are refused unless a global admin allows them."""

import ipaddress

import pytest

from coffer.kit.egress import EgressPolicy

STRICT = EgressPolicy()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "::1",
        "10.0.0.5",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "fe80::1",
        "fc00::1",  # unique local
        "224.0.0.1",
        "ff02::1",
        "0.0.0.0",  # noqa: S104 - the address under test, not a bind
        "::",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "240.0.0.1",  # reserved
    ],
)
def test_internal_addresses_are_refused_by_default(address: str) -> None:
    reason = STRICT.refusal("casino.example", ipaddress.ip_address(address))
    assert reason is not None
    assert "casino.example" in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert STRICT.refusal("casino.example", ipaddress.ip_address(address)) is None


def test_a_global_setting_allows_ranges_and_named_hosts() -> None:
    policy = EgressPolicy.allowing(["127.0.0.0/8", " ::1 ", "wallet.internal", ""])
    assert policy.refusal("x", ipaddress.ip_address("127.0.0.9")) is None
    assert policy.refusal("x", ipaddress.ip_address("::ffff:127.0.0.9")) is None
    assert policy.refusal("x", ipaddress.ip_address("::1")) is None
    assert policy.refusal("Wallet.Internal.", ipaddress.ip_address("10.1.1.1")) is None
    assert policy.refusal("other.internal", ipaddress.ip_address("10.1.1.1")) is not None
