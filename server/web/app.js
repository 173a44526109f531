// The mux1 browser page: plain script, no build step. The session token lives in
// sessionStorage: it survives a reload of this tab, ends with the tab, is never sent
// automatically like a cookie (so no cross-site request can use it), and other tabs and
// sites cannot read it. Message text is always inserted as text, never as HTML, and so are the
// words from the catalogs (server/web/texts.js gives them in the page's language).
'use strict';

const { t, failureText, said, locale } = window.mux1Texts;
const TOKEN_KEY = 'mux1.token';
const $ = (selector) => document.querySelector(selector);

// lastId: the newest message shown, where catching up after a reconnection starts.
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  user: null,
  socket: null,
  room: 'lobby',
  lastId: 0,
  // Every room and direct conversation, with its unread and mention counts (the server's `rooms`).
  rooms: new Map(),
};

// Proof of work (ALTCHA): after failed logins or many signups the server answers 428 with a
// challenge - find n with SHA-256(salt + n) = challenge - and the request is sent again with
// the solution. About a second of CPU; crypto.subtle needs a secure context (https, localhost).
async function solveChallenge({ algorithm, challenge, maxnumber, salt, signature }) {
  if (!globalThis.crypto?.subtle) {
    throw { error: t('failure.proofNeedsHttps'), code: 'challenge_required' };
  }
  const target = challenge.match(/../g).map((h) => parseInt(h, 16));
  const encoder = new TextEncoder();
  for (let n = 0; n <= maxnumber; n++) {
    const digest = new Uint8Array(await crypto.subtle.digest(algorithm, encoder.encode(salt + n)));
    if (digest.every((b, i) => b === target[i])) {
      return window.btoa(JSON.stringify({ algorithm, challenge, number: n, salt, signature }));
    }
  }
  throw { error: t('failure.proofUnsolved'), code: 'challenge_required' };
}

async function api(method, path, body, solved) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (solved) headers['X-Altcha'] = solved;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw { error: t('failure.unreachable'), code: 'unreachable' };
  }
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (res.status === 428 && data.code === 'challenge_required' && data.challenge && !solved) {
    return api(method, path, body, await solveChallenge(data.challenge));
  }
  if (!res.ok) {
    const retry = res.headers.get('Retry-After');
    // The server's own words go along as `said`, for the one check that reads them (passkeyError).
    const serverWords = typeof data.error === 'string' ? data.error : '';
    const error = failureText(data.code, serverWords || t('failure.status', { status: res.status }));
    throw {
      error: retry ? t('failure.retry', { error, seconds: retry }) : error,
      said: serverWords,
      code: data.code || 'error',
      field: data.field,
      errors: Array.isArray(data.errors) ? data.errors : undefined,
    };
  }
  return data;
}

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function showResult(form, { error = '', notice = '', field, errors } = {}) {
  form.querySelector('.error').textContent = error;
  const n = form.querySelector('.notice');
  if (n) n.textContent = notice;
  for (const input of form.querySelectorAll('input, select')) input.removeAttribute('aria-invalid');
  for (const note of form.querySelectorAll('.field-error')) note.remove();
  // The server lists every field's problem (`errors`): each is said under its own field.
  for (const problem of (errors ?? []).slice(0, 20)) {
    const input =
      problem &&
      typeof problem.field === 'string' &&
      form.querySelector(`[name="${CSS.escape(problem.field)}"]`);
    if (!input || typeof problem.error !== 'string') continue;
    const text = failureText(problem.code, problem.error);
    input.setAttribute('aria-invalid', 'true');
    const note = document.createElement('small');
    note.className = 'field-error';
    note.textContent = text;
    input.after(note);
  }
  if (field) {
    const input = form.querySelector(`[name="${CSS.escape(field)}"]`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }
}

function handle(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    showResult(form);
    try {
      await action(formValues(form));
    } catch (err) {
      showResult(form, err);
    } finally {
      button.disabled = false;
    }
  });
}

handle($('#signup-form'), async (values) => {
  const res = await api('POST', '/api/signup', values);
  const done = t('signup.done', {
    username: values.username,
    email: values.email,
    digits: $('#verify-code').maxLength,
  });
  showResult($('#signup-form'), { notice: said(res.message, done) });
  $('#signup-form').reset();
  $('#verify-email').value = values.email.trim().toLowerCase();
  $('#verify-code').focus();
});

handle($('#verify-form'), async (values) => {
  const res = await api('POST', '/api/verify-email', values);
  showResult($('#verify-form'), { notice: said(res.message, t('verify.done')) });
  $('#login-username').value = values.email;
  $('#login-password').focus();
});

$('#resend').addEventListener('click', async () => {
  const form = $('#verify-form');
  try {
    const email = $('#verify-email').value;
    const res = await api('POST', '/api/resend-verification', { email });
    showResult(form, { notice: said(res.message, t('verify.resent', { email })) });
  } catch (err) {
    showResult(form, err);
  }
});

// Two-factor sign-in: the right password answers with an mfa_token, traded with a code.
let mfaToken = null;

handle($('#login-form'), async (values) => {
  const res = await api('POST', '/api/login', values);
  $('#login-form').reset();
  if (res.mfa_required) {
    mfaToken = res.mfa_token;
    $('#mfa-intro').textContent = said(res.message, t('mfa.passwordRight'));
    $('#mfa-form').hidden = false;
    $('#mfa-code').focus();
    return;
  }
  signedIn(res.token, res.user);
});

handle($('#mfa-form'), async (values) => {
  try {
    const res = await api('POST', '/api/login/2fa', { mfa_token: mfaToken, code: values.code });
    $('#mfa-form').reset();
    $('#mfa-form').hidden = true;
    mfaToken = null;
    signedIn(res.token, res.user);
  } catch (err) {
    if (err.code === 'invalid_mfa_token') $('#mfa-form').hidden = true;
    throw err;
  }
});

// Turning it on: the password, then the QR code (SVG made by the server, inserted as parsed
// SVG elements, never as HTML) and the first code, then the backup codes once.
async function showTwoFactor() {
  const status = await api('GET', '/api/2fa').catch(() => null);
  if (!status) return;
  $('#two-factor-status').textContent = status.enabled
    ? t('twoFactor.on', { date: day(status.enabled_at), left: status.backup_codes_left })
    : t('twoFactor.off');
  $('#two-factor-setup-form').hidden = status.enabled;
}

handle($('#two-factor-setup-form'), async (values) => {
  const res = await api('POST', '/api/2fa/setup', values);
  $('#two-factor-setup-form').reset();
  const svg = new window.DOMParser().parseFromString(res.qr_svg, 'image/svg+xml').documentElement;
  $('#two-factor-qr').replaceChildren(document.importNode(svg, true));
  $('#two-factor-secret').textContent = res.secret;
  $('#two-factor-setup-form').hidden = true;
  $('#two-factor-enable-form').hidden = false;
  $('#two-factor-code').focus();
});

handle($('#two-factor-enable-form'), async (values) => {
  const res = await api('POST', '/api/2fa/enable', values);
  $('#two-factor-enable-form').reset();
  $('#two-factor-enable-form').hidden = true;
  $('#two-factor-backup-codes').replaceChildren(
    ...res.backup_codes.map((code) => Object.assign(document.createElement('li'), { textContent: code })),
  );
  $('#two-factor-backup').hidden = false;
  await showTwoFactor();
});

// Personal access tokens: listed (never the tokens themselves), created and shown once, revoked
// after a second, explicit click. Names are someone's text: always set as textContent.
// A date in the page's language; none is "never" (a token that does not expire, a key never used).
function day(iso) {
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return t('tokens.never');
  return date.toLocaleDateString(locale, { dateStyle: 'medium' });
}

async function showTokens() {
  $('#tokens-error').textContent = '';
  try {
    const { tokens } = await api('GET', '/api/tokens');
    $('#tokens-empty').hidden = tokens.length > 0;
    $('#tokens-list').replaceChildren(...tokens.map(tokenRow));
  } catch (err) {
    $('#tokens-error').textContent = err.error;
  }
}

function tokenRow(token) {
  const li = document.createElement('li');
  li.dataset.id = token.id;
  const name = Object.assign(document.createElement('strong'), { textContent: token.name });
  const details = Object.assign(document.createElement('span'), {
    className: 'muted',
    textContent: t('tokens.details', {
      scopes: token.scopes.join(' '),
      expires: day(token.expires_at),
      used: day(token.last_used_at),
    }),
  });
  const revoke = Object.assign(document.createElement('button'), {
    type: 'button',
    className: 'secondary revoke',
    textContent: t('action.revoke'),
  });
  revoke.setAttribute('aria-label', t('tokens.revokeLabel', { name: token.name }));
  const keep = Object.assign(document.createElement('button'), {
    type: 'button',
    className: 'secondary keep',
  });
  keep.textContent = t('action.keep');
  keep.hidden = true;
  keep.addEventListener('click', () => {
    keep.hidden = true;
    revoke.textContent = t('action.revoke');
    delete revoke.dataset.armed;
  });
  revoke.addEventListener('click', async () => {
    if (!revoke.dataset.armed) {
      revoke.dataset.armed = 'yes';
      revoke.textContent = t('tokens.revokeArmed');
      keep.hidden = false;
      return;
    }
    revoke.disabled = true;
    try {
      await api('DELETE', `/api/tokens/${encodeURIComponent(token.id)}`);
      await showTokens();
    } catch (err) {
      $('#tokens-error').textContent = err.error;
      revoke.disabled = false;
    }
  });
  li.append(name, details, revoke, keep);
  return li;
}

handle($('#token-create-form'), async () => {
  const form = $('#token-create-form');
  const data = new FormData(form);
  const name = String(data.get('name') ?? '').trim();
  const scopes = data.getAll('scopes').map(String);
  if (!name) throw { error: t('tokens.nameMissing'), field: 'name' };
  if (scopes.length === 0) throw { error: t('tokens.scopeMissing') };
  const days = String(data.get('expires_in_days'));
  const res = await api('POST', '/api/tokens', {
    name,
    scopes,
    expires_in_days: days === 'never' ? null : Number(days),
  });
  form.reset();
  $('#token-value').textContent = res.token;
  $('#token-created .notice').textContent = '';
  $('#token-created').hidden = false;
  $('#token-copy').focus();
  await showTokens();
});

$('#token-copy').addEventListener('click', async () => {
  const notice = $('#token-created .notice');
  try {
    await window.navigator.clipboard.writeText($('#token-value').textContent);
    notice.textContent = t('tokens.copied');
  } catch {
    notice.textContent = t('tokens.copyRefused');
  }
});

// Once saved, the token leaves the page: nothing keeps it beyond this moment.
function hideCreatedToken() {
  $('#token-value').textContent = '';
  $('#token-created').hidden = true;
}
$('#token-done').addEventListener('click', hideCreatedToken);

// The language of the mails mux1 sends (docs/api.md, "The language of mails"), not of this page,
// which follows the browser. The choice shown is the stored one, read again whenever the panel is
// opened, so a change made meanwhile from the command line (`mux1 account language`) shows here.
// `default` stands for null: none chosen, and mails are written in English.
const MAIL_LANGUAGES = ['en', 'de'];
// Counts what happened to the choice: the panel opening, the person choosing, a save. The stored
// language read on opening is shown only if nothing happened since it was asked for, so a choice
// made (or saved) before that read answers is not put back to what was stored before it.
let mailLanguageTurn = 0;

async function showMailLanguage() {
  const asked = ++mailLanguageTurn;
  try {
    const { user } = await api('GET', '/api/me');
    if (asked !== mailLanguageTurn) return;
    $('#mail-language-form .error').textContent = '';
    $('#mail-language-choice').value = MAIL_LANGUAGES.includes(user.locale) ? user.locale : 'default';
  } catch (err) {
    if (asked === mailLanguageTurn) showResult($('#mail-language-form'), err);
  }
}

$('#mail-language').addEventListener('toggle', () => {
  if ($('#mail-language').open && state.token) showMailLanguage();
});
$('#mail-language-choice').addEventListener('change', () => mailLanguageTurn++);

// A sentence per outcome, so each language words it whole.
function mailLanguageSaved(locale) {
  if (locale === 'en') return t('mailLanguage.savedEnglish');
  if (locale === 'de') return t('mailLanguage.savedGerman');
  return t('mailLanguage.savedDefault');
}

handle($('#mail-language-form'), async (values) => {
  mailLanguageTurn++;
  const locale = values.locale === 'default' ? null : values.locale;
  const { user } = await api('PATCH', '/api/me', { locale });
  $('#mail-language-choice').value = MAIL_LANGUAGES.includes(user.locale) ? user.locale : 'default';
  showResult($('#mail-language-form'), { notice: mailLanguageSaved(user.locale) });
});

// Passkeys (WebAuthn), made and used by the browser's own API. The server's options carry binary
// values in base64url, which navigator.credentials wants as ArrayBuffers; the credential it
// answers goes back the other way. The server checks the signature, the origin and the site's
// name: the page only carries the bytes.
const passkeysSupported = Boolean(window.PublicKeyCredential && window.navigator.credentials);

function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = window.atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return window.btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const withIds = (list) => (list ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

function credentialJSON(credential) {
  const r = credential.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    response.transports = r.getTransports?.() ?? [];
  }
  if (r.authenticatorData) response.authenticatorData = toBase64url(r.authenticatorData);
  if (r.signature) response.signature = toBase64url(r.signature);
  if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
  };
}

// The browser's refusals are DOMExceptions with a name; each gets a sentence a person can act on.
function passkeyError(err) {
  // The server says which refusal this is only in its words (the code is invalid_credentials).
  if (err && err.code === 'invalid_credentials' && err.said?.startsWith('passkey sign-in refused')) {
    return { error: t('passkeys.refused') };
  }
  if (err && err.code && err.error) return err;
  const name = err && err.name;
  if (name === 'NotAllowedError') return { error: t('passkeys.notAllowed') };
  if (name === 'InvalidStateError') return { error: t('passkeys.alreadyHere') };
  if (name === 'SecurityError') return { error: t('passkeys.insecure') };
  return { error: t('passkeys.failed') };
}

$('#passkey-signin').hidden = !passkeysSupported;
$('#passkey-signin-button').addEventListener('click', async () => {
  const form = $('#login-form');
  const button = $('#passkey-signin-button');
  button.disabled = true;
  showResult(form);
  try {
    const { challenge_id, options } = await api('POST', '/api/login/passkey/options');
    const credential = await window.navigator.credentials.get({
      publicKey: {
        ...options,
        challenge: fromBase64url(options.challenge),
        allowCredentials: withIds(options.allowCredentials),
      },
    });
    const res = await api('POST', '/api/login/passkey', {
      challenge_id,
      credential: credentialJSON(credential),
    });
    form.reset();
    signedIn(res.token, res.user);
  } catch (err) {
    showResult(form, passkeyError(err));
  } finally {
    button.disabled = false;
  }
});

handle($('#passkey-add-form'), async (values) => {
  const form = $('#passkey-add-form');
  $('#passkeys-notice').textContent = '';
  const name = String(values.name ?? '').trim();
  try {
    const { challenge_id, options } = await api('POST', '/api/passkeys/register/options');
    const credential = await window.navigator.credentials.create({
      publicKey: {
        ...options,
        challenge: fromBase64url(options.challenge),
        user: { ...options.user, id: fromBase64url(options.user.id) },
        excludeCredentials: withIds(options.excludeCredentials),
      },
    });
    const added = await api('POST', '/api/passkeys/register', {
      challenge_id,
      credential: credentialJSON(credential),
      ...(name ? { name } : {}),
    });
    form.reset();
    $('#passkeys-notice').textContent = t('passkeys.added', { name: added.name });
    await showPasskeys();
  } catch (err) {
    throw passkeyError(err);
  }
});

async function showPasskeys() {
  $('#passkeys-error').textContent = '';
  $('#passkeys-unsupported').hidden = passkeysSupported;
  $('#passkey-add-form').hidden = !passkeysSupported;
  try {
    const { passkeys } = await api('GET', '/api/passkeys');
    $('#passkeys-empty').hidden = passkeys.length > 0;
    $('#passkeys-list').replaceChildren(...passkeys.map(passkeyRow));
  } catch (err) {
    $('#passkeys-error').textContent = err.error;
  }
}

// One passkey: its name (text, never markup), when it was added and last used, whether it is
// synced, and Rename (in place) and Remove (after a second, explicit click).
function passkeyRow(k) {
  const li = document.createElement('li');
  li.dataset.id = k.id;
  const name = Object.assign(document.createElement('strong'), { textContent: k.name });
  const where = k.backed_up
    ? t('passkeys.synced')
    : k.device_type === 'multiDevice'
      ? t('passkeys.maySync')
      : t('passkeys.thisDeviceOnly');
  const details = Object.assign(document.createElement('span'), {
    className: 'muted',
    textContent: t('passkeys.details', { added: day(k.created_at), used: day(k.last_used_at), where }),
  });
  const button = (text, className) =>
    Object.assign(document.createElement('button'), { type: 'button', className, textContent: text });
  const rename = button(t('action.rename'), 'secondary rename');
  rename.setAttribute('aria-label', t('passkeys.renameLabel', { name: k.name }));
  const remove = button(t('action.remove'), 'secondary remove');
  remove.setAttribute('aria-label', t('passkeys.removeLabel', { name: k.name }));
  const keep = button(t('action.keep'), 'secondary keep');
  keep.hidden = true;

  const form = Object.assign(document.createElement('form'), { className: 'passkey-rename', hidden: true });
  const input = Object.assign(document.createElement('input'), {
    name: 'name',
    value: k.name,
    maxLength: 64,
  });
  input.setAttribute('aria-label', t('passkeys.newNameLabel', { name: k.name }));
  const save = Object.assign(document.createElement('button'), {
    type: 'submit',
    textContent: t('action.save'),
  });
  const cancel = button(t('action.cancel'), 'secondary');
  form.append(input, save, cancel);
  rename.addEventListener('click', () => {
    form.hidden = false;
    input.focus();
    input.select();
  });
  cancel.addEventListener('click', () => {
    form.hidden = true;
    input.value = k.name;
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await api('PATCH', `/api/passkeys/${encodeURIComponent(k.id)}`, { name: input.value });
      $('#passkeys-notice').textContent = t('passkeys.renamed');
      await showPasskeys();
    } catch (err) {
      $('#passkeys-error').textContent = err.error;
      save.disabled = false;
    }
  });

  keep.addEventListener('click', () => {
    keep.hidden = true;
    remove.textContent = t('action.remove');
    delete remove.dataset.armed;
  });
  remove.addEventListener('click', async () => {
    if (!remove.dataset.armed) {
      remove.dataset.armed = 'yes';
      remove.textContent = t('passkeys.removeArmed');
      keep.hidden = false;
      return;
    }
    remove.disabled = true;
    try {
      await api('DELETE', `/api/passkeys/${encodeURIComponent(k.id)}`);
      $('#passkeys-notice').textContent = t('passkeys.removed', { name: k.name });
      await showPasskeys();
    } catch (err) {
      $('#passkeys-error').textContent = err.error;
      remove.disabled = false;
    }
  });
  li.append(name, details, rename, remove, keep, form);
  return li;
}

$('#logout').addEventListener('click', async () => {
  await api('POST', '/api/logout').catch(() => {});
  signedOut();
});

// The way back to /device after signing in. /device sends a signed-out person here as
// `/?device=CODE`; a password sign-in keeps that address, but a provider sign-in leaves for the
// provider and comes back to `/#oidc=...` alone, so the code is also kept in this tab's
// sessionStorage (which a round trip through another site keeps) and put back in the address when
// the provider sends the browser back. The only place this ever leads is the fixed path /device,
// with a code of the user code's shape or none: nothing read from the address or the storage can
// send the browser anywhere else.
const DEVICE_RETURN_KEY = 'mux1.device-return';
// A device code lives 10 minutes: a way back older than that leads to a code that is gone.
const DEVICE_RETURN_MS = 10 * 60_000;

/** `XXXX-XXXX` from a code as typed (any case, dash or spaces), '' for none, null for anything else. */
function deviceCodeOf(value) {
  if (typeof value !== 'string' || value.length > 20) return null;
  const plain = value.toUpperCase().replace(/[\s-]/g, '');
  if (plain === '') return '';
  return /^[A-Z]{8}$/.test(plain) ? `${plain.slice(0, 4)}-${plain.slice(4)}` : null;
}

/** `/device` or `/device?code=XXXX-XXXX` when this visit came from /device, else null. */
function deviceReturn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('device')) return null;
  const code = deviceCodeOf(params.get('device'));
  // A code that is not one still goes back to /device, which asks for it.
  return code ? `/device?code=${code}` : '/device';
}

/** The code kept before a provider round trip: well-formed and recent, else nothing. */
function keptDeviceCode() {
  let kept = null;
  try {
    kept = JSON.parse(sessionStorage.getItem(DEVICE_RETURN_KEY) ?? 'null');
  } catch {
    return null;
  }
  if (!kept || typeof kept.at !== 'number' || Date.now() - kept.at > DEVICE_RETURN_MS) return null;
  if (kept.at > Date.now() + 60_000) return null;
  return deviceCodeOf(kept.code);
}

function signedIn(token, user) {
  state.token = token;
  state.user = user;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#whoami').textContent = t('chat.signedInAs', { username: user.username });
  $('#logout').hidden = false;
  $('#account').hidden = true;
  $('#chat').hidden = false;
  $('#message-input').focus();
  // Sent here from /device to sign in first: back there with the terminal's code, whichever way
  // the person signed in (a password, a second factor, a provider and its round trip).
  const back = deviceReturn();
  if (back !== null) {
    sessionStorage.removeItem(DEVICE_RETURN_KEY);
    location.assign(back);
    return;
  }
  connectChat();
  showTwoFactor();
  showTokens();
  showPasskeys();
  showMailLanguage();
  showOidc({});
  providersLoaded.then(showIdentities);
}

function signedOut() {
  state.socket?.disconnect();
  state.socket = null;
  state.token = null;
  state.user = null;
  sessionStorage.removeItem(TOKEN_KEY);
  $('#whoami').textContent = '';
  $('#logout').hidden = true;
  $('#chat').hidden = true;
  $('#account').hidden = false;
  $('#messages').replaceChildren();
  $('#presence').replaceChildren();
  $('#rooms').replaceChildren();
  $('#tokens-list').replaceChildren();
  $('#passkeys-list').replaceChildren();
  $('#passkeys-notice').textContent = '';
  $('#passkeys-error').textContent = '';
  showResult($('#passkey-add-form'));
  $('#identities-list').replaceChildren();
  $('#identities-notice').textContent = '';
  $('#identities-error').textContent = '';
  hideCreatedToken();
  showResult($('#mail-language-form'));
  state.lastId = 0;
  state.room = 'lobby';
  state.rooms = new Map();
}

function time(ts) {
  return new Date(ts).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

// Shown once, in id order, whether it came live or from history (catching up may cross live ones).
function renderMessage(m) {
  if (document.getElementById(`m${m.id}`)) return;
  state.lastId = Math.max(state.lastId, m.id);
  const li = document.createElement('li');
  li.id = `m${m.id}`;
  li.dataset.id = String(m.id);
  if (m.user && state.user && m.user.id === state.user.id) li.className = 'own';
  const when = document.createElement('span');
  when.className = 'time';
  when.textContent = time(m.ts);
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = m.user ? m.user.username : t('chat.deletedUser');
  const text = document.createElement('span');
  text.className = 'text';
  li.append(when, who, text);
  showText(li, m.text);
  if (state.user && (m.mentions || []).includes(state.user.id)) li.classList.add('mentions-me');
  if (m.edited_at) li.append(editedMark());
  if (li.className.includes('own')) li.append(ownTools(m.id));
  const list = $('#messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  let next = null;
  for (let el = list.lastElementChild; el && Number(el.dataset.id) > m.id; el = el.previousElementSibling)
    next = el;
  list.insertBefore(li, next);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// A moderator kicked, muted or banned someone here: one line, after the newest message. A sentence
// per action, for the reader or someone else, with a time limit or none: word order differs by
// language, so no sentence is built from pieces.
function moderationLine(e, you, until) {
  const v = { user: e.user.username, room: e.room, by: e.by.username, time: until, action: e.action };
  switch (e.action) {
    case 'kick':
      return you ? t('moderation.kickYou', v) : t('moderation.kick', v);
    case 'mute':
      if (until) return you ? t('moderation.muteYouUntil', v) : t('moderation.muteUntil', v);
      return you ? t('moderation.muteYou', v) : t('moderation.mute', v);
    case 'unmute':
      return you ? t('moderation.unmuteYou', v) : t('moderation.unmute', v);
    case 'ban':
      if (until) return you ? t('moderation.banYouUntil', v) : t('moderation.banUntil', v);
      return you ? t('moderation.banYou', v) : t('moderation.ban', v);
    case 'unban':
      return you ? t('moderation.unbanYou', v) : t('moderation.unban', v);
    default:
      return t('moderation.other', v);
  }
}
function renderModeration(e) {
  const li = document.createElement('li');
  li.className = 'moderation';
  li.dataset.id = String(state.lastId);
  const you = Boolean(state.user && e.user.id === state.user.id);
  const until = typeof e.until === 'number' ? time(e.until) : '';
  li.textContent = moderationLine(e, you, until);
  const list = $('#messages');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

// "/me waves" is an action (docs/api.md, "Actions"): shown as "* alice waves", as the TUI shows it.
function showText(li, body) {
  const action = body.startsWith('/me ') && body.slice(4).trim() ? body.slice(4).trim() : undefined;
  li.classList.toggle('action', action !== undefined);
  li.querySelector('.text').textContent = action ?? body;
}

function editedMark() {
  const mark = document.createElement('span');
  mark.className = 'edited';
  mark.textContent = t('chat.edited');
  return mark;
}

// Edit and delete buttons on the user's own messages.
function ownTools(id) {
  const tools = document.createElement('span');
  tools.className = 'tools';
  const edit = document.createElement('button');
  edit.type = 'button';
  edit.className = 'secondary';
  edit.textContent = t('chat.edit');
  edit.addEventListener('click', async () => {
    const current = document.querySelector(`#m${id} .text`)?.textContent ?? '';
    const text = window.prompt(t('chat.editPrompt'), current);
    if (text === null || text.trim() === '' || text === current) return;
    const res = await ask('edit', { id, text });
    if (!res.ok) $('#chat-error').textContent = failureText(res.code, res.error);
  });
  const del = document.createElement('button');
  del.type = 'button';
  del.className = 'secondary';
  del.textContent = t('chat.delete');
  del.addEventListener('click', async () => {
    if (!window.confirm(t('chat.deleteConfirm'))) return;
    const res = await ask('delete', { id });
    if (!res.ok) $('#chat-error').textContent = failureText(res.code, res.error);
  });
  tools.append(edit, del);
  return tools;
}

const labelOf = (room) => {
  const other = state.rooms.get(room)?.with;
  return other ? `@${other.username}` : `#${room}`;
};

// The room list: names as text, counts as badges; the room on screen is marked.
function renderRooms() {
  const items = [...state.rooms.values()].map((r) => {
    const li = document.createElement('li');
    if (r.room === state.room) li.className = 'current';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = labelOf(r.room);
    if (r.unread > 0) {
      const badge = document.createElement('span');
      badge.className = r.mentions > 0 ? 'badge mention' : 'badge';
      badge.textContent = r.unread >= 999 ? '999+' : String(r.unread);
      button.append(badge);
    }
    button.addEventListener('click', () => switchRoom(r.room).catch(() => {}));
    li.append(button);
    return li;
  });
  $('#rooms').replaceChildren(...items);
  $('#room-name').textContent = labelOf(state.room);
  $('#message-input').placeholder = t('chat.messagePlaceholder', { room: labelOf(state.room) });
}

async function refreshRooms() {
  const res = await ask('rooms', {});
  if (!res || !res.ok) return;
  state.rooms = new Map(res.rooms.map((r) => [r.room, r]));
  if (!state.rooms.has(state.room)) state.rooms.set(state.room, { room: state.room, unread: 0, mentions: 0 });
  Object.assign(state.rooms.get(state.room), { unread: 0, mentions: 0 });
  renderRooms();
}

// The room on screen is read: here and on the user's other devices.
function markRead() {
  const last = $('#messages').lastElementChild;
  if (last) ask('read', { room: state.room, id: Number(last.dataset.id) }).catch(() => {});
  const summary = state.rooms.get(state.room);
  if (summary) Object.assign(summary, { unread: 0, mentions: 0 });
  renderRooms();
}

async function loadRoom() {
  const res = await ask('history', { room: state.room, limit: 100 });
  if (res && res.ok) res.messages.forEach(renderMessage);
  markRead();
}

async function switchRoom(room) {
  if (room === state.room) return;
  if (!room.startsWith('dm:')) await ask('join', { room });
  state.room = room;
  state.lastId = 0;
  $('#messages').replaceChildren();
  $('#presence').replaceChildren();
  await loadRoom();
}

// A message's own id, so that sending it again after a lost answer stores it once.
// crypto.randomUUID needs a secure context; getRandomValues works everywhere.
function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

function ask(event, payload) {
  return state.socket.timeout(10000).emitWithAck(event, payload);
}

// After a reconnection the server has this connection in the lobby only, and keeps nothing of
// the old one: join the room again, then read what was missed, a page at a time.
async function catchUp() {
  if (state.room !== 'lobby') await ask('join', { room: state.room });
  for (;;) {
    const res = await ask('history', { room: state.room, after: state.lastId, limit: 200 });
    if (!res || !res.ok) return;
    res.messages.forEach(renderMessage);
    if (res.messages.length < 200) return;
  }
}

function setConnection(text) {
  $('#connection').textContent = text;
}

const typingUntil = new Map();
const typingList = new Intl.ListFormat(locale, { type: 'conjunction' });
function showTyping() {
  const now = Date.now();
  const names = [...typingUntil].filter(([, until]) => until > now).map(([name]) => name);
  $('#typing').textContent = names.length
    ? t('chat.typing', { count: names.length, names: typingList.format(names) })
    : '';
}
setInterval(showTyping, 1000);

function connectChat() {
  // io() comes from /socket.io/socket.io.min.js, served by the mux1 server itself.
  const socket = io({ auth: { token: state.token }, transports: ['websocket', 'polling'] });
  state.socket = socket;
  socket.on('connect', () => setConnection(t('chat.connected')));
  socket.on('disconnect', (reason) => {
    setConnection(reason === 'io server disconnect' ? t('chat.signedOutByServer') : t('chat.reconnecting'));
    if (reason === 'io server disconnect') signedOut();
  });
  socket.on('connect_error', () => setConnection(t('chat.offline')));
  socket.on('connected', () => {
    if (state.lastId > 0) {
      catchUp().catch(() => {});
      return;
    }
    loadRoom()
      .then(refreshRooms)
      .catch(() => {});
  });
  socket.on('auth_error', (err) => {
    $('#chat-error').textContent = failureText(err.code, err.error);
    if (err.code === 'unauthorized' || err.code === 'invalid_token') signedOut();
  });
  socket.on('message', (m) => {
    if (m.room === state.room) {
      renderMessage(m);
      if (!m.user || m.user.id !== state.user?.id) ask('read', { room: m.room, id: m.id }).catch(() => {});
    } else if (m.user && m.user.id !== state.user?.id) {
      const summary = state.rooms.get(m.room) ?? { room: m.room, unread: 0, mentions: 0 };
      if (m.room.startsWith('dm:')) summary.with ??= m.user;
      summary.unread += 1;
      if ((m.mentions || []).includes(state.user?.id)) summary.mentions += 1;
      state.rooms.set(m.room, summary);
      renderRooms();
    }
    if (m.user) typingUntil.delete(m.user.username);
    showTyping();
  });
  socket.on('message_edited', (e) => {
    const li = document.getElementById(`m${e.id}`);
    if (!li) return;
    showText(li, e.text);
    if (!li.querySelector('.edited')) li.querySelector('.text').after(editedMark());
  });
  socket.on('message_deleted', (e) => document.getElementById(`m${e.id}`)?.remove());
  socket.on('moderation', (e) => {
    if (e.room === state.room) renderModeration(e);
  });
  socket.on('mention', (m) => {
    const summary = state.rooms.get(m.room) ?? { room: m.room, unread: 0, mentions: 0 };
    summary.unread += 1;
    summary.mentions += 1;
    state.rooms.set(m.room, summary);
    renderRooms();
  });
  socket.on('read', () => refreshRooms().catch(() => {}));
  socket.on('presence', (p) => {
    if (p.room !== state.room) return;
    $('#presence').replaceChildren(
      ...p.users.map((u) => {
        const li = document.createElement('li');
        li.textContent = u.username;
        return li;
      }),
    );
  });
  socket.on('typing', (t) => {
    if (t.room !== state.room || !t.user || (state.user && t.user.id === state.user.id)) return;
    typingUntil.set(t.user.username, Date.now() + 4000);
    showTyping();
  });
}

// A direct message from a name: sent, then the conversation opens.
$('#dm-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const to = $('#dm-to').value.trim().toLowerCase();
  const text = $('#dm-text').value.trim();
  if (!to || !text || !state.socket) return;
  const res = await ask('message', { to, text, client_id: newClientId() });
  if (!res.ok) return ($('#chat-error').textContent = failureText(res.code, res.error));
  $('#chat-error').textContent = '';
  $('#dm-to').value = '';
  $('#dm-text').value = '';
  await refreshRooms();
  const conversation = [...state.rooms.values()].find((r) => r.with?.username === to);
  if (conversation) await switchRoom(conversation.room);
});

// Search: results from every room the user may read, newest first; one opens its room at the
// message, loading the page of history that holds it when it is older than what is shown.
$('#search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const query = $('#search-query').value.trim();
  if (!query || !state.socket) return;
  $('#search-status').textContent = t('search.searching');
  const res = await ask('search', { query, limit: 20 }).catch(() => null);
  if (!res || !res.ok) {
    $('#search-status').textContent = res ? failureText(res.code, res.error) : t('search.noAnswer');
    return $('#search-results').replaceChildren();
  }
  const count = res.messages.length;
  $('#search-status').textContent = count === 0 ? t('search.nothing') : t('search.found', { count });
  $('#search-results').replaceChildren(...res.messages.map(searchResult));
});

function searchResult(m) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  const where = document.createElement('span');
  where.className = 'where';
  where.textContent = `${labelOf(m.room)} · ${m.user ? m.user.username : t('chat.deletedUser')} · ${time(m.ts)}`;
  const text = document.createElement('span');
  text.textContent = m.text;
  button.append(where, text);
  button.addEventListener('click', () => showFound(m).catch(() => {}));
  li.append(button);
  return li;
}

async function showFound(m) {
  await switchRoom(m.room);
  if (!document.getElementById(`m${m.id}`)) await loadAround(m.id);
  const found = document.getElementById(`m${m.id}`);
  if (!found) return;
  document.querySelectorAll('#messages li.found').forEach((el) => el.classList.remove('found'));
  found.classList.add('found');
  found.scrollIntoView({ block: 'center' });
}

// A message older than those shown, with a little before it and what came after it up to the
// messages already shown. When more came after it than one page holds, a line says that some
// were skipped, so the list never looks continuous where it is not.
async function loadAround(id) {
  const shown = $('#messages').firstElementChild;
  const firstShown = shown ? Number(shown.dataset.id) : Infinity;
  const before = await ask('history', { room: state.room, before: id + 1, limit: 20 });
  if (before && before.ok) before.messages.forEach(renderMessage);
  const after = await ask('history', { room: state.room, after: id, limit: 200 });
  if (!after || !after.ok) return;
  after.messages.forEach(renderMessage);
  const last = after.messages.at(-1);
  if (after.messages.length === 200 && last && last.id < firstShown - 1) {
    const gap = document.createElement('li');
    gap.className = 'gap muted';
    gap.dataset.id = String(last.id + 0.5);
    gap.textContent = t('chat.gap');
    const next = document.getElementById(`m${last.id}`)?.nextElementSibling ?? null;
    $('#messages').insertBefore(gap, next);
  }
}

let lastTyping = 0;
$('#message-input').addEventListener('input', () => {
  if (state.socket && Date.now() - lastTyping > 2000) {
    lastTyping = Date.now();
    state.socket.emit('typing', { room: state.room });
  }
});

$('#message-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('#message-input');
  const text = input.value.trim();
  if (!text || !state.socket) return;
  sendMessage({ room: state.room, text, client_id: newClientId() }, 1);
  input.value = '';
});

// A message whose connection dropped before the answer is sent again, with the same client_id,
// once the connection is back (the server stores it once).
function sendMessage(payload, attempt) {
  const socket = state.socket;
  socket.timeout(10000).emit('message', payload, (err, ack) => {
    if (err && socket.active && !socket.connected && attempt < 3) {
      return socket.once('connected', () => setTimeout(() => sendMessage(payload, attempt + 1), 100));
    }
    if (err) return ($('#chat-error').textContent = t('chat.notConfirmed'));
    if (!ack.ok) return ($('#chat-error').textContent = failureText(ack.code, ack.error));
    $('#chat-error').textContent = '';
  });
}

// Sign-in with an identity provider. The server answers with the provider's URL (and sets an
// HttpOnly cookie that ties the sign-in to this browser); the provider sends the browser back to
// the server, which sends it here with a one-time ticket in the fragment (#oidc=...), never
// sent to any server. The page trades the ticket for a session, a username step, or a sentence.
const OIDC_ERRORS = {
  invalid_oidc_state: t('oidc.invalidState'),
  provider_refused: t('oidc.refused'),
  provider_unavailable: t('oidc.unavailable'),
  identity_in_use: t('oidc.inUse'),
  not_found: t('oidc.notSetUp'),
};
let providers = [];
let oidcTicket = null;

function actionButton(text, onClick) {
  const button = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  button.className = 'secondary';
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await onClick();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function showOidc({ notice = '', error = '' }) {
  $('#oidc-result').hidden = !notice && !error;
  $('#oidc-notice').textContent = notice;
  $('#oidc-error').textContent = error;
}

async function goToProvider(path, showError) {
  try {
    const res = await api('POST', path);
    window.location.assign(res.authorization_url);
  } catch (err) {
    showError(err.error);
  }
}

async function loadProviders() {
  providers = await api('GET', '/api/oidc/providers')
    .then((res) => res.providers)
    .catch(() => []);
  $('#provider-buttons').replaceChildren(
    ...providers.map((p) =>
      actionButton(t('oidc.signInWith', { provider: p.name }), () =>
        goToProvider(`/api/oidc/${encodeURIComponent(p.id)}/start`, (error) => showOidc({ error })),
      ),
    ),
  );
  $('#provider-signin').hidden = providers.length === 0;
}

async function completeOidc(ticket) {
  let res;
  try {
    res = await api('POST', '/api/oidc/complete', { ticket });
  } catch (err) {
    return showOidc({ error: Object.hasOwn(OIDC_ERRORS, err.code) ? OIDC_ERRORS[err.code] : err.error });
  }
  if (res.outcome === 'login') return signedIn(res.token, res.user);
  const words = { provider: res.provider, email: res.email };
  if (res.outcome === 'mfa_required') {
    mfaToken = res.mfa_token;
    $('#mfa-intro').textContent = said(res.message, t('oidc.secondFactor'));
    $('#mfa-form').hidden = false;
    $('#mfa-code').focus();
    return;
  }
  if (res.outcome === 'signup_required') {
    oidcTicket = ticket;
    $('#oidc-signup-intro').textContent = said(res.message, t('oidc.signupIntro', words));
    $('#oidc-signup-form').hidden = false;
    $('#oidc-signup-username').focus();
    return;
  }
  if (res.outcome === 'linked') {
    $('#identities').open = true;
    $('#identities-notice').textContent = said(res.message, t('oidc.linked', words));
    return showIdentities();
  }
  if (res.outcome === 'email_taken')
    return showOidc({ notice: said(res.message, t('oidc.emailTaken', words)) });
  if (res.outcome === 'no_verified_email')
    return showOidc({ notice: said(res.message, t('oidc.noVerifiedEmail', words)) });
  showOidc({ notice: res.message });
}

handle($('#oidc-signup-form'), async (values) => {
  const res = await api('POST', '/api/oidc/signup', { ticket: oidcTicket, username: values.username });
  $('#oidc-signup-form').reset();
  $('#oidc-signup-form').hidden = true;
  oidcTicket = null;
  signedIn(res.token, res.user);
});

// Linked identities in the settings: listed, removed (the server keeps the last way to sign in),
// and one button per configured provider to link another.
async function showIdentities() {
  if (!state.token) return;
  let identities = [];
  try {
    ({ identities } = await api('GET', '/api/identities'));
  } catch (err) {
    $('#identities-error').textContent = err.error;
  }
  $('#identities').hidden = providers.length === 0 && identities.length === 0;
  $('#identities-empty').hidden = identities.length > 0;
  $('#identities-list').replaceChildren(
    ...identities.map((identity) => {
      const li = document.createElement('li');
      li.dataset.id = String(identity.id);
      const words = {
        provider: identity.provider_name,
        email: identity.email,
        date: day(identity.created_at),
      };
      const label = Object.assign(document.createElement('span'), {
        textContent: identity.email ? t('identities.rowWithEmail', words) : t('identities.row', words),
      });
      const remove = actionButton(t('action.remove'), async () => {
        $('#identities-error').textContent = '';
        try {
          await api('DELETE', `/api/identities/${identity.id}`);
          $('#identities-notice').textContent = t('identities.unlinked', words);
          await showIdentities();
        } catch (err) {
          $('#identities-notice').textContent = '';
          $('#identities-error').textContent = err.error;
        }
      });
      li.append(label, ' ', remove);
      return li;
    }),
  );
  $('#identity-link-buttons').replaceChildren(
    ...providers.map((p) =>
      actionButton(t('identities.link', { provider: p.name }), () =>
        goToProvider(`/api/identities/${encodeURIComponent(p.id)}/link`, (error) => {
          $('#identities-error').textContent = error;
        }),
      ),
    ),
  );
}

const arrived = new window.URLSearchParams(window.location.hash.slice(1));
const fromProvider = arrived.has('oidc') || arrived.has('oidc-error');
const query = new URLSearchParams(location.search);
if (query.has('device')) {
  // Sent here from /device: kept for the case the person leaves for a provider to sign in.
  const code = deviceCodeOf(query.get('device'));
  sessionStorage.setItem(DEVICE_RETURN_KEY, JSON.stringify({ code: code ?? '', at: Date.now() }));
} else if (!fromProvider) {
  // Any other visit: a device login abandoned earlier in this tab leads nowhere any more.
  sessionStorage.removeItem(DEVICE_RETURN_KEY);
}
if (fromProvider) {
  // The ticket is used once, so it leaves the address bar and the tab's history at once; the way
  // back to /device, when one was kept, takes its place.
  const code = keptDeviceCode();
  window.history.replaceState(
    null,
    '',
    code === null ? window.location.pathname : `/?device=${encodeURIComponent(code)}`,
  );
}
const providersLoaded = loadProviders();
if (arrived.has('oidc')) providersLoaded.then(() => completeOidc(arrived.get('oidc')));
if (arrived.has('oidc-error')) {
  const code = arrived.get('oidc-error');
  const error = Object.hasOwn(OIDC_ERRORS, code) ? OIDC_ERRORS[code] : t('oidc.failed');
  // A link started from the settings comes back to a signed-in page: its error goes there.
  if (state.token) {
    $('#identities').open = true;
    $('#identities-error').textContent = error;
  } else {
    showOidc({ error });
  }
}

// Sent here from /device to sign in first: said, since the page looks like any visit otherwise.
if (deviceReturn() !== null && !state.token) {
  $('#whoami').textContent = t('device.returnHint');
}

$('#message-input').placeholder = t('chat.messagePlaceholder', { room: labelOf(state.room) });

// A reload of this tab keeps the session when the token still works.
if (state.token) {
  api('GET', '/api/me')
    .then((res) => signedIn(state.token, res.user))
    .catch(() => signedOut());
}
