"""The deployments of the note, run for real against the lab.

Each deployment converges and a second run changes nothing; a feature turned off on one host
reverts exactly that feature's phone keys and DN options; each known limitation of the note stops
the play before anything is written; decommissioning one phone removes only its DNs and lines.

The lab is started with ``lab_factory`` on this module's own block (phones on 127.55.x.y, GAX and
the admin APIs on 127.0.0.55, high ports, short reboots), from a copy of inventories/lab whose
addresses are moved there; the lab's phones are generated from that copy by
tests/tools/lab_phones_from_inventory.py, as ``make lab-up`` does. Every judgement of the lab's
state reads its admin APIs, never the playbook's output; the output is read only for the PLAY RECAP
(changed counts) and for the preflight's message.
"""

import os
import re

import pytest
import yaml

from deploy_support import copy_lab_inventory, phones_file_from, run_playbook
from labfixture import only_these_emulators

WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
SITE_A_NET = '127.55.%d.' % (8 * WORKER + 1)
SITE_B_NET = '127.55.%d.' % (8 * WORKER + 2)
PORT_BASE = 18500 + 10 * WORKER
ADMIN_HOST = '127.0.0.55'
PHONE_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE)
GAX_LISTEN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 1)
GAX_ADMIN = '%s:%d' % (ADMIN_HOST, PORT_BASE + 2)
HTTP_PORT, HTTPS_PORT = PORT_BASE + 3, PORT_BASE + 4


RECAP_RE = re.compile(r'^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


# --- the inventory, moved to this module's block --------------------------------------------------

def moved(text):
    """The lab inventory's text with its addresses moved to this module's block."""
    return (text.replace('127.0.1.', SITE_A_NET).replace('127.0.2.', SITE_B_NET)
            .replace('http://127.0.0.3:8080', 'http://%s' % GAX_LISTEN))


def write_inventory(dest, hosts=None, sites=None):
    """Copy inventories/lab to ``dest`` (addresses moved); ``hosts(data)`` / ``sites(list)`` edit it."""
    copy_lab_inventory(dest, moved)
    for name, edit in (('hosts.yml', hosts), (os.path.join('group_vars', 'all', 'main.yml'), sites)):
        if edit is None:
            continue
        path = os.path.join(dest, name)
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle)
        edit(data['phones']['children'] if name == 'hosts.yml' else data['gac_sites'])
        with open(path, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(data, handle, sort_keys=False)
    return dest


def host(children, name):
    for group in children.values():
        if name in group['hosts']:
            return group['hosts'][name]
    raise KeyError(name)


# --- the lab ------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def deployments(lab_factory, tmp_path_factory):
    tmp = tmp_path_factory.mktemp('deployments')
    base = write_inventory(str(tmp / 'inventory'))
    phones_file = str(tmp / 'phones.yml')
    phones_file_from(base, phones_file)
    overrides = only_these_emulators({
        'phone': {'admin': PHONE_ADMIN, 'http_port': HTTP_PORT, 'https_port': HTTPS_PORT,
                  'phones_file': phones_file, 'timings': {'reboot_seconds': 1}},
        'gax': {'admin': GAX_ADMIN, 'instances': [{'name': 'gax', 'listen': GAX_LISTEN, 'scheme': 'http'}]},
    })
    lab = lab_factory('deployments', overrides)
    return Deployments(lab, base, tmp)


class Deployments:
    """The lab of this module, its inventory, and the playbook runs against it."""

    def __init__(self, lab, inventory, tmp):
        self.lab = lab
        self.inventory = inventory
        self.tmp = tmp
        self.edits = 0

    def reset(self):
        self.lab.post('phone', '/reset')
        self.lab.post('gax', '/reset')

    def edited_inventory(self, hosts=None, sites=None):
        self.edits += 1
        return write_inventory(str(self.tmp / ('inventory-%d' % self.edits)), hosts, sites)

    def play(self, playbook, inventory=None, extra=(), limit=None):
        result = run_playbook(playbook, inventory or self.inventory, HTTPS_PORT, extra, limit)
        return Run(result)

    # the lab's own word
    def phone_config(self, address):
        return self.lab.get('phone', '/phones/%s/config' % address)

    def phone_configs(self):
        return dict((phone['address'], self.phone_config(phone['address'])) for phone in self.lab.get('phone', '/phones'))

    def switch_dbids(self):
        return dict((switch['name'], switch['dbid']) for switch in self.lab.get('gax', '/objects?type=CfgSwitch'))

    def dns(self, switch):
        """``{number: {option: value}}`` of the switch's Extension and ACD Position DNs (section TServer)."""
        dbid = self.switch_dbids()[switch]
        found = {}
        for dn in self.lab.get('gax', '/objects?type=CfgDN&switchdbid=%s' % dbid):
            if dn.get('subtype') not in ('CFGExtension', 'CFGACDPosition'):
                continue
            properties = (dn.get('userproperties') or {}).get('property') or []
            found[dn['number']] = dict((p['key'], p['value']) for p in properties if p['section'] == 'TServer')
        return found

    def logins(self, switch):
        dbid = self.switch_dbids()[switch]
        return sorted(login['logincode'] for login in self.lab.get('gax', '/objects?type=CfgAgentLogin&switchdbid=%s' % dbid))

    def writes(self):
        phone = self.lab.get('phone', '/counters')['totals']
        gax = self.lab.get('gax', '/counters')
        return {'phone writes': phone.get('writes', 0), 'phone requests': sum(phone.values()),
                'gax writes': gax['writes']['requests'], 'gax requests': gax['total']}

    def clear_counters(self):
        self.lab.post('phone', '/counters/reset')
        self.lab.post('gax', '/counters/reset')


class Run:
    def __init__(self, result):
        self.rc = result.returncode
        self.output = result.stdout + result.stderr
        self.recap = dict((m.group(1), {'ok': int(m.group(2)), 'changed': int(m.group(3)),
                                        'unreachable': int(m.group(4)), 'failed': int(m.group(5))})
                          for m in RECAP_RE.finditer(result.stdout.split('PLAY RECAP', 1)[-1]))

    def explain(self):
        return 'exit %d; output ends:\n%s' % (self.rc, self.output[-6000:])


def address(name):
    site, number = name.split('-')[1][0], int(name.split('-')[1][1:])
    return (SITE_A_NET if site == 'a' else SITE_B_NET) + str(10 + number)


ALL_PHONES = ['phone-a0%d' % n for n in range(1, 7)] + ['phone-b0%d' % n for n in range(1, 8)]
SITE_A_DNS = ['1501', '1502', '1503', '1504', '1505', '1506', '1507', '1508', '1509', '1510', '1511',
              '1512', '1513', '1514', '1515']
SITE_B_DNS = ['1521', '1522', '1523', '1524', '1525', '1526', '1527', '1528', '1529', '1530', '1531',
              '1532', '1533', '1534', '1535']


# --- every deployment converges, and a second run changes nothing ---------------------------------

DEPLOYMENTS = {
    'standalone': ('deploy_standalone.yml', ['gac_deployment=standalone']),
    'sip_proxy_ha': ('deploy_sip_proxy_ha.yml', ['gac_deployment=sip_proxy_ha']),
    'bc_simultaneous': ('deploy_bc.yml', ['gac_bc_mode=simultaneous']),
    'bc_primary_fallback': ('deploy_bc.yml', []),
}


@pytest.mark.parametrize('name', list(DEPLOYMENTS))
def test_deployment_converges_then_a_second_run_changes_nothing(deployments, name):
    playbook, extra = DEPLOYMENTS[name]
    deployments.reset()
    first = deployments.play(playbook, extra=extra)
    assert first.rc == 0, first.explain()
    assert sorted(first.recap) == sorted(ALL_PHONES), first.explain()
    assert any(counts['changed'] for counts in first.recap.values()), first.explain()

    agent = deployments.phone_config(address('phone-a01'))
    dns_a, dns_b = deployments.dns('SIP_Switch_A'), deployments.dns('SIP_Switch_B')
    # every line of the inventory is on its phone, the stale line of phone-a05 is off
    assert (agent['voip/line/0/id'], agent['voip/line/0/enabled']) == ('1501', '1')
    assert agent['voip/line/0/auth_password'] == 'lab-sip-1501-Kq7'
    stale = deployments.phone_config(address('phone-a05'))
    assert (stale['voip/line/1/enabled'], stale['voip/auto_answer/enabled']) == ('0', '0')
    # the note's sample DN, as the note writes it
    sample = dns_a['1501']
    assert sample['authenticate-requests'] == 'register,invite' and sample['password'] == 'lab-sip-1501-Kq7'
    assert sample['sip-cti-control'] == 'talk,hold' and sample['make-call-rfc3725-flow'] == '1'
    assert sample['sip-alert-info'].strip() == 'info=alert-autoanswer'
    assert dns_a['1500']['gvm_mailbox'] == '1500', 'the hand-made DN 1500 was touched'

    if name in ('standalone', 'sip_proxy_ha'):
        assert sorted(set(dns_a) - {'1500'}) == SITE_A_DNS and sorted(dns_b) == SITE_B_DNS
        assert 'dr-forward' not in sample
        assert deployments.logins('SIP_Switch_A') == ['7000', '7001', '7002']
        assert deployments.logins('SIP_Switch_B') == ['7011', '7012']
        assert agent['voip/signalling/sip/redundant_proxy/enabled'] == '0'
        assert agent['voip/signalling/sip/sip_outbound_proxy/enabled'] == '1'
        home = '127.0.0.10' if name == 'standalone' else 'sip-pool-a.lab.test'
        assert agent['voip/signalling/sip/proxy_address'] == home
        assert agent['voip/signalling/sip/sip_outbound_proxy/addr'] == home
        assert agent['voip/signalling/sip/proxy_timeout'] == ('3600' if name == 'standalone' else '5')
    else:
        mode, forward = ('SIMULTANEOUS', 'no-agent') if name == 'bc_simultaneous' else ('PRIMARY_FALLBACK', 'oos')
        # Business Continuity: the same DNs and Agent Logins on both switches
        assert sorted(set(dns_a) - {'1500'}) == sorted(dns_b) == sorted(SITE_A_DNS + SITE_B_DNS)
        assert all(options.get('dr-forward') == forward for number, options in dns_a.items() if number != '1500')
        assert all(options.get('dr-forward') == forward for options in dns_b.values())
        assert dns_a['1506'] == dns_b['1506']
        assert deployments.logins('SIP_Switch_A') == ['7000', '7001', '7002', '7011', '7012']
        assert deployments.logins('SIP_Switch_B') == ['7001', '7002', '7011', '7012']
        # no SCA in Business Continuity (the note, sections 5 and 6.1): the lab's shared lines are plain here
        for dns in (dns_a, dns_b):
            assert all('shared-line' not in dns[number] and 'sca-preferred-site' not in dns[number]
                       for number in ('1502', '1505', '1527', '1529'))
        site_b = deployments.phone_config(address('phone-b01'))
        for config, home, other in ((agent, '127.0.0.10', '127.0.0.20'), (site_b, '127.0.0.20', '127.0.0.10')):
            assert config['voip/signalling/sip/proxy_address'] == home
            assert config['voip/signalling/sip/redundant_proxy/address'] == other
            assert config['voip/signalling/sip/redundant_proxy/enabled'] == '1'
            assert config['voip/signalling/sip/redundant_proxy/mode'] == mode
            assert config['voip/signalling/sip/sip_outbound_proxy/enabled'] == '0'
        # agent state control needs primary-fallback: the lab inventory turns it off in simultaneous mode
        assert agent['voip/services/application_server_type'].upper() == 'BSFT'

    second = deployments.play(playbook, extra=extra)
    assert second.rc == 0, second.explain()
    assert sorted(second.recap) == sorted(ALL_PHONES), second.explain()
    assert {host: counts['changed'] for host, counts in second.recap.items()} == dict.fromkeys(ALL_PHONES, 0), \
        second.explain()


# --- turning a feature off reverts exactly that feature ---------------------------------------------

def test_turning_features_off_on_one_host_reverts_exactly_their_keys_and_options(deployments):
    deployments.reset()
    converged = deployments.play('deploy_bc.yml')
    assert converged.rc == 0, converged.explain()
    phones_before = deployments.phone_configs()
    dns_before = {switch: deployments.dns(switch) for switch in ('SIP_Switch_A', 'SIP_Switch_B')}

    def features_off(children):
        del host(children, 'phone-a01')['gac_lines'][0]['features']['mwi']              # phone keys and a DN option
        host(children, 'phone-a04')['gac_lines'][0]['features']['auto_answer'] = False  # phone-wide keys only
        del host(children, 'phone-b01')['gac_lines'][1]['features']['remote_answer']    # one member of a set option

    run = deployments.play('deploy_bc.yml', inventory=deployments.edited_inventory(hosts=features_off))
    assert run.rc == 0, run.explain()

    phones_after = deployments.phone_configs()
    changed = {}
    for phone, config in phones_after.items():
        diff = dict((key, (phones_before[phone].get(key), value)) for key, value in config.items()
                    if phones_before[phone].get(key) != value)
        if diff:
            changed[phone] = diff
    assert changed == {
        address('phone-a01'): {'voip/services/msg_waiting_ind/enabled': ('ENABLE', 'DISABLE'),
                               'voip/services/msg_waiting_ind/voice_mail_number': ('8000', '')},
        # answers the calls that ask only: its remote_auto_answer keeps auto_answer/enabled=1
        address('phone-a04'): {'voip/advanced_auto_answer/type': ('Manual', 'SIP_Header')},
        # phone-b01 keeps voip/talk_event/enabled=1: its line 0 still asks for remote answer
    }

    options_changed = {}
    for switch, before in dns_before.items():
        after = deployments.dns(switch)
        assert sorted(after) == sorted(before)
        for number, options in after.items():
            if options != before[number]:
                keys = set(options) | set(before[number])
                options_changed[(switch, number)] = dict((key, (before[number].get(key), options.get(key)))
                                                         for key in keys if before[number].get(key) != options.get(key))
    assert options_changed == {
        ('SIP_Switch_A', '1501'): {'gvm_mailbox': ('1501', None)},
        ('SIP_Switch_B', '1501'): {'gvm_mailbox': ('1501', None)},
        ('SIP_Switch_A', '1522'): {'sip-cti-control': ('talk', None)},
        ('SIP_Switch_B', '1522'): {'sip-cti-control': ('talk', None)},
    }


# --- each rule of the note stops the play before any write ----------------------------------------

def sca_in_bc_whatever_the_sip_server(children):
    # the lab's sites state sip_server_version 8.1.101.75: it no longer lifts the refusal
    host(children, 'phone-a01')['gac_lines'][1]['features']['sca'] = {'role': 'primary'}


def sca_on_a_420hd(children):
    host(children, 'phone-a04')['gac_lines'][1]['features'] = {'sca': {'role': 'primary'}}


def agent_state_control_on_a_line(children):
    host(children, 'phone-a02')['gac_lines'][0]['features']['agent_state_control'] = True


def firmware_2_2_8(children):
    host(children, 'phone-b05')['gac_firmware'] = '2.2.8.12'


def an_unknown_feature_flag(children):
    host(children, 'phone-b06')['gac_lines'][0]['features']['remote_fax'] = True


RULES = {
    'sca_business_continuity': (sca_in_bc_whatever_the_sip_server, None, [],
                                ['phone-a01 line 1 (dn 1502)', 'section 6.1']),
    'sca_model': (sca_on_a_420hd, None, [], ['phone-a04 line 1 (dn 1513)']),
    'agent_state_control_business_continuity': (agent_state_control_on_a_line, None, ['gac_bc_mode=simultaneous'],
                                                ['phone-a02 line 0 (dn 1504)']),
    'firmware': (firmware_2_2_8, None, [], ['phone-b05']),
    'unknown_flag': (an_unknown_feature_flag, None, [], ['phone-b06 line 0 (dn 1533)', 'remote_fax']),
}


@pytest.mark.parametrize('rule', list(RULES))
def test_a_violated_rule_stops_the_play_before_any_write(deployments, rule):
    hosts, sites, extra, named = RULES[rule]
    inventory = deployments.edited_inventory(hosts=hosts, sites=sites)
    deployments.clear_counters()
    run = deployments.play('deploy_bc.yml', inventory=inventory, extra=extra)
    assert run.rc != 0, run.explain()
    assert 'PREFLIGHT refused the inventory of this play, nothing was written' in run.output, run.explain()
    assert '[%s]' % rule in run.output, run.explain()
    for name in named:
        assert name in run.output, run.explain()
    assert all(counts['changed'] == 0 for counts in run.recap.values()), run.explain()
    # nothing was written; nothing was even asked
    assert deployments.writes() == {'phone writes': 0, 'phone requests': 0, 'gax writes': 0, 'gax requests': 0}


# --- decommissioning one phone -------------------------------------------------------------------

def test_decommissioning_one_phone_removes_its_dns_and_lines_only(deployments):
    deployments.reset()
    deployed = deployments.play('deploy_bc.yml', limit='phone-b07,phone-b06')
    assert deployed.rc == 0, deployed.explain()
    assert {'1533', '1534', '1535'} <= set(deployments.dns('SIP_Switch_A'))
    other_before = deployments.phone_config(address('phone-b06'))

    refused = deployments.play('decommission.yml', limit='phone-b07')
    assert refused.rc != 0 and 'decommission_confirm=true' in refused.output, refused.explain()

    run = deployments.play('decommission.yml', limit='phone-b07', extra=['decommission_confirm=true'])
    assert run.rc == 0, run.explain()
    for switch in ('SIP_Switch_A', 'SIP_Switch_B'):
        dns = deployments.dns(switch)
        assert '1534' not in dns and '1535' not in dns
        assert '1533' in dns, 'the DN of another phone was deleted'
    assert deployments.logins('SIP_Switch_B') == ['7001', '7002', '7011', '7012'], 'Agent Logins were deleted'
    gone = deployments.phone_config(address('phone-b07'))
    assert (gone['voip/line/0/enabled'], gone['voip/line/1/enabled']) == ('0', '0')
    assert deployments.phone_config(address('phone-b06')) == other_before
