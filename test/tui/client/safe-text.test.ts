import { expect } from 'chai';
import { safeText } from '../../../tui/client/safe-text.js';

/** Other people's text, as the CLI and the TUI show it: hostile strings come out as plain text. */
describe('safe text: what others wrote is shown as text', () => {
  it('removes colour, cursor, clear-screen and title sequences whole', () => {
    const hostile = 'hi \u001B[31mred\u001B[0m \u001B[2J\u001B[H\u001B]0;owned\u0007 there';
    expect(safeText(hostile)).to.equal('hi red  there');
  });

  it('removes OSC 8 links, OSC 52 clipboard writes, DCS strings and 8-bit CSI', () => {
    expect(safeText('\u001B]8;;https://evil.example\u001B\\click\u001B]8;;\u001B\\')).to.equal('click');
    expect(safeText('a\u001B]52;c;ZWNobyBvd25lZA==\u0007b')).to.equal('ab');
    expect(safeText('a\u001BP1$r0m\u001B\\b')).to.equal('ab');
    expect(safeText('a\u009B2Jb')).to.equal('ab');
  });

  it('leaves no escape byte behind from an unfinished or unknown sequence', () => {
    for (const hostile of ['\u001B[', '\u001B]0;title', '\u001B', 'x\u001B\u001B[31', '\u009D0;t']) {
      const shown = safeText(hostile);
      // eslint-disable-next-line no-control-regex -- looking for the escape bytes themselves
      expect(shown).not.to.match(/[\u001B\u009B\u009D]/);
    }
  });

  it('removes bare control characters, DEL and C1 controls', () => {
    expect(safeText('a\u0007b\bc\u0000d\u007Fe\u0085f')).to.equal('abcdef');
  });

  it('removes every bidirectional control (overrides, embeddings, isolates, marks)', () => {
    const bidi = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069'];
    for (const c of [...bidi, '\u200E', '\u200F', '\u061C']) {
      expect(safeText(`admin${c}txt.exe`), `U+${c.codePointAt(0)!.toString(16)}`).to.equal('admintxt.exe');
    }
  });

  it('turns line breaks, tabs and Unicode line separators into spaces', () => {
    expect(safeText('one\ntwo\r\nthree\tfour\u2028five\u2029six')).to.equal('one two  three four five six');
  });

  it('keeps ordinary Unicode: accents, CJK, emoji, right-to-left letters, joiners', () => {
    for (const fine of ['héllo 世界 🙂', 'שלום', 'مرحبا', '👩‍💻', 'café', '100%% done']) {
      expect(safeText(fine)).to.equal(fine);
    }
  });

  it('handles a huge string of unfinished sequences, leaving no escape byte', () => {
    const huge = 'start ' + '\u001B]'.repeat(50_000) + '\u001B['.repeat(50_000) + '\u0007 end';
    const shown = safeText(huge);
    expect(shown.startsWith('start ')).to.equal(true);
    expect(shown.endsWith(' end')).to.equal(true);
    // eslint-disable-next-line no-control-regex -- looking for the control characters themselves
    expect(shown).not.to.match(/[\u0000-\u001F]/);
  });
});
