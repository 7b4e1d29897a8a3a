# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the phone's pages: forms, the configuration link, label/value pairs, status XML.

Pure functions over text, so they are unit-tested without a phone. What they look for when the
page does not say it by itself comes from ``pages``.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

try:
    from urllib.parse import urljoin, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported, this keeps sanity's compile test quiet
    from urlparse import urljoin, urlsplit

try:
    import lxml.etree
    import lxml.html
    HAS_LXML = True
    LXML_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the modules
    HAS_LXML = False
    LXML_IMPORT_ERROR = exc

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import pages

_LOGIN_PAGE = [re.compile(pattern, re.IGNORECASE) for pattern in pages.LOGIN_PAGE_PATTERNS]
_MAC = re.compile(pages.MAC_PATTERN)
_CONFIG_NAME = re.compile(pages.CONFIG_NAME_PATTERN)
_CONFIG_LINK = re.compile(pages.CONFIG_LINK_PATTERN, re.IGNORECASE)


class Form(object):
    """A form as a browser would submit it: where, which fields, and the file field if any."""

    def __init__(self, action, method='POST', fields=None, file_field=None, name=''):
        self.action = action
        self.method = method
        self.fields = fields if fields is not None else []   # [(name, value)], in page order
        self.file_field = file_field
        self.name = name

    def field_names(self):
        return [name for name, dummy in self.fields]

    def data(self, overrides=None):
        """The fields as a list of pairs, with ``overrides`` replacing (or adding) values."""
        overrides = dict(overrides or {})
        result = []
        for name, value in self.fields:
            if name in overrides:
                value = overrides.pop(name)
            result.append((name, value))
        result.extend(sorted(overrides.items()))
        return result


_HEADER_CHARSET = re.compile(r'charset\s*=\s*["\']?([A-Za-z0-9_.:-]+)', re.IGNORECASE)
_META_CHARSET = re.compile(br'<meta[^>]+charset\s*=\s*["\']?([A-Za-z0-9_.:-]+)', re.IGNORECASE)


def page_text(response):
    """The text of a phone's answer: in the charset it declares (Content-Type, else a <meta> in its
    first 2 KiB), else UTF-8, else Latin-1 when the bytes are not UTF-8. requests alone reads a
    text/html answer without a charset as Latin-1, which garbles UTF-8 labels of info.htm."""
    content = response.content or b''
    declared = _HEADER_CHARSET.search(response.headers.get('Content-Type') or '')
    name = declared.group(1) if declared else None
    if name is None:
        found = _META_CHARSET.search(content[:2048])
        name = found.group(1).decode('ascii') if found else None
    if name:
        try:
            return _without_bom(content.decode(name, 'replace'))
        except LookupError:
            pass   # a charset Python does not know: as if none were declared
    try:
        return _without_bom(content.decode('utf-8'))
    except UnicodeDecodeError:
        return content.decode('latin-1')


def _without_bom(text):
    return text[1:] if text.startswith(u'\ufeff') else text


def looks_like_html(text):
    head = (text or '')[:2048].lower()
    return '<html' in head or '<!doctype html' in head or '<form' in head or '<body' in head


def looks_like_login_page(text):
    """Whether an answer is the login page (an expired session), not the page asked for."""
    if not text:
        return False
    return any(pattern.search(text) for pattern in _LOGIN_PAGE)


def _document(text, base_url=None):
    if not text or not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text, base_url=base_url)
    except (lxml.etree.ParserError, ValueError):
        return None


def _form_fields(form):
    """(fields, file_field, submit): what a browser sends, in page order."""
    fields = []
    file_field = None
    submit = None
    for element in form.iter('input', 'select', 'textarea', 'button'):
        name = element.get('name')
        tag = element.tag
        kind = (element.get('type') or ('submit' if tag == 'button' else 'text')).lower()
        if not name or element.get('disabled') is not None:
            continue
        if tag == 'input' and kind == 'file':
            file_field = file_field or name
        elif kind in ('submit', 'image') or (tag == 'button' and kind == 'submit'):
            # A browser sends the button that was clicked: the first one.
            if submit is None:
                submit = (name, element.get('value') or '')
        elif kind in ('reset', 'button'):
            continue
        elif kind in ('checkbox', 'radio'):
            if element.get('checked') is not None:
                fields.append((name, element.get('value') or 'on'))
        elif tag == 'select':
            options = element.findall('.//option')
            chosen = [opt for opt in options if opt.get('selected') is not None] or options[:1]
            for option in chosen:
                value = option.get('value')
                fields.append((name, value if value is not None else (option.text or '').strip()))
        elif tag == 'textarea':
            fields.append((name, element.text or ''))
        else:
            fields.append((name, element.get('value') or ''))
    return fields, file_field, submit


def forms(text, page_url):
    """Every form of a page, its action resolved against ``page_url``."""
    document = _document(text, page_url)
    if document is None:
        return []
    result = []
    for form in document.iter('form'):
        fields, file_field, submit = _form_fields(form)
        if submit is not None:
            fields.append(submit)
        action = urljoin(page_url, (form.get('action') or '').strip() or page_url)
        name = ' '.join(filter(None, (form.get('name'), form.get('id'))))
        result.append(Form(action, (form.get('method') or 'GET').upper(), fields, file_field, name))
    return result


def find_upload_form(text, page_url):
    """The form of manu_config.htm that uploads a configuration file, or None.

    A form with a file field whose names (action, form name, fields) speak of configuration
    (``pages.UPLOAD_FORM_HINTS``) more than of firmware or certificates: a configuration file
    must never go to a firmware form.
    """
    candidates = [form for form in forms(text, page_url) if form.file_field]

    def score(form):
        words = ' '.join((form.action, form.name, form.file_field or '') + tuple(form.field_names())).lower()
        good = sum(1 for hint in pages.UPLOAD_FORM_HINTS if hint in words)
        bad = sum(1 for hint in pages.UPLOAD_FORM_AVOID if hint in words)
        return good - 2 * bad

    ranked = sorted(candidates, key=score, reverse=True)
    if not ranked or score(ranked[0]) <= 0:
        return None
    return ranked[0]


def find_listing_control(text, page_url):
    """The form of manu_config.htm that switches the download to every parameter, when it is not
    switched already (``pages.FULL_LISTING_FIELD``), or None."""
    for form in forms(text, page_url):
        if form.file_field or pages.FULL_LISTING_FIELD not in form.field_names():
            continue
        current = dict(form.fields).get(pages.FULL_LISTING_FIELD)
        return None if (current or '').lower() == pages.FULL_LISTING_VALUE else form
    return None


def _cfg_path(value):
    path = urlsplit(value.strip()).path
    return path.lower().endswith('.cfg')


def find_config_link(text, page_url):
    """The URL of the full configuration file that manu_config.htm links to, or None.

    Every ``.cfg`` the page names counts (attributes, then quoted strings in scripts or
    ``onclick``); one named like ``<model>_<mac>.cfg`` wins over others (``provisioning.cfg``).
    """
    links = []
    document = _document(text, page_url)
    if document is not None:
        for element in document.iter():
            for attribute in pages.CONFIG_LINK_ATTRIBUTES:
                value = element.get(attribute) if isinstance(element.tag, str) else None
                if value and _cfg_path(value):
                    links.append(value.strip())
    links.extend(match.group(1) for match in _CONFIG_LINK.finditer(text or ''))
    if not links:
        return None
    named = [link for link in links if _CONFIG_NAME.search(urlsplit(link).path)]
    return urljoin(page_url, (named or links)[0])


def config_name_parts(url):
    """(model, MAC ``xx:xx:..`` lower-case) from a name like ``420HD_00908F123456.cfg``."""
    match = _CONFIG_NAME.search(urlsplit(url or '').path)
    if not match:
        return None, None
    return match.group('model'), mac_format(match.group('mac'))


def mac_format(text):
    digits = re.sub(r'[^0-9A-Fa-f]', '', text or '')
    if len(digits) != 12:
        return None
    return ':'.join(digits[i:i + 2] for i in range(0, 12, 2)).lower()


def find_mac(text):
    """The one MAC address on a page (network_status.htm), lower-case with colons."""
    found = _MAC.findall(_visible_text(text))
    return mac_format(found[0]) if found else None


def _visible_text(text):
    document = _document(text)
    if document is None:
        return text or ''
    for element in document.iter('script', 'style'):
        element.text = ''
    # One text node per line, so that cells never run into each other ("MAC00:90:...").
    return '\n'.join(document.itertext())


def _clean(text):
    return re.sub(r'\s+', ' ', text or '').strip()


def label_values(text):
    """Label/value pairs of an information page: table rows, dt/dd, ``Label: value`` text."""
    pairs = []
    document = _document(text)
    if document is None:
        return pairs
    for row in document.iter('tr'):
        cells = [_clean(cell.text_content()) for cell in row if cell.tag in ('td', 'th')]
        cells = [cell for cell in cells if cell]
        if len(cells) >= 2:
            pairs.append((cells[0], cells[1]))
    for term in document.iter('dt'):
        definition = term.getnext()
        if definition is not None and definition.tag == 'dd':
            pairs.append((_clean(term.text_content()), _clean(definition.text_content())))
    for line in _visible_text(text).splitlines():
        if ':' in line:
            label, value = line.split(':', 1)
            if label.strip() and value.strip() and len(label) < 40:
                pairs.append((_clean(label), _clean(value)))
    # Inputs shown read-only with a label in front: <label for=x>Model</label><input id=x value=..>
    for label in document.iter('label'):
        target = label.get('for')
        if target:
            found = document.xpath('//*[@id=$id]', id=target)
            if found and found[0].get('value'):
                pairs.append((_clean(label.text_content()), _clean(found[0].get('value'))))
    return pairs


def _normal_label(label):
    return _clean(label).rstrip(':').strip().lower()


def pick(pairs, labels):
    """The value of the first label of ``labels`` that ``pairs`` has."""
    table = {}
    for label, value in pairs:
        table.setdefault(_normal_label(label), value)
    for wanted in labels:
        if table.get(wanted):
            return table[wanted]
    return None


def first_version(text):
    """The first dotted-number run of ``text`` (``UC_2.2.16.501.13 (Genesys)`` -> ``2.2.16.501.13``), or None."""
    found = re.search(pages.VERSION_PATTERN, text or '')
    return found.group(1) if found else None


def device_from_info(text):
    """``{'model', 'firmware', 'mac'}`` as info.htm shows them (None where it does not)."""
    pairs = label_values(text)
    mac = pick(pairs, pages.INFO_MAC_LABELS)
    firmware = pick(pairs, pages.INFO_FIRMWARE_LABELS)
    return {
        'model': pick(pairs, pages.INFO_MODEL_LABELS),
        'firmware': first_version(firmware) or firmware,
        'mac': mac_format(mac) if mac else None,
    }


def device_from_user_agent(text):
    """``{'model', 'firmware', 'mac'}`` from the text of user_agent.txt (None where it says nothing)."""
    found = re.search(r'(?<![0-9A-Fa-f])([0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5})(?![0-9A-Fa-f])', text or '')
    return {'model': None, 'firmware': first_version(text), 'mac': mac_format(found.group(1)) if found else None,
            'model_text': text}


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def _child_text(element, names):
    wanted = [name.lower() for name in names]
    for child in element:
        if _local(child.tag).lower() in wanted:
            return (child.text or '').strip()
    return None


def parse_status(text):
    """Lines of voip_status.cgi: ``[{'line', 'registered', 'state', 'server'}]``, or None."""
    try:
        parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
        root = lxml.etree.fromstring((text or '').strip().encode('utf-8'), parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    lines = []
    for position, element in enumerate(e for e in root.iter() if _local(e.tag).lower() == pages.STATUS_LINE_TAG.lower()):
        index = None
        for name in pages.STATUS_INDEX_ATTRIBUTES:
            value = (element.get(name) or '').strip()
            if value.isdigit():
                index = int(value)
                break
        state = _child_text(element, (pages.STATUS_REGISTRATION_TAG,))
        number = _child_text(element, pages.STATUS_NUMBER_TAGS)
        lines.append({
            'line': index if index is not None else position,
            'registered': (state or '').strip().lower() == pages.STATUS_REGISTERED_VALUE.lower(),
            'state': state,
            'server': _child_text(element, pages.STATUS_SERVER_TAGS) or None,
            'number': int(number) if number and number.isdigit() else None,
            'user': _child_text(element, pages.STATUS_USER_TAGS) or None,
            'attribute': index is not None,
        })
    return lines


def match_lines(lines, config=None):
    """Give each status line its configuration index: by user id against ``voip/line/N/id`` where
    the XML and the configuration have one that names a single line, else by its number (from 1,
    or from 0 when one is 0), else by its attribute or position as parsed."""
    ids = {}
    for key, value in (config or {}).items():
        match = re.match(r'^voip/line/(\d+)/id$', key)
        if match and (value or '').strip() not in ('', '0'):
            ids.setdefault(value.strip(), []).append(int(match.group(1)))
    numbers = [line['number'] for line in lines if line.get('number') is not None]
    base = 0 if 0 in numbers else 1
    result = []
    for line in lines:
        line = dict(line)
        user, number = line.pop('user', None), line.pop('number', None)
        from_attribute = line.pop('attribute', False)
        if user and len(ids.get(user, ())) == 1:
            line['line'] = ids[user][0]
        elif number is not None and not from_attribute:
            line['line'] = number - base
        result.append(line)
    return result
