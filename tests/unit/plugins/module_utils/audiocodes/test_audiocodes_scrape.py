"""Reading the phone's pages: forms posted back whole, the configuration link, labels, status XML.

The markup here is invented in several shapes on purpose: the real one is not known, so the
reader must find what it needs in any reasonable page.
"""

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.audiocodes import scrape

PAGE = 'https://127.0.1.12/mainform.cgi/manu_config.htm'

MANU_CONFIG = '''<html><body>
<a href="/configuration/420HD_00908F123456.cfg">Download the configuration file</a>
<form name="fw" action="/upload.cgi" method="post" enctype="multipart/form-data">
  <input type="hidden" name="localupgrade" value="20"><input type="file" name="upname">
  <input type="submit" value="Upgrade firmware">
</form>
<form name="cfgform" action="/mainform.cgi/manu_config.htm" method="POST" enctype="multipart/form-data">
  <input type="hidden" name="TOKEN" value="a1b2">
  <input type="hidden" name="UPLOAD_CFG" value="1">
  <input type="checkbox" name="KEEP" value="1" checked>
  <input type="checkbox" name="WIPE" value="1">
  <select name="MODE"><option value="m">merge</option><option value="r" selected>replace</option></select>
  <textarea name="NOTE">hello</textarea>
  <input type="file" name="cfg_file">
  <input type="submit" name="SUBMIT" value="Upload"><input type="submit" name="CANCEL" value="Cancel">
  <input type="reset" name="RESET" value="Reset"><input type="text" name="OFF" value="x" disabled>
</form></body></html>'''


def test_the_configuration_upload_form_is_told_from_the_firmware_form():
    form = scrape.find_upload_form(MANU_CONFIG, PAGE)
    assert form.action == 'https://127.0.1.12/mainform.cgi/manu_config.htm'
    assert form.file_field == 'cfg_file'
    assert form.data() == [('TOKEN', 'a1b2'), ('UPLOAD_CFG', '1'), ('KEEP', '1'), ('MODE', 'r'),
                           ('NOTE', 'hello'), ('SUBMIT', 'Upload')]


def test_an_upload_form_is_taken_when_its_names_speak_of_configuration():
    page = '<form name="cfgUpload" action="/upload.cgi" method=post><input type=hidden name=A value=1><input type=file name=f></form>'
    form = scrape.find_upload_form(page, PAGE)
    assert form.action == 'https://127.0.1.12/upload.cgi'
    assert form.file_field == 'f' and form.data() == [('A', '1')]


def test_a_configuration_file_never_goes_to_a_firmware_form():
    firmware_only = ('<form action="/upload.cgi" method=post enctype="multipart/form-data">'
                     '<input type=hidden name=localupgrade value=20><input type=file name=upname></form>')
    assert scrape.find_upload_form(firmware_only, PAGE) is None
    named = firmware_only.replace('<form ', '<form name="firmwareForm" ')
    assert scrape.find_upload_form(named, PAGE) is None


def test_no_file_input_means_no_upload_form():
    assert scrape.find_upload_form('<html><a href="/configuration/a_00908F123456.cfg">x</a></html>', PAGE) is None
    assert scrape.find_upload_form('', PAGE) is None


def test_form_data_changes_only_what_is_asked_and_adds_what_is_missing():
    form = scrape.Form('u', fields=[('A', '1'), ('REBOOT', '0'), ('B', '')])
    assert form.data({'REBOOT': '2', 'NEW': 'x'}) == [('A', '1'), ('REBOOT', '2'), ('B', ''), ('NEW', 'x')]


def test_the_configuration_link_is_found_in_an_anchor():
    assert scrape.find_config_link(MANU_CONFIG, PAGE) == 'https://127.0.1.12/configuration/420HD_00908F123456.cfg'


def test_the_configuration_link_is_found_in_a_script_or_a_button():
    script = '<html><script>function dl(){ window.location = "../configuration/440HD_00908FAABBCC.cfg"; }</script></html>'
    assert scrape.find_config_link(script, PAGE) == 'https://127.0.1.12/configuration/440HD_00908FAABBCC.cfg'
    button = '<html><input type="button" value="/configuration/405_00908F000001.cfg?x=1"></html>'
    assert scrape.find_config_link(button, PAGE) == 'https://127.0.1.12/configuration/405_00908F000001.cfg?x=1'


def test_a_link_with_model_and_mac_wins_over_another_cfg_link():
    page = '<a href="/templates/default.cfg">t</a><a href="/configuration/420HD_00908F123456.cfg">c</a>'
    assert scrape.find_config_link(page, PAGE).endswith('/configuration/420HD_00908F123456.cfg')
    onclick = ('<table><tr><td><a href="/configuration/provisioning.cfg">Save</a></td></tr>'
               '<tr><td><a href="#" onclick="window.open(\'/configuration/440HD_00908F000103.cfg\',\'_blank\');'
               'return false;">Save</a></td></tr></table>')
    assert scrape.find_config_link(onclick, PAGE) == 'https://127.0.1.12/configuration/440HD_00908F000103.cfg'


def test_no_link_gives_none():
    assert scrape.find_config_link('<html><body>nothing</body></html>', PAGE) is None


def test_model_and_mac_from_the_file_name():
    assert scrape.config_name_parts('/configuration/420HD_00908F123456.cfg') == ('420HD', '00:90:8f:12:34:56')
    assert scrape.config_name_parts('/configuration/main.cfg') == (None, None)


def test_login_page_is_recognised_and_ordinary_pages_are_not():
    login = '<html><form method="post" action="/login.cgi"><input name="user"><input type="password" name="psw"></form></html>'
    assert scrape.looks_like_login_page(login)
    assert scrape.looks_like_login_page("<input type=password name='psw'/>")
    assert not scrape.looks_like_login_page(MANU_CONFIG)
    assert not scrape.looks_like_login_page('system/type=420HD\nsystem/password=x\n')


def test_device_from_a_table_of_labels():
    page = '''<html><table><tr><th>Phone Model:</th><td> 420HD </td></tr>
    <tr><td>Firmware Version</td><td>2.2.16.501</td></tr><tr><td>IP Address</td><td>127.0.1.12</td></tr>
    <tr><td>MAC Address</td><td>00-90-8F-12-34-56</td></tr></table></html>'''
    assert scrape.device_from_info(page) == {'model': '420HD', 'firmware': '2.2.16.501', 'mac': '00:90:8f:12:34:56'}


def test_device_from_definition_lists_and_text_lines():
    dl = '<html><dl><dt>Model</dt><dd>440HD</dd><dt>Software Version</dt><dd>2.2.16.538</dd></dl></html>'
    assert scrape.device_from_info(dl) == {'model': '440HD', 'firmware': '2.2.16.538', 'mac': None}
    text = '<html><body><pre>Product: 405HD\nVersion: 2.2.12.140\n</pre></body></html>'
    assert scrape.device_from_info(text)['firmware'] == '2.2.12.140'


def test_the_one_mac_of_network_status():
    page = '<html><script>var x="11:22:33:44:55:66";</script><table><tr><td>MAC</td><td>00:90:8F:AB:CD:EF</td></tr></table></html>'
    assert scrape.find_mac(page) == '00:90:8f:ab:cd:ef'


def test_status_xml_lines():
    xml = '''<?xml version="1.0"?><Status><AudioDevice>Handset</AudioDevice>
    <Line><SipStatus>Registered</SipStatus><SipRegSrv>127.0.2.10</SipRegSrv></Line>
    <Line><SipStatus>Unregistered</SipStatus></Line></Status>'''
    assert scrape.match_lines(scrape.parse_status(xml)) == [
        {'line': 0, 'registered': True, 'state': 'Registered', 'server': '127.0.2.10'},
        {'line': 1, 'registered': False, 'state': 'Unregistered', 'server': None},
    ]


def test_status_line_index_from_an_attribute():
    xml = '<Status><Line index="3"><SipStatus>registered</SipStatus></Line></Status>'
    assert scrape.match_lines(scrape.parse_status(xml)) == [
        {'line': 3, 'registered': True, 'state': 'registered', 'server': None}]


def test_status_lines_matched_by_user_id_then_by_number_from_one():
    xml = ('<Status><Line><LineNum>2</LineNum><UserId>1503</UserId><SipStatus>Registered</SipStatus></Line>'
           '<Line><LineNum>4</LineNum><UserId>9999</UserId><SipStatus>Registered</SipStatus></Line></Status>')
    config = {'voip/line/0/id': '1502', 'voip/line/1/id': '1503', 'voip/line/2/id': '0'}
    lines = scrape.match_lines(scrape.parse_status(xml), config)
    assert [line['line'] for line in lines] == [1, 3]      # 1503 is line 1; 9999 unknown: LineNum 4 -> 3


def test_status_that_is_not_xml():
    assert scrape.parse_status('') is None
    assert scrape.parse_status('<html><body>Login</body></html>') == []
