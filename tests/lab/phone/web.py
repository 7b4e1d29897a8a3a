"""The phone's web server: login, /mainform.cgi pages, status XML, configuration download/upload.

Markup follows what INTERFACES.md confirms (paths, field names, success/failure markers) and
is otherwise plausible embedded-UI HTML: labels padded with &nbsp;, links inside tables next to
other links, forms with hidden inputs. Where the reference is silent, the variants choose.
"""

import asyncio
import html
import json

from . import cfgfile, firmware, replay
from .httpserver import Response
from .keys import MODELS

# The upload forms a firmware may have on manu_config.htm (variant `upload_form`); both are guesses.
UPLOAD_FORMS = {
    "manu_config": {"action": "/mainform.cgi/manu_config.htm", "file": "back_file",
                    "hidden": {"CFG_UPLOAD": "1", "show_modified_cfg_params": "false"}},
    "upload_cgi": {"action": "/upload.cgi", "file": "upname", "hidden": {"localupgrade": "21"}},
}
HOURS = {str(h): "%d:00" % h for h in range(24)}
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
# Auto_Provision.htm: form field, label, configuration key, select options (code -> value; None: text)
AUTO_PROVISION = [
    ("ASU_METHOD", "Provisioning Method", "provisioning/method", {"0": "Disable", "1": "Dynamic", "2": "Static"}),
    ("FW_URL", "Firmware URL", "provisioning/firmware/url", None),
    ("CFG_URL", "Configuration URL", "provisioning/configuration/url", None),
    ("OPTVAL", "DHCP Option Value", "provisioning/url_option_value", None),
    ("ASU_PERIOD", "Update Period", "provisioning/period/type", {"0": "hourly", "1": "daily", "2": "weekly", "3": "powerup"}),
    ("ASU_HOURS", "Hours Interval", "provisioning/period/hourly/hours_interval", None),
    ("ASU_EDTIME", "Daily Time", "provisioning/period/daily/time", HOURS),
    ("ASU_EDWDAY", "Weekly Day", "provisioning/period/weekly/day", {str(i): d for i, d in enumerate(DAYS)}),
    ("ASU_EDWTIME", "Weekly Time", "provisioning/period/weekly/time", HOURS),
    ("ASU_RANDOM", "Random Provisioning Time", "provisioning/random_provisioning_time", None),
]
AUTO_PROVISION_HIDDEN = {"NOW_FW": "0", "NOW_CFG": "0", "FW_DYN": "0", "CFG_DYN": "0"}
LOGIN_FAILED = "Login failed. Check username and password"


async def handle(phone, request):
    """Answer one request, with the faults of the profile (None: drop the connection)."""
    phone.counters["requests"] += 1  # every web request that reaches the phone, whatever its fate
    rates, rng = phone.fault_rates(), phone.rng
    due = False
    if phone.reboot_countdown:  # POST /phones/ADDR/reboot {"after_requests": N}
        phone.reboot_countdown -= 1
        due = phone.reboot_countdown == 0
    if due or (rates.get("reboot_rate") and rng.random() < rates["reboot_rate"]):
        # It restarts on its own (power dip, watchdog) as this request arrives: nothing done, no answer.
        phone.counters["fault_reboot"] += 1
        phone.reboot("fault: restarted on its own")
        return None
    if rates.get("reset_rate") and rng.random() < rates["reset_rate"]:
        phone.counters["fault_reset"] += 1
        return None
    if rates.get("error_rate") and rng.random() < rates["error_rate"]:
        phone.counters["fault_5xx"] += 1
        return Response(500, "<html><body><h1>500 - Internal Server Error</h1></body></html>")
    if rates.get("slow_rate") and rng.random() < rates["slow_rate"]:
        phone.counters["fault_slow"] += 1
        await asyncio.sleep(float(phone.lab.timings["slow_seconds"]))
    response = dispatch(phone, request)
    if rates.get("drip_rate") and rng.random() < rates["drip_rate"]:
        phone.counters["fault_drip"] += 1          # httpserver writes the body a byte at a time
        response.drip = float(phone.lab.faults["drip_seconds"])
    if rates.get("oversize_rate") and rng.random() < rates["oversize_rate"]:
        phone.counters["fault_oversize"] += 1      # httpserver adds the bytes, without Content-Length
        response.oversize = int(phone.lab.faults["oversize_bytes"])
    if rates.get("lost_reply_rate") and rng.random() < rates["lost_reply_rate"]:
        phone.counters["fault_lost_reply"] += 1  # the phone did the work; only the answer is lost
        if response.after is not None:
            response.after()
        return None
    return response


def dispatch(phone, request):
    path, variants = request.path, phone.variants
    if request.method not in ("GET", "HEAD", "POST"):
        return Response(405, "<html><body><h1>405 - Method Not Allowed</h1></body></html>")
    if variants["auth"] == "basic_silent_login" and path == "/login.cgi":
        return Response(200, ROOT_PAGE)  # a Basic build answering login.cgi with a page that says nothing
    if variants["auth"] in ("basic", "basic_silent_login"):
        session = phone.basic_session(request.headers.get("authorization", ""))
        if session is None:
            phone.counters["unauthorized"] += 1
            return _unauthorized(phone)
    elif path == "/login.cgi":
        return login(phone, request)
    else:
        session = phone.session(_cookie(request, "session"))
    if path in ("/", "/index.htm"):
        return Response(200, ROOT_PAGE)
    if path == "/login_redirect.htm":
        return Response(200, LOGIN_REDIRECT_PAGE)
    protected = path in ("/voip_status.cgi", "/upload.cgi", "/mainform.cgi") or path.startswith(
        ("/mainform.cgi/", "/configuration/"))
    if not protected:
        return _not_found()
    if session is None:
        phone.counters["login_page"] += 1  # no session, or an expired one
        return session_lost(phone)
    if path == "/voip_status.cgi":
        phone.counters["status"] += 1
        return Response(200, voip_status_xml(phone), content_type="text/xml")
    if path.startswith("/configuration/"):
        return configuration_file(phone, path[len("/configuration/"):])
    if path == "/upload.cgi":
        if request.method == "POST" and request.fields().get("localupgrade") == firmware.UPLOAD_CODE:
            return firmware.upload(phone, request, session)  # a firmware image (firmware.py)
        return page(phone, request, session, "manu_config.htm")
    name = request.query.get("go", "") if path == "/mainform.cgi" else path[len("/mainform.cgi/"):]
    return page(phone, request, session, name)


def _cookie(request, name):
    for item in request.headers.get("cookie", "").split(";"):
        if item.strip().startswith(name + "="):
            return item.strip()[len(name) + 1:]
    return None


def _not_found():
    return Response(404, "<html><body><h1>404 - Not Found</h1></body></html>")


# --- login ---------------------------------------------------------------------------------------------

def login(phone, request):
    if request.method != "POST":
        return Response(200, login_page())
    if not _referer_ok(phone, request):
        return Response(200, login_page())
    fields = request.fields()
    token = phone.login(fields.get("user", ""), fields.get("psw", ""))
    if token is None:
        phone.counters["login_failed"] += 1
        return Response(200, login_page(failed=True))
    phone.counters["login"] += 1
    return Response(200, LOGIN_OK, headers=[("Set-Cookie", "session=%s; path=/" % token)])


def _unauthorized(phone):
    return Response(401, "<html><body><h1>401 - Unauthorized</h1></body></html>",
                    headers=[("WWW-Authenticate", 'Basic realm="%s"' % phone.model)])


def session_lost(phone):
    """What a page answers without a live session (variant `expired_session`)."""
    form = phone.variants["expired_session"]
    if form == "redirect_login":
        return Response(302, "", headers=[("Location", "/login.cgi")])
    if form == "redirect_login_redirect":
        return Response(302, "", headers=[("Location", "/login_redirect.htm")])
    if form == "web_login":
        return Response(200, WEB_LOGIN_PAGE)
    if form == "unauthorized":
        return _unauthorized(phone)
    return Response(200, login_page())


def login_page(failed=False):
    message = '<div class="loginErr">%s</div>' % LOGIN_FAILED if failed else ""
    return LOGIN_PAGE.replace("@MESSAGE@", message)


ROOT_PAGE = """<html><head><meta http-equiv="refresh" content="0; URL=mainform.cgi?go=mainframe.htm">
<title>IP Phone</title></head><body></body></html>
"""
LOGIN_OK = """<html><head><script type="text/javascript">
function redirect(url){ window.top.location.href = url; }
</script></head><body onload="redirect('/mainform.cgi?go=mainframe.htm')"></body></html>
"""
LOGIN_REDIRECT_PAGE = """<html><head><title>IP Phone</title><script type="text/javascript">
window.top.location.href = "/login.cgi";
</script></head><body></body></html>
"""
# The SfB-style login of variant expired_session: web_login (no login.cgi form, no psw field).
WEB_LOGIN_PAGE = """<html><head><title>Web Login</title></head>
<body><form name="webLogin" method="post" action="/" onsubmit="return doWebLogin();">
<table><tr><td>Username</td><td><input type="text" name="username" value=""></td></tr>
<tr><td>Password</td><td><input type="password" name="password" value=""></td></tr>
<tr><td colspan="2"><input type="submit" value="Sign in"></td></tr></table></form></body></html>
"""
LOGIN_PAGE = """<html><head><title>IP Phone - Login</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<script type="text/javascript" src="/jsLib.js"></script>
<script type="text/javascript">
function doLogin(){ var f=document.loginForm; f.psw.value=Base64.encode(f.pwd.value); f.pwd.value=""; f.submit(); }
</script></head>
<body onload="document.loginForm.user.focus()">
<form name="loginForm" method="post" action="/login.cgi" onsubmit="doLogin(); return false;">
<table class="login" align="center">
<tr><td>&nbsp;User Name</td><td><input type="text" name="user" maxlength="32" value=""></td></tr>
<tr><td>&nbsp;Password</td><td><input type="password" name="pwd" maxlength="32" value="">
<input type="hidden" name="psw" value=""></td></tr>
<tr><td colspan="2" align="center"><input type="submit" value="Login"></td></tr>
</table>@MESSAGE@</form></body></html>
"""


# --- pages ---------------------------------------------------------------------------------------------

def page(phone, request, session, name):
    """GET shows a page; POST submits its form, honoured only after a GET of it in this session."""
    handlers = PAGES.get(name.lower())
    if handlers is None:
        return _not_found()
    render, submit = handlers
    canonical = name.lower()
    if request.method != "POST":
        phone.counters["page_get"] += 1
        session.pages.add(canonical)
        captured = replay.page(phone, canonical)  # a replayed capture's page (phone/replay.py)
        return Response(200, captured if captured is not None else render(phone))
    phone.counters["page_post"] += 1
    fetched = canonical in session.pages if phone.variants["post_requires_get"] == "same_page" else bool(session.pages)
    if submit is None or not fetched or not _referer_ok(phone, request):
        phone.counters["ignored_post"] += 1
        return Response(200, render(phone))
    return submit(phone, request)


def _referer_ok(phone, request):
    return not phone.variants["require_referer"] or phone.address in request.headers.get("referer", "")


def _layout(phone, title, body):
    menu = "".join('<li><a href="/mainform.cgi/%s">%s</a></li>' % item for item in MENU)
    return ("<html><head><title>%s - %s</title>\n"
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<link rel="stylesheet" type="text/css" href="/css/main.css"></head>\n'
            '<body><div id="banner">AudioCodes %s IP Phone</div>\n<ul id="menu">%s</ul>\n'
            '<div id="content"><h2>%s</h2>\n%s\n</div></body></html>\n'
            % (phone.model, title, phone.model, menu, title, body))


def _rows(pairs):
    return "\n".join('<tr><td class="lbl">&nbsp;%s</td><td class="val">&nbsp;%s</td></tr>'
                     % (html.escape(label), html.escape(str(value))) for label, value in pairs)


MENU = [("info.htm", "Information"), ("network_status.htm", "Network Status"), ("voip_status.htm", "VoIP Status"),
        ("Auto_Provision.htm", "Automatic Update"), ("manu_config.htm", "Configuration File"),
        ("Manu_Firmware_Upgrade.htm", "Firmware Upgrade"), ("reboot.htm", "Restart System"),
        ("reset.htm", "Restore Defaults")]


def render_mainframe(phone):
    return _layout(phone, "Home", "<p>Welcome. Select a page from the menu.</p>")


def render_info(phone):
    uptime = int(phone.uptime())
    if phone.variants["info_page"] == "unlabelled":
        # Labels no client knows (another language), values as they come: the build string, the MAC bare.
        pairs = [("Ger\u00e4t", "AudioCodes %s IP Phone" % phone.model),
                 ("Stand", "UC_%s.%s" % (phone.firmware, "13")), ("Adresse", phone.mac.replace(":", ""))]
        return _layout(phone, "Information", '<table class="info" cellspacing="1">\n%s\n</table>' % _rows(pairs))
    pairs = [("Phone Model", phone.model), ("Firmware Version", phone.firmware), ("Boot Version", "1.0.9"),
             ("Hardware Version", "Rev. C"), ("MAC Address", phone.mac),
             ("Serial Number", "AC%s" % phone.mac.replace(":", "")[6:]), ("IP Address", phone.address),
             ("Lines", MODELS[phone.model]["lines"]),
             ("Up Time", "%d days %02d:%02d:%02d" % (uptime // 86400, uptime // 3600 % 24, uptime // 60 % 60, uptime % 60))]
    return _layout(phone, "Information", '<table class="info" cellspacing="1">\n'
                   '<tr class="hdr"><td colspan="2">Device Information</td></tr>\n%s\n</table>' % _rows(pairs))


def render_network(phone):
    pairs = [("LAN Type", phone.value("network/lan_type").upper()), ("IP Address", phone.address),
             ("Subnet Mask", "255.0.0.0"), ("Default Gateway", "127.0.0.1"), ("Primary DNS", "127.0.0.1"),
             ("MAC Address", phone.mac), ("VLAN Mode", phone.value("network/lan/vlan/mode").upper()),
             ("Port Speed", "100 Mbps Full Duplex")]
    return _layout(phone, "Network Status", '<table class="info" cellspacing="1">\n%s\n</table>' % _rows(pairs))


def _line_states(phone):
    """(index, user id, SIP status, registration server) per line of the model."""
    if phone.lab.sip is not None:  # the real outcome of the line's registrations (phone/sip.py)
        return [(index, phone.value("voip/line/%d/id" % index) or "") + phone.lab.sip.line_status(phone, index)
                for index in range(MODELS[phone.model]["lines"])]
    proxy = phone.value("voip/signalling/sip/proxy_address")
    has_proxy = phone.value("voip/signalling/sip/use_proxy") == "1" and proxy not in ("", "0.0.0.0")
    states = []
    for index in range(MODELS[phone.model]["lines"]):
        line_id = phone.value("voip/line/%d/id" % index) or ""
        enabled = phone.value("voip/line/%d/enabled" % index) == "1"
        registered = phone.variants["fake_registration"] and enabled and has_proxy and line_id not in ("", "0")
        states.append((index, line_id, "Registered" if registered else "Not Registered", proxy if registered else ""))
    return states


def voip_status_xml(phone):
    style = phone.variants["status_lines"]
    states = _line_states(phone)
    if style == "enabled_only":  # only the lines the configuration enables, numbered
        states = [state for state in states if phone.value("voip/line/%d/enabled" % state[0]) == "1"]
    if style == "bare":  # only the leaves the evidence shows (Line/SipStatus), in line order
        lines = "".join("<Line><SipStatus>%s</SipStatus><SipRegSrv>%s</SipRegSrv></Line>\n"
                        % (status, html.escape(server)) for unused, unused_id, status, server in states)
    else:
        lines = "".join("<Line><LineNum>%d</LineNum><UserId>%s</UserId><PhoneState>IDLE</PhoneState>"
                        "<SipStatus>%s</SipStatus><SipRegSrv>%s</SipRegSrv><Dnd>%s</Dnd><Mute>OFF</Mute>"
                        "<ForwardState>%s</ForwardState></Line>\n"
                        % (index + 1, html.escape(line_id), status, html.escape(server),
                           _on_off(phone.value("voip/line/%d/do_not_disturb/activated" % index)),
                           _on_off(phone.value("voip/line/%d/call_forward/active" % index)))
                        for index, line_id, status, server in states)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Status>\n<AudioDevice>HANDSET</AudioDevice>\n'
            "<HookState>ON_HOOK</HookState>\n%s</Status>\n" % lines)


def _on_off(value):
    return "ON" if value == "1" else "OFF"


def render_voip_html(phone):
    rows = _rows(("Line %d (%s)" % (index + 1, line_id or "-"), status) for index, line_id, status, unused_server in _line_states(phone))
    return _layout(phone, "VoIP Status", '<table class="info" cellspacing="1">\n%s\n</table>' % rows)


# --- reboot and factory reset ---------------------------------------------------------------------------

def render_reboot(phone):
    return _layout(phone, "Restart System", FORM_BUTTON % {"form": "rebootForm", "page": "reboot.htm", "field": "REBOOT",
                                                           "text": "Restart the phone now?", "button": "Restart"})


def render_reset(phone):
    return _layout(phone, "Restore Defaults", FORM_BUTTON % {"form": "resetForm", "page": "reset.htm", "field": "CONFIG",
                                                             "text": "Restore the factory configuration?",
                                                             "button": "Restore"})


FORM_BUTTON = """<form name="%(form)s" method="post" action="/mainform.cgi/%(page)s">
<input type="hidden" name="%(field)s" value="0">
<table><tr><td>&nbsp;%(text)s</td></tr>
<tr><td><input type="button" value="%(button)s" onclick="document.%(form)s.%(field)s.value=2;document.%(form)s.submit();">
</td></tr></table></form>"""


def submit_reboot(phone, request):
    if request.fields().get("REBOOT") != "2":
        return Response(200, render_reboot(phone))
    phone.counters["reboot"] += 1
    phone.counters["writes"] += 1
    return Response(200, _restarting(phone), after=lambda: phone.reboot("reboot.htm REBOOT=2"))


def submit_reset(phone, request):
    if request.fields().get("CONFIG") != "2":
        return Response(200, render_reset(phone))
    phone.counters["factory_reset"] += 1
    phone.counters["writes"] += 1
    return Response(200, _restarting(phone), after=phone.factory_reset)


def _restarting(phone, note=""):
    return _layout(phone, "Restart System", "%s<p>The phone is restarting. Please wait...</p>" % note)


# --- automatic provisioning -----------------------------------------------------------------------------

def render_auto_provision(phone):
    rows, script = [], []
    scripted = phone.variants["auto_provision_form"] == "script_filled"
    for field, label, key, choices in AUTO_PROVISION:
        value = phone.value(key) or ""
        if scripted:  # the server renders empty inputs; a script fills them in a browser
            code = value if choices is None else next((c for c, shown in choices.items() if _same(shown, value)), "")
            script.append("f.%s.value=%s;" % (field, json.dumps(code)))
            value = ""
        if choices is None:
            widget = '<input type="text" name="%s" value="%s" size="40">' % (field, html.escape(value, quote=True))
        else:
            widget = '<select name="%s">%s</select>' % (field, "".join(
                '<option value="%s"%s>%s</option>' % (code, " selected" if value and _same(shown, value) else "", shown)
                for code, shown in choices.items()))
        rows.append('<tr><td>&nbsp;%s</td><td>%s</td></tr>' % (label, widget))
    hidden = "".join('<input type="hidden" name="%s" value="%s">' % item for item in AUTO_PROVISION_HIDDEN.items())
    filler = ('<script type="text/javascript">window.onload=function(){var f=document.asuForm;%s};</script>'
              % "".join(script)) if scripted else ""
    return _layout(phone, "Automatic Update", '<form name="asuForm" method="post" action="/mainform.cgi/Auto_Provision.htm">'
                   '\n%s\n<table class="form">\n%s\n<tr><td colspan="2"><input type="submit" value="Submit"></td></tr>'
                   "\n</table></form>%s" % (hidden, "\n".join(rows), filler))


def _same(shown, stored):
    if ":" in shown:  # a time select: 7:00 shows 07:00 too
        return stored.split(":")[0].lstrip("0") == shown.split(":")[0].lstrip("0")
    return shown.lower() == stored.lower()


def submit_auto_provision(phone, request):
    fields, values = request.fields(), {}
    for field, unused_label, key, choices in AUTO_PROVISION:
        if field not in fields:
            if phone.variants["missing_form_fields"] == "default":
                values[key] = phone.table.keys[key].default
            continue
        raw = fields[field] if choices is None else choices.get(fields[field])
        value = phone.accept_form(key, raw) if raw is not None else None
        if value is not None:
            values[key] = value
    if phone.apply_form(values, "Auto_Provision.htm form"):
        phone.counters["writes"] += 1
    return Response(200, render_auto_provision(phone))


# --- configuration file ---------------------------------------------------------------------------------

LINK_STYLES = {
    "absolute": '<a href="/configuration/%(file)s">%(text)s</a>',
    "relative": '<a href="../configuration/%(file)s">%(text)s</a>',
    "script": "<a href=\"#\" onclick=\"window.open('/configuration/%(file)s','_blank');return false;\">%(text)s</a>",
}


def render_manu_config(phone, note=""):
    variants = phone.variants
    link = LINK_STYLES[variants["config_link"]]
    rows = [("Device configuration", phone.file_name, "Save the phone's current configuration file"),
            ("Provisioning", "provisioning.cfg", "The last provisioning file"),
            ("System log", "system.log", "Save the system log")]
    table = "\n".join('<tr><td>&nbsp;%s</td><td>%s</td><td>&nbsp;%s</td></tr>' % (label, link % {"file": file, "text": "Save"}, text)
                      for label, file, text in rows)
    body = '%s<table class="cfg" cellspacing="1">\n<tr class="hdr"><td colspan="3">Download</td></tr>\n%s\n</table>\n' % (note, table)
    if variants["download"] == "modified_only_switchable":
        # The listing control (dev.ps1 posts show_modified_cfg_params=$false to manu_config.htm).
        body += ('<form name="cfgParamsForm" method="post" action="/mainform.cgi/manu_config.htm">\n'
                 '<table class="cfg"><tr><td>&nbsp;Show only modified parameters</td><td>'
                 '<select name="show_modified_cfg_params"><option value="true"%s>Yes</option>'
                 '<option value="false"%s>No</option></select></td></tr>\n'
                 '<tr><td colspan="2"><input type="submit" value="Apply"></td></tr></table></form>\n'
                 % ("" if phone.full_listing else " selected", " selected" if phone.full_listing else ""))
    if not variants["no_upload_form"]:
        form = UPLOAD_FORMS[variants["upload_form"]]
        hidden = "".join('<input type="hidden" name="%s" value="%s">' % item for item in form["hidden"].items())
        body += ('<form name="cfgUploadForm" method="post" action="%s" enctype="multipart/form-data">\n%s\n'
                 '<table class="cfg"><tr class="hdr"><td colspan="2">Upload</td></tr>\n'
                 '<tr><td>&nbsp;Configuration file</td><td><input type="file" name="%s" size="30"></td></tr>\n'
                 '<tr><td colspan="2"><input type="submit" value="Load File"></td></tr></table></form>'
                 % (form["action"], hidden, form["file"]))
    return _layout(phone, "Configuration File", body)


def submit_manu_config(phone, request):
    """An upload through the form the page shows; anything else is ignored, as the firmware does."""
    variants = phone.variants
    form = UPLOAD_FORMS[variants["upload_form"]]
    fields, files = request.fields(), request.files()
    if variants["download"] == "modified_only_switchable" and not files and "show_modified_cfg_params" in fields:
        phone.full_listing = fields["show_modified_cfg_params"].lower() in ("false", "0", "no")
        return Response(200, render_manu_config(phone))
    wanted = (not variants["no_upload_form"] and request.path == form["action"] and form["file"] in files
              and all(fields.get(name) == value for name, value in form["hidden"].items()))
    if not wanted:
        phone.counters["ignored_post"] += 1
        return Response(200, render_manu_config(phone))
    phone.counters["upload"] += 1
    phone.counters["writes"] += 1
    result = phone.upload(files[form["file"]][1].decode(variants["file_encoding"], "replace"))
    if result["reboot"]:
        return Response(200, _restarting(phone, "<p>Configuration file loaded.</p>"),
                        after=lambda: phone.reboot(result["cause"]))
    return Response(200, render_manu_config(phone, "<p>Configuration file loaded successfully.</p>\n"))


def configuration_file(phone, name):
    if name == phone.file_name:
        phone.counters["config_download"] += 1
        header = ["AudioCodes %s configuration file" % phone.model, "Firmware version %s" % phone.firmware,
                  "MAC %s" % phone.mac.replace(":", "")]
        body = _render_cfg(phone, header)
    elif name == "provisioning.cfg":
        body = "".join("%s=%s\n" % (k, phone.value(k)) for k in phone.table.keys if k.startswith("provisioning/"))
    elif name == "user_agent.txt":  # dev.ps1 reads it (E5); its content is the lab's guess
        body = "AUDC-IPPhone/%s (%s; %s)\n" % (phone.firmware, phone.model, phone.mac.replace(":", ""))
    elif name == "system.log":
        body = "".join(line + "\n" for line in phone.events)
    else:
        return _not_found()
    body = body.encode(phone.variants["file_encoding"], "replace")   # variant file_encoding: latin-1 firmware
    return Response(200, body, content_type="application/octet-stream",
                    headers=[("Content-Disposition", 'attachment; filename="%s"' % name)])


def _render_cfg(phone, header):
    mode = phone.variants["download"]
    modified_only = mode == "modified_only" or (mode == "modified_only_switchable" and not phone.full_listing)
    text = cfgfile.render(phone.table, phone.config(), phone.variants, header, modified_only)
    if phone.variants["download_format"] == "broken":
        # A firmware whose dump breaks off: a few lines, then an error text that is not key=value.
        text = "".join(text.splitlines(True)[:4]) + "ERROR 0x3: configuration storage busy, dump aborted\n"
    return text


PAGES = {
    "mainframe.htm": (render_mainframe, None),
    "info.htm": (render_info, None),
    "network_status.htm": (render_network, None),
    "voip_status.htm": (render_voip_html, None),
    "reboot.htm": (render_reboot, submit_reboot),
    "reset.htm": (render_reset, submit_reset),
    "auto_provision.htm": (render_auto_provision, submit_auto_provision),
    "manu_config.htm": (render_manu_config, submit_manu_config),
    firmware.PAGE: (firmware.render_page, firmware.submit_page),
}
