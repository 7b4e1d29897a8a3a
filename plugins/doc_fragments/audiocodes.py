# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment(object):

    # Connection options of the AudioCodes phone modules (module_utils/audiocodes/module_support.py).
    DOCUMENTATION = r'''
options:
  host:
    description:
      - Address of the phone's web interface (IP address or name as the inventory gives it).
      - The collection talks to this address only; links and redirects the phone shows are
        followed on this address.
    type: str
    required: true
  port:
    description:
      - TCP port of the web interface.
      - Defaults to 443 with O(use_https=true), 80 otherwise.
    type: int
  use_https:
    description:
      - Talk HTTPS to the phone (its default certificate is self-signed, see O(ca_path)).
    type: bool
    default: true
  validate_certs:
    description:
      - Check the phone's HTTPS certificate against O(ca_path) (or the system CAs when unset).
      - Set to C(false) only for phones still carrying their self-signed factory certificate.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA that signed the phones' certificates.
      - If not set, the environment variable E(AUDIOCODES_CA_PATH) is used.
    type: path
  username:
    description:
      - Web administrator account.
      - If not set, the environment variable E(AUDIOCODES_USERNAME) is used, else C(admin).
    type: str
    default: admin
  password:
    description:
      - Password of O(username), in clear (the module encodes it as the login form does).
      - If not set, the environment variable E(AUDIOCODES_PASSWORD) is used.
    type: str
    required: true
  timeout:
    description:
      - Seconds each request to the phone may take, its whole answer included (an answer dripping in a byte
        at a time fails after this long); each read waits this long at most too. Answers longer than 32 MiB
        are refused (the largest a phone sends, its configuration file, is tens of kB).
      - Transient faults (connection refused or reset, timeouts, HTTP 5xx) are retried a few
        times with backoff before the module fails.
    type: int
    default: 30
  use_proxy:
    description:
      - Reach the phone through the proxy the environment names (C(HTTPS_PROXY), C(HTTP_PROXY), C(NO_PROXY)).
      - By default no proxy is used, and nothing else is taken from the environment either (no C(.netrc),
        no C(REQUESTS_CA_BUNDLE)); O(ca_path) says which CA signed the phone's certificate. GAX's modules follow
        the same policy.
    type: bool
    default: false
requirements:
  - requests
  - lxml
notes:
  - The phone's web session (C(login.cgi) cookie, or HTTP Basic on builds that ask for it) is
    opened once per task and renewed once when it expires.
  - Guessed details of the web interface (page names, labels, form hints, timings) live in one
    table, C(plugins/module_utils/audiocodes/pages.py), which a field engineer can correct from
    a capture of a real phone.
'''
