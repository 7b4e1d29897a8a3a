"""The lab CA and the leaf certificates it signs, generated once and cached in a directory.

API (tests/lab/README.md): ensure_ca(cert_dir) -> (ca_cert_path, ca_key_path) and
ensure_leaf(cert_dir, name, ips=(), dns=()) -> (cert_path, key_path).
Keys are EC P-256: generating and signing one costs well under a millisecond, so a lab of
1000 phones gets its own certificate per phone without sharing keys. Several emulators may
start at once, so generation happens under a lock file in the directory.
"""

import datetime
import fcntl
import ipaddress
import os
import re
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "telephony.genesys_audiocodes lab CA"
CA_DAYS = 3650
LEAF_DAYS = 825
RENEW_BEFORE = datetime.timedelta(days=30)

_CA_CACHE = {}  # str(cert_dir) -> (mtime_ns of ca.pem, certificate, private key)


def ensure_ca(cert_dir):
    """Create the lab CA in cert_dir unless a usable one is there; return (cert, key) paths."""
    cert_dir = Path(cert_dir)
    cert_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = cert_dir / "ca.pem", cert_dir / "ca-key.pem"
    if _load_ca(cert_dir) is None:
        with _locked(cert_dir):
            if _load_ca(cert_dir) is None:  # another process may have made it meanwhile
                _write_ca(cert_path, key_path)
    return str(cert_path), str(key_path)


def ensure_leaf(cert_dir, name, ips=(), dns=()):
    """Return (cert, key) paths of a leaf for these SANs, signed by the lab CA; made once, cached."""
    cert_dir = Path(cert_dir)
    ensure_ca(cert_dir)
    ca_cert, ca_key = _load_ca(cert_dir)
    ips = sorted({ipaddress.ip_address(ip) for ip in ips}, key=str)
    dns = sorted(set(dns)) or ([] if ips else [name])
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    leaf_dir = cert_dir / "leaf"
    leaf_dir.mkdir(exist_ok=True)
    cert_path, key_path = leaf_dir / (safe + ".pem"), leaf_dir / (safe + "-key.pem")
    if not _leaf_usable(cert_path, key_path, ca_cert, ips, dns):
        with _locked(cert_dir):
            if not _leaf_usable(cert_path, key_path, ca_cert, ips, dns):
                _write_leaf(cert_path, key_path, ca_cert, ca_key, name, ips, dns)
    return str(cert_path), str(key_path)


@contextmanager
def _locked(cert_dir):
    with open(cert_dir / ".lock", "a", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _load_ca(cert_dir):
    """The cached (cert, key) of the CA, or None when missing, broken or about to expire."""
    cert_path, key_path = cert_dir / "ca.pem", cert_dir / "ca-key.pem"
    try:
        mtime = cert_path.stat().st_mtime_ns
        cached = _CA_CACHE.get(str(cert_dir))
        if cached and cached[0] == mtime:
            return cached[1], cached[2]
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE < _now() or not _same_key(cert, key):
        return None
    _CA_CACHE[str(cert_dir)] = (mtime, cert, key)
    return cert, key


def _same_key(cert, key):
    raw = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return cert.public_key().public_bytes(*raw) == key.public_key().public_bytes(*raw)


def _leaf_usable(cert_path, key_path, ca_cert, ips, dns):
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca_cert)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
        return False
    wanted = (sorted(ips, key=str), sorted(dns))
    found = (sorted(san.get_values_for_type(x509.IPAddress), key=str), sorted(san.get_values_for_type(x509.DNSName)))
    return found == wanted and cert.not_valid_after_utc - RENEW_BEFORE > _now() and _same_key(cert, key)


def _write_ca(cert_path, key_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        _builder(name, name, key.public_key(), CA_DAYS)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def _write_leaf(cert_path, key_path, ca_cert, ca_key, name, ips, dns):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64])])
    sans = [x509.IPAddress(ip) for ip in ips] + [x509.DNSName(d) for d in dns]
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        _builder(subject, ca_cert.subject, key.public_key(), LEAF_DAYS)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _atomic_write(cert_path, cert.public_bytes(serialization.Encoding.PEM))


def _builder(subject, issuer, public_key, days):
    start = _now() - datetime.timedelta(hours=1)  # tolerate small clock skew
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
    )


def _key_usage(cert_sign):
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
        encipher_only=False, decipher_only=False,
    )


def _write_key(path, key):
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _atomic_write(path, pem, mode=0o600)


def _atomic_write(path, data, mode=0o644):
    tmp = path.with_name(path.name + ".tmp%d" % os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
