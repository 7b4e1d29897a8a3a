"""Every module documents its attributes through the collection's fragment, and says what it really does."""

import importlib
import os
import subprocess
import sys

import pytest
import yaml

PREFIX = 'ansible_collections.telephony.genesys_audiocodes.'
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))))
MODULES_DIR = os.path.join(REPO_ROOT, 'plugins', 'modules')
MODULES = sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith('.py') and not name.startswith('_'))
SUPPORT = ('full', 'partial', 'none')


def documentation(name):
    return yaml.safe_load(importlib.import_module(PREFIX + 'plugins.modules.' + name).DOCUMENTATION)


def fragments(doc):
    return doc.get('extends_documentation_fragment') or []


def attributes(doc):
    """The module's attributes as the collection's fragments and its own section give them (its own win)."""
    merged = {}
    for fragment in fragments(doc):
        if fragment.startswith(PREFIX[len('ansible_collections.'):] + 'attributes'):
            variable = fragment.split('.')[3] if fragment.count('.') == 3 else 'documentation'
            other = importlib.import_module(PREFIX + 'plugins.doc_fragments.attributes')
            for key, value in (yaml.safe_load(getattr(other.ModuleDocFragment, variable.upper())).get('attributes') or {}).items():
                merged[key] = dict(merged.get(key) or {}, **value)
    for key, value in (doc.get('attributes') or {}).items():
        merged[key] = dict(merged.get(key) or {}, **value)
    return merged


def action_groups():
    with open(os.path.join(REPO_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle).get('action_groups') or {}


@pytest.mark.parametrize('name', MODULES)
def test_doc_uses_the_attributes_fragment_and_states_check_diff_and_idempotence(name):
    doc = documentation(name)
    assert 'telephony.genesys_audiocodes.attributes' in fragments(doc), name
    assert 'ansible.builtin.action_common_attributes' in fragments(doc), name
    found = attributes(doc)
    for key in ('check_mode', 'diff_mode', 'idempotent'):
        assert found.get(key, {}).get('support') in SUPPORT, (name, key, found.get(key))
        if found[key]['support'] == 'partial':
            assert found[key].get('details'), '%s: %s is partial: say where in details' % (name, key)
    assert found['idempotent'].get('description'), name


@pytest.mark.parametrize('name', MODULES)
def test_doc_claims_an_action_group_only_when_meta_runtime_has_the_module_in_it(name):
    claimed = attributes(documentation(name)).get('action_group', {}).get('membership') or []
    actual = sorted(PREFIX[len('ansible_collections.'):] + group for group, members in action_groups().items()
                    if name in members)
    assert sorted(claimed) == actual, name


def test_doc_of_inventory_export_does_not_claim_idempotence_it_reports_a_change_every_run():
    # plugins/action/inventory_export.py: changed=not check_mode, and existing files stop a run without force.
    found = attributes(documentation('inventory_export'))
    assert found['idempotent']['support'] == 'none'
    assert found['check_mode']['support'] == 'partial'  # check mode reports no change; the run reports one


def test_doc_of_field_checks_and_fleet_matches_their_code():
    for name in ('audiocodes_field_check', 'genesys_field_check'):
        found = attributes(documentation(name))
        assert (found['check_mode']['support'], found['diff_mode']['support'], found['idempotent']['support']) \
            == ('full', 'none', 'full'), name  # changed is always false, ReadOnlyRecorder refuses writes
    found = attributes(documentation('audiocodes_phone_fleet'))
    # each phone is worked as audiocodes_phone works it: its diff masks secrets, update_secrets=always rewrites
    assert (found['check_mode']['support'], found['diff_mode']['support'], found['idempotent']['support']) \
        == ('full', 'partial', 'partial')


ANSIBLE_DOC = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
TREE = os.path.join(REPO_ROOT, '.collections')


@pytest.mark.skipif(not os.access(ANSIBLE_DOC, os.X_OK) or not os.path.isdir(TREE),
                    reason='needs the venv ansible-doc and the collection tree (make tree)')
def test_doc_renders_with_ansible_doc_for_the_modules_that_gained_the_fragment(tmp_path):
    names = ['audiocodes_phone_fleet', 'audiocodes_field_check', 'genesys_field_check', 'inventory_export']
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=TREE, HOME=str(tmp_path), ANSIBLE_LOCAL_TEMP=str(tmp_path))
    result = subprocess.run([ANSIBLE_DOC, '--json'] + ['telephony.genesys_audiocodes.' + n for n in names],
                            cwd=os.path.join(TREE, 'ansible_collections', 'telephony', 'genesys_audiocodes'),
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    for name in names:
        attrs = rendered['telephony.genesys_audiocodes.' + name]['doc']['attributes']
        assert attrs['idempotent']['description'], name
        assert attrs['check_mode']['description'], name  # from action_common_attributes
