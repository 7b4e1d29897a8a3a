# -*- coding: utf-8 -*-
"""info.htm in UTF-8 without a declared charset: its labels read as the phone wrote them, not as Latin-1.

requests decodes a text/html answer that names no charset as ISO-8859-1, so a UTF-8 label such as
``Modèle`` or ``Phone Model`` written with a no-break space came back as ``ModÃ¨le`` or
``Phone ModelÂ``; the page text is now UTF-8 unless the page declares otherwise, Latin-1 only when
the bytes are not UTF-8.
"""

import requests

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import client, scrape

INFO = (u'<html><body><table>'
        u'<tr><td>Phone\u00a0Model:</td><td>420HD</td></tr>'
        u'<tr><td>Firmware\u00a0Version</td><td>2.2.16.501</td></tr>'
        u'<tr><td>MAC\u00a0Address</td><td>00:90:8F:12:34:56</td></tr>'
        u'<tr><td>Modèle du téléphone</td><td>Téléphone de l\u2019accueil</td></tr>'
        u'</table></body></html>')


def answer(body, content_type='text/html'):
    """A requests answer as the phone's web server sends it (requests fills ``encoding`` from the header)."""
    response = requests.models.Response()
    response.status_code = 200
    response._content = body  # pylint: disable=protected-access
    response.headers['Content-Type'] = content_type
    response.encoding = requests.utils.get_encoding_from_headers(response.headers)
    return response


def test_info_page_in_utf8_without_charset_keeps_its_non_ascii_labels():
    response = answer(INFO.encode('utf-8'))
    assert response.encoding == 'ISO-8859-1' and u'Mod\u00c3\u00a8le' in response.text  # what requests alone does
    text = scrape.page_text(response)
    assert dict(scrape.label_values(text))[u'Modèle du téléphone'] == u'Téléphone de l\u2019accueil'
    assert scrape.device_from_info(text) == {'model': '420HD', 'firmware': '2.2.16.501', 'mac': '00:90:8f:12:34:56'}


def test_client_device_reads_info_page_in_utf8_without_charset():
    phone = client.PhoneClient.__new__(client.PhoneClient)
    phone.show = lambda name: answer(INFO.encode('utf-8'))
    assert phone.device(need_firmware=True) == {'model': '420HD', 'firmware': '2.2.16.501', 'mac': '00:90:8f:12:34:56'}


def test_bytes_that_are_not_utf8_fall_back_to_latin1():
    assert scrape.page_text(answer(u'<p>Modèle: 420HD</p>'.encode('latin-1'))) == u'<p>Modèle: 420HD</p>'


def test_a_declared_charset_is_kept():
    body = u'<p>Modèle</p>'.encode('latin-1')
    assert scrape.page_text(answer(body, 'text/html; charset=ISO-8859-1')) == u'<p>Modèle</p>'
    meta = u'<html><head><meta charset="windows-1252"></head><body>\u20ac Modèle</body></html>'
    assert scrape.page_text(answer(meta.encode('cp1252'))) == meta
    utf8_header = u'<p>Modèle</p>'.encode('utf-8')
    assert scrape.page_text(answer(utf8_header, 'text/html; charset=utf-8')) == u'<p>Modèle</p>'


def test_a_utf8_byte_order_mark_is_not_text():
    assert scrape.page_text(answer(b'\xef\xbb\xbf' + u'<p>Modèle</p>'.encode('utf-8'))) == u'<p>Modèle</p>'
