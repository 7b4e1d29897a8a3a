"""Capture the lab's own variants as bundles under tests/fixtures/captures/ (docs/field-check.md).

    .venv/bin/python tests/tools/capture_fixtures.py [--out tests/fixtures/captures]

Starts a lab on 127.78.x.y (admin and GAX on 127.0.0.78, ports 18780-18784) with one phone per
variant below, runs the field check's probes on each (the same code as the modules,
audiocodes_field_check and genesys_field_check) with capture on, and writes one bundle per phone
(`phone-<variant>/bundle.json`) and one for the lab GAX (`gax-default/bundle.json`). The lab is
stopped at the end. The unit tests run the collection's parsers over every bundle found there.
"""

import argparse
import os
import shutil
import sys
import tempfile

import yaml

TOOLS = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOLS))
sys.path.insert(0, os.path.join(REPO_ROOT, 'tests'))
sys.path.insert(0, os.path.join(REPO_ROOT, '.collections'))

from labfixture import CA_PATH, Lab, deep_merge, load_profile, only_these_emulators  # noqa: E402

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import fieldcheck  # noqa: E402
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.client import PhoneClient  # noqa: E402
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import SecretMasker  # noqa: E402
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys import fieldcheck as gax_check  # noqa: E402
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import GaxClient  # noqa: E402

ADMIN, GAX = '127.0.0.78:18780', '127.0.0.78:18781'
HTTPS_PORT = 18784
PASSWORD = 'Capture-Admin-78'
# name -> (model, variants); a secret in the configuration, so that masking is part of the fixture
VARIANTS = {
    'default': ('440HD', {}),
    'auth-basic': ('420HD', {'auth': 'basic'}),
    'secrets-clear': ('440HD', {'secrets': 'clear'}),
    'secrets-stars': ('430HD', {'secrets': 'stars'}),
    'enum-case-database': ('405HD', {'enum_case': 'database'}),
    'download-plain': ('420HD', {'download_format': 'plain'}),
    'config-link-script': ('440HD', {'config_link': 'script'}),
    'upload-cgi': ('440HD', {'upload_form': 'upload_cgi'}),
    'without-assumed-keys': ('440HD', {'without_assumed_keys': True}),
    'expired-redirect': ('440HD', {'expired_session': 'redirect_login'}),
    'download-modified-only': ('440HD', {'download': 'modified_only'}),
    'enum-download-numbers': ('420HD', {'enum_download': 'numbers'}),
    'info-unlabelled': ('430HD', {'info_page': 'unlabelled'}),
    'status-lines-bare': ('440HD', {'status_lines': 'bare'}),
    'auto-provision-script-filled': ('440HD', {'auto_provision_form': 'script_filled'}),
}
CONFIG = {'voip/line/0/id': '1501', 'voip/line/0/enabled': '1', 'voip/line/0/auth_password': 'fixture-sip-Zq4',
          'provisioning/configuration/url': 'https://prov:fixture-prov-Wd2@127.0.0.78:18799/phones/'}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join(REPO_ROOT, 'tests', 'fixtures', 'captures'))
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='capture-fixtures-')
    phones = []
    for index, (name, (model, variants)) in enumerate(sorted(VARIANTS.items())):
        phones.append({'address': '127.78.1.%d' % (11 + index), 'model': model, 'admin_password': PASSWORD,
                       'config': CONFIG, 'variants': variants})
    phones_file = os.path.join(work, 'phones.yml')
    with open(phones_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(phones, handle)
    overrides = only_these_emulators({
        'phone': {'admin': ADMIN, 'http_port': 18783, 'https_port': HTTPS_PORT, 'phones_file': phones_file,
                  'timings': {'reboot_seconds': 1}},
        'gax': {'admin': '127.0.0.78:18782', 'instances': [{'name': 'gax', 'listen': GAX, 'scheme': 'http'}]},
    })
    lab = Lab(os.path.join(work, 'lab'), deep_merge(load_profile(), overrides)).up()
    try:
        captures = os.path.join(work, 'captures')
        for phone, name in zip(phones, sorted(VARIANTS)):
            client = PhoneClient(phone['address'], port=HTTPS_PORT, ca_path=CA_PATH, password=PASSWORD)
            result = fieldcheck.run(client, SecretMasker([PASSWORD]), captures, phone['address'])
            target = os.path.join(args.out, 'phone-%s' % name)
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(target)
            shutil.copy(result['capture'], os.path.join(target, 'bundle.json'))
            os.chmod(os.path.join(target, 'bundle.json'), 0o644)
            print('phone-%s: %d exchanges' % (name, len(result['requests'])))
        client = GaxClient('http://%s' % GAX, 'operator', 'operator-lab')
        result = gax_check.run(client, 'SIP_Switch_A', ['1500', '1501'], ['7000'], captures, 'default')
        target = os.path.join(args.out, 'gax-default')
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        shutil.copy(result['capture'], os.path.join(target, 'bundle.json'))
        os.chmod(os.path.join(target, 'bundle.json'), 0o644)
        print('gax-default: %d exchanges' % len(result['requests']))
    finally:
        lab.down()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
