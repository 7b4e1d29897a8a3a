"""What the firmware module reads from an image, how it compares versions, and what counts as refused."""

import pytest

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import firmware
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError

HEADER = b'AUDC-IPP-FW/1\nmodel=440HD\nversion=2.2.16.600\npayload-size=3\n\nabc'


@pytest.mark.parametrize('running, target, order', [
    ('2.2.16.501', '2.2.16.600', -1), ('2.2.16.600', '2.2.16.600', 0), ('2.2.16.704', '2.2.16.600', 1),
    ('2.2.8.61', '2.2.16.501', -1), ('2.2.16.142.12', '2.2.16.142', 1), ('3.0.1.429', '2.2.16.600', 1),
])
def test_versions_compare_as_numbers_not_text(running, target, order):
    assert firmware.compare(running, target) == order


def test_a_version_that_is_not_dotted_numbers_cannot_be_compared():
    assert firmware.compare('UC_3.2.1', '2.2.16.600') is None and firmware.version_tuple('') is None


def test_name_and_header_agree():
    assert firmware.image_identity('440HD_2.2.16.600.img', HEADER) == {
        'name': '440HD_2.2.16.600.img', 'model': '440HD', 'version': '2.2.16.600'}


def test_a_provisioning_name_without_version_takes_it_from_the_header():
    assert firmware.image_identity('440HD.img', HEADER)['version'] == '2.2.16.600'


def test_the_name_alone_is_enough_when_the_header_is_unknown():
    identity = firmware.image_identity('UC420HD_2.2.16.538.img', b'\x7fELF\x00\x00')
    assert (identity['model'], identity['version']) == ('420HD', '2.2.16.538')


@pytest.mark.parametrize('name, head, words', [
    ('420HD_2.2.16.600.img', HEADER, 'its name says model 420HD, its header 440HD'),
    ('440HD_2.2.16.501.img', HEADER, 'its name says version 2.2.16.501, its header 2.2.16.600'),
    ('firmware.bin', b'\x00\x01', 'neither its name nor its header tells the model'),
    ('440HD.img', b'\x00\x01', 'neither its name nor its header tells the version'),
])
def test_disagreeing_or_silent_images_are_refused(name, head, words):
    with pytest.raises(ValueError, match=words):
        firmware.image_identity(name, head)


def test_a_missing_image_is_an_input_error_naming_the_phone(tmp_path):
    with pytest.raises(InputError) as caught:
        firmware.read_image(str(tmp_path / '440HD_2.2.16.600.img'), 'phone 127.0.1.1')
    assert caught.value.message.startswith('phone 127.0.1.1: image ') and 'is not a file' in caught.value.message


def test_refusal_reads_the_visible_text_only():
    assert firmware.refusal('<html><body><p>Upgrade failed: invalid firmware file.</p></body></html>') == \
        'Upgrade failed: invalid firmware file'
    assert firmware.refusal('<html><script>function onerror(){}</script><p>Upgrading, do not power off.</p></html>') is None
