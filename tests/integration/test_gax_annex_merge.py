"""Issue 15 item 14: a GAX that merges annex options on PUT (keeps an option the PUT leaves out)
must still end with the option removed when the inventory removes it. How such a GAX removes an
option is unknown, so the lab offers each plausible way (variant ``annex_remove``, docs/lab.md)
and the module is proved against each. Verdicts come from the lab GAX's admin API (stored
objects, counters).

The lab listens on 127.0.0.124 high ports (19400-19409), shifted per xdist worker.
"""

import os

import pytest

from labfixture import only_these_emulators

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import OperatorError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import core

HOST = '127.0.0.124'
WORKER = int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)
PORT = 19400 + 2 * WORKER
URL = 'http://%s:%d' % (HOST, PORT)

# The seed's DN 1500 on SIP_Switch_A: TServer contact and gvm_mailbox, Reporting cost-center.
SEED_ANNEX = {'TServer': {'contact': '*', 'gvm_mailbox': '1500'}, 'Reporting': {'cost-center': 'FRONT-01'}}
REMOVE_MAILBOX = {'TServer': {'gvm_mailbox': None, 'dr-forward': 'oos'}}
AFTER_REMOVAL = {'TServer': {'contact': '*', 'dr-forward': 'oos'}, 'Reporting': {'cost-center': 'FRONT-01'}}


@pytest.fixture(name='lab', scope='module')
def lab_fixture(lab_factory):
    return lab_factory('gax-annex-merge', only_these_emulators({'gax': {
        'admin': '%s:%d' % (HOST, PORT + 1),
        'instances': [{'name': 'gax', 'listen': '%s:%d' % (HOST, PORT), 'scheme': 'http'}]}}))


@pytest.fixture(autouse=True)
def seed_state(lab):
    lab.post('gax', '/reset')


def variants(lab, **values):
    lab.put('gax', '/variants?instance=gax', values)


def counters(lab):
    return lab.get('gax', '/counters?instance=gax')


def stored_dn(lab, number):
    found = [obj for obj in lab.get('gax', '/objects?instance=gax&type=CfgDN')
             if obj['number'] == number and obj['switchdbid'] == '101']
    assert len(found) == 1
    return found[0]


def annex(obj):
    sections = {}
    for prop in obj['userproperties']['property']:
        sections.setdefault(prop['section'], {})[prop['key']] = prop['value']
    return sections


def run_dn(**extra):
    params = dict(gax_url=URL, username='operator', password='operator-lab', switch='SIP_Switch_A')
    params.update(extra)
    return core.run_dn(params)


def without_annex(obj):
    return dict(obj, userproperties=None)


def test_the_seed_holds_the_option_to_remove(lab):
    assert annex(stored_dn(lab, '1500')) == SEED_ANNEX


def test_a_replacing_gax_removes_the_option_with_no_extra_request(lab):
    variants(lab, annex='replace', annex_remove='none')
    before = stored_dn(lab, '1500')
    result = run_dn(number='1500', options=REMOVE_MAILBOX)
    assert result['dns'][0]['action'] == 'updated'
    after = stored_dn(lab, '1500')
    assert annex(after) == AFTER_REMOVAL
    assert without_annex(after) == without_annex(before)
    # login, switches, listing, GET + PUT of the update, the one re-read: 6, one write
    assert counters(lab)['total'] == 6
    assert counters(lab)['writes']['requests'] == 1


@pytest.mark.parametrize('annex_remove', ['deleted_list', 'empty_value'])
def test_a_merging_gax_ends_with_the_removed_option_gone_and_the_others_kept(lab, annex_remove):
    variants(lab, annex='merge', annex_remove=annex_remove)
    before = stored_dn(lab, '1500')
    result = run_dn(number='1500', options=REMOVE_MAILBOX)
    assert result['changed'] and result['dns'][0]['action'] == 'updated'
    after = stored_dn(lab, '1500')
    assert annex(after) == AFTER_REMOVAL                         # removed; contact, dr-forward, Reporting kept
    assert without_annex(after) == without_annex(before)         # every field as it was
    # deleted_list is tried first: one extra PUT + GET when it works, two when empty_value does
    extra = 1 if annex_remove == 'deleted_list' else 2
    assert counters(lab)['writes']['requests'] == 1 + extra
    assert counters(lab)['total'] == 6 + 2 * extra
    again = run_dn(number='1500', options=REMOVE_MAILBOX)
    assert not again['changed']


def test_a_merging_gax_that_refuses_the_unknown_field_removes_it_with_an_empty_value(lab):
    variants(lab, annex='merge', annex_remove='empty_value', unknown_fields='reject')
    run_dn(number='1500', options=REMOVE_MAILBOX)
    assert annex(stored_dn(lab, '1500')) == AFTER_REMOVAL
    assert counters(lab)['status'].get('400') == 1               # the deleted_list PUT, refused


def test_a_merging_gax_without_removal_fails_naming_the_option_and_the_fix(lab):
    variants(lab, annex='merge', annex_remove='none')
    before = stored_dn(lab, '1500')
    with pytest.raises(OperatorError) as caught:
        run_dn(number='1500', options=REMOVE_MAILBOX)
    exc = caught.value
    assert "DN 1500: TServer/gvm_mailbox still set (to '1500') after its removal" in exc.message
    assert 'merge the annex' in exc.cause and 'no way to remove' in exc.cause
    assert 'GAX Administrator' in exc.fix and 'ANNEX_REMOVAL_FORMS' in exc.fix
    assert core.failure_result(exc)['changed'] is True
    after = stored_dn(lab, '1500')
    # The other change is kept, the other options and fields too; the option is still there
    # (emptied by the empty_value attempt), as the message says.
    assert annex(after)['TServer']['dr-forward'] == 'oos'
    assert annex(after)['TServer']['contact'] == '*'
    assert annex(after)['Reporting'] == {'cost-center': 'FRONT-01'}
    assert 'gvm_mailbox' in annex(after)['TServer']
    assert without_annex(after) == without_annex(before)


def test_the_form_that_worked_is_tried_first_for_the_next_object(lab):
    variants(lab, annex='merge', annex_remove='empty_value')
    run_dn(number='1502', options={'TServer': {'contact': '*', 'gvm_mailbox': '1502'}})
    writes = counters(lab)['writes']['requests']
    run_dn(dns=[{'number': '1500', 'options': REMOVE_MAILBOX},
                {'number': '1502', 'options': {'TServer': {'gvm_mailbox': None}}}])
    assert annex(stored_dn(lab, '1500')) == AFTER_REMOVAL
    assert annex(stored_dn(lab, '1502')) == {'TServer': {'contact': '*'}}
    # two updates; 1500 tries deleted_list then empty_value, 1502 only empty_value
    assert counters(lab)['writes']['requests'] - writes == 2 + 2 + 1
