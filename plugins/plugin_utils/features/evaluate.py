# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The evaluation: the note's rules over the inventory read, then the desired state from the table.

Inventory (phones with their lines and feature flags, sites, the deployment) goes in; the desired
state comes out: per switch the DN annex options (section ``TServer``) and Agent Logins, per phone
the ``settings`` dict (AudioCodes configuration keys -> values). ``preflight`` enforces the note's
known limitations before anything is written. The schema is documented in docs/inventory.md.

Secrets (SIP passwords, Agent Login passwords) pass through into the result unchanged; no message
built here ever contains one.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

try:
    from collections.abc import Mapping
except ImportError:  # pragma: no cover - Python 2 is not a target, this keeps the import quiet
    Mapping = dict

from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.inventory import (
    DEPRECATED, ERROR, WARNING, InventoryError, Report, enabled, is_ipv6, is_on, read_deployment, read_phone, read_sites,
    show,
)
from ansible_collections.telephony.genesys_audiocodes.plugins.plugin_utils.features.table import (
    BASIC, DEPLOYMENTS, DN_OPTION_OFF, FEATURE_BY_NAME, FEATURES, LINE_KEYS, MAX_LENGTH_EXPANDED, MODELS,
    NOT_WRITTEN, PHONE, SET_OPTIONS, WIDE_KEY_OFF, WIDE_KEYS, Choice, Ctx, P, Port, Reset, Token, off_value, site_ctx,
)


# ---------------------------------------------------------------------------------------------
# The function
# ---------------------------------------------------------------------------------------------

def _render(spec, params, ctx):
    if isinstance(spec, str) or spec is None or spec is NOT_WRITTEN:
        return spec
    if isinstance(spec, P):
        value = params[spec.param]
        return value if value is None or isinstance(value, tuple) else str(value)
    if isinstance(spec, Choice):
        return spec.values[params[spec.param]]
    if isinstance(spec, Ctx):
        return ctx[spec.name]
    if isinstance(spec, Port):
        return ctx[spec.tls if ctx.get('tls') else spec.udp]
    raise AssertionError('table: cannot render %r' % (spec,))


def _key_value(spec, params, ctx):
    """A phone key's value; an optional parameter that is not given leaves the key as it is."""
    value = _render(spec, params, ctx)
    return NOT_WRITTEN if value is None else value


def _join_set(name, members):
    order = SET_OPTIONS[name]
    return ','.join(m for m in order if m in members) if members else None


class _Evaluation(object):
    """Reads the inventory once and keeps what preflight and desired_state both need."""

    def __init__(self, phones, sites, deployment, bc_mode, bc_sites):
        self.report = Report()
        report = self.report
        self.sites = read_sites(report, sites if sites is not None else [])
        self.deployment = deployment or 'standalone'
        self.mode, self.bc_pair = read_deployment(report, deployment, bc_mode, bc_sites, self.sites)
        if not isinstance(phones, Mapping):
            report.error('schema', 'phones', 'phones must map each host name to its variables')
            phones = {}
        self.phones = []
        for host in phones:
            phone = read_phone(report, str(host), phones[host], self.sites)
            if phone is not None:
                self.phones.append(phone)
        self.primaries = {}
        self._rules()

    # -- where a phone's DNs live -------------------------------------------------------------
    def switches_of(self, site):
        if self.bc_pair:
            return self.bc_pair if site in self.bc_pair else ()
        return (site,)

    @property
    def is_bc(self):
        return self.deployment == 'business_continuity'

    # -- the known limitations (note section 6 and tables) --------------------------------------
    def _rules(self):
        report = self.report
        self._site_rules()
        owners = {}
        tls_hosts = {}
        for phone in self.phones:
            model = MODELS[phone.model]
            if phone.firmware_tuple is not None and phone.firmware_tuple < model.min_firmware \
                    and not phone.allow_unvalidated:
                report.error('firmware', phone.host, 'firmware %s is older than %s, the first release the note '
                             'validates for the %s' % (phone.firmware, '.'.join(map(str, model.min_firmware)), phone.model),
                             'upgrade the phone, or set allow_unvalidated_firmware: true to accept the risk')
            if self.is_bc and phone.site and self.bc_pair and phone.site not in self.bc_pair:
                report.error('schema', phone.host, 'site %s is not one of gac_bc_sites (%s)' % (phone.site, ', '.join(self.bc_pair)),
                             'move the phone to a Business Continuity site or add its site to gac_bc_sites')
            for line in phone.lines:
                if enabled(line, 'tls'):
                    tls_hosts.setdefault(phone.site, []).append(phone.host)
                self._line_rules(phone, line)
                if phone.site is None:
                    continue
                sca = line.features.get('sca')
                if sca and sca['role'] == 'secondary' and sca['primary_dn'] == line.dn:
                    continue  # the primary's host owns this DN
                for switch in self.switches_of(phone.site):
                    owner = owners.setdefault((switch, line.dn), (phone.host, line.index))
                    if owner != (phone.host, line.index):
                        report.error('duplicate_dn', line.subject, 'DN %s on switch of site %s is also line %d of %s'
                                     % (line.dn, switch, owner[1], owner[0]),
                                     'a DN belongs to one host: remove it from one of them (SCA secondaries use '
                                     'sca: {role: secondary, primary_dn: ...})')
        self._ipv6_rules()
        for site in sorted(s for s in tls_hosts if s):
            for host in tls_hosts[site]:
                report.warning('tls_security_pack', host, 'TLS 1.2 to a SIP Server on UNIX needs Genesys Security '
                               'Pack 8.5.1 or later (note section 5)',
                               'check the SIP Server hosts of site %s before relying on TLS' % site)
        self._sca_links()

    def _ipv6_rules(self):
        # The note's feature chart, read in the glossary's order, says IPv6: No. Warn, do not refuse.
        cause = 'the IPv6 address %s is not validated by the note (its feature chart: IPv6 "No")'
        fix = 'test IPv6 registration and calls on one phone first, or use an IPv4 address'
        for site in sorted(self.sites):
            for where, entry in (('sip_server', self.sites[site].sip_server),
                                 ('sip_proxy_pool', self.sites[site].sip_proxy_pool)):
                if entry and is_ipv6(entry[0]):
                    self.report.warning('ipv6', 'site %s %s' % (site, where), cause % entry[0], fix)
        for phone in self.phones:
            if is_ipv6(phone.address):
                self.report.warning('ipv6', phone.host, cause % phone.address, fix)

    def _site_rules(self):
        report = self.report
        for site in self.sites.values():
            subject = 'site %s' % site.name
            if self.deployment == 'standalone' and site.sip_server is None:
                report.error('schema', subject, 'standalone needs sip_server',
                             'write sip_server: {address: ..., port: 5060}')
            if self.is_bc and site.sip_server is None and site.sip_proxy_pool is None:
                report.error('schema', subject, 'business_continuity needs sip_server or sip_proxy_pool (the FQDN of '
                             'the site\'s SIP Proxy pool, which wins when both are given)',
                             'write sip_server: {address: ..., port: 5060} or sip_proxy_pool: {fqdn: ..., port: 5060}')
            if self.deployment == 'sip_proxy_ha' and site.sip_proxy_pool is None:
                report.error('schema', subject, 'sip_proxy_ha needs sip_proxy_pool (the FQDN of the SIP Proxy pool)',
                             'write sip_proxy_pool: {fqdn: ..., port: 5060}')
        logins = {}
        for site in sorted(self.sites):
            for login in self.sites[site].logins:
                for switch in self.switches_of(site):
                    previous = logins.setdefault((switch, login['login_code']), (site, login))
                    if previous[1] is not login and previous[1] != login:
                        report.error('duplicate_login', 'site %s agent login %s' % (site, login['login_code']),
                                     'the login code is also defined, differently, by site %s and both go to the '
                                     'switch of site %s' % (previous[0], switch),
                                     'define it once, or identically on both Business Continuity sites')

    def _line_rules(self, phone, line):
        report = self.report
        sca = line.features.get('sca')
        if sca:
            if not MODELS[phone.model].sca:
                report.error('sca_model', line.subject, 'the note supports full SCA only on the 440HD, this is a %s'
                             % phone.model, 'remove sca from this line or use a 440HD')
            # The note, twice: section 5 (Shared Call Appearance: "AC 440HD does not support SCA in
            # Business Continuity deployments") and 6.1 ("Shared Call Appearance is not supported when
            # Genesys SIP Server is deployed in Business Continuity mode"). No SIP Server version lifts it.
            if self.is_bc:
                report.error('sca_business_continuity', line.subject, 'Shared Call Appearance is not supported when '
                             'SIP Server runs in Business Continuity, on any phone (note section 5, Shared Call '
                             'Appearance, and section 6.1, Issues and Limitations Identified with Genesys Products)',
                             'remove sca from this line, or deploy this phone in a standalone or sip_proxy_ha '
                             'deployment (gac_deployment)')
            if sca['role'] == 'secondary' and not sca['primary_dn']:
                report.error('schema', line.subject, 'a SCA secondary needs primary_dn (the Primary Shared Line DN)',
                             'write sca: {role: secondary, primary_dn: <dn>}')
            if sca['role'] == 'primary' and sca['primary_dn']:
                report.error('schema', line.subject, 'primary_dn is for SCA secondaries; this line is the primary',
                             'remove primary_dn')
            if sca['role'] == 'primary' and line.dn_type != 'extension':
                report.error('schema', line.subject, 'a Primary Shared Line DN is an Extension', 'set dn_type: extension')
            # preferred_site is accepted and ignored: it named the sca-preferred-site of Business
            # Continuity, where the note refuses SCA (above).
            if sca['role'] == 'primary' and line.state == 'present':
                self.primaries.setdefault(line.dn, []).append((phone, line))
        if enabled(line, 'agent_state_control') and self.is_bc and self.mode == 'simultaneous':
            report.error('agent_state_control_business_continuity', line.subject, 'agent state control from the phone '
                         'needs Business Continuity in primary-fallback mode (note section 4)',
                         'set gac_bc_mode: primary_fallback or remove agent_state_control')
        if enabled(line, 'sip_auth') and line.secret is None and not (sca and sca['role'] == 'secondary'):
            report.error('schema', line.subject, 'sip_auth needs sip_password on the line',
                         'add sip_password (vaulted) or remove sip_auth')
        if sca and sca['role'] == 'secondary' and line.secret is not None:
            report.error('schema', line.subject, 'a SCA secondary authenticates with the primary\'s credentials',
                         'remove sip_password from this line: it is taken from the primary line')
        if sca and sca['role'] == 'secondary' and sca['primary_dn'] == line.dn:
            owned = [name for name in line.features if enabled(line, name) and FEATURE_BY_NAME[name].dn
                     and name != 'sca' and name != 'sip_auth']
            if owned or line.dn_type != 'extension' or line.dn_name or line.contact != '*':
                report.error('schema', line.subject, 'the DN belongs to the SCA primary host; this line may not set '
                             'DN options (%s)' % ', '.join(owned or ['dn_type/dn_name/contact']),
                             'set them on the primary line')

    def _sca_links(self):
        report = self.report
        for dn, entries in self.primaries.items():
            if len(entries) > 1:
                report.error('duplicate_dn', entries[1][1].subject, 'DN %s is already a SCA primary on %s' % (
                    dn, entries[0][0].host), 'keep one primary; make the others secondaries')
        for phone in self.phones:
            for line in phone.lines:
                sca = line.features.get('sca')
                # A secondary that is switched off (decommissioning) needs no primary any more.
                if not sca or sca['role'] != 'secondary' or not sca['primary_dn'] or line.state == 'absent':
                    continue
                primary = self.primaries.get(sca['primary_dn'])
                if not primary:
                    report.error('sca_primary', line.subject, 'primary_dn %s is not a SCA primary line of the inventory'
                                 % sca['primary_dn'], 'add the primary phone with sca: {role: primary} on that line')
                    continue
                owner, owner_line = primary[0]
                if self.switches_of(owner.site) != self.switches_of(phone.site):
                    report.error('sca_primary', line.subject, 'the SCA primary %s is on the switch of another site'
                                 % owner.host, 'keep a shared line on one switch')
                if enabled(line, 'sip_auth') != enabled(owner_line, 'sip_auth'):
                    report.error('sca_primary', line.subject, 'sip_auth differs from the primary line of %s: a '
                                 'secondary authenticates with the primary\'s credentials' % owner.host,
                                 'turn sip_auth on for both or for neither')

    # -- building ------------------------------------------------------------------------------
    def _primary_secret(self, dn):
        entries = self.primaries.get(dn)
        return entries[0][1].secret if entries else None

    def _site_ctx(self, phone):
        # The tls row is phone-wide: its lines agree (a disagreement is reported as a conflict).
        tls = any(enabled(line, 'tls') for line in phone.lines if line.state != 'absent')
        other = None
        if self.bc_pair:
            other = self.sites[self.bc_pair[1] if phone.site == self.bc_pair[0] else self.bc_pair[0]]
        return site_ctx(self.sites[phone.site], other, tls)

    def build(self):
        row = DEPLOYMENTS[self.mode if self.is_bc else self.deployment]
        dn_deployment = dict((o.name, o.on) for o in row.dn)
        switches = {}
        for name in sorted(self.sites):
            site = self.sites[name]
            switches[name] = {'site': name, 'gax_url': site.gax_url, 'switch': site.switch,
                              'dns': [], 'agent_logins': []}
        listed = set()
        for name in sorted(self.sites):
            for login in self.sites[name].logins:
                for switch in self.switches_of(name):
                    if (switch, login['login_code']) not in listed:  # BC: a login both sites define
                        listed.add((switch, login['login_code']))
                        switches[switch]['agent_logins'].append(
                            dict(login, options=dict((s, dict(o)) for s, o in login['options'].items())))
        phones = {}
        for phone in self.phones:
            settings, dns = self._build_phone(phone, row, dn_deployment)
            phones[phone.host] = {'address': phone.address, 'model': phone.model, 'mac': phone.mac,
                                  'firmware': phone.firmware, 'site': phone.site, 'settings': settings,
                                  'lines': [self._line_summary(line) for line in phone.lines]}
            for switch in self.switches_of(phone.site):
                for dn in dns:
                    entry = dict(dn, options={'TServer': dict(dn['options'])} if dn['state'] == 'present' else {})
                    if entry['name'] and self.is_bc:
                        entry['name'] = '%s_%s' % (entry['name'], switch)
                    switches[switch]['dns'].append(entry)
        for entry in switches.values():
            entry['dns'].sort(key=lambda dn: (len(dn['number']), dn['number']))
            entry['agent_logins'].sort(key=lambda login: (len(login['login_code']), login['login_code']))
        self._length_rules(phones)
        return {'switches': switches, 'phones': phones}

    @staticmethod
    def _line_summary(line):
        # What the reports need of a line (no secret): its position, DN, state and the features on.
        return {'index': line.index, 'dn': line.dn, 'state': line.state,
                'features': sorted(name for name in line.features if enabled(line, name))}

    def _build_phone(self, phone, row, dn_deployment):
        settings = {}
        ctx = self._site_ctx(phone)
        for entry in row.phone:
            value = _render(entry.on, None, ctx)
            if value is not NOT_WRITTEN:
                settings[entry.name] = value
        votes = {}
        declared = dict((line.index, line) for line in phone.lines)
        dns = []
        for index in range(MODELS[phone.model].lines):
            line = declared.get(index)
            if line is None or line.state == 'absent':
                self._line_off(settings, index)
                if line is not None:
                    dns.append(self._dn_absent(line))
                continue
            line_ctx = self._line_ctx(line)
            for entry, names in LINE_KEYS[BASIC.name]:
                settings[names[index]] = _render(entry.on, None, line_ctx)
            options = dict(DN_OPTION_OFF)
            options.update(dn_deployment)
            options['contact'] = line.contact
            members = {}
            for feature in FEATURES:
                params = line.features.get(feature.name)
                on = is_on(params)
                for entry, names in LINE_KEYS[feature.name]:
                    value = _key_value(entry.on, params, line_ctx) if on else entry.off
                    if value is not NOT_WRITTEN:
                        settings[names[index]] = value
                for entry in WIDE_KEYS[feature.name]:
                    if on:
                        votes.setdefault(entry.name, []).append(
                            (_key_value(entry.on, params, line_ctx), line, feature.name, True))
                    elif params is False and feature.scope == PHONE:
                        votes.setdefault(entry.name, []).append((off_value(entry), line, feature.name, False))
                if not on:
                    continue
                for entry in feature.dn:
                    if entry.name in SET_OPTIONS:
                        tokens = (entry.on.token,) if isinstance(entry.on, Token) else _render(entry.on, params, line_ctx)
                        members.setdefault(entry.name, set()).update(tokens)
                    else:
                        options[entry.name] = _render(entry.on, params, line_ctx)
            for name in SET_OPTIONS:
                options[name] = _join_set(name, members.get(name))
            sca = line.features.get('sca')
            if not (sca and sca['role'] == 'secondary' and sca['primary_dn'] == line.dn):
                dns.append({'number': line.dn, 'type': line.dn_type, 'name': line.dn_name, 'state': 'present',
                            'enabled': True, 'options': options})
        for name, off in WIDE_KEY_OFF.items():
            ballots = [b for b in votes.get(name, ()) if b[0] is not NOT_WRITTEN]
            if not votes.get(name):
                if off is not NOT_WRITTEN and not isinstance(off, Reset):
                    settings[name] = off
                continue
            # A line that leaves the key as it is (an optional parameter not given) yields to one that sets it.
            # The lines that state one phone-scope flag agree; across features, a feature that asks for
            # the key (on) wins over one stated off (remote_auto_answer on, auto_answer: false).
            for feature in set(b[2] for b in ballots):
                if len(set(b[0] for b in ballots if b[2] == feature)) > 1:
                    self._conflict(phone, name, [b for b in ballots if b[2] == feature])
                    break
            else:
                values = set(b[0] for b in ballots if b[3]) or set(b[0] for b in ballots)
                if len(values) > 1:
                    self._conflict(phone, name, [b for b in ballots if b[3]])
                elif values:
                    settings[name] = values.pop()
        return settings, dns

    def _conflict(self, phone, name, ballots):
        said = []
        for value, line, feature, _on in ballots:
            shown = '(secret)' if 'password' in name else value
            said.append('line %d %s -> %s' % (line.index, feature, shown))
        self.report.error('phone_wide_conflict', phone.host, 'key %s is one per phone but the lines disagree: %s'
                          % (name, '; '.join(said)), 'state the same value on every line that sets the flag')

    @staticmethod
    def _line_off(settings, index):
        for feature in (BASIC,) + FEATURES:
            for entry, names in LINE_KEYS[feature.name]:
                if entry.off is not NOT_WRITTEN:
                    settings[names[index]] = entry.off

    @staticmethod
    def _dn_absent(line):
        return {'number': line.dn, 'type': line.dn_type, 'name': line.dn_name, 'state': 'absent',
                'enabled': True, 'options': {}}

    def _line_ctx(self, line):
        ctx = {'dn': line.dn, 'display_name': line.display_name, 'contact': line.contact,
               'secret': line.secret, 'auth_name': line.dn}
        sca = line.features.get('sca')
        if sca and sca['role'] == 'secondary' and sca['primary_dn']:
            ctx['auth_name'] = sca['primary_dn']
            ctx['secret'] = self._primary_secret(sca['primary_dn'])
        return ctx

    def _length_rules(self, phones):
        for host, phone in phones.items():
            settings = phone['settings']
            for name, limit, field, secret in MAX_LENGTH_EXPANDED:
                value = settings.get(name)
                if value is not None and len(value) > limit:
                    shown = '' if secret else ' (%s)' % show(value)
                    self.report.error('value_length', host, 'key %s takes at most %d characters, the value%s has %d'
                                      % (name, limit, shown, len(value)),
                                      'shorten %s (an IP address fits where an FQDN does not)' % field
                                      if 'proxy' in name else 'shorten %s' % field)


def _evaluate(phones, sites, deployment, bc_mode, bc_sites):
    evaluation = _Evaluation(phones, sites, deployment, bc_mode, bc_sites)
    state = None
    if not evaluation.report.has_errors:
        state = evaluation.build()
    return evaluation.report.findings(), state


def preflight(phones, sites, deployment='standalone', bc_mode=None, bc_sites=None):
    """Check the inventory against the schema and the note's known limitations; write nothing.

    Returns a list of ``Finding`` (severity ``error`` or ``warning``), each naming the hosts or
    lines, the rule, the cause and the fix. An empty list means the inventory may be applied.
    """
    findings, _state = _evaluate(phones, sites, deployment, bc_mode, bc_sites)
    return findings


def desired_state(phones, sites, deployment='standalone', bc_mode=None, bc_sites=None):
    """Turn the inventory into the desired state, or raise ``InventoryError`` listing every problem.

    ``phones``: mapping host name -> host variables (only the names of docs/inventory.md are read).
    ``sites``: list of site mappings (or mapping site name -> site).
    Returns ``{'switches': {site: {site, gax_url, switch, dns, agent_logins}},
    'phones': {host: {address, model, mac, firmware, site, settings, lines}}, 'warnings': [text],
    'deprecations': [text]}`` (a deprecation names the hosts that still use a bare variable name).
    """
    findings, state = _evaluate(phones, sites, deployment, bc_mode, bc_sites)
    if state is None or any(f.severity == ERROR for f in findings):
        raise InventoryError(findings)
    state['warnings'] = [str(f) for f in findings if f.severity == WARNING]
    state['deprecations'] = [str(f) for f in findings if f.severity == DEPRECATED]
    return state
