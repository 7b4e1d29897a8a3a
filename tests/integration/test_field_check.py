"""The field check (playbooks/field_check.yml) against the lab: read-only, no secret, and each
variant of the lab shows in the report as exactly the behaviour it changes.

The lab runs on this module's own block (phones on 127.75.x.y, GAX and the admin APIs on
127.0.0.75, high ports), from a copy of inventories/lab moved there. Whether anything was written
is judged from the lab's counters and history (phone admin API, GAX admin API), never from the
playbook's word; the report is read only for what it says about each assumption.
"""

import base64
import glob
import json
import os
import re
import stat
import subprocess
import sys

import pytest
import yaml

from deploy_support import GENERATOR, copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

SITE_A_NET, SITE_B_NET = '127.75.1.', '127.75.2.'
ADMIN_HOST = '127.0.0.75'
PORT_BASE = 18750
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4

# Secrets planted in the lab, so that "no secret in any file" can fail.
PROVISIONING_URL = 'https://prov-user:Prov-Secret-Ux7@127.0.0.75:18799/phones/'
PLANTED_PHONE = 'phone-a01'
PLANTED_SIP_PASSWORD = 'lab-sip-1501-Kq7'


def moved(text):
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def address(name):
    site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
    return (SITE_A_NET if site == 'a' else SITE_B_NET) + str(10 + number)


def write_inventory(dest):
    copy_lab_inventory(dest, moved)
    path = os.path.join(dest, 'hosts.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    for group in data['phones']['children'].values():
        if PLANTED_PHONE in group['hosts']:
            group['hosts'][PLANTED_PHONE]['lab_phone_config'] = {
                'voip/line/0/auth_password': PLANTED_SIP_PASSWORD,
                'provisioning/configuration/url': PROVISIONING_URL,
            }
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return dest


@pytest.fixture(scope='module')
def field(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('field_check')
    inventory = write_inventory(str(tmp / 'inventory'))
    phones_file = phones_file_from(inventory, str(tmp / 'phones.yml'))
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
    })
    lab = lab_factory('field_check', overrides)
    return Field(lab, inventory, tmp)


class Field:
    def __init__(self, lab, inventory, tmp):
        self.lab = lab
        self.inventory = inventory
        self.tmp = tmp
        self.runs = 0

    def reset(self):
        self.lab.post('phone', '/reset')
        self.lab.post('gax', '/reset')
        # An operator's DN with a SIP password on the inventory's number 1501: the check reads it whole.
        switch = [s for s in self.lab.get('gax', '/objects?type=CfgSwitch') if s['name'] == 'SIP_Switch_A'][0]
        self.lab.post('gax', '/objects', {
            'type': 'CfgDN', 'number': '1501', 'subtype': 'CFGExtension', 'switchdbid': switch['dbid'],
            'userproperties': {'property': [{'section': 'TServer', 'key': 'password', 'value': PLANTED_SIP_PASSWORD}]}})
        self.lab.post('phone', '/counters/reset')
        self.lab.post('gax', '/counters/reset')

    def check(self, extra=(), limit=None):
        self.runs += 1
        out = str(self.tmp / ('report-%d' % self.runs))
        run = run_playbook('field_check.yml', self.inventory, HTTPS_PORT, ['field_check_dir=%s' % out] + list(extra), limit)
        report = None
        if os.path.exists(os.path.join(out, 'report.json')):
            with open(os.path.join(out, 'report.json'), encoding='utf-8') as handle:
                report = json.load(handle)
        return run, out, report

    def secrets(self):
        """Every secret the lab holds that the check could meet: passwords, hashes, cookies."""
        found = {'Lab-Phone-Admin-26', 'operator-lab', PLANTED_SIP_PASSWORD, 'Prov-Secret-Ux7',
                 base64.b64encode(b'Lab-Phone-Admin-26').decode('ascii')}
        for phone in self.lab.get('phone', '/phones'):
            config = self.lab.get('phone', '/phones/%s/config' % phone['address'])
            found.update(value for key, value in config.items() if 'password' in key.rsplit('/', 1)[-1] and len(value) > 3)
        for session in self.lab.get('gax', '/sessions'):
            found.add(session['cookie'])
        for login in self.lab.get('gax', '/objects?type=CfgAgentLogin'):
            if login.get('password'):
                found.add(login['password'])
        return set(value for value in found if value and len(value) > 3)


def statuses(subject):
    return dict((entry['id'], entry['status']) for entry in subject['entries'] + subject.get('keys', []))


def by_host(report):
    return dict((phone['host'], phone) for phone in report['phones'])


def explain(run):
    return 'exit %d; output ends:\n%s' % (run.returncode, (run.stdout + run.stderr)[-5000:])


# --- the default lab ------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def baseline(field):
    field.reset()
    run, out, report = field.check(['field_check_capture=true'])
    assert run.returncode == 0, explain(run)
    return run, out, report


def test_on_the_default_lab_nothing_is_contradicted(baseline):
    run, dummy, report = baseline
    assert report is not None, explain(run)
    assert len(report['phones']) == 13 and all(phone['read'] for phone in report['phones']), report['phones']
    assert sorted(site['site'] for site in report['sites']) == ['A', 'B']
    contradicted = [(subject.get('host') or subject.get('site'), entry['id'], entry['evidence'])
                    for subject in report['phones'] + report['sites']
                    for entry in subject['entries'] + subject.get('keys', []) if entry['status'] == 'contradicted']
    assert contradicted == []
    phone = by_host(report)['phone-a01']
    # every entry of pages.py and the behaviours are there, and the deployment's keys
    ids = statuses(phone)
    assert 'pages.LOGIN_PATH' in ids and 'pages.STATUS_PATH' in ids and 'behaviour.download' in ids
    assert ids['key.voip/line/0/id'] == 'confirmed'
    assert 'nothing contradicted' in run.stdout


def test_the_check_writes_nothing(field, baseline):
    counters = field.lab.get('phone', '/counters')
    for address_, kinds in counters['phones'].items():
        written = dict((kind, kinds.get(kind, 0)) for kind in ('writes', 'page_post', 'ignored_post', 'upload', 'reboot'))
        assert written == dict.fromkeys(written, 0), (address_, kinds)
        assert kinds.get('login', 0) >= 1 and kinds.get('page_get', 0) >= 5, (address_, kinds)
    gax = field.lab.get('gax', '/counters')
    assert gax['writes']['requests'] == 0, gax
    assert gax['sessions']['logins'] == 2 and gax['requests'].get('read', 0) >= 2, gax
    history = field.lab.get('gax', '/history?action=update') + field.lab.get('gax', '/history?action=delete')
    assert history == []
    assert [e for e in field.lab.get('gax', '/history?action=create') if e['session'] != 'admin'] == []


def test_no_secret_in_any_file_it_wrote_and_files_are_private(field, baseline):
    dummy, out, report = baseline
    secrets = field.secrets()
    assert len(secrets) >= 6
    files = []
    for folder, dirs, names in os.walk(out):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        files.extend(os.path.join(folder, name) for name in names)
    assert os.path.join(out, 'report.md') in files and os.path.join(out, 'report.json') in files
    assert len([f for f in files if f.endswith('bundle.json')]) == 15   # 13 phones, 2 sites
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        leaked = [secret for secret in secrets if secret in text]
        assert leaked == [], (path, leaked)
        assert '$1$' not in text, path
        # the phone's session cookie (its value is not in the admin API): no cookie header, no session=<hex>
        assert 'set-cookie' not in text.lower() and not re.search(r'session=[0-9a-f]{8}', text), path
    # the planted secrets were met (so the search above could fail)
    with open(os.path.join(out, 'captures', 'phone-%s' % address(PLANTED_PHONE), 'bundle.json')) as handle:
        bundle = json.load(handle)
    config = [e for e in bundle['exchanges'] if e['path'].endswith('.cfg')][0]['body']
    assert 'voip/line/0/auth_password={"********"}' in config
    assert 'provisioning/configuration/url=https://prov-user:********@' in config
    with open(os.path.join(out, 'captures', 'gax-A', 'bundle.json')) as handle:
        gax = json.load(handle)
    read = [e for e in gax['exchanges'] if e['method'] == 'GET' and '/cfg/objects/CfgDN/' in e['path']][0]
    annex = json.loads(read['body'])['userproperties']['property']
    assert [p['value'] for p in annex if p['key'] == 'password'] == ['********']
    login = [e for e in gax['exchanges'] if e['method'] == 'POST'][0]
    assert json.loads(login['request_body'])['password'] == '********'


# --- the variants ---------------------------------------------------------------------------------

# phone -> (variant, value, the entries whose status it changes, the entry whose evidence names it)
PHONE_VARIANTS = {
    'phone-a01': ('auth', 'basic', {'behaviour.auth', 'pages.LOGIN_PATH', 'pages.LOGIN_USER_FIELD',
                                    'pages.LOGIN_PASSWORD_FIELD', 'pages.LOGIN_OK_MARKER', 'pages.SESSION_COOKIE',
                                    'behaviour.expired_session', 'pages.LOGIN_PAGE_PATTERNS'}, 'behaviour.auth'),
    # a secret the download leaves out can no longer be seen to be known: its key turns unknown
    'phone-a02': ('secrets', 'omitted', {'behaviour.secrets'} | set('key.voip/line/%d/auth_password' % i for i in range(6)),
                  'behaviour.secrets'),
    'phone-a03': ('secrets', 'stars', {'behaviour.secrets'}, 'behaviour.secrets'),
    'phone-a04': ('expired_session', 'redirect_login', {'behaviour.expired_session', 'pages.LOGIN_PAGE_PATTERNS',
                                                        'pages.LOGIN_REDIRECT_PATHS'}, 'behaviour.expired_session'),
    'phone-a05': ('enum_case', 'database', {'behaviour.enum_spelling'}, 'behaviour.enum_spelling'),
    # pages.LOGIN_PAGE_PATTERNS knows the "Web Login" title: it still holds
    'phone-a06': ('expired_session', 'web_login', {'behaviour.expired_session'}, 'behaviour.expired_session'),
    'phone-b01': ('config_link', 'script', set(), 'pages.CONFIG_LINK_ATTRIBUTES'),
    'phone-b02': ('no_upload_form', True, {'pages.UPLOAD_FORM_HINTS', 'pages.UPLOAD_FORM_AVOID'},
                  'pages.UPLOAD_FORM_HINTS'),
    'phone-b03': ('auth', 'basic_silent_login', {'behaviour.auth', 'pages.LOGIN_PATH', 'pages.LOGIN_USER_FIELD',
                                                 'pages.LOGIN_PASSWORD_FIELD', 'pages.LOGIN_OK_MARKER',
                                                 'pages.SESSION_COOKIE', 'behaviour.expired_session',
                                                 'pages.LOGIN_PAGE_PATTERNS'}, 'behaviour.auth'),
    'phone-b04': ('download_format', 'plain', set(), 'behaviour.download_format'),
    'phone-b05': ('secrets', 'clear', {'behaviour.secrets'}, 'behaviour.secrets'),
    'phone-b06': ('expired_session', 'redirect_login_redirect', {'behaviour.expired_session', 'pages.LOGIN_PAGE_PATTERNS',
                                                                 'pages.LOGIN_REDIRECT_PATHS'}, 'behaviour.expired_session'),
}
# A second batch, on the same phones after a reset (one variant per phone and run).
MODIFIED_ONLY = 'keys of the download turn unknown'
PHONE_VARIANTS_2 = {
    'phone-a01': ('enum_case', 'lower', {'behaviour.enum_spelling'}, 'behaviour.enum_spelling'),
    'phone-a02': ('enum_download', 'numbers', {'behaviour.enum_spelling'}, 'behaviour.enum_spelling'),
    # a download of modified keys only: the keys it leaves out are no longer seen, only the key table knows them
    'phone-a03': ('download', 'modified_only', MODIFIED_ONLY, 'behaviour.download'),
    'phone-a04': ('download', 'modified_only_switchable', MODIFIED_ONLY, 'behaviour.download'),
    'phone-b07': ('without_assumed_keys', True, 'assumed keys contradicted', 'behaviour.download'),
}
# A third batch, with a GAX variant in the same run: a listing capped at 3 objects (X-Total-Count: all).
PHONE_VARIANTS_3 = {
    'phone-a01': ('info_page', 'unlabelled', {'behaviour.identity', 'pages.INFO_MODEL_LABELS', 'pages.INFO_FIRMWARE_LABELS',
                                              'pages.INFO_MAC_LABELS'}, 'behaviour.identity'),
    'phone-a02': ('status_lines', 'enabled_only', {'behaviour.status_lines'}, 'behaviour.status_lines'),   # a 440HD
    'phone-a03': ('status_lines', 'bare', {'behaviour.status_lines'}, 'behaviour.status_lines'),
    'phone-a04': ('auto_provision_form', 'script_filled', {'behaviour.auto_provision_form'},
                  'behaviour.auto_provision_form'),
}
GAX_VARIANTS_3 = {'list_cap': 3}
EVIDENCE = {
    ('without_assumed_keys', True): 'variant download=full',
    ('config_link', 'script'): 'in a script',
    ('download_format', 'plain'): 'no header (plain)',
    ('no_upload_form', True): 'no configuration upload form',
}


def _variants(field, variants, gax=None):
    field.reset()
    for host, (name, value, dummy, dummy2) in variants.items():
        field.lab.put('phone', '/phones/%s/variant' % address(host), {name: value})
    if gax:
        field.lab.put('gax', '/variants', gax)
    field.lab.post('phone', '/counters/reset')
    return field.check(['field_check_capture=true'])


@pytest.fixture(scope='module')
def variants_run(field, baseline):
    run, out, report = _variants(field, PHONE_VARIANTS)
    yield run, report, out
    field.reset()


@pytest.fixture(scope='module')
def variants_run_2(field, baseline):
    run, out, report = _variants(field, PHONE_VARIANTS_2)
    yield run, report, out
    field.reset()


@pytest.fixture(scope='module')
def variants_run_3(field, baseline):
    run, out, report = _variants(field, PHONE_VARIANTS_3, GAX_VARIANTS_3)
    yield run, report, out
    field.reset()


def _judge(baseline, run, report, host, spec):
    name, value, changed, named_in = spec
    assert report is not None, explain(run)
    before, after = statuses(by_host(baseline[2])[host]), statuses(by_host(report)[host])
    differs = dict((i, (before.get(i), after.get(i))) for i in set(before) | set(after) if before.get(i) != after.get(i))
    # an entry that pages.py gained between the two runs (others edit it) is no behaviour of the variant
    differs = dict((i, d) for i, d in differs.items() if None not in d)
    # a row of docs/compatibility.md (compat.*) follows the entry that judges it, named in its evidence
    evidence_of = dict((e['id'], e['evidence']) for e in by_host(report)[host]['entries'])
    rows = dict((i, differs.pop(i)) for i in list(differs) if i.startswith('compat.'))
    for row in rows:
        source = evidence_of[row].split(':', 1)[0]
        assert source in differs or (row == 'compat.P14' and 'behaviour.secrets' in differs), (row, evidence_of[row])
    if changed == MODIFIED_ONLY:
        # the one contradiction is the download; what it no longer lists can only turn unknown
        assert differs.pop('behaviour.download') == ('confirmed', 'contradicted')
        assert any(i.startswith('key.') for i in differs), differs
        assert all(d == ('confirmed', 'unknown') for d in differs.values()), differs

    elif changed == 'assumed keys contradicted':
        assert differs and all(d == ('confirmed', 'contradicted') for d in differs.values()), differs
        assert set(i.rsplit('.', 1)[-1].rsplit('/', 1)[-1] for i in differs if i.startswith('key.')) == {'mode'}
        assert any(i.startswith('deployment.') for i in differs) and any(i.startswith('feature.') for i in differs)
        unknown = [f['feature'] for f in by_host(report)[host]['unknown_features']]
        assert unknown, 'the features whose keys the firmware lacks are named'
    else:
        assert set(differs) == changed, (name, value, differs)
    evidence = dict((e['id'], e['evidence']) for e in by_host(report)[host]['entries'])[named_in]
    assert EVIDENCE.get((name, value), '%s=%s' % (name, value)) in evidence, evidence


@pytest.mark.parametrize('host', sorted(PHONE_VARIANTS))
def test_each_variant_shows_as_exactly_the_behaviour_it_changes(baseline, variants_run, host):
    run, report, dummy = variants_run
    _judge(baseline, run, report, host, PHONE_VARIANTS[host])


@pytest.mark.parametrize('host', sorted(PHONE_VARIANTS_2))
def test_each_variant_of_the_second_batch_shows_as_exactly_the_behaviour_it_changes(baseline, variants_run_2, host):
    run, report, dummy = variants_run_2
    _judge(baseline, run, report, host, PHONE_VARIANTS_2[host])


@pytest.mark.parametrize('host', sorted(PHONE_VARIANTS_3))
def test_each_variant_of_the_third_batch_shows_as_exactly_the_behaviour_it_changes(baseline, variants_run_3, host):
    run, report, dummy = variants_run_3
    _judge(baseline, run, report, host, PHONE_VARIANTS_3[host])


def test_a_capped_gax_listing_shows_as_a_listing_that_looks_cut(baseline, variants_run_3):
    run, report, dummy = variants_run_3
    assert report is not None, explain(run)
    for site in report['sites']:
        before = dict((e['id'], e) for e in [s for s in baseline[2]['sites'] if s['site'] == site['site']][0]['entries'])
        after = dict((e['id'], e) for e in site['entries'])
        assert (before['gax.listing']['status'], after['gax.listing']['status']) == ('confirmed', 'contradicted')
        assert 'size hint header x-total-count' in after['gax.listing']['evidence']
        assert after['compat.G6']['status'] == 'contradicted'


def test_the_variants_run_writes_nothing_either(field, variants_run):
    counters = field.lab.get('phone', '/counters')['totals']
    assert (counters.get('writes', 0), counters.get('page_post', 0), counters.get('upload', 0)) == (0, 0, 0), counters


# --- a capture of a variant, replayed by the lab, takes a deployment ------------------------------

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures', 'captures')
REPLAYED = 'phone-a05'          # captured with enum_case=database (PHONE_VARIANTS)
REPLAY_NET = '127.77.1.'
REPLAY_PORTS = 18770


def moved_to_replay(text):
    return (text.replace('127.0.1.', REPLAY_NET).replace('127.0.2.', '127.77.2.')
            .replace('http://127.0.0.3:8080', 'http://127.0.0.77:%d' % (REPLAY_PORTS + 1)))


def test_a_captured_variant_replays_and_a_deployment_to_the_replay_converges(field, variants_run, lab_factory):
    dummy, dummy2, out = variants_run
    bundle = os.path.join(out, 'captures', 'phone-%s' % address(REPLAYED))
    assert os.path.isfile(os.path.join(bundle, 'bundle.json'))
    inventory = str(field.tmp / 'replay-inventory')
    copy_lab_inventory(inventory, moved_to_replay)
    phones_file = str(field.tmp / 'replay-phones.yml')
    subprocess.run([sys.executable, GENERATOR, '--inventory', inventory, '--phones-file', phones_file,
                    '--replay', '%s=%s' % (REPLAYED, bundle)], check=True, capture_output=True, text=True, timeout=120)
    # and every shipped fixture bundle, each on a phone of its own
    with open(phones_file, encoding='utf-8') as handle:
        phones = yaml.safe_load(handle)
    fixtures = sorted(glob.glob(os.path.join(FIXTURES, 'phone-*', 'bundle.json')))
    for index, path in enumerate(fixtures):
        phones.append({'address': '127.77.3.%d' % (10 + index), 'replay': os.path.dirname(path)})
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    lab = lab_factory('field_check_replay', only_these_emulators({
        'phone': {'admin': '127.0.0.77:%d' % REPLAY_PORTS, 'http_port': REPLAY_PORTS + 3, 'https_port': REPLAY_PORTS + 4,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': '127.0.0.77:%d' % (REPLAY_PORTS + 2),
                'instances': [{'name': 'gax', 'listen': '127.0.0.77:%d' % (REPLAY_PORTS + 1), 'scheme': 'http'}]},
    }))
    target = REPLAY_NET + address(REPLAYED).rsplit('.', 1)[1]
    assert lab.get('phone', '/phones/%s' % target)['variants']['enum_case'] == 'database'
    for index, path in enumerate(fixtures):
        with open(path, encoding='utf-8') as handle:
            bundle = json.load(handle)
        shown = lab.get('phone', '/phones/127.77.3.%d' % (10 + index))
        assert (shown['model'], shown['mac'].lower()) == (bundle['model'], bundle['mac'].lower()), path
        for name, value in bundle['lab_variants'].items():
            if name in shown['variants']:
                assert str(shown['variants'][name]).lower() == str(value).lower(), (path, name)

    # the field check of the replay shows the captured behaviour
    out2 = str(field.tmp / 'replay-report')
    check = run_playbook('field_check.yml', inventory, REPLAY_PORTS + 4, ['field_check_dir=%s' % out2], REPLAYED)
    assert check.returncode == 0, explain(check)
    with open(os.path.join(out2, 'report.json'), encoding='utf-8') as handle:
        replayed = by_host(json.load(handle))[REPLAYED]
    assert statuses(replayed)['behaviour.enum_spelling'] == 'contradicted'
    assert lab.get('phone', '/counters?phone=%s' % target)['phones'][target]['replay_page'] >= 4

    # deploy to it, twice: the second run changes nothing
    recap = re.compile(r'^%s\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0' % REPLAYED, re.M)
    first = run_playbook('deploy_bc.yml', inventory, REPLAY_PORTS + 4, limit=REPLAYED)
    assert first.returncode == 0 and int(recap.search(first.stdout).group(1)) > 0, explain(first)
    config = lab.get('phone', '/phones/%s/config' % target)
    assert (config['voip/line/0/id'], config['voip/line/1/enabled']) == ('1514', '0')
    second = run_playbook('deploy_bc.yml', inventory, REPLAY_PORTS + 4, limit=REPLAYED)
    assert second.returncode == 0 and int(recap.search(second.stdout).group(1)) == 0, explain(second)
