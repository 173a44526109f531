// Device login's page (/device, RFC 8628): a signed-in person checks a terminal's code and
// approves or denies it. Plain script, no build step. It uses the main page's session, kept in
// this tab's sessionStorage; without one it sends the person to sign in on the main page, which
// brings them back here with the code (`/?device=CODE`). Everything shown is inserted as text.
'use strict';

// The words in the page's language (server/web/texts.js).
const { t, failureText, said, locale } = window.mux1Texts;
const TOKEN_KEY = 'mux1.token';
const $ = (selector) => document.querySelector(selector);
const token = sessionStorage.getItem(TOKEN_KEY);
const params = new URLSearchParams(location.search);
// Only letters, spaces and dashes from the address bar, and not many: it is shown and sent back.
const prefilled = (params.get('code') || '').replace(/[^A-Za-z -]/g, '').slice(0, 20);
let pending = null;
let signedInAs = '';

async function api(path, body) {
  let res;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw { error: t('failure.unreachable'), code: 'unreachable' };
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const serverWords = typeof data.error === 'string' && data.error ? data.error : '';
    const error = failureText(data.code, serverWords || t('failure.status', { status: res.status }));
    throw { error, said: serverWords, code: data.code || 'error' };
  }
  return data;
}

function show(id) {
  for (const section of ['#device-signin', '#device-form', '#device-confirm', '#device-done']) {
    $(section).hidden = section !== id;
  }
}

function askToSignIn() {
  sessionStorage.removeItem(TOKEN_KEY);
  $('#device-signin-link').href = `/?device=${encodeURIComponent(prefilled || $('#device-code').value)}`;
  show('#device-signin');
}

function failed(where, err) {
  if (err.code === 'unauthorized') return askToSignIn();
  // A code that names no waiting login: the page's own words say what to do in any language.
  const words = err.code === 'not_found' ? said(err.said, t('device.notWaiting')) : err.error;
  $(`${where} .error`).textContent = words;
}

async function lookUp(code) {
  $('#device-form .error').textContent = '';
  try {
    pending = await api('/api/device/lookup', { user_code: code });
  } catch (err) {
    show('#device-form');
    return failed('#device-form', err);
  }
  $('#device-user-code').textContent = pending.user_code;
  $('#device-client').textContent = pending.client_name;
  $('#device-ip').textContent = pending.ip || t('device.unknown');
  $('#device-time').textContent = new Date(pending.created_at).toLocaleString(locale);
  $('#device-confirm .error').textContent = '';
  show('#device-confirm');
  $('#device-approve').focus();
}

async function decide(approve) {
  for (const b of document.querySelectorAll('#device-confirm button')) b.disabled = true;
  try {
    const res = await api('/api/device/approve', { user_code: pending.user_code, approve });
    const words = { client: pending.client_name, username: signedInAs };
    $('#device-result').textContent = said(
      res.message,
      approve ? t('device.approved', words) : t('device.denied', words),
    );
    show('#device-done');
  } catch (err) {
    failed('#device-confirm', err);
  } finally {
    for (const b of document.querySelectorAll('#device-confirm button')) b.disabled = false;
  }
}

$('#device-form').addEventListener('submit', (event) => {
  event.preventDefault();
  lookUp($('#device-code').value);
});
$('#device-approve').addEventListener('click', () => decide(true));
$('#device-deny').addEventListener('click', () => decide(false));

$('#device-code').value = prefilled;
if (!token) askToSignIn();
else {
  fetch('/api/me', { headers: { Accept: 'application/json', Authorization: `Bearer ${token}` } })
    .then((res) => (res.ok ? res.json() : Promise.reject(res)))
    .then((me) => {
      signedInAs = me.user.username;
      $('#whoami').textContent = t('chat.signedInAs', { username: signedInAs });
      // A code from the terminal's link is looked up at once; the person still has to approve it.
      if (prefilled) lookUp(prefilled);
      else {
        show('#device-form');
        $('#device-code').focus();
      }
    })
    .catch(askToSignIn);
}
