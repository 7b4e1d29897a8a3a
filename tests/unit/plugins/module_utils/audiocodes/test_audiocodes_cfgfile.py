"""The configuration-file reader/writer round-trips real AudioCodes files and edits them in place."""

import glob
import os

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import cfgfile
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile

REPO_ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.realpath(__file__)), '..', '..', '..', '..', '..'))
SAMPLES = os.path.join(REPO_ROOT, '..', 'shared', 'reference', 'samples')
SAMPLE_FILES = sorted(glob.glob(os.path.join(SAMPLES, '*.cfg')))

needs_samples = pytest.mark.skipif(not SAMPLE_FILES, reason='reference samples not found at %s' % SAMPLES)


def read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def sample(name):
    path = os.path.join(SAMPLES, name)
    if not os.path.exists(path):
        pytest.skip('reference sample %s not found' % path)
    return read(path)


@needs_samples
@pytest.mark.parametrize('path', SAMPLE_FILES, ids=os.path.basename)
def test_every_real_file_renders_back_byte_for_byte(path):
    data = read(path)
    assert ConfigFile.from_bytes(data).to_bytes() == data


@needs_samples
@pytest.mark.parametrize('path', SAMPLE_FILES, ids=os.path.basename)
def test_setting_a_key_to_its_own_value_changes_no_byte(path):
    data = read(path)
    config = ConfigFile.from_bytes(data)
    config.update(config.values())
    assert config.to_bytes() == data


@needs_samples
def test_the_310hd_dump_reads_every_key_with_its_value():
    config = ConfigFile.from_bytes(sample('audiocodes-310HD-full-dump.cfg'))
    values = config.values()
    assert values['system/type'] == '310HD'
    assert values['system/password'] == '$1$FZ6rOGS1$54ZXSmjh7nod.kXFRyLx70'
    assert values['voip/line/0/auth_password'] == '2833'
    assert values['voip/signalling/sip/proxy_address'] == '{$SERVER_IP}'
    assert values['provisioning/firmware/url'] == ''
    assert config.keys()[0] == 'system/type'


@needs_samples
def test_the_user_file_keeps_its_include_and_never_counts_it_as_a_key():
    config = ConfigFile.from_bytes(sample('audiocodes-user-sfb.cfg'))
    assert config.includes == ['https://ippmgr.shanehoey.com/ipp/dhcpoption160.cfg']
    assert not any(key.startswith('include') for key in config.keys())
    # The 405 section sets functional key 5 again: the later line wins.
    assert config.get('personal_settings/functional_key/5/speed_dial_number') == '+61770103015'
    assert config.get('personal_settings/functional_key/5/type') == 'SPEED_DIAL'


@needs_samples
def test_changing_one_value_in_a_real_file_changes_only_that_line():
    data = sample('audiocodes-310HD-full-dump.cfg')
    config = ConfigFile.from_bytes(data)
    config.set('voip/line/0/id', '1502')
    before = data.decode('utf-8').splitlines(True)
    after = config.to_bytes().decode('utf-8').splitlines(True)
    assert len(before) == len(after)
    different = [(old, new) for old, new in zip(before, after) if old != new]
    assert different == [('voip/line/0/id=168\n', 'voip/line/0/id=1502\n')]


@needs_samples
def test_a_key_set_twice_is_changed_on_every_line_that_sets_it():
    config = ConfigFile.from_bytes(sample('audiocodes-user-sfb.cfg'))
    config.set('personal_settings/functional_key/5/type', 'SPEED_DIAL_BLF')
    text = config.render()
    assert text.count('personal_settings/functional_key/5/type=SPEED_DIAL_BLF\n') == 2
    assert 'personal_settings/functional_key/5/type=SPEED_DIAL\n' not in text


def test_comments_blank_lines_and_spaces_around_equals_survive_an_edit():
    text = ';head\n\n  voip/line/0/id = 1501   \r\nvoip/x={"QUJD"}\n# other comment\nbroken line\n'
    config = ConfigFile(text)
    assert config.get('voip/line/0/id') == '1501'
    assert config.get('voip/x') == '{"QUJD"}'
    config.set('voip/line/0/id', '1502')
    assert config.render() == ';head\n\n  voip/line/0/id = 1502   \r\nvoip/x={"QUJD"}\n# other comment\nbroken line\n'


def test_a_new_key_goes_at_the_end_with_the_files_own_line_ending():
    config = ConfigFile('a/b=1\r\nc/d=2')
    config.set('e/f', 'x')
    assert config.render() == 'a/b=1\r\nc/d=2\r\ne/f=x\r\n'
    assert config.keys() == ['a/b', 'c/d', 'e/f']


def test_an_empty_file_gains_keys():
    config = ConfigFile('')
    config.update({'a/b': '1'})
    assert config.render() == 'a/b=1\n'


def test_include_with_a_query_string_is_an_include_not_a_setting():
    config = ConfigFile('include http://127.0.0.1/x.cfg?mac=1\nvoip/a=1\n')
    assert config.includes == ['http://127.0.0.1/x.cfg?mac=1']
    assert config.values() == {'voip/a': '1'}


def test_a_value_with_equals_signs_and_semicolons_is_kept_whole():
    config = ConfigFile('voip/uri=sip:1502@host;transport=tls\n')
    assert config.get('voip/uri') == 'sip:1502@host;transport=tls'


@pytest.mark.parametrize('separator', ['\n', '\r', '\x0b', '\x0c', '\x85', '\x1c', '\x1d', '\x1e', '\x00',
                                       '\u2028', '\u2029'])
def test_a_line_or_paragraph_separator_or_control_in_a_value_is_refused(separator):
    config = ConfigFile('a/b=1\n')
    with pytest.raises(ValueError, match='U\\+%04X' % ord(separator)):
        config.set('a/b', 'x%sy=1' % separator)
    assert config.render() == 'a/b=1\n'


@pytest.mark.parametrize('key', ['a/b\n', 'a/b\u2028c/d', 'a b', 'a=b', ''])
def test_a_key_that_would_break_its_line_is_refused(key):
    config = ConfigFile('a/b=1\n')
    with pytest.raises(ValueError, match='not a configuration key'):
        config.set(key, 'x')
    assert config.render() == 'a/b=1\n'


def test_latin1_bytes_and_a_bom_round_trip():
    data = b'\xef\xbb\xbfvoip/line/0/description=caf\xc3\xa9\n'
    config = ConfigFile.from_bytes(data)
    assert config.get('voip/line/0/description') == u'caf\xe9'
    assert config.to_bytes() == data
    latin = b'voip/line/0/description=caf\xe9\n'
    assert ConfigFile.from_bytes(latin).to_bytes() == latin


def test_a_latin1_file_cannot_carry_a_character_outside_latin1_and_says_so():
    """Issue 22 item 10: a phone's Latin-1 download and a value with a euro sign crashed (UnicodeEncodeError)."""
    latin = b'voip/line/0/description=caf\xe9\n'
    config = ConfigFile.from_bytes(latin)
    assert config.cannot_carry({'voip/line/0/description': u'5 \u20ac', 'voip/line/0/id': u'Zo\xeb'}) == [
        'voip/line/0/description']
    with pytest.raises(ValueError, match='not UTF-8, and cannot carry the value of voip/line/0/description'):
        config.set('voip/line/0/description', u'5 \u20ac')
    config.set('voip/line/0/id', u'Zo\xeb')                      # Latin-1 characters: the file keeps its bytes
    assert config.to_bytes() == latin + b'voip/line/0/id=Zo\xeb\n'
    assert ConfigFile.from_bytes(b'a/b=1\n').cannot_carry({'a/b': u'5 \u20ac \u674e'}) == []


@pytest.mark.parametrize('text', [
    'a=b', 'a = b', 'a= b', 'a =b', ' a=b', '\ta=b', 'a=\x0bb', 'a=b \r\n', 'include=x', 'include x=y', ';a=b',
    '#a=b', 'a b=c', '=x', 'a==b', 'a=', 'a=\n', 'a=b=c\r', 'ключ=значение', 'a\x0cb=c', 'a=\u00a0b', 'voip/line/0/id=2001\n',
])
def test_the_fast_path_of_a_line_agrees_with_the_setting_pattern(text):
    # A plain key=value line skips the regex (a fleet's files are read by the thousand lines): same result.
    line = cfgfile._classify(text)
    body = text.rstrip('\r\n')
    setting = cfgfile._SETTING.match(body)
    if setting and not body.lstrip().startswith(('include ', 'include\t')):
        assert (line.kind, line.head, line.value, line.key) == (
            cfgfile.SETTING, setting.group('head'), setting.group('value'), setting.group('key'))
    else:
        assert line.kind != cfgfile.SETTING
    assert line.render() == text


def test_values_follow_a_set():
    config = cfgfile.ConfigFile('a=1\nb=2\n')
    assert config.values() == {'a': '1', 'b': '2'} and 'b' in config
    config.values()['a'] = 'not kept'           # a copy: the caller's changes do not reach the file
    config.set('a', '3')
    config.set('c', '4')
    assert config.values() == {'a': '3', 'b': '2', 'c': '4'} and config.get('c') == '4' and 'c' in config


ODD_LINES = ['a=b', 'a = b', 'a= b', ' a=b', 'a=\x0bb', 'a=b \r\n', 'include=x', 'include x=y', 'include  a', ';a=b',
             '#a=b', 'a b=c', '=x', 'a==b', 'a=', 'ключ=значение', 'a\x0cb=c', 'x=y\u2028z', '  ', '', 'junk line',
             'a=1\r\r\nb=2\n\rc=3']


@pytest.mark.parametrize('newline', ['\n', '\r\n', '\r'])
def test_a_file_read_without_its_lines_reads_as_with_them(newline):
    # values, includes and other lines come from one pass that makes no line objects for plain key=value
    # lines; the same file with its lines made (as for an edit) must read the same.
    text = newline.join(ODD_LINES + [line + '=1' for line in ('k', 'voip/line/0/id')])
    scanned, built = ConfigFile(text), ConfigFile(text)
    assert built.render() == text           # makes the lines
    assert scanned._built is None
    assert (scanned.values(), scanned.includes, scanned.other_lines()) == \
        (built.values(), built.includes, built.other_lines())
    assert scanned._built is None           # reading made no line objects
    assert 'x=y' in scanned.includes and 'junk line' in scanned.other_lines()
