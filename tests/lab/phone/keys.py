"""What the emulated firmware knows about configuration keys, read from the real parameter database.

The database (samples/audiocodes-parameter-db-3.0.4.json) describes firmware 3.0.4 for the device
types 405HD, 440HD and 450HD. How it is read:
- one entry per key, with one record per device type; a key absent for a device type is unknown
  to that firmware. When a device type has several records (codec lists of build flavours), the
  first gives type and default, and every record's enum values are accepted.
- an indexed key is written with its index range in the name: `voip/line/[0-5]/id`. Line keys
  (`voip/line/[a-b]/...`) expand to the model's line count (MODELS); other indexed keys expand to
  the range in their name (the records' minindex/maxindex contradict the names and are ignored).
- entries such as `voip/line/1/enabled` are typed `undefined`: they only give the default of that
  one index of the indexed key whose name they match. RULE for any other untyped key: a string of
  any length.
- an enum item may carry its numeric code (`PCMA=8`); the value written in a file is the name.
- a string's `min` is a minimum length (`voip/line/[0-5]/id` has min 1: an empty id is refused).
"""

import base64
import dataclasses
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field

# The one model table: the database device type that stands for each model, and its line count.
MODELS = {
    "405": {"device": "405HD", "lines": 2},
    "405HD": {"device": "405HD", "lines": 2},
    "420HD": {"device": "405HD", "lines": 2},
    "430HD": {"device": "440HD", "lines": 6},
    "440HD": {"device": "440HD", "lines": 6},
}

# Keys FEATURES.md uses that the database lacks (checked one by one). The mode key is "assumed"
# there, and the spelling of its values is the guess FEATURES.md makes. The advanced auto-answer keys
# are the AudioCodes administrator's manual 3.4.3's (section 5.8.6, "Support pending"): a firmware that
# has them is the default lab; `without_assumed_keys` is one without them (3.0.4's database).
EXTRA_KEYS = [
    {"name": "voip/signalling/sip/redundant_proxy/mode", "kind": "enum", "default": "PRIMARY_FALLBACK",
     "enum": ["PRIMARY_FALLBACK", "SIMULTANEOUS"], "attribute": "RL_VOIP",
     "after": "voip/signalling/sip/redundant_proxy/symmetric_mode"},
    {"name": "voip/advanced_auto_answer/type", "kind": "enum", "default": "SIP_Header",
     "enum": ["SIP_Header", "Manual"], "attribute": "RL_VOIP", "after": "voip/auto_answer/enabled"},
    {"name": "voip/advanced_auto_answer/timeout", "kind": "int", "default": "5", "low": 0, "high": 60,
     "attribute": "RL_VOIP", "after": "voip/advanced_auto_answer/type"},
]

# What firmware variant `without_assumed_keys` does with the phone keys FEATURES.md tags assumed
# (or confirmed on 3.x only): None = the key is unknown (dropped), a dict = its type differs.
ASSUMED_KEYS = {
    "voip/signalling/sip/redundant_proxy/mode": None,  # no public source shows the key
    "voip/media/srtp/mode": None,  # SRTP key confirmed on 3.x only
    "voip/advanced_auto_answer/type": None,  # manual 3.4.3 only; not in the 3.0.4 database
    "voip/advanced_auto_answer/timeout": None,
    "voip/services/msg_waiting_ind/enabled": {"kind": "bool", "default": "1", "enum": []},  # older files write 1
}

# Download order of the top-level groups: the order of the 310HD dump, then the database's own.
GROUP_ORDER = ["system", "kernel", "provisioning", "ems_server", "security", "management", "network", "voip",
               "personal_settings", "lync"]

_RANGE = re.compile(r"\[(\d+)-(\d+)\]")


@dataclass(frozen=True)
class Key:
    """One configuration key of one model, with what the firmware accepts for it."""

    name: str
    kind: str  # bool, int, string or enum
    default: str
    low: int = None
    high: int = None
    minlen: int = 0
    maxlen: int = None
    enum: tuple = ()
    codes: dict = field(default_factory=dict, compare=False)  # numeric code -> enum name
    attribute: str = "NONE"

    @functools.cached_property
    def secret(self):
        """A secret is a string the database marks SECURED, or any key named like a password."""
        return self.kind == "string" and ("SECURED" in self.attribute or "password" in self.name.rsplit("/", 1)[-1])

    @functools.cached_property
    def hidden(self):
        return "HIDDEN" in self.attribute

    @functools.cached_property
    def needs_reboot(self):
        return "REBOOT" in self.attribute

    def accept(self, raw, enum_numbers=False):
        """The value the firmware stores for this input, or None when it ignores the input."""
        if self.kind == "bool":
            return raw if raw in ("0", "1") else None
        if self.kind == "int":
            number = parse_int(raw)
            if number is None or (self.low is not None and number < self.low) or (self.high is not None and number > self.high):
                return None
            return str(number)
        if self.kind == "enum":
            if enum_numbers == "only" and self.codes:  # a firmware that writes codes reads only codes
                return self.codes.get(raw.strip())
            for name in self.enum:
                if name.lower() == raw.lower():
                    return name
            return self.codes.get(raw) if enum_numbers else None
        if len(raw) < self.minlen or (self.maxlen is not None and len(raw) > self.maxlen):
            return None
        return raw


@dataclass
class KeyTable:
    """Every key one model's firmware knows, in download order, with the factory defaults."""

    model: str
    lines: int
    keys: dict  # name -> Key, in download order

    def defaults(self):
        return {name: key.default for name, key in self.keys.items()}


def parse_int(raw):
    """Decimal, or hexadecimal with 0x (the database writes some defaults as 0xb8)."""
    text = raw.strip().lower()
    if re.fullmatch(r"0x[0-9a-f]+", text):
        return int(text, 16)
    return int(text) if re.fullmatch(r"-?[0-9]+", text) else None


@functools.lru_cache(maxsize=4)
def load_database(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@functools.lru_cache(maxsize=32)
def key_table(db_path, model, without_assumed_keys=False):
    """The key table of a model (cached: every phone of a model shares it)."""
    spec = MODELS[model]
    entries = load_database(db_path)
    keys, order, per_index = {}, {}, {}
    prefix_rank = {}
    for pos, entry in enumerate(entries):
        records = [r for r in entry["device"] if r["devicetype"] == spec["device"]]
        if not records:
            continue
        name = entry["paramname"]
        if records[0]["parametertype"] == "undefined" and not _RANGE.search(name):
            per_index[name] = records[0]["defaultvalue"]
            continue
        match = _RANGE.search(name)
        prefix = name[:match.start()] if match else name
        rank = prefix_rank.setdefault(prefix, pos)
        for index, expanded in _expand(name, spec["lines"]):
            keys[expanded] = _key_from_records(expanded, records)
            order[expanded] = (_group_rank(expanded), rank, index, pos)
    _add_untyped(keys, order, per_index)
    _add_extra_keys(keys, order)
    _fix_model_defaults(keys, model)
    if without_assumed_keys:
        _apply_assumed(keys)
    ordered = sorted(keys, key=lambda k: order[k])
    return KeyTable(model=model, lines=spec["lines"], keys={k: keys[k] for k in ordered})


def _expand(name, lines):
    match = _RANGE.search(name)
    if not match:
        return [(0, name)]
    if name.startswith("voip/line/["):
        indices = range(lines)
    else:
        indices = range(int(match.group(1)), int(match.group(2)) + 1)
    return [(i, name[:match.start()] + str(i) + name[match.end():]) for i in indices]


def _group_rank(name):
    group = name.split("/", 1)[0]
    return GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)


def _key_from_records(name, records):
    first = records[0]
    kind = first["parametertype"]
    enum, codes = [], {}
    for record in records:
        for position, item in enumerate(record["enumlist"] or ()):
            label, code = (item.split("=", 1) + [""])[:2]
            if label not in enum:
                enum.append(label)
                codes.setdefault(code or str(position), label)
    attribute = "|".join(a.strip(" :") for a in first["attribute"].split("|") if a.strip(" :")) or "NONE"
    return Key(
        name=name, kind=kind, default=first["defaultvalue"], attribute=attribute,
        low=parse_int(first["min"]) if kind == "int" and first["min"] else None,
        high=parse_int(first["max"]) if kind == "int" and first["max"] else None,
        minlen=(parse_int(first["min"]) or 0) if kind == "string" and first["min"] else 0,
        maxlen=parse_int(first["strmaxlen"]) if first["strmaxlen"] else None,
        enum=tuple(enum), codes=codes,
    )


def _add_untyped(keys, order, per_index):
    """Per-index defaults go to the indexed key they name; any other untyped key is a free string."""
    for name, default in per_index.items():
        if name in keys:
            keys[name] = _replace(keys[name], default=default)
        elif not re.search(r"/\d+(/|$)", name):
            keys[name] = Key(name=name, kind="string", default=default)
            order[name] = (_group_rank(name), len(order), 0, len(order))


def _add_extra_keys(keys, order):
    for extra in EXTRA_KEYS:
        anchor = order[extra["after"]]
        keys[extra["name"]] = Key(name=extra["name"], kind=extra["kind"], default=extra["default"],
                                  enum=tuple(extra.get("enum", ())), attribute=extra["attribute"],
                                  low=extra.get("low"), high=extra.get("high"))
        order[extra["name"]] = anchor[:3] + (anchor[3] + 0.5,)


def _fix_model_defaults(keys, model):
    """A phone shows its own model where the database writes a device type (or another one)."""
    for name, key in keys.items():
        if name == "system/type" or re.fullmatch(r"voip/line/\d+/description", name):
            keys[name] = _replace(key, default=model)


def _apply_assumed(keys):
    for name, change in ASSUMED_KEYS.items():
        if name not in keys:
            continue
        if change is None:
            del keys[name]
        else:
            keys[name] = _replace(keys[name], kind=change["kind"], default=change["default"], enum=tuple(change["enum"]))


def _replace(key, **changes):
    return dataclasses.replace(key, **changes)


# --- secrets -------------------------------------------------------------------------------------
# The firmware shows a secret as {"<base64>"}: 3DES with one key built into every phone
# (CVE-2023-22957). The lab stands in with a fixed XOR keystream: the same shape (base64 of
# 8-byte blocks), deterministic, and any phone can read back what another one wrote.

def _keystream(length):
    stream = b""
    counter = 0
    while len(stream) < length:
        stream += hashlib.sha256(b"lab stand-in for the phone's 3DES key %d" % counter).digest()
        counter += 1
    return stream[:length]


def encrypt_secret(value):
    data = value.encode("utf-8")
    pad = 8 - len(data) % 8
    data += bytes([pad]) * pad
    cipher = bytes(a ^ b for a, b in zip(data, _keystream(len(data))))
    return '{"%s"}' % base64.b64encode(cipher).decode("ascii")


def decrypt_secret(text):
    """The clear value of a {"..."} secret, or None when it is not one the firmware can read."""
    match = re.fullmatch(r'\{"([A-Za-z0-9+/=]+)"\}', text)
    if not match:
        return None
    try:
        cipher = base64.b64decode(match.group(1), validate=True)
    except ValueError:
        return None
    if not cipher or len(cipher) % 8:
        return None
    data = bytes(a ^ b for a, b in zip(cipher, _keystream(len(cipher))))
    pad = data[-1]
    if not 1 <= pad <= 8 or data[-pad:] != bytes([pad]) * pad:
        return None
    try:
        return data[:-pad].decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_encrypted(text):
    return text.startswith('{"') and text.endswith('"}')


# --- MD5-crypt ($1$salt$hash), written out because the crypt module is deprecated -------------

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@functools.lru_cache(maxsize=256)
def md5_crypt(password, salt):
    pw, salt_b = password.encode("utf-8"), salt.encode("ascii")[:8]
    alternate = hashlib.md5(pw + salt_b + pw).digest()
    ctx = hashlib.md5(pw + b"$1$" + salt_b)
    for remaining in range(len(pw), 0, -16):
        ctx.update(alternate[:min(16, remaining)])
    bits = len(pw)
    while bits:
        ctx.update(b"\0" if bits & 1 else pw[:1])
        bits >>= 1
    final = ctx.digest()
    for i in range(1000):
        step = hashlib.md5(pw if i & 1 else final)
        if i % 3:
            step.update(salt_b)
        if i % 7:
            step.update(pw)
        step.update(final if i & 1 else pw)
        final = step.digest()
    out = ""
    for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)):
        out += _to64((final[a] << 16) | (final[b] << 8) | final[c], 4)
    out += _to64(final[11], 2)
    return "$1$%s$%s" % (salt_b.decode("ascii"), out)


def _to64(value, count):
    return "".join(_ITOA64[(value >> (6 * i)) & 0x3F] for i in range(count))


@functools.lru_cache(maxsize=4096)
def check_password(password, hashed):
    """True when password matches the stored MD5-crypt hash (cached: 1000 logins cost little)."""
    parts = hashed.split("$")
    if len(parts) != 4 or parts[1] != "1":
        return False  # the firmware holds a hash; a clear text there locks the admin out
    return md5_crypt(password, parts[2]) == hashed


def salt_for(text):
    """A stable salt derived from text, so a seed hashes the same on every start."""
    digest = hashlib.md5(text.encode("utf-8")).digest()
    return "".join(_ITOA64[b & 0x3F] for b in digest[:8])
