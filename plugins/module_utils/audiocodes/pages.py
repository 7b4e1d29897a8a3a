# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ONE table of what the phone's web interface is assumed to look like.

Every path, label, field name and timing here is either confirmed by public sources (tagged
``confirmed``) or a guess (``assumed``). A field engineer who captures a real phone corrects the
guesses here, without touching logic. Whatever the client can read from the page itself (form
``action``, file field, hidden inputs, the link to the ``.cfg``) it discovers; it never relies on
this table for those when the page shows them.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

# --- login ------------------------------------------------------------------------------------
LOGIN_PATH = '/login.cgi'                            # confirmed
LOGIN_USER_FIELD = 'user'                            # confirmed
LOGIN_PASSWORD_FIELD = 'psw'                         # confirmed (value: base64 of the password)
LOGIN_OK_MARKER = 'mainform.cgi?go=mainframe.htm'    # confirmed (in the body of a good login)
LOGIN_FAILED_MARKER = 'Login failed'                 # confirmed (in the body of a bad login)
SESSION_COOKIE = 'session'                           # confirmed (upgrade_ipp_image.py: session=...; path=/)
# What an answer looks like when the session has expired and the phone shows its login page
# instead of the page asked for. Every form seen or plausible counts (docs/compatibility.md):
# a 200 login form (assumed), a page titled "Web Login" (confirmed: ipphone.psm1 checks for it),
# a script sending the browser to login_redirect.htm or login.cgi (confirmed: upgrade_ipp_image.py
# meets login_redirect.htm before login), a 301/302 to those pages (LOGIN_REDIRECT_PATHS), and a
# 401 with WWW-Authenticate on a cookie session (assumed).
LOGIN_PAGE_PATTERNS = (
    r'<form[^>]+action\s*=\s*["\']?[^"\'>]*login\.cgi',
    r'<input[^>]+name\s*=\s*["\']?psw["\'\s/>]',
    r'<title>[^<]*web\s*login',
    r'location(?:\.href)?\s*=\s*["\'][^"\']*(?:login_redirect\.htm|login\.cgi)',
)
# A redirect whose target path ends with one of these is the login chain: the session is lost.
LOGIN_REDIRECT_PATHS = ('/login.cgi', '/login_redirect.htm', '/login.htm')

# --- pages ------------------------------------------------------------------------------------
PAGE_PREFIX = '/mainform.cgi/'                       # confirmed: GET shows, POST submits
ROOT_PATH = '/'                                      # confirmed: answers without a session
INFO_PAGE = 'info.htm'                               # confirmed page; layout assumed
NETWORK_STATUS_PAGE = 'network_status.htm'           # confirmed (the one MAC on the page)
CONFIG_PAGE = 'manu_config.htm'                      # confirmed page; link and form markup discovered
REBOOT_PAGE = 'reboot.htm'                           # confirmed
REBOOT_FIELD = 'REBOOT'                              # confirmed
REBOOT_VALUE = '2'                                   # confirmed
STATUS_PATH = '/voip_status.cgi'                     # confirmed (XML)

# --- Auto_Provision.htm (the provisioning server) ----------------------------------------------
# Page and field names confirmed (Elastix AudioCodes.py, shanehoey ipphone.psm1); the form's other
# fields are posted back as the page shows them.
AUTO_PROVISION_PAGE = 'Auto_Provision.htm'           # confirmed (psm1 spells it auto_provision.htm)
PROVISIONING_METHOD_FIELD = 'ASU_METHOD'             # confirmed
PROVISIONING_METHODS = {'disable': '0', 'dynamic': '1', 'static': '2'}   # confirmed (3: SfB builds)
PROVISIONING_CONFIG_URL_FIELD = 'CFG_URL'            # confirmed
PROVISIONING_FIRMWARE_URL_FIELD = 'FW_URL'           # confirmed
PROVISIONING_PERIOD_FIELD = 'ASU_PERIOD'             # confirmed
# 3 = power-up only is confirmed (Elastix comment); 0-2 in the order of provisioning/period/type (assumed).
PROVISIONING_PERIODS = {'hourly': '0', 'daily': '1', 'weekly': '2', 'powerup': '3'}
# The configuration key behind each confirmed form field, to cross-check the form with the file
# (keys: 3.0.4 database; the form may be filled by JavaScript, so what the server renders may be
# empty: then the file's value is posted, and fields the collection cannot map are left out).
AUTO_PROVISION_KEYS = {
    'ASU_METHOD': ('provisioning/method', PROVISIONING_METHODS),
    'CFG_URL': ('provisioning/configuration/url', None),
    'FW_URL': ('provisioning/firmware/url', None),
    'ASU_PERIOD': ('provisioning/period/type', PROVISIONING_PERIODS),
}
PROVISIONING_KEY_PREFIX = 'provisioning/'
PROVISIONING_URL_MAX = 128                           # provisioning/configuration/url strmaxlen (database)
# SIP NOTIFY that makes the phone resync from its provisioning server (confirmed: Event check-sync).
CHECK_SYNC_EVENT = 'check-sync'
SIP_PORT_KEY = 'voip/signalling/sip/port'            # the phone's SIP port (database); 5060 when absent
SIP_DEFAULT_PORT = 5060
# Seconds to wait for the answer to the NOTIFY (UDP, retransmitted at 0.5, 1, 2 s; assumed).
CHECK_SYNC_TIMEOUT = 4.0

# --- manu_config.htm --------------------------------------------------------------------------
# The link to the full configuration file (e.g. /configuration/420HD_00908F123456.cfg): an
# attribute (href, src, action, value) ending in .cfg, else a quoted string in a script
# (link markup assumed; path shape confirmed).
CONFIG_LINK_ATTRIBUTES = ('href', 'src', 'action', 'value', 'data-href')
CONFIG_LINK_PATTERN = r'''["']([^"'\s<>]+?\.cfg)(?:\?[^"'\s<>]*)?["']'''
# The file name carries model and MAC (confirmed shape: <MODEL>_<MAC12>.cfg).
CONFIG_NAME_PATTERN = r'(?P<model>[0-9A-Za-z]+)_(?P<mac>[0-9A-Fa-f]{12})\.cfg$'
# When manu_config.htm has several file-upload forms, words that tell the configuration form
# from a firmware form (assumed; matched against action, form name/id and file field name).
UPLOAD_FORM_HINTS = ('config', 'cfg', 'conf', 'back_file', 'restore', 'import')
UPLOAD_FORM_AVOID = ('firmware', '.img', 'image', 'cert', 'ringtone', 'ring_tone', 'logo')
# A download may list only the keys that differ from the factory default (confirmed that a
# control exists: dev.ps1 posts show_modified_cfg_params=$false to manu_config.htm; its markup is
# assumed). When the page has a form (without a file field) with this field not already at the
# "all" value, the client posts it with that value before downloading.
FULL_LISTING_FIELD = 'show_modified_cfg_params'
FULL_LISTING_VALUE = 'false'
# A download with fewer keys than this lists only modified keys (assumed; the 310HD dump has 342,
# the 3.0.4 database over 1000): a key it leaves out that keys.DEFAULTS knows is at its default.
FULL_LISTING_MIN_KEYS = 200
# Content type of the uploaded file part (assumed; a browser sends this for an unknown type).
UPLOAD_CONTENT_TYPE = 'application/octet-stream'

# --- info.htm and network_status.htm ----------------------------------------------------------
# Labels (compared lower-case, without ':' and surrounding spaces) of the label/value pairs on
# info.htm (assumed). The first label found wins, so the more specific ones come first.
INFO_MODEL_LABELS = ('phone model', 'model', 'product name', 'product', 'phone type', 'device type',
                     'hardware type', 'type')
INFO_FIRMWARE_LABELS = ('firmware version', 'software version', 'application version', 'firmware',
                        'sw version', 'image version', 'version')
INFO_MAC_LABELS = ('mac address', 'mac', 'lan mac address', 'ethernet mac')
# When info.htm shows none of these labels: /configuration/user_agent.txt (confirmed to exist: dev.ps1
# reads it; its content assumed: the model, the firmware and the MAC somewhere in its text). A
# firmware version is the first dotted-number run of what a page shows (assumed).
USER_AGENT_PATH = '/configuration/user_agent.txt'
VERSION_PATTERN = r'(?<![0-9.])([0-9]+(?:\.[0-9]+){2,})'
MAC_PATTERN = r'(?<![0-9A-Fa-f:-])((?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2})(?![0-9A-Fa-f:-])'  # confirmed

# --- voip_status.cgi --------------------------------------------------------------------------
STATUS_LINE_TAG = 'Line'                             # confirmed
STATUS_REGISTRATION_TAG = 'SipStatus'                # confirmed
STATUS_REGISTERED_VALUE = 'Registered'               # confirmed
STATUS_SERVER_TAGS = ('SipRegSrv', 'RegServer', 'Server', 'Proxy')   # assumed (first found wins)
# The line's index: an attribute of <Line> (assumed); without one, lines count from 0 in page order.
STATUS_INDEX_ATTRIBUTES = ('index', 'id', 'num', 'line')
# Children that tell which line a <Line> is (assumed names; ipphone.psm1 reads only SipStatus): the
# user id is matched against voip/line/N/id first; a number counts from 1 unless one is 0.
STATUS_NUMBER_TAGS = ('LineNum', 'LineNumber', 'Index')
STATUS_USER_TAGS = ('UserId', 'UserID', 'User')

# --- timings (seconds) ------------------------------------------------------------------------
# After an upload, wait this long before reading back, so that a phone which reboots by itself
# has gone down by then (assumed: the firmware starts rebooting right after its answer).
UPLOAD_SETTLE_SECONDS = 1.0
# When the read-back shows the upload not (all) applied, how long to poll whether the phone goes
# down by itself (some take several seconds) before asking reboot.htm (assumed).
UPLOAD_GO_DOWN_SECONDS = 12.0
# After reboot.htm, how long the phone may keep answering before it goes down (assumed).
REBOOT_START_SECONDS = 30.0
# Consecutive failed polls that count as "the phone is down" (one may be a passing fault).
REBOOT_DOWN_CONFIRM = 2
POLL_SECONDS = 1.0
POLL_TIMEOUT = 5.0
REGISTRATION_POLL_SECONDS = 2.0


def page_path(name):
    """``/mainform.cgi/<name>``."""
    return PAGE_PREFIX + name
