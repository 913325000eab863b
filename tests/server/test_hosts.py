"""Which Host and Origin values ``itp serve`` answers (``server.hosts``): its own address only."""

from __future__ import annotations

from itp_toolkit.server.hosts import Addresses


def test_only_the_served_address_is_a_host_it_answers():
    served = Addresses.served(8866)
    assert served.host_allowed("127.0.0.1:8866") and served.host_allowed("LOCALHOST:8866")
    for host in (
        "evil.example:8866",
        "evil.example",
        "127.0.0.1:8867",
        "127.0.0.1",
        "127.0.0.1:8866.evil",
        "localhost.evil.example:8866",
        "",
        None,
    ):
        assert not served.host_allowed(host), host


def test_an_origin_must_be_the_served_address_and_no_origin_passes():
    served = Addresses.served(8866)
    assert served.origin_allowed(None)
    assert served.origin_allowed("http://127.0.0.1:8866") and served.origin_allowed("http://localhost:8866")
    for origin in (
        "http://evil.example:8866",
        "http://evil.example",
        "null",
        "http://127.0.0.1:8867",
        "file://",
        "chrome-extension://abc",
        "http://127.0.0.1:8866@evil.example",
    ):
        assert not served.origin_allowed(origin), origin


def test_a_proxy_name_is_answered_on_the_default_ports_or_the_one_given():
    served = Addresses.served(8866, ["clinic.example", "lab.example:8443"])
    assert served.host_allowed("clinic.example") and served.host_allowed("clinic.example:443")
    assert served.origin_allowed("https://clinic.example") and served.origin_allowed("http://clinic.example")
    assert served.host_allowed("lab.example:8443") and not served.host_allowed("lab.example")
    assert served.origin_allowed("https://lab.example:8443") and not served.origin_allowed(
        "https://lab.example"
    )
