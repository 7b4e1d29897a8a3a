"""How the GAX client words what the server said (no HTTP: answers are built in memory)."""

import pytest
import requests

from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.common import InputError, SecretMasker
from ansible_collections.telephony.genesys_audiocodes.plugins.module_utils.genesys.client import GaxClient


def answer(status, body=b'', content_type=None, location=None):
    response = requests.Response()
    response.status_code = status
    response._content = body
    if content_type:
        response.headers['Content-Type'] = content_type
    if location:
        response.headers['Location'] = location
    return response


@pytest.fixture(name='client')
def client_fixture():
    return GaxClient('http://127.0.0.3:8080/', 'default', 'gax-secret', masker=SecretMasker(['sip-secret']))


@pytest.mark.parametrize('body, content_type, text', [
    (b'{"message": "DN number 1502 already exists on switch 101"}', 'application/json',
     'DN number 1502 already exists on switch 101'),
    (b'{"status": {"code": 2, "message": "invalid parameter"}}', 'application/json', 'invalid parameter'),
    (b'{"code": 17}', 'application/json', '{"code":17}'),
    (b'<html><head><title>Error 500</title><style>p {color: red}</style></head>'
     b'<body><h1>Internal error</h1><p>CfgDN  save failed</p></body></html>', 'text/html',
     'Error 500 Internal error CfgDN save failed'),
    (b'', None, 'empty body'),
    (b'   \n', 'text/plain', 'empty body'),
    (b'plain words', 'text/plain', 'plain words'),
])
def test_the_server_words_are_quoted_whatever_the_body(client, body, content_type, text):
    assert client.detail(answer(500, body, content_type)) == text


def test_secrets_never_reach_a_message(client):
    body = b'{"message": "bad value sip-secret for password; login gax-secret"}'
    assert client.detail(answer(400, body, 'application/json')) == 'bad value ******** for password; login ********'


def test_long_bodies_are_shortened(client):
    assert len(client.detail(answer(500, b'x' * 5000, 'text/plain'))) == 300


@pytest.mark.parametrize('response, expired', [
    (answer(401, b'{"message": "session expired"}', 'application/json'), True),
    (answer(302, b'', location='/gax/login.html'), True),
    (answer(200, b'<!DOCTYPE html><html><body>Sign in</body></html>', 'text/html'), True),
    (answer(200, b'[]', 'application/json'), False),
    (answer(204), False),
    (answer(403, b'{"message": "no permission"}', 'application/json'), False),
    (answer(500, b'<html>oops</html>', 'text/html'), False),
])
def test_an_expired_session_is_recognised_by_401_a_redirect_or_a_login_page(response, expired):
    assert bool(GaxClient._expired(response)) is expired


@pytest.mark.parametrize('url, base', [
    ('http://127.0.0.3:8080', 'http://127.0.0.3:8080'),
    ('https://127.0.0.3:8443/', 'https://127.0.0.3:8443'),
    ('http://127.0.0.3:8080/gax/api', 'http://127.0.0.3:8080'),
])
def test_the_base_url_is_the_server_address(url, base):
    assert GaxClient(url, 'u', 'p').url == base


@pytest.mark.parametrize('url', ['127.0.0.3:8080', 'ftp://127.0.0.3', '', None])
def test_a_gax_url_that_is_not_http_is_bad_input(url):
    with pytest.raises(InputError) as caught:
        GaxClient(url, 'u', 'p')
    assert 'http(s)://host:port' in caught.value.fix


def test_a_missing_ca_path_is_bad_input(tmp_path):
    with pytest.raises(InputError) as caught:
        GaxClient('https://127.0.0.3:8443', 'u', 'p', ca_path=str(tmp_path / 'nope.pem'))
    assert 'ca_path' in caught.value.message
