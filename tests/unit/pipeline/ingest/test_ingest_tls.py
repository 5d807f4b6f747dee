"""Live sources over HTTPS: a loopback server with a certificate made for the test.

The fetch verifies the certificate against the trusted authorities (the system's, or the
bundle ``SSL_CERT_FILE`` names): an untrusted one stops the run in one line, a trusted one is
read like any feed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipeline.ingest import IngestError, read_papers
from tests.support.feed_server import serve
from tests.support.samples import ATOM_FEED

FEED = {"/api/query": ("application/atom+xml", ATOM_FEED.encode())}


def self_signed(folder: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` (an IP address) signed by its own key: (cert, key) PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paperkg test feed")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_an_untrusted_certificate_stops_the_run_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with serve(FEED, tls=self_signed(tmp_path)) as srv:
        url = srv.url("/api/query")
        with pytest.raises(IngestError) as failed:
            read_papers([url])
    message = str(failed.value)
    assert message.startswith(f"{url}: cannot fetch: ") and "CERTIFICATE_VERIFY_FAILED" in message
    assert "\n" not in message
    assert srv.requests == []  # nothing was asked of a server that could not be verified


def test_a_trusted_certificate_is_read_like_any_feed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # a private authority, as a user sets it
    with serve(FEED, tls=(cert, key)) as srv:
        url = srv.url("/api/query", userinfo="reader:s3cret")
        result = read_papers([url])
    assert [p.id for p in result.papers] == ["2303.11366", "1706.03762"]
    assert srv.requests[0][1]["Authorization"] == "Basic cmVhZGVyOnMzY3JldA=="  # over TLS
    assert all(p.source.startswith("https://127.0.0.1:") for p in result.papers)
    assert all("s3cret" not in p.source for p in result.papers)


def test_a_certificate_for_another_host_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = self_signed(tmp_path, host="127.0.0.2")  # trusted, but not this address's
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with serve(FEED, tls=(cert, key)) as srv, pytest.raises(IngestError) as failed:
        read_papers([srv.url("/api/query")])
    assert "CERTIFICATE_VERIFY_FAILED" in str(failed.value)
    assert "match" in str(failed.value)  # the hostname check, not the trust check
