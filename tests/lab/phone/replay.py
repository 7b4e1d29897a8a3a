"""Replay of a capture bundle (docs/field-check.md, "Capture bundles"): a lab phone that looks like
the phone the bundle was captured from, and keeps its own configuration so modules can write to it.

A phone entry `replay: <bundle folder>` (or its bundle.json) is seeded from the bundle:
- model, MAC and firmware as captured; its initial configuration is the captured download's
  values (every key this lab's firmware table accepts; masked secrets are left at the default);
- its variants are those the field check named in its evidence (`lab_variants` of the bundle),
  plus what the captured pages show (upload form, a download without the assumed keys, hidden
  keys, header); the entry's own `variants:` and other settings win.
While it runs, the pages that show no configuration (info.htm, network_status.htm,
manu_config.htm, reboot.htm) are served as captured (counter `replay_page`); every other request
(the configuration file, voip_status.cgi, Auto_Provision.htm, every POST, a page the bundle lacks)
gets the emulator's own answer for those variants and the phone's current configuration: the
nearest plausible answer, which also reflects what modules wrote.

The lab never imports collection code: the bundle is read here as plain JSON.
"""

import json
import os
import re

FORMAT = "telephony.genesys_audiocodes.capture/1"
STATIC_PAGES = ("info.htm", "network_status.htm", "manu_config.htm", "reboot.htm")
MASKED = "********"
_CACHE = {}


class ReplayError(Exception):
    pass


def bundle_path(path):
    return os.path.join(path, "bundle.json") if os.path.isdir(path) else path


def read(path):
    path = bundle_path(path)
    if path not in _CACHE:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise ReplayError("replay %s: cannot read the bundle (%s)" % (path, exc)) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("kind") != "phone":
            raise ReplayError("replay %s: not a phone capture bundle (format %s)" % (path, FORMAT))
        _CACHE[path] = data
    return _CACHE[path]


def _last(bundle, test):
    found = [e for e in bundle["exchanges"] if e.get("method") == "GET" and e.get("status") == 200 and test(e["path"])]
    return found[-1] if found else None


def captured_page(bundle, name):
    """The body of the last successful GET of /mainform.cgi/<name>, unless it was the login page."""
    wanted = "/mainform.cgi/" + name.lower()
    exchange = _last(bundle, lambda path: path.lower() == wanted)
    if exchange is None or re.search(r"name\s*=\s*[\"']?psw", exchange["body"], re.I):
        return None
    return exchange["body"]


def captured_config(bundle):
    exchange = _last(bundle, lambda path: path.startswith("/configuration/") and path.endswith(".cfg")
                     and "provisioning" not in path)
    return exchange["body"] if exchange else None


def _values(text):
    values, header, other = {}, False, 0
    for line in (text or "").splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(";"):
            header = True
            continue
        if "=" not in stripped:
            other += 1
            continue
        key, value = stripped.split("=", 1)
        values[key.strip()] = value.strip()
    return values, header, other


def _masked(value):
    return MASKED in value or (value and set(value) == {"*"})


def infer_variants(bundle, known):
    """The lab variants the capture shows, restricted to those this lab knows (``known``: name -> values)."""
    found = {}
    for name, value in (bundle.get("lab_variants") or {}).items():
        found[name] = value
    values, header, other = _values(captured_config(bundle))
    if values:
        found["download_format"] = "broken" if other else ("annotated" if header else "plain")
        found["hidden_keys_in_download"] = "voip/signalling/sip/tls_method" in values
        if "voip/signalling/sip/redundant_proxy/mode" not in values and len(values) > 500:
            found["without_assumed_keys"] = True
    manu = captured_page(bundle, "manu_config.htm") or ""
    if manu:
        file_forms = re.findall(r"<form\b[^>]*>(?:(?!</form>).)*type=[\"']?file", manu, re.I | re.S)
        found["no_upload_form"] = not file_forms
        if file_forms and "/upload.cgi" in file_forms[0]:
            found["upload_form"] = "upload_cgi"
    chosen = {}
    for name, value in found.items():
        values_known = known.get(name)
        if values_known is None:
            continue
        for candidate in values_known:
            if str(candidate).lower() == str(value).lower():
                chosen[name] = candidate
    return chosen


def seed(raw, base, accepts, known_variants):
    """A phone entry with `replay:` turned into a plain entry seeded from its bundle.

    ``accepts(model, key, value)`` says whether this lab's firmware takes a value (masked and unknown
    ones are left out); ``known_variants`` is the variant table. The entry's own settings win.
    """
    entry = dict(raw)
    path = os.path.normpath(os.path.join(base, os.path.expanduser(str(entry.pop("replay")))))
    bundle = read(path)
    model = str(entry.get("model") or bundle.get("model") or "")
    values, dummy, dummy2 = _values(captured_config(bundle))
    config = {}
    for key, value in values.items():
        if _masked(value) or value.startswith('{"'):
            continue
        if key in ("system/password", "system/type"):
            continue
        if accepts(model, key, value):
            config[key] = value
    config.update(entry.get("config") or {})
    variants = infer_variants(bundle, known_variants)
    variants.update(entry.get("variants") or {})
    result = {"address": entry["address"], "model": model, "config": config, "variants": variants}
    if bundle.get("mac"):
        result["mac"] = str(bundle["mac"]).upper()
    if bundle.get("firmware"):
        result["firmware"] = str(bundle["firmware"])
    result.update(dict((k, v) for k, v in entry.items() if k not in ("config", "variants")))
    result["replay"] = bundle_path(path)
    return result


def page(phone, name):
    """The captured body of a page that shows no configuration, or None (the emulator answers)."""
    path = phone.spec.get("replay")
    if not path or name.lower() not in STATIC_PAGES:
        return None
    body = captured_page(read(path), name)
    if body is not None:
        phone.counters["replay_page"] += 1
    return body
