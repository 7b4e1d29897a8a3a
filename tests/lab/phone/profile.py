"""The `phone:` section of a lab profile, checked and completed with defaults (README "## phone")."""

import copy
import ipaddress
import os

import yaml

from labcommon.names import parse_names

from . import replay
from .keys import MODELS, key_table
from .sip import SETTINGS as SIP_SETTINGS

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEFAULT_DB = os.path.join(os.path.dirname(REPO_ROOT), "shared", "reference", "samples",
                          "audiocodes-parameter-db-3.0.4.json")

# Every firmware variant: its default first, then the other values it may take.
VARIANTS = {
    "auth": ["cookie", "basic", "basic_silent_login"],
    "expired_session": ["login_page", "redirect_login", "redirect_login_redirect", "web_login", "unauthorized"],
    "post_requires_get": ["same_page", "any_page"],
    "apply": ["replace", "merge"],
    "after_upload": ["reboot", "live", "pending_reboot", "per_key", "delayed_reboot"],
    "no_upload_form": [False, True],
    "upload_form": ["manu_config", "upload_cgi"],
    "config_link": ["absolute", "relative", "script"],
    "secrets": ["encrypted", "omitted", "clear", "stars", "empty"],
    "enum_case": ["upper", "database", "lower"],
    "enum_numbers": [False, True],
    "enum_download": ["names", "numbers"],
    "download_format": ["annotated", "plain", "broken"],
    "file_encoding": ["utf-8", "latin-1"],
    "download": ["full", "modified_only", "modified_only_switchable"],
    "hidden_keys_in_download": [True, False],
    "without_assumed_keys": [False, True],
    "missing_form_fields": ["keep", "default"],
    "require_referer": [False, True],
    "fake_registration": [False, True],
    "status_lines": ["numbered", "bare", "enabled_only"],
    "info_page": ["labelled", "unlabelled"],
    "auto_provision_form": ["rendered", "script_filled"],
    "provisioning_url": ["directory_or_file", "file_only"],
    "provisioning_name_case": ["lower", "upper"],
}
TIMINGS = {"reboot_seconds": 90.0, "session_timeout": None, "expire_session_every": 0, "slow_seconds": 5.0,
           "flash_seconds": 120.0, "firmware_verify_seconds": 2.0,
           "upload_reboot_delay_seconds": 6.0}  # after_upload: delayed_reboot  # firmware.py: image check, then flash
FAULTS = {"seed": 0, "error_rate": 0.0, "reset_rate": 0.0, "lost_reply_rate": 0.0, "slow_rate": 0.0,
          "reboot_rate": 0.0, "flash_fail_rate": 0.0,
          # answers that test a client's limits (README): a body dripped a byte every drip_seconds, or
          # oversize_bytes more of it, without Content-Length
          "drip_rate": 0.0, "drip_seconds": 1.5, "oversize_rate": 0.0, "oversize_bytes": 40 * 1024 * 1024}
SECTION_KEYS = {"enabled", "admin", "http_port", "https_port", "cert_dir", "parameter_db", "phones_file", "generate",
                "variants", "timings", "faults", "sip"}
PHONE_KEYS = {"address", "model", "mac", "firmware", "admin_password", "config", "variants", "replay"}
DEFAULT_FIRMWARE = "2.2.16.501"


class ProfileError(Exception):
    pass


def load(path):
    """The checked settings of the profile's `phone:` section."""
    with open(path, encoding="utf-8") as handle:
        profile = yaml.safe_load(handle) or {}
    section = profile.get("phone")
    if not isinstance(section, dict):
        raise ProfileError("%s has no phone: section" % path)
    _only(section, SECTION_KEYS, "phone")
    # Relative paths: against `profile_dir` when a test wrote the profile elsewhere (README).
    base = profile.get("profile_dir") or os.path.dirname(os.path.abspath(path))
    settings = {
        "admin": _host_port(section.get("admin", "127.0.0.2:8080"), "phone.admin"),
        "http_port": int(section.get("http_port", 80)),
        "https_port": int(section.get("https_port", 443)),
        "cert_dir": _path(base, section.get("cert_dir"), os.path.join(REPO_ROOT, ".lab", "certs")),
        "parameter_db": _path(base, section.get("parameter_db"), DEFAULT_DB),
        "variants": check_variants(section.get("variants") or {}, "phone.variants"),
        "timings": _merge(TIMINGS, section.get("timings"), "phone.timings"),
        "faults": check_faults(section.get("faults") or {}),
        "sip": check_sip(section.get("sip")),
        "names": check_names(profile.get("names")),
    }
    if not os.path.isfile(settings["parameter_db"]):
        raise ProfileError("phone.parameter_db: %s does not exist" % settings["parameter_db"])
    phones = []
    if section.get("phones_file"):
        phones += _phones_file(_path(base, section["phones_file"], None))
    if section.get("generate"):
        phones += _generate(section["generate"])
    # A phone entry `replay: <bundle>` is seeded from a capture bundle (phone/replay.py).
    phones = [_replayed(raw, base, settings["parameter_db"]) for raw in phones]
    settings["phones"] = [_phone(raw, i) for i, raw in enumerate(phones)]
    addresses = [p["address"] for p in settings["phones"]]
    if not addresses or len(set(addresses)) != len(addresses):
        raise ProfileError("phone: give phones (phones_file or generate), each on its own address")
    return settings


def check_sip(raw):
    """`phone.sip`: real SIP registration, off unless enabled (README "## sip")."""
    settings = _merge(SIP_SETTINGS, raw, "phone.sip")
    for name in ("stagger_seconds", "t1", "t2", "transaction_timeout", "refresh_ratio"):
        if not isinstance(settings[name], (int, float)) or isinstance(settings[name], bool) or settings[name] < 0:
            raise ProfileError("phone.sip.%s must be a number of seconds, got %r" % (name, settings[name]))
        settings[name] = float(settings[name])
    if not 0 < settings["t1"] <= settings["t2"] or settings["transaction_timeout"] <= 0:
        raise ProfileError("phone.sip: need 0 < t1 <= t2 and transaction_timeout > 0")
    if not 0.1 <= settings["refresh_ratio"] <= 0.95:
        raise ProfileError("phone.sip.refresh_ratio must be between 0.1 and 0.95")
    if settings["keepalive_seconds"] is not None:
        if isinstance(settings["keepalive_seconds"], bool) or not isinstance(settings["keepalive_seconds"], (int, float)) \
                or settings["keepalive_seconds"] <= 0:
            raise ProfileError("phone.sip.keepalive_seconds must be null or a positive number of seconds")
    settings["enabled"] = bool(settings["enabled"])
    settings["tls_verify"] = bool(settings["tls_verify"])
    return settings


def check_names(raw):
    """The lab's own name table (labcommon.names): never the machine's resolver."""
    try:
        return parse_names(raw)
    except ValueError as exc:
        raise ProfileError(str(exc)) from exc


def check_variants(raw, where):
    if not isinstance(raw, dict):
        raise ProfileError("%s must be a mapping" % where)
    for name, value in raw.items():
        if name not in VARIANTS:
            raise ProfileError("%s: unknown variant %r (known: %s)" % (where, name, ", ".join(VARIANTS)))
        if value not in VARIANTS[name]:
            raise ProfileError("%s.%s: %r is not one of %s" % (where, name, value, VARIANTS[name]))
    return dict(raw)


def default_variants():
    return {name: values[0] for name, values in VARIANTS.items()}


def check_faults(raw):
    """Fault settings: global rates, and `per_phone: {address: {rates}}` overriding them."""
    raw = dict(raw)
    per_phone = raw.pop("per_phone", None) or {}
    faults = _merge(FAULTS, raw, "phone.faults")
    faults["per_phone"] = {str(addr): _rates(rates, "phone.faults.per_phone." + str(addr))
                           for addr, rates in per_phone.items()}
    _rates({k: v for k, v in faults.items() if k.endswith("_rate")}, "phone.faults")
    return faults


def _rates(rates, where):
    _only(rates, {k for k in FAULTS if k.endswith("_rate")}, where)
    for name, value in rates.items():
        if not 0 <= float(value) <= 1:
            raise ProfileError("%s.%s: a rate is between 0 and 1, got %r" % (where, name, value))
    return {name: float(value) for name, value in rates.items()}


def _merge(defaults, raw, where):
    raw = raw or {}
    _only(raw, set(defaults), where)
    merged = copy.deepcopy(defaults)
    merged.update(raw)
    return merged


def _only(raw, allowed, where):
    if not isinstance(raw, dict):
        raise ProfileError("%s must be a mapping" % where)
    unknown = set(raw) - set(allowed)
    if unknown:
        raise ProfileError("%s: unknown setting(s) %s (known: %s)" % (where, sorted(unknown), sorted(allowed)))


def _path(base, value, default):
    if not value:
        return default
    return os.path.normpath(os.path.join(base, os.path.expanduser(str(value))))


def _host_port(text, where):
    host, port = (":" + str(text)).rsplit(":", 1)
    host = host[1:]
    if not port.isdigit() or not _loopback(host):
        raise ProfileError("%s must be 127.x.y.z:port, got %r" % (where, text))
    return host, int(port)


def _loopback(text):
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _phones_file(path):
    with open(path, encoding="utf-8") as handle:
        phones = yaml.safe_load(handle) or []
    if not isinstance(phones, list):
        raise ProfileError("%s must be a YAML list of phones" % path)
    return phones


def _generate(spec):
    """`count` phones from `first_address` on, cycling through `models`."""
    _only(spec, {"count", "first_address", "models", "firmware", "admin_password"}, "phone.generate")
    first = ipaddress.ip_address(str(spec.get("first_address", "127.0.1.1")))
    models = spec.get("models") or list(MODELS)
    phones = []
    for i in range(int(spec.get("count", 1))):
        phone = {"address": str(first + i), "model": models[i % len(models)]}
        for name in ("firmware", "admin_password"):
            if name in spec:
                phone[name] = spec[name]
        phones.append(phone)
    return phones


def _phone(raw, index):
    where = "phone #%d" % (index + 1)
    _only(raw, PHONE_KEYS, where)
    address = str(raw.get("address", ""))
    if not _loopback(address) or address.startswith("127.0.0."):
        raise ProfileError("%s: address must be 127.B.x.y outside 127.0.0.x (admin APIs live there), got %r"
                           % (where, address))
    model = str(raw.get("model", ""))
    if model not in MODELS:
        raise ProfileError("%s (%s): model %r is not one of %s" % (where, address, model, ", ".join(MODELS)))
    mac = _mac(raw.get("mac") or _mac_for(address), "%s (%s)" % (where, address))
    return {
        "address": address, "model": model, "mac": mac,
        "firmware": str(raw.get("firmware", DEFAULT_FIRMWARE)),
        "admin_password": str(raw.get("admin_password", "1234")),
        "config": {str(k): "" if v is None else _text(v) for k, v in (raw.get("config") or {}).items()},
        "variants": check_variants(raw.get("variants") or {}, "%s (%s) variants" % (where, address)),
        "replay": raw.get("replay"),
    }


def _replayed(raw, base, parameter_db):
    if not isinstance(raw, dict) or not raw.get("replay"):
        return raw

    def accepts(model, name, value):
        key = key_table(parameter_db, model).keys.get(name) if model in MODELS else None
        return key is not None and key.accept(value, enum_numbers=True) is not None
    try:
        return replay.seed(raw, base, accepts, VARIANTS)
    except replay.ReplayError as exc:
        raise ProfileError(str(exc)) from exc


def _text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _mac_for(address):
    """A MAC in AudioCodes' OUI 00:90:8F made of the address's low 24 bits (unique per lab block)."""
    low = int(ipaddress.ip_address(address)) & 0xFFFFFF
    return "00:90:8F:%02X:%02X:%02X" % (low >> 16, (low >> 8) & 0xFF, low & 0xFF)


def _mac(text, where):
    digits = str(text).replace(":", "").replace("-", "").upper()
    if len(digits) != 12 or any(c not in "0123456789ABCDEF" for c in digits):
        raise ProfileError("%s: bad MAC %r" % (where, text))
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))
