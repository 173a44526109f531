import { expect } from 'chai';
import { safeText } from '../../../tui/app/sanitize.js';

describe('TUI: message text is shown as text', () => {
  it('removes colour, cursor, clear-screen and title sequences', () => {
    const hostile = 'hi \u001B[31mred\u001B[0m \u001B[2J\u001B[H\u001B]0;owned\u0007 there';
    expect(safeText(hostile)).to.equal('hi red  there');
  });
  it('removes bare control characters and bidi overrides, keeps ordinary Unicode', () => {
    expect(safeText('a\u0007b\bc\u202Ed\u0000e')).to.equal('abcde');
    expect(safeText('héllo 世界 🙂')).to.equal('héllo 世界 🙂');
  });
  it('turns line breaks and tabs into spaces', () => {
    expect(safeText('one\ntwo\r\nthree\tfour')).to.equal('one two  three four');
  });
});
