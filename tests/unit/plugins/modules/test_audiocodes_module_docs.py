"""The phone modules' argument specs say exactly what their documentation says."""

import importlib

import pytest
import yaml

from ansible_collections.telephony.genesys_audiocodes.plugins.doc_fragments.audiocodes import ModuleDocFragment

MODULES = ['audiocodes_phone', 'audiocodes_phone_info', 'audiocodes_phone_reboot']
PREFIX = 'ansible_collections.telephony.genesys_audiocodes.plugins.modules.'


class Captured(Exception):
    pass


def argument_spec_of(name, monkeypatch):
    module = importlib.import_module(PREFIX + name)
    seen = {}

    class Capture(object):
        def __init__(self, argument_spec, **kwargs):
            seen['spec'] = argument_spec
            seen['kwargs'] = kwargs
            raise Captured()

    monkeypatch.setattr(module, 'PhoneModule', Capture)
    with pytest.raises(Captured):
        module.main()
    return module, seen['spec'], seen['kwargs']


def documented_options(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = dict(yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options'])
    for fragment in doc.get('extends_documentation_fragment') or []:
        if not fragment.startswith('telephony.genesys_audiocodes.'):
            continue
        name, dummy, variable = fragment[len('telephony.genesys_audiocodes.'):].partition('.')
        if name != 'audiocodes':    # a fragment file, or file.VARIABLE (attributes.phone); options only
            other = importlib.import_module('ansible_collections.telephony.genesys_audiocodes.plugins.doc_fragments.' + name)
            text = getattr(other.ModuleDocFragment, (variable or 'documentation').upper())
            options.update(yaml.safe_load(text).get('options') or {})
    options.update(doc.get('options') or {})
    return doc, options


@pytest.mark.parametrize('name', MODULES)
def test_argument_spec_matches_documentation(name, monkeypatch):
    module, spec, kwargs = argument_spec_of(name, monkeypatch)
    doc, options = documented_options(module)
    assert kwargs.get('supports_check_mode') is True
    assert sorted(spec) == sorted(options)
    for option, rules in spec.items():
        documented = options[option]
        assert documented.get('type', 'str') == rules.get('type', 'str'), option
        assert documented.get('default') == rules.get('default'), option
        assert bool(documented.get('required')) == bool(rules.get('required')), option
        assert documented.get('choices') == rules.get('choices'), option
        assert documented.get('elements') == rules.get('elements'), option
    assert spec['password'].get('no_log') is True
    assert doc['module'] == name
    for example in yaml.safe_load(module.EXAMPLES):
        for fqcn in [key for key in example if key.startswith('telephony.genesys_audiocodes.')]:
            own_spec = argument_spec_of(fqcn.rsplit('.', 1)[1], monkeypatch)[1]
            assert set(example[fqcn]) <= set(own_spec), example['name']
    assert isinstance(yaml.safe_load(module.RETURN), dict)


def test_environment_fallbacks_for_the_connection():
    from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes.module_support import (
        connection_argument_spec,
    )
    spec = connection_argument_spec()
    assert spec['username']['fallback'][1] == ['AUDIOCODES_USERNAME']
    assert spec['password']['fallback'][1] == ['AUDIOCODES_PASSWORD']
    assert spec['ca_path']['fallback'][1] == ['AUDIOCODES_CA_PATH']
