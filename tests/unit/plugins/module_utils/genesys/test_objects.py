"""Annex conversion and option comparison: how a DN's options read, compare and are written."""

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import MASK, InputError
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import objects


def dn(*props, **fields):
    obj = {'type': 'CfgDN', 'dbid': '117', 'number': '1502', 'switchdbid': '101'}
    obj.update(fields)
    obj['userproperties'] = {'property': [dict(zip(('section', 'key', 'value'), prop)) for prop in props]}
    return obj


# --- annex conversion ---------------------------------------------------------------------------

def test_annex_reads_sections_of_keys():
    obj = dn(('TServer', 'contact', '*'), ('TServer', 'password', 's3cret'), ('Reporting', 'cost-center', 'FRONT-01'))
    assert objects.annex_of(obj) == {'TServer': {'contact': '*', 'password': 's3cret'},
                                     'Reporting': {'cost-center': 'FRONT-01'}}


@pytest.mark.parametrize('userproperties', [None, {}, {'property': None}, 'garbage'])
def test_a_missing_or_odd_annex_reads_empty(userproperties):
    assert objects.annex_of({'userproperties': userproperties}) == {}


def test_a_lone_unwrapped_property_is_read():
    obj = {'userproperties': {'property': {'section': 'TServer', 'key': 'contact', 'value': '*'}}}
    assert objects.annex_of(obj) == {'TServer': {'contact': '*'}}


def test_annex_values_read_as_text():
    obj = {'userproperties': {'property': [{'section': 'TServer', 'key': 'gvm_mailbox', 'value': 1500},
                                           {'section': 'TServer', 'key': 'contact', 'value': None}]}}
    assert objects.annex_of(obj) == {'TServer': {'gvm_mailbox': '1500', 'contact': ''}}


def test_property_list_round_trips():
    sections = {'TServer': {'contact': '*', 'dr-forward': 'oos'}, 'Reporting': {'site': 'A'}}
    assert objects.annex_of({'userproperties': objects.annex_property_list(sections)}) == sections


def test_with_annex_keeps_foreign_fields_order_and_unreadable_entries():
    obj = dn(('TServer', 'contact', 'old'), ('Reporting', 'cost-center', 'FRONT-01'), ('TServer', 'gone', 'x'),
             association='Reception desk')
    obj['userproperties']['property'][0]['encrypted'] = 'false'
    obj['userproperties']['property'].append({'note': 'no section here'})
    obj['userproperties']['extra'] = 'kept'
    new = objects.with_annex(obj, {'TServer': {'contact': '*', 'dr-forward': 'oos'}, 'Reporting': {'cost-center': 'FRONT-01'}})
    assert new['association'] == 'Reception desk'
    assert new['userproperties']['extra'] == 'kept'
    assert new['userproperties']['property'] == [
        {'section': 'TServer', 'key': 'contact', 'value': '*', 'encrypted': 'false'},
        {'section': 'Reporting', 'key': 'cost-center', 'value': 'FRONT-01'},
        {'note': 'no section here'},
        {'section': 'TServer', 'key': 'dr-forward', 'value': 'oos'},
    ]
    # the object read is left as it was
    assert obj['userproperties']['property'][0]['value'] == 'old'


# --- values -------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, text', [
    (True, 'true'), (False, 'false'), (1, '1'), (2048, '2048'), (1.5, '1.5'), ('talk,hold', 'talk,hold'), (None, None),
])
def test_values_render_as_gax_text(value, text):
    assert objects.render(value) == text


@pytest.mark.parametrize('value', [['talk', 'hold'], {'a': 1}, object()])
def test_values_that_are_not_scalars_are_refused(value):
    with pytest.raises(TypeError):
        objects.render(value)


def test_sip_cti_control_compares_as_a_set_and_is_written_in_a_fixed_order():
    assert objects.same_option('sip-cti-control', 'hold, talk', 'talk,hold')
    assert objects.canonical('sip-cti-control', 'dtmf, hold ,talk,hold') == 'talk,hold,dtmf'
    assert not objects.same_option('sip-cti-control', 'talk,hold,dtmf', 'talk,hold')


def test_authenticate_requests_compares_as_a_set():
    # the note's sample writes invite,register; the feature table register,invite
    assert objects.same_option('authenticate-requests', 'invite,register', 'register, invite')
    assert objects.canonical('authenticate-requests', 'message,invite, register') == 'register,invite,message'


def test_other_values_compare_after_stripping_surrounding_spaces_only():
    # the note's sample: sip-alert-info= info=alert-autoanswer
    assert objects.same_option('sip-alert-info', 'info=alert-autoanswer', ' info=alert-autoanswer')
    assert not objects.same_option('contact', 'a,b', 'b,a')
    assert not objects.same_option('contact', '*', None)


# --- validation -----------------------------------------------------------------------------------

def test_options_validate_to_text_with_null_kept_for_removal():
    assert objects.validate_options({'TServer': {'refer-enabled': False, 'make-call-rfc3725-flow': 1,
                                                 'sip-cti-control': 'hold,talk', 'sip-alert-info': None}}, 'DN 1502') == {
        'TServer': {'refer-enabled': 'false', 'make-call-rfc3725-flow': '1', 'sip-cti-control': 'talk,hold',
                    'sip-alert-info': None}}


@pytest.mark.parametrize('options, words', [
    ({'TServer': {'sip-cti-control': ['talk', 'hold']}}, 'option TServer/sip-cti-control has a list value'),
    ({'TServer': {'contact': {'a': 1}}}, 'has a dict value'),
    ({'TServer': 'contact=*'}, 'section TServer must map keys to values'),
    ({'': {'contact': '*'}}, 'empty or has surrounding spaces'),
    ({'TServer': {' contact': '*'}}, "key ' contact'"),
    (['TServer'], 'options must map a section'),
])
def test_bad_options_name_the_object_and_the_option(options, words):
    with pytest.raises(InputError) as caught:
        objects.validate_options(options, 'DN 1502 on switch SIP_Switch_A')
    assert caught.value.message.startswith('DN 1502 on switch SIP_Switch_A: ')
    assert words in caught.value.message
    assert caught.value.fix


# --- option delta ---------------------------------------------------------------------------------

CURRENT = {'TServer': {'contact': '*', 'sip-cti-control': 'hold, talk', 'dr-forward': 'off', 'password': 'old'},
           'Reporting': {'cost-center': 'FRONT-01'}}


def test_equal_options_change_nothing():
    wanted = objects.validate_options({'TServer': {'contact': ' * ', 'sip-cti-control': 'talk,hold'}}, 'DN 1')
    after, changed = objects.plan_options(wanted, CURRENT, False, 'DN 1')
    assert changed == {}
    assert after == CURRENT


def test_only_differing_keys_change_and_unnamed_keys_stay():
    wanted = objects.validate_options({'TServer': {'dr-forward': 'oos', 'gvm_mailbox': 1502}}, 'DN 1')
    after, changed = objects.plan_options(wanted, CURRENT, False, 'DN 1')
    assert changed == {('TServer', 'dr-forward'): 'oos', ('TServer', 'gvm_mailbox'): '1502'}
    assert after['TServer']['contact'] == '*'
    assert after['Reporting'] == {'cost-center': 'FRONT-01'}


def test_null_removes_a_key_and_an_absent_null_is_no_change():
    wanted = objects.validate_options({'TServer': {'dr-forward': None, 'never-there': None}}, 'DN 1')
    after, changed = objects.plan_options(wanted, CURRENT, False, 'DN 1')
    assert changed == {('TServer', 'dr-forward'): None}
    assert 'dr-forward' not in after['TServer']


def test_purge_removes_unlisted_keys_of_named_sections_only():
    wanted = objects.validate_options({'TServer': {'contact': '*'}}, 'DN 1')
    after, changed = objects.plan_options(wanted, CURRENT, True, 'DN 1')
    assert changed == {('TServer', 'sip-cti-control'): None, ('TServer', 'dr-forward'): None,
                       ('TServer', 'password'): None}
    assert after == {'TServer': {'contact': '*'}, 'Reporting': {'cost-center': 'FRONT-01'}}


def test_a_masked_secret_keeps_the_current_value_even_when_purging():
    wanted = objects.validate_options({'TServer': {'contact': '*', 'password': MASK, 'sip-cti-control': 'talk,hold',
                                                   'dr-forward': 'off'}}, 'DN 1')
    after, changed = objects.plan_options(wanted, CURRENT, True, 'DN 1')
    assert changed == {}
    assert after['TServer']['password'] == 'old'


def test_a_masked_secret_with_nothing_to_keep_is_an_input_error():
    wanted = objects.validate_options({'TServer': {'password': MASK}}, 'DN 1503')
    with pytest.raises(InputError) as caught:
        objects.plan_options(wanted, {}, False, 'DN 1503')
    assert 'DN 1503: option TServer/password is given masked' in caught.value.message


def test_unkept_options_names_what_the_reread_lacks_or_still_has():
    changed = {('TServer', 'contact'): '*', ('TServer', 'dr-forward'): None, ('TServer', 'sip-cti-control'): 'talk,hold'}
    reread = dn(('TServer', 'contact', 'sip:1502@127.0.0.1'), ('TServer', 'dr-forward', 'oos'),
                ('TServer', 'sip-cti-control', 'hold,talk'))
    assert objects.unkept_options(changed, reread) == [
        ('TServer/contact', '*', 'sip:1502@127.0.0.1'), ('TServer/dr-forward', None, 'oos')]


def test_each_annex_removal_form_asks_for_the_removal_and_sends_the_rest_as_read():
    obj = dn(('TServer', 'contact', '*'), ('TServer', 'gvm_mailbox', '1502'), ('Reporting', 'cost-center', 'F1'), name='A')
    listed = objects.annex_removal_body('deleted_list', obj, [('TServer', 'gvm_mailbox')])
    assert objects.annex_of(listed) == {'TServer': {'contact': '*'}, 'Reporting': {'cost-center': 'F1'}}
    assert listed[objects.ANNEX_DELETED_FIELD] == {'property': [{'section': 'TServer', 'key': 'gvm_mailbox'}]}
    emptied = objects.annex_removal_body('empty_value', obj, [('TServer', 'gvm_mailbox')])
    assert emptied['userproperties']['property'][1] == {'section': 'TServer', 'key': 'gvm_mailbox', 'value': ''}
    assert objects.ANNEX_DELETED_FIELD not in emptied
    for body in (listed, emptied):
        assert dict(body, userproperties=None, **{objects.ANNEX_DELETED_FIELD: None}) == \
            dict(obj, userproperties=None, **{objects.ANNEX_DELETED_FIELD: None})
    assert [form for form, dummy in objects.ANNEX_REMOVAL_FORMS] == ['deleted_list', 'empty_value']


# --- fields ---------------------------------------------------------------------------------------

def test_dn_fields_speak_module_words():
    obj = dn(subtype='CFGACDPosition', name='Queue seat 3', state='CFGDisabled', folderid='107')
    assert objects.DN.describe(obj) == {'type': 'acd_position', 'name': 'Queue seat 3', 'enabled': False, 'folder': '107'}
    assert objects.DN.field('type').same('acd_position', obj)
    assert not objects.DN.field('enabled').same(True, obj)


def test_an_agent_login_password_is_never_described():
    login = {'logincode': '7001', 'state': 'CFGEnabled', 'password': 'should-not-be-here'}
    assert objects.AGENT_LOGIN.describe(login) == {'enabled': True}
