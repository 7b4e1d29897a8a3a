"""The lab's own name table (top-level `names:` of a profile): name -> loopback addresses.

Emulators that resolve a name (the phones, the SIP proxies' certificates) use this table and
never the machine's resolver.
"""

import ipaddress


def is_loopback_v4(text):
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.version == 4 and address.is_loopback


def parse_names(raw):
    """The table from a profile's `names:`; raises ValueError with a message naming the entry.

    A list of `{name, addresses}` (the form the profiles use: a list is no section to switch off), or
    a mapping name -> addresses where `enabled: false` empties the table (a fixture switching sections off).
    """
    if raw is None:
        return {}
    if isinstance(raw, dict):
        if raw.get("enabled", True) is False:
            return {}
        raw = [{"name": name, "addresses": addresses} for name, addresses in raw.items() if name != "enabled"]
    if not isinstance(raw, list):
        raise ValueError("names: give a list of {name: <fqdn>, addresses: [127.x.y.z, ...]}")
    table = {}
    for entry in raw:
        if not isinstance(entry, dict) or set(entry) != {"name", "addresses"}:
            raise ValueError("names: each entry is {name: <fqdn>, addresses: [127.x.y.z, ...]}, got %r" % (entry,))
        addresses = [entry["addresses"]] if isinstance(entry["addresses"], str) else entry["addresses"]
        if not isinstance(addresses, list) or not addresses or not all(is_loopback_v4(str(a)) for a in addresses):
            raise ValueError("names: %s: give a list of 127.x.y.z addresses, got %r" % (entry["name"], addresses))
        table[str(entry["name"]).lower().rstrip(".")] = [str(a) for a in addresses]
    return table
