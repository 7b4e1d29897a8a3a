# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type


class ModuleDocFragment:
    """How the Genesys modules reach GAX, and the action group they share."""

    DOCUMENTATION = r'''
options:
  gax_url:
    description:
      - Address of Genesys Administrator Extension (GAX), as C(http(s)://host:port); the REST API is
        under C(/gax/api) on that address.
      - If not given, the environment variable E(GAX_URL) is used.
    type: str
    required: true
  username:
    description:
      - GAX user the modules log in as (a Configuration Server person allowed to use GAX).
      - If not given, the environment variable E(GAX_USERNAME) is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username), sent in clear (C(isPasswordEncrypted=false)) in the login request,
        so use HTTPS outside a lab.
      - If not given, the environment variable E(GAX_PASSWORD) is used.
      - Never shown in results, diffs or messages.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to check GAX's TLS certificate when O(gax_url) is HTTPS.
      - Set to V(false) only in a lab; prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) that signed GAX's certificate, for HTTPS with a private CA.
      - If not given, the environment variable E(GAX_CA_PATH) is used; without either, the system's
        trusted CAs are used.
    type: path
  timeout:
    description:
      - Seconds each GAX request may take, its whole answer included (an answer dripping in a byte at a time
        fails after this long). A request that times out is retried (bounded, with backoff); a create is
        looked for before it is tried again, so none is made twice.
      - Answers longer than 32 MiB are refused.
    type: int
    default: 30
  use_proxy:
    description:
      - Reach GAX through the proxy the environment names (C(HTTPS_PROXY), C(HTTP_PROXY), C(NO_PROXY)).
      - By default no proxy is used, and nothing else is taken from the environment either (no C(.netrc),
        no C(REQUESTS_CA_BUNDLE)); O(ca_path) says which CA signed GAX's certificate. The phone modules
        follow the same policy.
    type: bool
    default: false
notes:
  - One GAX session per task. A session that expires between two requests (HTTP 401, a redirect
    or a login page) is opened again once and the request retried; transient faults (connection
    reset, timeout, HTTP 5xx) are retried with backoff.
  - The GAX REST API is not documented by Genesys; the collection follows what public clients use
    (see the collection's reference notes). Enum spellings that are assumed are kept in one table,
    C(plugins/module_utils/genesys/objects.py).
'''

    WRITES = r'''
options:
  concurrency:
    description:
      - How many of the call's writes (creates, updates, deletes, each with the GET an update makes first) are
        under way at once, over the one GAX session. V(1) writes one object after another.
      - The Configuration Server behind GAX applies its updates one at a time anyway; what runs in parallel is
        each request's round trip, so a call that writes many objects waits for GAX about this many times less.
      - The requests are the same as one after another, and so is the outcome; the first write of each session
        goes alone (a GAX that asks for a CSRF token is answered once), and after the first failure no write
        starts, the writes under way finish and the failure names what was written.
      - Lower it (V(1) at worst) if this GAX refuses or slows down parallel requests of one session, or shares
        its Configuration Server with other busy clients.
    type: int
    default: 8
'''

    ACTION_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/telephony.genesys_audiocodes.genesys) in C(module_defaults) to set the GAX
      connection options once for every Genesys module.
    support: full
    membership:
      - telephony.genesys_audiocodes.genesys
'''
