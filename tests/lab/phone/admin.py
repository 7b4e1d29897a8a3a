"""The admin API (tests only, JSON in and out): the lab's own state, never a phone's word for it."""

import json
import re
import time

from . import firmware
from .httpserver import Response
from .profile import ProfileError, check_variants

# Kinds of request that can change a phone.
WRITE_KINDS = ["page_post", "upload", "reboot", "factory_reset", "firmware_upload"]


class NoSuchPhone(Exception):
    pass


class Admin:
    def __init__(self, lab):
        self.lab = lab
        self.started = time.monotonic()
        self.routes = [
            ("GET", r"/health", self.health),
            ("POST", r"/reset", self.reset),
            ("GET", r"/counters", self.counters),
            ("POST", r"/counters/reset", self.counters_reset),
            ("GET", r"/faults", self.get_faults),
            ("PUT", r"/faults", self.put_faults),
            ("GET", r"/timings", self.get_timings),
            ("PUT", r"/timings", self.put_timings),
            ("GET", r"/phones", self.list_phones),
            ("GET", r"/phones/([0-9.]+)", self.get_phone),
            ("GET", r"/phones/([0-9.]+)/config", self.get_config),
            ("GET", r"/phones/([0-9.]+)/history", self.get_history),
            ("PUT", r"/phones/([0-9.]+)/variant", self.put_variant),
            ("POST", r"/phones/([0-9.]+)/reboot", self.reboot),
            ("GET", r"/sip", self.sip_summary),
            ("GET", r"/phones/([0-9.]+)/sip", self.phone_sip),
            ("GET", r"/phones/([0-9.]+)/provisioning", self.phone_provisioning),
            ("GET", r"/firmware", self.firmware_summary),
            ("GET", r"/firmware/image", self.firmware_image),
            ("GET", r"/phones/([0-9.]+)/firmware", self.phone_firmware),
        ]

    async def handle(self, request):
        for method, pattern, action in self.routes:
            match = re.fullmatch(pattern, request.path.rstrip("/") or "/")
            if match and method == request.method:
                try:
                    body = json.loads(request.body or b"null")
                    args = [self._phone(address) for address in match.groups()]
                    result = await action(request, body, *args)
                except (ValueError, ProfileError) as error:
                    return _json({"error": str(error)}, 400)
                except NoSuchPhone as error:
                    return _json({"error": str(error)}, 404)
                return result if isinstance(result, Response) else _json(result)
        return _json({"error": "no such admin call: %s %s" % (request.method, request.path)}, 404)

    def _phone(self, address):
        if address not in self.lab.phones:
            raise NoSuchPhone("no phone at %s" % address)
        return self.lab.phones[address]

    async def health(self, _request, _body):
        states = [p.state for p in self.lab.phones.values()]
        return {"status": "ok", "phones": len(states), "up": states.count("up"), "rebooting": states.count("rebooting"),
                "uptime_seconds": round(time.monotonic() - self.started, 1)}

    async def reset(self, _request, _body):
        await self.lab.reset()
        return {"status": "reset", "phones": len(self.lab.phones)}

    async def counters(self, request, _body):
        wanted = request.query.get("phone")
        phones = {a: dict(sorted(p.counters.items())) for a, p in self.lab.phones.items() if not wanted or a == wanted}
        totals = {}
        for counts in phones.values():
            for kind, count in counts.items():
                totals[kind] = totals.get(kind, 0) + count
        return {"phones": phones, "totals": dict(sorted(totals.items())), "write_kinds": WRITE_KINDS,
                "cpu_seconds": self.lab.cpu_seconds()}

    async def counters_reset(self, _request, _body):
        for phone in self.lab.phones.values():
            phone.counters.clear()
        return {"status": "cleared"}

    async def get_faults(self, _request, _body):
        return self.lab.faults

    async def put_faults(self, _request, body):
        if not isinstance(body, dict):
            raise ValueError("PUT /faults takes a JSON object")
        self.lab.set_faults(body)
        return self.lab.faults

    async def get_timings(self, _request, _body):
        return self.lab.timings

    async def put_timings(self, _request, body):
        if not isinstance(body, dict):
            raise ValueError("PUT /timings takes a JSON object")
        self.lab.set_timings(body)
        return self.lab.timings

    async def list_phones(self, _request, _body):
        return [{"address": p.address, "model": p.model, "mac": p.mac, "firmware": p.firmware, "state": p.state}
                for p in self.lab.phones.values()]

    async def get_phone(self, _request, _body, phone):
        settings = self.lab.settings
        left = max(0.0, phone.reboot_done - time.monotonic()) if phone.reboot_done else 0.0
        return {"address": phone.address, "model": phone.model, "mac": phone.mac, "firmware": phone.firmware,
                "lines": phone.table.lines, "variants": phone.variants, "state": phone.state,
                "reboot_seconds_left": round(left, 2), "pending_reboot": phone.pending is not None,
                "sessions": len(phone.sessions), "config_file": "/configuration/" + phone.file_name,
                "http": "http://%s:%d" % (phone.address, settings["http_port"]),
                "https": "https://%s:%d" % (phone.address, settings["https_port"])}

    async def get_config(self, _request, _body, phone):
        return phone.config()

    async def get_history(self, request, _body, phone):
        return phone.history_with_configs() if request.query.get("full") in ("1", "true") else phone.history

    async def put_variant(self, _request, body, phone):
        changes = check_variants(body or {}, "variant of %s" % phone.address)
        phone.runtime_variants.update(changes)
        phone.variants_changed()
        return phone.variants

    async def reboot(self, _request, body, phone):
        after = (body or {}).get("after_requests") if isinstance(body, dict) else None
        if after:  # a restart in the middle of a run: as its Nth request from now arrives (web.handle)
            phone.reboot_countdown = int(after)
            return {"status": phone.state, "reboot_after_requests": phone.reboot_countdown}
        phone.reboot("admin API")
        return {"status": phone.state, "reboot_seconds": self.lab.timings["reboot_seconds"]}

    async def sip_summary(self, _request, _body):
        if self.lab.sip is None:
            return {"enabled": False}
        return self.lab.sip.summary()

    async def phone_provisioning(self, _request, _body, phone):
        """The phone's fetches from its provisioning server, oldest first (phone/provisioning.py)."""
        return {"method": phone.value("provisioning/method"), "url": phone.value("provisioning/configuration/url"),
                "fetches": list(phone.fetches)}

    async def phone_sip(self, _request, _body, phone):
        if self.lab.sip is None:
            return {"enabled": False, "state": phone.state, "lines": []}
        return self.lab.sip.view(phone)

    async def firmware_summary(self, _request, _body):
        """Every phone's running version and upgrade records (firmware.py)."""
        return {address: firmware.view(phone) for address, phone in self.lab.phones.items()}

    async def phone_firmware(self, _request, _body, phone):
        return firmware.view(phone)

    async def firmware_image(self, request, _body):
        """A lab image made on demand: ?model=440HD&version=2.2.16.600[&size=N]."""
        model, version = request.query.get("model", ""), request.query.get("version", "")
        data = firmware.make_image(model, version, int(request.query.get("size", firmware.DEFAULT_IMAGE_SIZE)))
        return Response(200, data, content_type="application/octet-stream", headers=[
            ("Content-Disposition", 'attachment; filename="%s"' % firmware.image_name(model, version))])


def _json(data, status=200):
    return Response(status, json.dumps(data, indent=1), content_type="application/json")
