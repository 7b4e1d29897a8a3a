# -*- coding: utf-8 -*-
# Copyright: (c) 2026, telephony.genesys_audiocodes contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Round-trip reader and writer of AudioCodes configuration files.

A file that nothing changed renders back byte for byte: comments (``;``), blank lines, order,
``include`` lines, ``{"..."}`` values, whitespace around ``=``, line endings and a missing final
newline. Setting a key rewrites only the value part of its line(s); a new key goes at the end.
``include`` targets are listed, never fetched.
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import codecs
import re

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import unsafe_characters

_LINE = re.compile(r'[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$')
_INCLUDE = re.compile(r'^[ \t]*include[ \t]+(?P<target>\S.*?)[ \t]*$')
_SETTING = re.compile(r'^(?P<head>[ \t]*(?P<key>[^\s=;#][^\s=]*)[ \t]*=[ \t]*)(?P<value>.*)$')

BLANK, COMMENT, INCLUDE, SETTING, OTHER = 'blank', 'comment', 'include', 'setting', 'other'


class _Line(object):
    __slots__ = ('kind', 'head', 'value', 'eol', 'key')

    def __init__(self, kind, head, value='', eol='', key=None):
        self.kind, self.head, self.value, self.eol, self.key = kind, head, value, eol, key

    def render(self):
        return self.head + self.value + self.eol


def _plain(body):
    """``(key, value)`` of a line (without its ending) that needs no regex: ``key=value`` with nothing
    around the ``=`` (what phones write), as _SETTING reads it; None for any other line."""
    key, equals, value = body.partition('=')
    if equals and key[:1] not in ('', ';', '#') and key.split() == [key] and not value[:1].isspace():
        return key, value
    return None


def _eol(text):
    """The line ending of one line of ``_LINE`` (CRLF, LF, CR or none)."""
    if text.endswith('\r\n'):
        return '\r\n'
    if text.endswith(('\n', '\r')):
        return text[-1]
    return ''


def _classify(text):
    # A file has a thousand lines or more, per phone of a fleet: plain string tests before regexes.
    eol = _eol(text)
    body = text[:len(text) - len(eol)]
    plain = _plain(body)
    if plain:
        # What _SETTING makes of it: no space before the key, none around the '=' (the value keeps its own).
        return _Line(SETTING, plain[0] + '=', plain[1], eol, plain[0])
    stripped = body.strip()
    if not stripped:
        return _Line(BLANK, body, eol=eol)
    if stripped.startswith((';', '#')):
        return _Line(COMMENT, body, eol=eol)
    include = _INCLUDE.match(body) if stripped.startswith('include') else None
    if include:
        return _Line(INCLUDE, body, eol=eol, key=include.group('target'))
    setting = _SETTING.match(body)
    if setting:
        return _Line(SETTING, setting.group('head'), setting.group('value'), eol, setting.group('key'))
    return _Line(OTHER, body, eol=eol)


class ConfigFile(object):
    """One configuration file, kept line by line."""

    def __init__(self, text='', encoding='utf-8', bom=False):
        self.encoding = encoding
        self.bom = bom
        self._parts = _LINE.findall(text)
        self._built = None      # the lines as objects, made when the file is rendered or edited
        self._values = None
        self._scan = None       # (includes, other lines) read without making the lines

    @property
    def _lines(self):
        if self._built is None:
            self._built = [_classify(part) for part in self._parts]
            self._scan = None
        return self._built

    def _read(self):
        """Values, includes and other lines in one pass, without a line object for a plain ``key=value``
        line (a fleet's check reads a thousand files of a thousand lines and writes none of them)."""
        if self._built is not None:
            values = {}
            for line in self._built:
                if line.kind == SETTING:
                    values[line.key] = line.value.strip()
            self._values = values
            self._scan = ([line.key for line in self._built if line.kind == INCLUDE],
                          [line.head.strip() for line in self._built if line.kind == OTHER])
            return
        values, includes, others = {}, [], []
        for part in self._parts:
            plain = _plain(part[:len(part) - len(_eol(part))])
            if plain:
                values[plain[0]] = plain[1].strip()     # what _classify makes of it, without the line object
                continue
            line = _classify(part)
            if line.kind == SETTING:
                values[line.key] = line.value.strip()
            elif line.kind == INCLUDE:
                includes.append(line.key)
            elif line.kind == OTHER:
                others.append(line.head.strip())
        self._values, self._scan = values, (includes, others)

    @classmethod
    def from_bytes(cls, data):
        """Decode as UTF-8 (latin-1 if that fails, which maps every byte), remembering a BOM."""
        bom = data.startswith(codecs.BOM_UTF8)
        if bom:
            data = data[len(codecs.BOM_UTF8):]
        try:
            return cls(data.decode('utf-8'), 'utf-8', bom)
        except UnicodeDecodeError:
            return cls(data.decode('latin-1'), 'latin-1', bom)

    def render(self):
        return ''.join(line.render() for line in self._lines)

    def to_bytes(self):
        data = self.render().encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data

    @property
    def newline(self):
        """The file's own line ending (the first one found), for lines it gains."""
        for line in self._lines:
            if line.eol:
                return line.eol
        return '\n'

    @property
    def includes(self):
        if self._scan is None:
            self._read()
        return list(self._scan[0])

    def other_lines(self):
        """Lines that are neither blank, comment, include nor ``key=value``: a phone writes none."""
        if self._scan is None:
            self._read()
        return list(self._scan[1])

    def keys(self):
        seen = []
        for line in self._lines:
            if line.kind == SETTING and line.key not in seen:
                seen.append(line.key)
        return seen

    def values(self):
        """``{key: value}``, values stripped; a key set twice counts with its last value."""
        if self._values is None:       # worked out once per content: a phone's run asks several times
            self._read()
        return dict(self._values)

    def get(self, key, default=None):
        if self._values is None:
            self._read()
        return self._values.get(key, default)

    def __contains__(self, key):
        if self._values is None:
            self._read()
        return key in self._values

    def set(self, key, value):
        """Give ``key`` the text ``value``: in place on every line that sets it, else appended.

        A key that already holds ``value`` is left as it is, so the file keeps every byte.
        """
        value = str(value)
        key_problem = unsafe_characters(key) or ('a space or =' if re.search(r'[\s=]', key) else '')
        if not key or key_problem:
            raise ValueError('%r is not a configuration key (it holds %s); remove the character'
                             % (key, key_problem or 'nothing'))
        unsafe = unsafe_characters(value)
        if unsafe:
            raise ValueError('the value of %s holds %s, which a configuration line cannot carry; remove it'
                             % (key, unsafe))
        if self.cannot_carry({key: value}):
            raise ValueError('the file is %s, not UTF-8, and cannot carry the value of %s; give it in characters '
                             'of %s' % (self.encoding, key, self.encoding))
        if key in self and self.get(key) == value:
            return
        found = False
        lines = self._lines
        self._values = self._scan = None
        for line in lines:
            if line.kind == SETTING and line.key == key:
                # Keep what trailed the old value (spaces), so only the value itself changes.
                trail = line.value[len(line.value.rstrip()):]
                line.value = value + trail
                found = True
        if not found:
            newline = self.newline
            if self._lines and not self._lines[-1].eol:
                self._lines[-1].eol = newline
            self._lines.append(_Line(SETTING, '%s=' % key, value, newline, key))

    def cannot_carry(self, values):
        """The keys of ``values`` whose text this file's encoding cannot carry: a file the phone wrote in
        Latin-1 (not UTF-8) keeps its bytes, so a value with a character outside Latin-1 has no place in it."""
        found = []
        for key in sorted(values):
            try:
                str(values[key]).encode(self.encoding)
            except UnicodeEncodeError:
                found.append(key)
        return found

    def update(self, values):
        for key in values:
            self.set(key, values[key])
