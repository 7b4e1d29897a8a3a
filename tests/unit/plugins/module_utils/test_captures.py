"""Capture bundles: the collection's parsers over every bundle under tests/fixtures/captures/, and
the masking and read-only guard of plugins/module_utils/capture.py."""

import glob
import json
import os
import re

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils import capture
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import pages, scrape
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import objects

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURES = os.path.join(HERE, '..', '..', '..', 'fixtures', 'captures')
BUNDLES = sorted(glob.glob(os.path.join(CAPTURES, '*', 'bundle.json')))
PHONE_BUNDLES = [path for path in BUNDLES if os.path.basename(os.path.dirname(path)).startswith('phone-')]
GAX_BUNDLES = [path for path in BUNDLES if os.path.basename(os.path.dirname(path)).startswith('gax-')]


def name_of(path):
    return os.path.basename(os.path.dirname(path))


def last(bundle, test):
    found = [e for e in bundle['exchanges'] if e['method'] == 'GET' and e['status'] == 200 and test(e['path'])]
    return found[-1] if found else None


def test_there_are_bundles_of_phones_and_gax():
    assert len(PHONE_BUNDLES) >= 5 and GAX_BUNDLES


@pytest.mark.parametrize('path', BUNDLES, ids=name_of)
def test_every_bundle_is_a_capture_without_a_secret(path):
    bundle = capture.read_bundle(path)
    assert bundle['kind'] in ('phone', 'gax') and bundle['exchanges']
    text = json.dumps(bundle)
    assert not re.search(r'\$1\$[./0-9A-Za-z]{1,8}\$', text)
    assert not re.search(r'://[^/\s:@"]+:(?!\*{8})[^@/\s"]+@', text), 'a URL password left in clear'
    for exchange in bundle['exchanges']:
        assert set(exchange['headers']) <= set(h.title() for h in capture.KEPT_HEADERS) | set(capture.KEPT_HEADERS) | \
            set(k for k in exchange['headers'] if k.lower() in capture.KEPT_HEADERS)
        assert not any(h.lower() in ('set-cookie', 'cookie', 'authorization') for h in exchange['headers'])
        assert exchange['method'] in ('GET', 'HEAD') or exchange['path'] in (pages.LOGIN_PATH, '/gax/api/session/login')


@pytest.mark.parametrize('path', PHONE_BUNDLES, ids=name_of)
def test_the_phone_parsers_read_every_captured_page(path):
    bundle = capture.read_bundle(path)
    manu = last(bundle, lambda p: p.lower() == pages.page_path(pages.CONFIG_PAGE).lower())
    url = 'https://phone' + manu['path']
    link = scrape.find_config_link(manu['body'], url)
    assert link and scrape.config_name_parts(link)[0] == bundle['model']
    download = last(bundle, lambda p: p.endswith('.cfg'))
    config = ConfigFile.from_bytes(download['body'].encode(download['body_encoding']))
    assert config.render() == download['body'], 'the round trip changed the file'
    variants = bundle['lab_variants']
    assert not config.other_lines()
    if variants.get('download', 'full') == 'full':
        assert len(config.values()) > 500 and config.values()['system/type'] == bundle['model']
    else:
        assert 0 < len(config.values()) < 200     # only the keys that differ from the defaults
    info = last(bundle, lambda p: p.lower().endswith(pages.INFO_PAGE.lower()))
    device = scrape.device_from_info(info['body'])
    assert device['model'] == (bundle['model'] if variants.get('info_page', 'labelled') == 'labelled' else None)
    status = last(bundle, lambda p: p == pages.STATUS_PATH)
    assert scrape.parse_status(status['body'])
    reboot = last(bundle, lambda p: p.lower().endswith(pages.REBOOT_PAGE.lower()))
    assert [f for f in scrape.forms(reboot['body'], url) if pages.REBOOT_FIELD in f.field_names()]
    auto = last(bundle, lambda p: p.lower().endswith(pages.AUTO_PROVISION_PAGE.lower()))
    fields = [name for form in scrape.forms(auto['body'], url) for name in form.field_names()]
    assert pages.PROVISIONING_CONFIG_URL_FIELD in fields and pages.PROVISIONING_METHOD_FIELD in fields
    if variants.get('secrets') == 'encrypted' and 'system/password' in config:
        assert config.values()['system/password'] == '{"%s"}' % MASK


@pytest.mark.parametrize('path', GAX_BUNDLES, ids=name_of)
def test_the_gax_shapes_read_every_captured_object(path):
    bundle = capture.read_bundle(path)
    lists = [e for e in bundle['exchanges'] if e['path'].endswith('/cfg/objects') and e['status'] == 200]
    assert lists
    for exchange in lists:
        assert isinstance(json.loads(exchange['body']), list)
    reads = [json.loads(e['body']) for e in bundle['exchanges'] if '/cfg/objects/' in e['path'] and e['status'] == 200]
    dns = [obj for obj in reads if obj.get('type') == 'CfgDN']
    assert dns and all(objects.DN.key_of(dn) for dn in dns)
    for dn in dns:
        for section in objects.annex_of(dn).values():
            assert section.get('password') in (None, MASK)
    logins = [obj for obj in reads if obj.get('type') == 'CfgAgentLogin']
    assert logins and all('password' not in login for login in logins)


# --- masking --------------------------------------------------------------------------------------

def test_a_configuration_file_keeps_how_the_phone_shows_each_secret_but_not_the_secret():
    text = ('system/password={"c2VjcmV0"}\nvoip/line/0/auth_password=clear-one\nvoip/line/1/auth_password=\n'
            'system/web_user_password=****\nvoip/line/0/id=1501\n')
    assert capture.mask_config_text(text) == (
        'system/password={"%s"}\nvoip/line/0/auth_password=%s\nvoip/line/1/auth_password=\n'
        'system/web_user_password=****\nvoip/line/0/id=1501\n' % (MASK, MASK))


def test_passwords_in_urls_hashes_and_known_values_are_masked_anywhere():
    masker = SecretMasker(['Known-Secret-1'])
    text = capture.mask_common('url https://user:pw-in-url@host/x, hash $1$abcdefgh$0123456789abcdefghijkl, Known-Secret-1',
                               masker)
    assert text == 'url https://user:%s@host/x, hash %s, %s' % (MASK, MASK, MASK)


def test_html_password_inputs_and_json_secrets_are_masked():
    html = '<input type="password" name="pwd" value="abc"><input name="user" value="admin"><input name="psw" value="x">'
    assert capture.mask_html_inputs(html) == ('<input type="password" name="pwd" value="%s"><input name="user" value="admin">'
                                              '<input name="psw" value="%s">' % (MASK, MASK))
    body = '{"password": "p1", "userproperties": {"property": [{"key": "password", "value": "p2", "section": "TServer"}]}}'
    assert 'p1' not in capture.mask_json_text(body) and 'p2' not in capture.mask_json_text(body)
    assert capture.mask_form([('user', 'admin'), ('psw', 'c2VjcmV0')]) == 'user=admin&psw=%s' % MASK.replace('*', '%2A')


class FakeResponse(object):
    status_code = 200
    url = 'https://phone/mainform.cgi/info.htm'
    headers = {'Set-Cookie': 'session=abc', 'Content-Type': 'text/html'}
    _content = b'<html>ok</html>'
    _content_consumed = True


class FakeSession(object):
    def __init__(self):
        self.sent = []

    def request(self, method, url, *args, **kwargs):
        self.sent.append((method, url))
        return FakeResponse()


@pytest.mark.parametrize('method, path', [('POST', '/mainform.cgi/manu_config.htm'), ('PUT', '/gax/api/cfg/objects/CfgDN/1'),
                                          ('DELETE', '/gax/api/cfg/objects/CfgDN/1'), ('POST', '/upload.cgi')])
def test_the_guard_refuses_every_write_before_it_is_sent(method, path):
    session = FakeSession()
    recorder = capture.ReadOnlyRecorder('phone', 'phone x', SecretMasker(), allowed_posts=('/login.cgi',)).attach(session)
    with pytest.raises(capture.ReadOnlyViolation):
        session.request(method, 'https://phone' + path)
    assert session.sent == [] and recorder.refused == ['%s %s' % (method, path)]


def test_reads_and_the_login_pass_and_are_recorded_without_cookies():
    session = FakeSession()
    recorder = capture.ReadOnlyRecorder('phone', 'phone x', SecretMasker(), allowed_posts=('/login.cgi',)).attach(session)
    session.request('GET', 'https://phone/mainform.cgi/info.htm')
    session.request('POST', 'https://phone/login.cgi', data={'user': 'admin', 'psw': 'c2VjcmV0'})
    assert len(session.sent) == 2 and recorder.writes() == []
    exchange = recorder.exchanges[0]
    assert exchange['headers'] == {'Content-Type': 'text/html'} and exchange['cookie_set'] is True
    assert 'c2VjcmV0' not in json.dumps(recorder.bundle())


def test_a_bundle_is_written_private_and_read_back(tmp_path):
    bundle = {'format': capture.FORMAT, 'kind': 'phone', 'exchanges': []}
    path = capture.write_bundle(str(tmp_path / 'caps'), 'phone-127.0.1.1', bundle)
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'
    assert oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == '0o700'
    assert capture.read_bundle(os.path.dirname(path))['kind'] == 'phone'
    other = tmp_path / 'other.json'
    other.write_text('{"format": "something else", "exchanges": []}')
    with pytest.raises(ValueError):
        capture.read_bundle(str(other))
