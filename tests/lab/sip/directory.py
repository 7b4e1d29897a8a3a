"""The DNs each registrar serves, read from the lab Configuration Server (the lab GAX's database).

Genesys SIP Server reads its switch's DNs from Configuration Server and follows its change
notifications; the lab registrar does the same with the lab GAX's SQLite database: it opens it
read-only and watches `PRAGMA data_version`, which changes whenever another connection commits
(a DN written through GAX REST or the GAX admin API, a GAX reset). The database is found through
`<state-dir>/gax.ready` (`instances.<name>.db`), the lab GAX's documented ready file.

The lab's reading of a DN (assumed where SIP Server's documentation was not found):
- only DNs of subtype Extension or ACD Position in state CFGEnabled can register;
- `[TServer] authenticate-requests` naming `register` makes the registrar challenge with digest,
  against `[TServer] password` (empty when absent);
- any other DN number of the switch, or none, is refused.
"""

import json
import os
import sqlite3
import time

from .procs import pid_alive

REGISTERING_SUBTYPES = ("CFGExtension", "CFGACDPosition")


class DirectoryError(Exception):
    pass


def wait_for_gax(state_dir, instance, timeout, stop):
    """The database path of the lab GAX instance (first of gax.ready when None), once it is up."""
    path = os.path.join(state_dir, "gax.ready")
    deadline = time.monotonic() + timeout
    while not stop.is_set():
        info = _read_json(path)
        if info and pid_alive(int(info.get("pid", 0))):
            instances = info.get("instances") or {}
            name = instance or next(iter(instances), None)
            if name not in instances:
                raise DirectoryError("sip: the lab GAX has no instance %r (it has %s)" % (name, sorted(instances)))
            return instances[name]["db"]
        if time.monotonic() > deadline:
            raise DirectoryError("sip: the lab GAX did not come up within %d s (no live %s)" % (timeout, path))
        time.sleep(0.1)
    raise DirectoryError("sip: stopped while waiting for the lab GAX")


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


class Directory:
    """Read-only view of the Configuration Server database: each switch's registering DNs."""

    def __init__(self, db_path):
        self.db_path = db_path
        self.db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=5, check_same_thread=False)
        self.version = None

    def close(self):
        self.db.close()

    def changed(self):
        """Whether anything was committed since the last call (True the first time)."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        changed, self.version = version != self.version, version
        return changed

    def tables(self, switch_names):
        """`{switch name: {number: "auth:<password>" | "open:"}}` for the named switches."""
        rows = self.db.execute("SELECT type, body FROM objects WHERE type IN ('CfgSwitch', 'CfgDN')").fetchall()
        objects = [(cfg_type, json.loads(body)) for cfg_type, body in rows]
        switches = {o.get("name"): o.get("dbid") for cfg_type, o in objects if cfg_type == "CfgSwitch"}
        tables = {name: {} for name in switch_names}
        dbids = {switches[name]: name for name in switch_names if name in switches}
        for cfg_type, dn in objects:
            if cfg_type != "CfgDN" or dn.get("switchdbid") not in dbids:
                continue
            if dn.get("subtype") not in REGISTERING_SUBTYPES or dn.get("state") != "CFGEnabled":
                continue
            tables[dbids[dn["switchdbid"]]][str(dn["number"])] = entry(dn)
        return tables, sorted(set(switch_names) - set(switches))


def entry(dn):
    """The registrar's view of one DN: challenge REGISTER with its password, or accept it."""
    options = {}
    for prop in (dn.get("userproperties") or {}).get("property") or ():
        if prop.get("section") == "TServer":
            options[prop.get("key")] = prop.get("value") or ""
    requests = {item.strip().lower() for item in options.get("authenticate-requests", "").split(",")}
    return ("auth:" + options.get("password", "")) if "register" in requests else "open:"
