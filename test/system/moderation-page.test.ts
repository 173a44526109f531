import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { collectPageErrors, useChromium } from '../helpers/chromium.js';
import { MANY_SIGNUPS, useServer } from '../helpers/fixture.js';
import { ask, connectAs } from '../helpers/sockets.js';

const ARTIFACTS = 'test-artifacts';

/** The page shows moderation: the line when someone is muted or kicked, and deleted messages vanish. */
describe('browser page (Chromium): moderation events', function () {
  this.timeout(60_000);
  const chromium = useChromium();
  let page: Page;
  const consoleErrors: string[] = [];
  // Sockets of the test's other people: disconnected before the server closes, which otherwise
  // waits for them (they reconnect by themselves).
  const peers: { disconnect(): unknown }[] = [];

  before(async () => {
    page = await chromium.browser.newPage({ viewport: { width: 1000, height: 700 } });
    collectPageErrors(page, consoleErrors);
  });
  after(async () => {
    for (const peer of peers) peer.disconnect();
  });
  const t = useServer({ env: { ...MANY_SIGNUPS, LOG_LEVEL: 'warn' } });

  it('shows the moderation line as text and removes a message a moderator deleted', async () => {
    const [reader, mod, eve] = await t.chatPeople('pgreader', 'pgmod', 'pgeve');
    await t.server.db('users').where({ id: mod.id }).update({ role: 'moderator' });
    // Signed in as the page keeps it: the session token in sessionStorage.
    await page.addInitScript(`sessionStorage.setItem('mux1.token', ${JSON.stringify(reader.token)})`);
    await page.goto(t.url + '/');
    await page.locator('#connection').filter({ hasText: 'connected' }).waitFor();
    const e = await connectAs(t.url, eve);
    const m = await connectAs(t.url, mod);
    peers.push(e, m);
    const { id } = await ask(e, 'message', { room: 'lobby', text: 'spam <img src=x onerror=alert(1)>' });
    await page.locator(`#m${id}`).waitFor();
    await ask(m, 'moderate', { action: 'mute', room: 'lobby', user_id: eve.id, minutes: 10 });
    const line = page
      .locator('#messages li.moderation')
      .filter({ hasText: `${eve.username} was muted in #lobby` });
    await line.waitFor();
    expect(await line.textContent()).to.match(
      new RegExp(`^⚑ ${eve.username} was muted in #lobby by ${mod.username} until \\d`),
    );
    await ask(m, 'moderate', { action: 'delete', room: 'lobby', message_id: id });
    await page.locator(`#m${id}`).waitFor({ state: 'detached' });
    await ask(m, 'moderate', { action: 'kick', room: 'lobby', user_id: eve.id });
    await page.locator('#messages li.moderation').filter({ hasText: 'was kicked from #lobby' }).waitFor();
    expect(await page.locator('#messages img').count(), 'text stays text').to.equal(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/moderation-page.png` });
    expect(consoleErrors).to.deep.equal([]);
  });
});
