# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The note's own tests, as data: per feature the scenario an engineer runs to accept a phone.

``automatic`` scenarios are judged from what verify.yml reads (the phone's registration); the
others are steps to follow by hand and sign. The steps paraphrase the note (section 4, "Call Control
Using Desktop Client (3pcc)", and section 5); ``{dn}``, ``{mailbox}``, ``{home}`` are filled in.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from collections import namedtuple

Scenario = namedtuple('Scenario', 'ident title feature automatic note steps')

# feature None: every present line. Order: the order of the checklist.
SCENARIOS = (
    Scenario('registration', 'Line registered', None, True, 'note section 4, Make Outgoing Call: step 5',
             ('The phone reports the line registered (read by verify.yml from the phone).',)),
    Scenario('basic_call', 'Basic call', None, False, 'note section 4, Make Outgoing Call: step 6',
             ('From the desktop client, make a test call to DN {dn}; the phone rings; answer on the phone.',
              'From the phone, call another DN; it rings; hang up on both sides.')),
    Scenario('answer_3pcc', '3pcc answer', 'remote_answer', False, 'note section 4, Answer Incoming Call',
             ('Call DN {dn}; answer from the desktop client; the phone goes off-hook by itself (NOTIFY event talk).',)),
    Scenario('hold_retrieve_3pcc', '3pcc hold and retrieve', 'remote_hold', False, 'note section 4, Hold/Retrieve',
             ('During a call on DN {dn}, hold from the desktop client; the phone shows the call held.',
              'Retrieve from the desktop client; the call is back on the phone (event talk).')),
    Scenario('remote_auto_answer', 'Remote auto-answer', 'remote_auto_answer', False,
             'note section 4, Remote Auto-Answer (based on SIP header)',
             ('Make a call to DN {dn} that SIP Server marks auto-answer; the phone answers by itself '
              '(Alert-Info: info=alert-autoanswer).',
              'Make an ordinary call to DN {dn}; the phone rings and does not answer by itself.')),
    Scenario('remote_dtmf', 'Remote DTMF', 'remote_dtmf', False, 'note section 4, Remote DTMF tones generation',
             ('During a call on DN {dn}, send digits from the desktop client; the far end receives them.',)),
    Scenario('dtmf', 'DTMF from the phone', 'dtmf_method', False, 'note section 5, DTMF tones generation',
             ('During a call to an IVR, press digits on the phone; the IVR recognises them.',)),
    Scenario('blind_transfer', 'Semi-attended transfer to this DN', 'blind_transfer', False,
             'note section 4, Semi-attended transfer (Genesys Blind Transfer)',
             ('From another DN, transfer a call to DN {dn} while it is still ringing; the transfer completes.',)),
    Scenario('attended_transfer', 'Attended transfer', 'attended_transfer', False,
             'note section 4, Attended transfer (Genesys Two-Step Transfer)',
             ('From the desktop client, start a consultation call from DN {dn}, then complete the transfer.',)),
    Scenario('mwi', 'Message waiting', 'mwi', False, 'note section 4, Message Waiting Indicator',
             ('Leave a voice message in mailbox {mailbox}; the phone\'s message lamp lights.',
              'Listen to the message; the lamp goes off.')),
    Scenario('agent_login', 'Agent login from the phone', 'agent_login', False, 'note section 4, Agent Login',
             ('On the phone, log in with an Agent Login code and its password; the desktop shows the agent logged in on DN {dn}.',
              'Log out from the phone; the desktop shows the agent logged out.')),
    Scenario('agent_state', 'Agent state from the phone', 'agent_state_control', False,
             'note section 4, Agent State Control',
             ('Set Ready, Not Ready and After Call Work on the phone; the desktop follows each change.',)),
    Scenario('call_forward', 'Call forward', 'call_forward', False, 'FEATURES.md, Call forward',
             ('Call DN {dn} in the forwarding condition; the call reaches the forwarding destination.',)),
    Scenario('dnd', 'Do not disturb', 'dnd', False, 'FEATURES.md, DND',
             ('Turn DND on at the phone; a call to DN {dn} does not ring; turn it off.',)),
    Scenario('sca', 'Shared line', 'sca', False, 'note section 4, Shared Call Appearance',
             ('Call the shared DN; every phone of the shared line rings; answer on one, hold, retrieve on another.',)),
    Scenario('tls', 'TLS transport', 'tls', False, 'note section 5, TLS',
             ('Check on SIP Server that the phone registers over TLS; make a call.',)),
)

# Business Continuity, per phone (not per line).
BC_SCENARIOS = (
    Scenario('bc_home_registration', 'Registered at the home site', None, True, 'note section 4, Business Continuity',
             ('The phone reports its lines registered at its home site\'s SIP Server {home} (primary-fallback).',)),
    Scenario('bc_failover', 'Failover and switch-back', None, False, 'note sections 4 and 5, Business Continuity',
             ('Stop the home site\'s SIP Server ({home}); the phone registers to the other site; a call to DN {dn} reaches it.',
              'Start the home site\'s SIP Server again; the phone switches back to it (primary-fallback) or '
              'stays registered to both (simultaneous); a call reaches it.')),
)
