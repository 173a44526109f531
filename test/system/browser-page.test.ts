import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { io, type Socket } from 'socket.io-client';
import { newPerson } from '../helpers/accounts.js';
import { useServer } from '../helpers/fixture.js';

const ARTIFACTS = 'test-artifacts';

/** The page in Debian's Chromium, driven like a person: labels, Enter to submit, mail for the code. */
describe('browser page (Chromium)', function () {
  this.timeout(60_000);
  const chromium = useChromium();
  let page: Page;
  let other: Socket | undefined;
  /** Sockets of the other side of a test, closed even when the test fails midway (an open one
   * would keep mocha from exiting). */
  const peers: Socket[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    page = await chromium.browser.newPage({ viewport: { width: 1000, height: 800 } });
    collectPageErrors(page, consoleErrors);
  });
  after(async () => {
    other?.disconnect();
    for (const peer of peers) peer.disconnect();
  });
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  it('serves the page with a strict CSP and the other security headers', async () => {
    const res = await page.goto(t.url + '/');
    expect(res!.status()).to.equal(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).to.include("script-src 'self'");
    expect(headers['content-security-policy']).to.include("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.to.include('unsafe-inline');
    expect(headers['x-content-type-options']).to.equal('nosniff');
    expect(headers['referrer-policy']).to.equal('no-referrer');
    expect(headers['x-powered-by']).to.equal(undefined);
  });

  it('signs up, verifies with the mailed code, logs in and chats', async () => {
    const me = newPerson('web');
    await page.getByLabel('Username', { exact: true }).fill(me.username);
    await page.locator('#signup-form').getByLabel('Email').fill(me.email);
    await page.locator('#signup-form').getByLabel('Password').fill(me.password);
    await page.locator('#signup-form').getByLabel('Password').press('Enter');
    await page.locator('#signup-form .notice').filter({ hasText: 'Account created' }).waitFor();

    expect(await page.locator('#verify-form [name="email"]').inputValue()).to.equal(me.email);
    const code = await t.mail.codeFor(me.email);
    await page.locator('#verify-form').getByLabel('Code').fill(code);
    await page.locator('#verify-form').getByLabel('Code').press('Enter');
    await page.locator('#verify-form .notice').filter({ hasText: 'verified' }).waitFor();

    await page.getByLabel('Username or email').fill(me.username);
    await page.locator('#login-form').getByLabel('Password').fill(me.password);
    await page.locator('#login-form').getByLabel('Password').press('Enter');
    await page.locator('#chat').waitFor({ state: 'visible' });
    expect(await page.locator('#account').isVisible(), 'the forms, once signed in').to.equal(false);
    await page.locator('#connection').filter({ hasText: 'connected' }).waitFor();
    await page.locator('#presence li').filter({ hasText: me.username }).waitFor();

    await page.locator('[name="message"]').fill('<b>bold?</b> hello from the page');
    await page.locator('[name="message"]').press('Enter');
    const mine = page.locator('#messages li.own').filter({ hasText: 'hello from the page' });
    await mine.waitFor();
    expect(await mine.locator('.text').textContent()).to.equal('<b>bold?</b> hello from the page');
    expect(await page.locator('#messages b').count(), 'markup must be shown as text').to.equal(0);

    const friend = await t.loggedInPerson('friend');
    other = io(t.url, { auth: { token: friend.token }, transports: ['websocket'] });
    await new Promise<void>((resolve) => other!.once('connected', () => resolve()));
    const ack = await other
      .timeout(5000)
      .emitWithAck('message', { room: 'lobby', text: 'hi from a terminal' });
    expect(ack.ok).to.equal(true);
    await page.locator('#messages li').filter({ hasText: 'hi from a terminal' }).waitFor();
    await page.locator('#presence li').filter({ hasText: friend.username }).waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/browser-chat.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.screenshot({ path: `${ARTIFACTS}/browser-chat-phone.png`, fullPage: true });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-form').waitFor({ state: 'visible' });
    expect(await page.locator('#chat').isVisible(), 'the chat, once signed out').to.equal(false);
    expect(consoleErrors, 'console errors').to.deep.equal([]);
  });

  it('lists rooms and direct messages with unread counts, and opens a conversation', async () => {
    const me = await t.loggedInPerson('webdm');
    const friend = await t.loggedInPerson('webpal');
    const pal = io(t.url, { auth: { token: friend.token }, transports: ['websocket'] });
    peers.push(pal);
    await new Promise<void>((resolve) => pal.once('connected', () => resolve()));
    for (const text of ['<i>psst</i>', `are you there @${me.username}?`]) {
      expect((await pal.timeout(5000).emitWithAck('message', { to: me.username, text })).ok).to.equal(true);
    }
    await page.goto(t.url);
    await page.evaluate(`sessionStorage.setItem('mux1.token', ${JSON.stringify(me.token)})`);
    await page.reload();
    const dm = page.locator('#rooms button', { hasText: `@${friend.username}` });
    await dm.locator('.badge.mention', { hasText: '2' }).waitFor();
    await dm.click();
    await page.locator('#room-name', { hasText: `@${friend.username}` }).waitFor();
    await page.locator('#messages li', { hasText: '<i>psst</i>' }).waitFor();
    expect(await page.locator('#messages i').count(), 'markup must be shown as text').to.equal(0);
    await page.locator('#messages li.mentions-me').waitFor();
    expect(await dm.locator('.badge').count(), 'read once opened').to.equal(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/browser-direct-messages.png`, fullPage: true });
    pal.disconnect();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-form').waitFor({ state: 'visible' });
    expect(consoleErrors, 'console errors').to.deep.equal([]);
  });

  it('shows "/me" messages as actions, as the TUI does, and follows an edit', async () => {
    const me = await t.loggedInPerson('webme');
    const friend = await t.loggedInPerson('webactor');
    const pal = io(t.url, { auth: { token: friend.token }, transports: ['websocket'] });
    peers.push(pal);
    await new Promise<void>((resolve) => pal.once('connected', () => resolve()));
    await page.goto(t.url);
    await page.evaluate(`sessionStorage.setItem('mux1.token', ${JSON.stringify(me.token)})`);
    await page.reload();
    await page.locator('#room-name', { hasText: '#lobby' }).waitFor();
    const sent = await pal
      .timeout(5000)
      .emitWithAck('message', { room: 'lobby', text: '/me waves <b>hi</b>' });
    expect(sent.ok).to.equal(true);
    const action = page.locator('#messages li.action', { hasText: 'waves' });
    await action.waitFor();
    expect(await action.locator('.text').textContent()).to.equal('waves <b>hi</b>');
    const before = await page.evaluate(
      `getComputedStyle(document.querySelector('#m${sent.id} .who'), '::before').content`,
    );
    expect(before).to.equal('"* "');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/browser-action.png`, fullPage: true });
    await pal.timeout(5000).emitWithAck('edit', { id: sent.id, text: 'no longer an action' });
    await page.locator('#messages li', { hasText: 'no longer an action' }).waitFor();
    expect(await page.locator(`#m${sent.id}`).getAttribute('class')).not.to.include('action');
    pal.disconnect();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-form').waitFor({ state: 'visible' });
    expect(consoleErrors, 'console errors').to.deep.equal([]);
  });

  it('searches messages and opens a result in its room, older ones included', async () => {
    const me = await t.loggedInPerson('websearch');
    const pal = io(t.url, { auth: { token: me.token }, transports: ['websocket'] });
    peers.push(pal);
    await new Promise<void>((resolve) => pal.once('connected', () => resolve()));
    // The needle is followed by more messages than the page loads (100), so opening it must
    // fetch the page of history that holds it.
    const room = `search${Date.now() % 100000}`;
    expect((await pal.timeout(5000).emitWithAck('join', { room })).ok).to.equal(true);
    const needle = await pal.timeout(5000).emitWithAck('message', { room, text: 'zebrafinch deploy notes' });
    expect(needle.ok).to.equal(true);
    // Written straight to the database: sent one by one they would meet the chat rate limit.
    const author = await t.db('users').where({ username: me.username }).first('id');
    const fillers = Array.from({ length: 110 }, (_, i) => ({
      room,
      user_id: author.id,
      text: `filler ${i}`,
      created_at: Date.now(),
    }));
    for (let i = 0; i < fillers.length; i += 50) await t.db('messages').insert(fillers.slice(i, i + 50));
    pal.disconnect();
    await page.setViewportSize({ width: 1000, height: 800 });
    await page.goto(t.url);
    await page.evaluate(`sessionStorage.setItem('mux1.token', ${JSON.stringify(me.token)})`);
    await page.reload();
    await page.locator('#connection').filter({ hasText: 'connected' }).waitFor();

    await page.getByLabel('Search messages').fill('"; DROP zebra*');
    await page.getByLabel('Search messages').press('Enter');
    await page.locator('#search-status', { hasText: 'nothing found' }).waitFor();
    await page.getByLabel('Search messages').fill('zebrafin');
    await page.getByLabel('Search messages').press('Enter');
    await page.locator('#search-status', { hasText: '1 message' }).waitFor();
    const result = page.locator('#search-results button', { hasText: 'zebrafinch deploy notes' });
    expect(await result.locator('.where').textContent()).to.include(`#${room}`);
    await result.click();
    await page.locator('#room-name', { hasText: `#${room}` }).waitFor();
    const found = page.locator(`#m${needle.id}.found`);
    await found.waitFor();
    expect(await found.isVisible()).to.equal(true);
    // Nothing between the needle and the latest is left out of the list.
    const ids = (
      await page
        .locator('#messages li')
        .evaluateAll((els) => els.map((el) => (el as unknown as { id: string }).id))
    ).map((id: string) => Number(id.slice(1)));
    expect(ids[0]).to.equal(needle.id);
    expect(ids).to.have.length(111);
    ids.forEach((id, i) => expect(id, `position ${i}`).to.equal(needle.id + i));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/browser-search.png`, fullPage: true });

    await page.getByLabel('Search messages').fill('***');
    await page.getByLabel('Search messages').press('Enter');
    await page.locator('#search-status', { hasText: /word/ }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-form').waitFor({ state: 'visible' });
    expect(consoleErrors, 'console errors').to.deep.equal([]);
  });

  it('shows API errors next to the form that caused them', async () => {
    await page.goto(t.url + '/');
    await page.getByLabel('Username or email').fill('nobody');
    await page.locator('#login-form').getByLabel('Password').fill('wrong password');
    await page.locator('#login-form').getByLabel('Password').press('Enter');
    await page.locator('#login-form .error').filter({ hasText: 'wrong username or password' }).waitFor();
  });

  it('shows every field the server refused under that field, and clears them on the next try', async () => {
    await page.goto(t.url + '/');
    const form = page.locator('#signup-form');
    // The browser's own checks are off (novalidate): these reach the server as typed.
    await form.getByLabel('Username').fill('No Spaces');
    await form.getByLabel('Email').fill('x@example.c');
    await form.getByLabel('Password').fill('password');
    await form.getByLabel('Password').press('Enter');
    const notes = form.locator('.field-error');
    await notes.nth(2).waitFor();
    expect(await notes.allTextContents()).to.deep.equal([
      'username must be 3-32 characters of a-z, 0-9, _ . -',
      'email must be a valid address',
      'password is too common; choose another',
    ]);
    // Each note follows its own input, which is marked invalid.
    for (const [name, text] of [
      ['username', 'username must be'],
      ['email', 'email must be'],
      ['password', 'password is too common'],
    ]) {
      const input = form.locator(`input[name="${name}"]`);
      expect(await input.getAttribute('aria-invalid')).to.equal('true');
      expect(await form.locator(`input[name="${name}"] + .field-error`).textContent()).to.include(text);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await form.screenshot({ path: `${ARTIFACTS}/page-signup-field-errors.png` });

    await form.getByLabel('Username').fill('fine_name');
    await form.getByLabel('Password').press('Enter');
    await notes.nth(2).waitFor({ state: 'detached' });
    // The notes go as the form is sent and come back with the answer: wait for the answer's.
    await notes.nth(1).waitFor();
    expect(await notes.allTextContents()).to.deep.equal([
      'email must be a valid address',
      'password is too common; choose another',
    ]);
    // A refused request is logged by Chromium itself ("Failed to load resource"); nothing else may be.
    expect(consoleErrors.filter((e) => !e.includes('Failed to load resource'))).to.deep.equal([]);
  });
});
