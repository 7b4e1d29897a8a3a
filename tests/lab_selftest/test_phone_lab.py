"""Self-test of the emulated AudioCodes phones (tests/lab/phone): real HTTP against a subprocess.

The emulator runs with a temporary profile on 127.77.<worker>.y, high ports, and an admin API on
127.0.0.77; each test starts from POST /reset. The lab's word is its admin API, never a page.
The 1000-phone start-up test is marked `lab_scale` (deselect with -m "not lab_scale").
"""

import base64
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests
import yaml
from lxml import html as lxml_html

LAB_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "lab")
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
HTTP_PORT, HTTPS_PORT = 18080 + WORKER, 18443 + WORKER
ADMIN = "127.0.0.77:%d" % (18060 + WORKER)
ADMIN_2 = "127.0.0.78:%d" % (18060 + WORKER)  # for the labs a test starts on its own
BLOCK = "127.77.%d" % (2 * WORKER)
PHONE = BLOCK + ".1"  # 420HD, seeded with a description, a SIP password and a proxy port
PHONE_440 = BLOCK + ".2"
MAC_RE = re.compile(r"([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}")
PHONES = [
    {"address": PHONE, "model": "420HD", "mac": "00:90:8F:AA:00:01", "admin_password": "s3cret",
     "config": {"voip/line/0/description": "Alice", "voip/line/0/auth_password": "sip-secret",
                "voip/signalling/sip/proxy_port": 5070}},
    {"address": PHONE_440, "model": "440HD"},
]


def start_phone_lab(tmp, phone_section, name="phone"):
    """Start `python -m phone` the way labctl does; return (process, ready info)."""
    profile_path = os.path.join(tmp, name + "-profile.yml")
    with open(profile_path, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"phone": phone_section}, handle)
    state_dir = os.path.join(tmp, name + "-state")
    with open(os.path.join(tmp, name + ".log"), "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "phone", "--profile", profile_path, "--state-dir", state_dir],
                                cwd=LAB_DIR, stdout=log, stderr=subprocess.STDOUT)
    ready = os.path.join(state_dir, "phone.ready")
    for attempt in range(1200):
        if os.path.exists(ready):
            with open(ready, encoding="utf-8") as handle:
                return proc, yaml.safe_load(handle)
        assert proc.poll() is None, "phone lab exited early; see %s" % os.path.join(tmp, name + ".log")
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("phone lab never wrote its ready file")


def stop_phone_lab(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=5) == 0


def section(tmp, phones, **extra):
    phones_file = os.path.join(tmp, "phones.yml")
    with open(phones_file, "w", encoding="utf-8") as handle:
        yaml.safe_dump(phones, handle)
    return dict({"admin": ADMIN, "http_port": HTTP_PORT, "https_port": HTTPS_PORT, "phones_file": phones_file,
                 "cert_dir": os.path.join(tmp, "certs"), "timings": {"reboot_seconds": 1.5},
                 "faults": {"seed": 7}}, **extra)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("phone"))
    proc, ready = start_phone_lab(tmp, section(tmp, PHONES))
    yield ready
    stop_phone_lab(proc)


@pytest.fixture(autouse=True)
def fresh(request):
    if "lab" in request.fixturenames:
        admin(request.getfixturevalue("lab"), "POST", "/reset")


def admin(lab, method, path, payload=None):
    answer = requests.request(method, lab["admin"] + path, json=payload, timeout=30)
    answer.raise_for_status()
    return answer.json()


def config(lab, address=PHONE):
    return admin(lab, "GET", "/phones/%s/config" % address)


def variant(lab, address=PHONE, **changes):
    return admin(lab, "PUT", "/phones/%s/variant" % address, changes)


def counters(lab, address=PHONE):
    return admin(lab, "GET", "/counters")["phones"][address]


class Web:
    """A browser-like client: it reads forms and links from the pages, as the collection must."""

    def __init__(self, address=PHONE, https=False, verify=False):
        self.base = "%s://%s:%d" % ("https" if https else "http", address, HTTPS_PORT if https else HTTP_PORT)
        self.http = requests.Session()
        self.verify = verify  # per request: a session's verify loses to REQUESTS_CA_BUNDLE

    def login(self, user="admin", password="s3cret"):
        psw = base64.b64encode(password.encode()).decode()
        return self.post("/login.cgi", data={"user": user, "psw": psw})

    def get(self, path):
        return self.http.get(self.base + path, timeout=10, verify=self.verify)

    def post(self, path, data=None, files=None):
        return self.http.post(self.base + path, data=data, files=files, timeout=10, verify=self.verify)

    def form(self, page, name=None):
        """(action, fields) of a page's form: every input it shows, with its current value."""
        tree = lxml_html.fromstring(self.get("/mainform.cgi/" + page).content)
        forms = [f for f in tree.forms if name is None or f.get("name") == name]
        assert forms, "no form on " + page
        fields = {i.get("name"): i.get("value", "") for i in forms[0].inputs if i.get("name") and i.get("type") != "file"}
        for select in forms[0].xpath(".//select"):
            fields[select.get("name")] = select.value
        return forms[0].get("action"), fields

    def submit(self, page, changes):
        action, fields = self.form(page)
        fields.update(changes)
        return self.post(action, data=fields)

    def config_link(self):
        tree = lxml_html.fromstring(self.get("/mainform.cgi/manu_config.htm").content)
        links = [a.get("href") + (a.get("onclick") or "") for a in tree.iter("a")]
        found = [m.group(0) for link in links for m in [re.search(r"/configuration/\w+_[0-9A-F]{12}\.cfg", link)] if m]
        assert len(found) == 1, links
        return found[0]

    def download(self):
        answer = self.get(self.config_link())
        assert answer.status_code == 200
        return answer.text

    def upload(self, text):
        """Send a file through the upload form the page shows, posting back every hidden field."""
        tree = lxml_html.fromstring(self.get("/mainform.cgi/manu_config.htm").content)
        form = [f for f in tree.forms if f.get("enctype") == "multipart/form-data"][0]
        hidden = {i.get("name"): i.get("value") for i in form.inputs if i.get("type") == "hidden"}
        file_field = [i.get("name") for i in form.inputs if i.get("type") == "file"][0]
        return self.post(form.get("action"), data=hidden, files={file_field: ("phone.cfg", text.encode())})


def logged_in(address=PHONE, password="s3cret", **kwargs):
    web = Web(address, **kwargs)
    assert "mainform.cgi?go=mainframe.htm" in web.login(password=password).text
    return web


def wait_up(lab, address=PHONE):
    for attempt in range(200):
        if admin(lab, "GET", "/phones/" + address)["state"] == "up":
            return
        time.sleep(0.05)
    raise AssertionError("phone %s never came back" % address)


def refused(address, port):
    try:
        requests.get("http://%s:%d/" % (address, port), timeout=2)
    except requests.ConnectionError:
        return True
    return False


# --- login and sessions ------------------------------------------------------------------------------

def test_cookie_login_success_and_failure_are_both_200(lab):
    web = Web()
    bad = web.login(password="1234")
    assert bad.status_code == 200 and "Login failed" in bad.text and "session" not in bad.cookies
    good = web.login()
    assert good.status_code == 200 and "redirect('/mainform.cgi?go=mainframe.htm')" in good.text
    assert re.fullmatch(r"session=\w+; path=/", good.headers["Set-Cookie"])
    assert "Phone Model" in web.get("/mainform.cgi/info.htm").text
    assert counters(lab)["login"] == 1 and counters(lab)["login_failed"] == 1


def test_without_session_every_page_is_the_login_page_not_a_401(lab):
    web = Web()
    for path in ("/mainform.cgi/info.htm", "/voip_status.cgi", "/mainform.cgi?go=mainframe.htm"):
        answer = web.get(path)
        assert answer.status_code == 200 and 'action="/login.cgi"' in answer.text and "Phone Model" not in answer.text
    assert "URL=mainform.cgi?go=mainframe.htm" in web.get("/").text


def test_basic_auth_firmware_wants_credentials_on_every_request(lab):
    variant(lab, auth="basic")
    web = Web()
    answer = web.get("/mainform.cgi/info.htm")
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Basic")
    web.http.auth = ("admin", "wrong")
    assert web.get("/mainform.cgi/info.htm").status_code == 401
    web.http.auth = ("admin", "s3cret")
    assert "420HD" in web.get("/mainform.cgi/info.htm").text
    assert web.get("/login.cgi").status_code == 404


def test_idle_session_expires_into_the_login_page(lab):
    admin(lab, "PUT", "/timings", {"session_timeout": 0.5})
    web = logged_in()
    assert "Phone Model" in web.get("/mainform.cgi/info.htm").text
    time.sleep(0.8)
    assert 'name="psw"' in web.get("/mainform.cgi/info.htm").text
    assert counters(lab)["login_page"] == 1


def test_profile_can_force_expiry_every_n_requests(lab):
    admin(lab, "PUT", "/timings", {"expire_session_every": 2})
    web = logged_in()
    assert "Phone Model" in web.get("/mainform.cgi/info.htm").text
    assert "Phone Model" in web.get("/mainform.cgi/info.htm").text
    assert 'name="psw"' in web.get("/mainform.cgi/info.htm").text


def test_post_without_get_in_the_session_is_ignored(lab):
    web = logged_in()
    ignored = web.post("/mainform.cgi/Auto_Provision.htm", data={"ASU_METHOD": "2", "CFG_URL": "http://127.0.0.1/p/"})
    assert ignored.status_code == 200 and 'name="CFG_URL"' in ignored.text
    assert config(lab)["provisioning/method"] == "Dynamic" and counters(lab)["ignored_post"] == 1
    web.submit("Auto_Provision.htm", {"ASU_METHOD": "2", "CFG_URL": "http://127.0.0.1/p/"})
    after = config(lab)
    assert after["provisioning/method"] == "Static" and after["provisioning/configuration/url"] == "http://127.0.0.1/p/"
    last = admin(lab, "GET", "/phones/%s/history" % PHONE)[-1]
    assert last["cause"] == "Auto_Provision.htm form" and set(last["changed"]) == {
        "provisioning/method", "provisioning/configuration/url"}


# --- pages ---------------------------------------------------------------------------------------------

def test_info_and_network_pages_show_model_firmware_and_the_one_mac(lab):
    web = logged_in()
    info = web.get("/mainform.cgi/info.htm").text
    assert "420HD" in info and "2.2.16.501" in info
    macs = [m.group(0) for m in MAC_RE.finditer(web.get("/mainform.cgi/network_status.htm").text)]
    assert macs == ["00:90:8F:AA:00:01"]


def test_voip_status_is_honest_unless_registration_is_faked(lab):
    web = logged_in()
    status = lxml_html.etree.fromstring(web.get("/voip_status.cgi").content)
    assert status.tag == "Status" and [s.text for s in status.iter("SipStatus")] == ["Not Registered"] * 2
    variant(lab, fake_registration=True)
    web.upload("voip/line/0/id=1501\nvoip/signalling/sip/use_proxy=1\nvoip/signalling/sip/proxy_address=127.0.0.1\n")
    wait_up(lab)
    web = logged_in(password="1234")  # the file replaced everything, the admin password too
    status = lxml_html.etree.fromstring(web.get("/voip_status.cgi").content)
    assert [s.text for s in status.iter("SipStatus")] == ["Registered", "Not Registered"]


# --- configuration file --------------------------------------------------------------------------------

def test_download_looks_like_the_real_dump(lab):
    text = logged_in().download()
    lines = text.splitlines()
    assert lines[0].startswith(";") and "" in lines
    settings = dict(line.split("=", 1) for line in lines if line and not line.startswith(";"))
    assert settings["system/type"] == "420HD" and settings["voip/line/0/description"] == "Alice"
    assert settings["provisioning/period/type"] == "DAILY"  # database: daily; files: upper case
    assert re.fullmatch(r'\{"[A-Za-z0-9+/=]+"\}', settings["voip/line/0/auth_password"])
    assert "voip/line/1/id" in settings and "voip/line/2/id" not in settings  # a 420HD has 2 lines
    assert set(settings) == set(config(lab))  # the dump lists every key the firmware knows
    assert counters(lab)["config_download"] == 1


def test_upload_replaces_the_configuration_and_reboots(lab):
    web = logged_in()
    answer = web.upload("; new file\nvoip/line/0/id=1501\n")
    assert answer.status_code == 200
    assert refused(PHONE, HTTP_PORT) and refused(PHONE, HTTPS_PORT)
    assert admin(lab, "GET", "/phones/" + PHONE)["state"] == "rebooting"
    wait_up(lab)
    after = config(lab)
    assert after["voip/line/0/id"] == "1501"
    assert after["voip/line/0/description"] == "420HD"  # absent from the file: back to the default
    assert after["system/password"] == "$1$FZ6rOGS1$54ZXSmjh7nod.kXFRyLx70"  # and so is the admin password
    entry = admin(lab, "GET", "/phones/%s/history" % PHONE)[-1]
    assert entry["cause"] == "upload (replace, reboot)" and entry["changed"]["voip/line/0/id"][1] == "1501"
    assert 'name="psw"' in web.get("/mainform.cgi/info.htm").text  # sessions died with the reboot


def test_upload_merge_live_keeps_absent_keys(lab):
    variant(lab, apply="merge", after_upload="live")
    logged_in().upload("voip/line/0/id=1502\n")
    after = config(lab)
    assert after["voip/line/0/id"] == "1502" and after["voip/line/0/description"] == "Alice"
    assert "restarts" not in counters(lab)


def test_bad_values_are_ignored_unknown_keys_dropped_enums_normalised(lab):
    variant(lab, after_upload="live")
    web = logged_in()
    full = web.download()
    web.upload(full + "voip/signalling/sip/proxy_port=80\nvoip/no/such/key=1\nvoip/line/5/id=9\n"
               "voip/media/out_of_band_dtmf=via_sip\nvoip/signalling/sip/tls_method=TLS_1_2\n")
    after = config(lab)
    assert after["voip/signalling/sip/proxy_port"] == "5070"  # 80 is below 1024: the old value stays
    assert "voip/no/such/key" not in after and "voip/line/5/id" not in after
    assert after["voip/media/out_of_band_dtmf"] == "VIA_SIP"
    assert after["voip/signalling/sip/tls_method"] == "tls_1_2"  # stored in the database's spelling
    assert "voip/signalling/sip/tls_method=TLS_1_2" in web.download().splitlines()


def test_encrypted_secret_sent_back_keeps_the_stored_one(lab):
    variant(lab, after_upload="live")
    web = logged_in()
    web.upload(web.download())
    assert config(lab)["voip/line/0/auth_password"] == "sip-secret"
    assert "mainform.cgi?go=mainframe.htm" in Web().login().text  # admin password kept too


def test_omitted_secrets_fall_back_to_defaults_on_replace(lab):
    variant(lab, after_upload="live", secrets="omitted")
    web = logged_in()
    text = web.download()
    assert "voip/line/0/auth_password" not in text and "system/password" not in text
    web.upload(text)
    assert config(lab)["voip/line/0/auth_password"] == "0"


def test_pending_reboot_applies_only_after_reboot_htm(lab):
    variant(lab, after_upload="pending_reboot")
    web = logged_in()
    web.upload(web.download().replace("voip/line/0/id=0", "voip/line/0/id=1503"))
    assert config(lab)["voip/line/0/id"] == "0" and admin(lab, "GET", "/phones/" + PHONE)["pending_reboot"]
    web.submit("reboot.htm", {"REBOOT": "2"})
    wait_up(lab)
    assert config(lab)["voip/line/0/id"] == "1503"


def test_per_key_applies_reboot_keys_only_after_a_reboot(lab):
    variant(lab, after_upload="per_key", apply="merge")
    logged_in().upload("voip/line/1/enabled=1\nvoip/line/1/id=1506\n")  # enabled is tagged REBOOT
    assert config(lab)["voip/line/1/id"] == "1506" and config(lab)["voip/line/1/enabled"] == "0"
    admin(lab, "POST", "/phones/%s/reboot" % PHONE)
    wait_up(lab)
    assert config(lab)["voip/line/1/enabled"] == "1"


def test_factory_reset_restores_the_database_defaults(lab):
    logged_in().submit("reset.htm", {"CONFIG": "2"})
    wait_up(lab)
    after = config(lab)
    assert after["voip/line/0/description"] == "420HD" and after["voip/signalling/sip/proxy_port"] == "5060"
    assert "mainform.cgi?go=mainframe.htm" in Web().login(password="1234").text


def test_referer_variant_ignores_posts_without_one(lab):
    variant(lab, require_referer=True)
    web = Web()
    assert "session" not in web.login().cookies
    web.http.headers["Referer"] = web.base + "/"
    assert "mainform.cgi?go=mainframe.htm" in web.login().text


def test_admin_api_names_what_it_refuses(lab):
    answer = requests.put(lab["admin"] + "/phones/%s/variant" % PHONE, json={"auth": "digest"}, timeout=10)
    assert answer.status_code == 400 and "auth" in answer.json()["error"]
    assert requests.get(lab["admin"] + "/phones/127.1.2.3", timeout=10).status_code == 404


def test_firmware_without_upload_form_ignores_uploads(lab):
    variant(lab, no_upload_form=True, after_upload="live")
    web = logged_in()
    page = web.get("/mainform.cgi/manu_config.htm").text
    assert "multipart/form-data" not in page and web.config_link()
    answer = web.post("/mainform.cgi/manu_config.htm", data={"CFG_UPLOAD": "1", "show_modified_cfg_params": "false"},
                      files={"back_file": ("x.cfg", b"voip/line/0/id=1504\n")})
    assert answer.status_code == 200 and config(lab)["voip/line/0/id"] == "0"


def test_upload_cgi_form_variant_and_include_lines(lab):
    variant(lab, upload_form="upload_cgi", after_upload="live", apply="merge", config_link="relative")
    web = logged_in()
    assert 'action="/upload.cgi"' in web.get("/mainform.cgi/manu_config.htm").text
    web.upload("include http://127.0.0.1:9/never.cfg\nvoip/line/0/id=1505\n")
    assert config(lab)["voip/line/0/id"] == "1505"
    assert "never.cfg ignored" in web.get("/configuration/system.log").text


def test_firmware_without_assumed_keys_drops_them(lab):
    variant(lab, without_assumed_keys=True, after_upload="live", apply="merge")
    web = logged_in()
    assert "redundant_proxy/mode" not in web.download()
    web.upload("voip/signalling/sip/redundant_proxy/mode=SIMULTANEOUS\n")
    assert "voip/signalling/sip/redundant_proxy/mode" not in config(lab)


# --- reboot, faults, TLS -----------------------------------------------------------------------------

def test_reboot_refuses_connections_then_comes_back(lab):
    web = logged_in()
    web.get("/mainform.cgi/reboot.htm")
    assert web.post("/mainform.cgi/reboot.htm", data={"REBOOT": "2"}).status_code == 200
    assert refused(PHONE, HTTP_PORT) and refused(PHONE, HTTPS_PORT)
    assert not refused(PHONE_440, HTTP_PORT)  # only that phone is down
    wait_up(lab)
    assert 'name="psw"' in web.get("/mainform.cgi/info.htm").text
    assert counters(lab)["reboot"] == 1


def test_faults_are_injected_per_phone_and_reproducible(lab):
    admin(lab, "PUT", "/faults", {"per_phone": {PHONE: {"error_rate": 1.0}}})
    assert Web().get("/").status_code == 500 and Web(PHONE_440).get("/").status_code == 200
    admin(lab, "PUT", "/faults", {"per_phone": {PHONE: {"error_rate": 0.0, "reset_rate": 1.0}}})
    with pytest.raises(requests.ConnectionError):
        Web().get("/")
    admin(lab, "PUT", "/timings", {"slow_seconds": 0.2})
    admin(lab, "PUT", "/faults", {"per_phone": {PHONE: None}, "slow_rate": 1.0})
    assert Web().get("/").status_code == 200 and counters(lab)["fault_slow"] == 1
    runs = []
    for attempt in range(2):
        admin(lab, "PUT", "/faults", {"slow_rate": 0.0, "error_rate": 0.5, "seed": 3})
        runs.append([Web().get("/").status_code for request in range(12)])
    assert runs[0] == runs[1] and set(runs[0]) == {200, 500}


def test_https_certificate_is_signed_by_the_lab_ca(lab):
    web = Web(https=True, verify=lab["ca"])
    assert web.login().status_code == 200 and "Phone Model" in web.get("/mainform.cgi/info.htm").text


def test_counters_history_and_phone_record(lab):
    web = logged_in()
    web.submit("Auto_Provision.htm", {"CFG_URL": "http://127.0.0.1/x/"})
    data = admin(lab, "GET", "/counters")
    assert data["phones"][PHONE]["page_post"] == 1 and data["phones"][PHONE]["writes"] == 1
    assert data["cpu_seconds"]["total"] > 0 and "page_post" in data["write_kinds"]
    record = admin(lab, "GET", "/phones/" + PHONE)
    assert record["lines"] == 2 and record["config_file"] == "/configuration/420HD_00908FAA0001.cfg"
    full = admin(lab, "GET", "/phones/%s/history?full=1" % PHONE)
    assert full[-1]["config"] == config(lab) and full[0]["cause"] == "seed from the profile"


# --- restarts and scale --------------------------------------------------------------------------------

def test_state_survives_a_restart_and_reset_goes_back_to_seed(tmp_path):
    tmp = str(tmp_path)
    phones = [{"address": BLOCK + ".9", "model": "405", "config": {"voip/line/0/id": "1600"}}]
    proc, ready = start_phone_lab(tmp, section(tmp, phones, variants={"after_upload": "live"}, admin=ADMIN_2), "restart")
    try:
        web = logged_in(BLOCK + ".9", password="1234")
        web.upload(web.download().replace("voip/line/0/id=1600", "voip/line/0/id=1601"))
    finally:
        stop_phone_lab(proc)
    proc, ready = start_phone_lab(tmp, section(tmp, phones, variants={"after_upload": "live"}, admin=ADMIN_2), "restart")
    try:
        assert config(ready, BLOCK + ".9")["voip/line/0/id"] == "1601"
        admin(ready, "POST", "/reset")
        assert config(ready, BLOCK + ".9")["voip/line/0/id"] == "1600"
    finally:
        stop_phone_lab(proc)


@pytest.mark.lab_scale
def test_a_thousand_phones_start_and_answer(tmp_path, record_property):
    tmp = str(tmp_path)
    block = 80 + WORKER
    phone_section = section(tmp, [], generate={"count": 1000, "first_address": "127.%d.0.1" % block}, admin=ADMIN_2)
    del phone_section["phones_file"]
    phone_section["cert_dir"] = os.path.join(LAB_DIR, "..", "..", ".lab", "certs")  # cached across runs
    started = time.monotonic()
    proc, ready = start_phone_lab(tmp, phone_section, "scale")
    wall = time.monotonic() - started
    try:
        record_property("startup_seconds", ready["startup_seconds"])
        record_property("startup_wall_seconds", round(wall, 2))
        sys.stderr.write("\n1000 phones: ready in %.2f s (lab's own count), %.2f s wall\n" % (ready["startup_seconds"], wall))
        assert admin(ready, "GET", "/health")["up"] == 1000
        last = "127.%d.3.232" % block
        for address in ("127.%d.0.1" % block, last):
            assert "mainform.cgi?go=mainframe.htm" in Web(address).login(password="1234").text
        assert Web(last, https=True, verify=ready["ca"]).get("/").status_code == 200
        assert admin(ready, "GET", "/counters")["totals"]["login"] == 2
    finally:
        stop_phone_lab(proc)
