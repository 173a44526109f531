import { expect } from 'chai';
import { HELP, parseSlash } from '../../../tui/app/screens/ChatScreen.js';
import { MODERATION_HELP } from '../../../tui/app/moderation-commands.js';
import { CATALOGS, LANGUAGES, translator, type Catalog } from '../../../i18n/index.js';
import { CHAT } from '../../../server/protocol.js';

describe('TUI: slash commands', () => {
  it('/help and /help mod fit 80x24: a line each, within the rows the chat shows', () => {
    // Each help line is shown after "HH:MM · " (8 columns); the chat has 18 rows for lines at 80x24.
    for (const line of [...HELP, ...MODERATION_HELP]) expect(line.length, line).to.be.at.most(72);
    expect(HELP.length).to.be.at.most(14);
    expect(MODERATION_HELP.length).to.be.at.most(14);
  });

  it('/help fits 80 columns in every language, not only the one the tests run in', () => {
    for (const language of LANGUAGES) {
      const t = translator(language, 'tui');
      const tui = CATALOGS[language].tui;
      const helpKeys = (group: 'chat' | 'moderation') =>
        Object.keys((tui[group] as Catalog).help as Catalog).map((key) => `${group}.help.${key}`);
      const keys = [...helpKeys('chat'), ...helpKeys('moderation'), 'moderation.helpPointer'];
      expect(keys.length, language).to.equal(HELP.length + MODERATION_HELP.length);
      const rule = t('chat.roomRule', { max: CHAT.roomMax });
      for (const key of keys) {
        const line = t(key, { rule });
        expect(line.length, `${language}: ${line}`).to.be.at.most(72);
      }
    }
  });

  it('leaves ordinary text alone', () => {
    expect(parseSlash('hello /join x')).to.equal(undefined);
  });
  it('parses /join with a valid room, lower-cased, # allowed', () => {
    expect(parseSlash('/join #Dev-Ops')).to.deep.equal({ name: 'join', room: 'dev-ops' });
  });
  it('refuses /join without a room or with a bad one', () => {
    expect(parseSlash('/join')).to.deep.include({ name: 'invalid' });
    expect(parseSlash('/join ../etc')).to.deep.include({ name: 'invalid' });
    expect(parseSlash('/join ' + 'a'.repeat(33))).to.deep.include({ name: 'invalid' });
    // A name with a space is refused with the rule, not cut down to its first word.
    expect(parseSlash('/join Bad Room')).to.deep.equal({
      name: 'invalid',
      error: 'room names are 1-32 of a-z 0-9 _ -',
    });
  });
  it('knows the other commands and names unknown ones', () => {
    for (const c of ['leave', 'rooms', 'who', 'logout', 'quit', 'help', 'retry', 'drop'])
      expect(parseSlash('/' + c)).to.deep.equal({ name: c });
    expect(parseSlash('/dance')).to.deep.equal({
      name: 'invalid',
      error: 'unknown command /dance; /help lists them',
    });
  });
  it('parses /msg, /edit and /delete, checking names and texts as the server does', () => {
    expect(parseSlash('/msg @Alice see you at  noon')).to.deep.equal({
      name: 'msg',
      username: 'alice',
      text: 'see you at  noon',
    });
    expect(parseSlash('/msg alice')).to.deep.include({ name: 'invalid', error: 'usage: /msg USER TEXT' });
    expect(parseSlash('/msg a! hi')).to.deep.include({ name: 'invalid' });
    expect(parseSlash('/msg alice ' + 'x'.repeat(2001))).to.deep.include({ name: 'invalid' });
    expect(parseSlash('/edit  fixed typo ')).to.deep.equal({ name: 'edit', text: 'fixed typo' });
    expect(parseSlash('/edit')).to.deep.include({ name: 'invalid', error: 'usage: /edit TEXT' });
    expect(parseSlash('/delete')).to.deep.equal({ name: 'delete' });
  });
});
