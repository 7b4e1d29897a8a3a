"""The configuration file as the phone writes it (download) and reads it (upload).

Writing follows samples/audiocodes-310HD-full-dump.cfg: `key=value`, no spaces around `=`, LF
line ends, enum values upper-cased (the dump writes DAILY where the database lists `daily`).
Variant `download_format: annotated` adds `;` header lines and a blank line between top-level
groups, as the hand-written samples have; `plain` is the dump's bare form.
"""

from .keys import encrypt_secret


def render(table, config, variants, header, modified_only=False):
    """The configuration file of a phone; header is a list of comment lines (no `;`).
    `modified_only`: only the keys whose value differs from the factory default (variant `download`)."""
    annotated = variants["download_format"] == "annotated"
    lines = [";" + text for text in header] + [""] if annotated else []
    group = None
    for name, key in table.keys.items():
        if key.hidden and not variants["hidden_keys_in_download"]:
            continue
        if modified_only and config[name] == key.default:
            continue
        shown = _shown_value(key, config[name], variants)
        if shown is None:
            continue
        top = name.split("/", 1)[0]
        if annotated and group is not None and top != group:
            lines.append("")
        group = top
        lines.append("%s=%s" % (name, shown))
    return "\n".join(lines) + "\n"


def _shown_value(key, value, variants):
    if key.secret:
        mode = variants["secrets"]
        if mode == "omitted":
            return None
        if mode == "stars":  # a mask as a web page shows it: never the value; an unset one (default) shows empty
            return "********" if value and value != key.default else ""
        if mode == "empty":
            return ""
        return encrypt_secret(value) if mode == "encrypted" and value else value
    if key.kind == "enum" and variants["enum_download"] == "numbers" and key.codes:
        return next((code for code, name in key.codes.items() if name == value), value)
    if key.kind == "enum" and variants["enum_case"] == "upper":
        return value.upper()
    if key.kind == "enum" and variants["enum_case"] == "lower":
        return value.lower()
    return value


def parse(text):
    """(settings, includes, junk): settings in file order, last one of a key winning.

    `;` lines and blank lines are comments; `include <url>` lines are returned apart (the lab
    never fetches them); lines that are neither are junk the firmware skips.
    """
    settings, includes, junk = {}, [], []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if line[:8].lower() == "include ":  # keys have no spaces, so this is never a key
            includes.append(line[8:].strip())
        elif "=" in line:
            name, value = line.split("=", 1)
            settings.pop(name.strip(), None)  # keep file order of the last occurrence
            settings[name.strip()] = value.strip()
        else:
            junk.append(line)
    return settings, includes, junk
