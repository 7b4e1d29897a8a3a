"""Pure logic of the provisioning path: URLs with their password masked, file names, the admin
password hash kept when it matches, and which form values differ."""

import socket
import threading

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import core, keys, provisioning
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.cfgfile import ConfigFile

URL = 'https://phones:S3cret-Pw@prov.example.com:8443/phones/'


def test_a_url_shows_its_user_but_never_its_password():
    assert provisioning.shown_url(URL) == 'https://phones:********@prov.example.com:8443/phones/'
    assert provisioning.shown_url('https://prov.example.com/phones/') == 'https://prov.example.com/phones/'
    assert core.url_password(URL) == 'S3cret-Pw'
    assert core.url_password('https://prov.example.com/') is None
    assert 'S3cret-Pw' in core.secret_values({'config_url': URL, 'password': 'x-admin'})


def test_the_file_is_named_after_the_mac_lowercase_without_colons():
    assert provisioning.file_name('00:90:8F:A0:01:11') == '00908fa00111.cfg'
    assert provisioning.file_name('00-90-8f-a0-01-11') == '00908fa00111.cfg'


def test_an_md5_crypt_hash_matches_only_its_password():
    hashed = keys.md5_crypt('1234', 'FZ6rOGS1')
    assert hashed == '$1$FZ6rOGS1$54ZXSmjh7nod.kXFRyLx70'     # the database's default: openssl passwd -1
    assert core.md5_crypt_matches('1234', hashed)
    assert not core.md5_crypt_matches('12345', hashed)
    assert not core.md5_crypt_matches('1234', '{"abc="}')


def test_a_published_hash_of_the_password_is_kept():
    existing = ConfigFile('system/password=%s\n' % keys.md5_crypt('Adm1n', 'abcdefgh'))
    kept = provisioning._admin_hash_to_keep({'password': 'Adm1n'}, {'system/password': '{"x="}'}, existing, {})
    assert kept == existing.get('system/password')
    # another password: the phone's own (encrypted) value stays, no new hash
    assert provisioning._admin_hash_to_keep({'password': 'Other'}, {'system/password': '{"x="}'}, existing, {}) is None
    # the phone hides it and no file yet: a new hash of the password
    fresh = provisioning._admin_hash_to_keep({'password': 'Adm1n'}, {}, None, {})
    assert core.md5_crypt_matches('Adm1n', fresh)


def test_values_compare_as_the_firmware_reads_them():
    one = ConfigFile('voip/media/media_tos=0xb8\nvoip/media/out_of_band_dtmf=rfc2833\nx/y/password={"AbC="}\n')
    two = ConfigFile('voip/media/media_tos=184\nvoip/media/out_of_band_dtmf=RFC2833 \nx/y/password={"AbC="}\n')
    assert provisioning._normal_values(one) == provisioning._normal_values(two)
    three = ConfigFile('voip/media/media_tos=184\nvoip/media/out_of_band_dtmf=RFC2833\nx/y/password={"abc="}\n')
    assert provisioning._normal_values(two) != provisioning._normal_values(three)


def test_only_the_form_values_that_differ_are_changes():
    want = provisioning.wanted_form({'config_url': URL, 'period': 'powerup'})
    have = {'ASU_METHOD': '2', 'CFG_URL': URL, 'ASU_PERIOD': '1', 'FW_URL': 'http://fw/'}
    changes = provisioning.form_changes(want, have)
    assert changes == {'provisioning period': {'before': 'daily', 'after': 'powerup'}}
    changes = provisioning.form_changes(want, dict(have, ASU_METHOD='1', CFG_URL=''))
    assert changes['provisioning method'] == {'before': 'dynamic', 'after': 'static'}
    assert changes['provisioning config_url']['after'] == provisioning.shown_url(URL)


def test_check_sync_on_a_closed_port_says_it_was_not_delivered():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()          # nothing listens there now: the kernel answers port unreachable
    delivered, why = provisioning.check_sync('127.0.0.1', port, timeout=1.0)
    assert delivered is False and why


def test_check_sync_gets_the_answer_of_a_listening_phone():
    phone = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    phone.bind(('127.0.0.1', 0))
    phone.settimeout(2)

    def answer():
        data, peer = phone.recvfrom(4096)
        text = data.decode()
        assert 'Event: check-sync' in text
        headers = [line for line in text.split('\r\n') if line.split(':')[0] in ('Via', 'From', 'To', 'Call-ID', 'CSeq')]
        phone.sendto(('SIP/2.0 200 OK\r\n' + '\r\n'.join(headers) + '\r\nContent-Length: 0\r\n\r\n').encode(), peer)

    worker = threading.Thread(target=answer)
    worker.start()
    try:
        assert provisioning.check_sync('127.0.0.1', phone.getsockname()[1], timeout=2.0) == (True, '200 OK')
    finally:
        worker.join()
        phone.close()
