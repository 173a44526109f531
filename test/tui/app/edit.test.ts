import { expect } from 'chai';
import { complete, cycle } from '../../../tui/app/components/complete.js';
import { decodeKeys, type EditKey } from '../../../tui/app/components/keys.js';
import { applyEdit, layoutDraft, moveLine, type Draft } from '../../../tui/app/components/line-editor.js';

const d = (value: string, cursor = [...value].length): Draft => ({ value, cursor });
/** What a terminal sends, applied key by key as the fields do. */
const typeInto = (draft: Draft, input: string, multiline = true) =>
  decodeKeys(input).reduce((acc, k) => applyEdit(acc, k, { multiline }) ?? acc, draft);

describe('TUI: the line editor', () => {
  it('decodes what terminals send for the editing keys, each key of a burst in order', () => {
    const names = (s: string) => decodeKeys(s).map((k: EditKey) => (k.name === 'insert' ? k.text : k.name));
    expect(names('ab\u007Fc\r')).to.deep.equal(['ab', 'backspace', 'c', 'enter']);
    expect(names('\u001B[3~')).to.deep.equal(['delete']);
    expect(names('\u001B[1;5D')).to.deep.equal(['wordLeft']);
    expect(names('\u001B[1;5C')).to.deep.equal(['wordRight']);
    expect(names('\u001Bb')).to.deep.equal(['wordLeft']);
    expect(names('\u001Bf')).to.deep.equal(['wordRight']);
    expect(names('\u001B\r')).to.deep.equal(['newline']);
    expect(names('\n')).to.deep.equal(['newline']);
    expect(names('\u001B[H')).to.deep.equal(['home']);
    expect(names('\u001B[1~')).to.deep.equal(['home']);
    expect(names('\u001BOF')).to.deep.equal(['end']);
    expect(names('\u0001\u0005\u0017\u000B\u0015')).to.deep.equal([
      'home',
      'end',
      'killWordBack',
      'killToEnd',
      'killToStart',
    ]);
    expect(names('a\r\nb')).to.deep.equal(['a', 'enter', 'b']);
    expect(names('\u001B[99~')).to.deep.equal(['ignored']);
    expect(names('x\u0007y')).to.deep.equal(['x', 'ignored', 'y']);
  });

  it('moves by character, word and line end, and edits at the cursor', () => {
    expect(typeInto(d('ac', 1), 'b')).to.deep.equal(d('abc', 2));
    expect(typeInto(d('hello big world'), '\u001Bb')).to.deep.equal(d('hello big world', 10));
    expect(typeInto(d('hello big world'), '\u001B[1;5D')).to.deep.equal(d('hello big world', 10));
    expect(typeInto(d('hello big world', 0), '\u001Bf')).to.deep.equal(d('hello big world', 5));
    expect(typeInto(d('hello big world', 0), '\u001B[1;5C')).to.deep.equal(d('hello big world', 5));
    expect(typeInto(d('hello big world'), '\u0017')).to.deep.equal(d('hello big ', 10));
    expect(typeInto(d('hello big world  '), '\u0017')).to.deep.equal(d('hello big ', 10));
    expect(typeInto(d('hello big world', 5), '\u000B')).to.deep.equal(d('hello', 5));
    expect(typeInto(d('hello big world', 6), '\u0015')).to.deep.equal(d('big world', 0));
    expect(typeInto(d('abc', 1), '\u001B[3~')).to.deep.equal(d('ac', 1));
    expect(typeInto(d('abc', 1), '\u007F')).to.deep.equal(d('bc', 0));
    expect(typeInto(d('abc', 0), '\u007F')).to.deep.equal(d('abc', 0));
    expect(typeInto(d('abc', 3), '\u001B[3~')).to.deep.equal(d('abc', 3));
    expect(typeInto(d('abc', 2), '\u0001')).to.deep.equal(d('abc', 0));
    expect(typeInto(d('abc', 1), '\u001B[F')).to.deep.equal(d('abc', 3));
  });

  it('counts characters, not UTF-16 units, so an emoji is erased and stepped over whole', () => {
    expect(typeInto(d('hi🙂'), '\u007F')).to.deep.equal(d('hi'));
    expect(typeInto(typeInto(d('🙂🙂', 0), '\u001B[C'), '\u001B[3~')).to.deep.equal(d('🙂', 1));
  });

  it('breaks lines only where the field has lines, and keeps control characters out', () => {
    expect(typeInto(d('ab', 1), '\u001B\r')).to.deep.equal(d('a\nb', 2));
    expect(typeInto(d('ab', 1), '\n', false)).to.deep.equal(d('ab', 1));
    expect(applyEdit(d(''), { name: 'insert', text: 'a\u0000b\u009Bc' })).to.deep.equal(d('abc'));
    // Home, End and the kills act on the cursor's line.
    expect(typeInto(d('one\ntwo', 5), '\u0001')).to.deep.equal(d('one\ntwo', 4));
    expect(typeInto(d('one\ntwo', 1), '\u000B')).to.deep.equal(d('o\ntwo', 1));
    expect(moveLine(d('one\ntwo', 5), -1)).to.deep.equal(d('one\ntwo', 1));
    expect(moveLine(d('one\ntwo', 1), -1)).to.equal(undefined);
    expect(moveLine(d('one\ntwo', 1), 1)).to.deep.equal(d('one\ntwo', 5));
    expect(moveLine(d('one\ntwo', 5), 1)).to.equal(undefined);
  });

  it('lays a draft out in rows, growing to the limit, then showing the rows around the cursor', () => {
    expect(layoutDraft(d('abcdef'), 4, 5).rows).to.deep.equal([{ text: 'abcd' }, { text: 'ef', cursor: 2 }]);
    expect(layoutDraft(d('abcd'), 4, 5).rows).to.deep.equal([{ text: 'abcd' }, { text: '', cursor: 0 }]);
    const many = d('1\n2\n3\n4\n5\n6\n7');
    const end = layoutDraft(many, 10, 5);
    expect(end.total).to.equal(7);
    expect(end.rows.map((r) => r.text)).to.deep.equal(['3', '4', '5', '6', '7']);
    const top = layoutDraft({ ...many, cursor: 0 }, 10, 5);
    expect(top.rows.map((r) => r.text)).to.deep.equal(['1', '2', '3', '4', '5']);
    expect(top.rows[0]!.cursor).to.equal(0);
  });
});

describe('TUI: Tab completion', () => {
  const sources = {
    nicks: ['alice', 'albert', 'bob'],
    commands: ['/join', '/who', '/msg'],
    rooms: ['lobby', 'dev'],
  };
  it('completes a nick, cycling through the matches on repeated Tab', () => {
    const first = complete(d('al'), sources)!;
    expect(first.draft).to.deep.equal(d('albert: '));
    const second = cycle(first.draft, first.state);
    expect(second.draft).to.deep.equal(d('alice: '));
    expect(cycle(second.draft, second.state).draft).to.deep.equal(d('albert: '));
    expect(complete(d('hi @bo'), sources)!.draft).to.deep.equal(d('hi @bob '));
    expect(complete(d('hi B'), sources)!.draft).to.deep.equal(d('hi bob '));
    expect(complete(d('hi zed'), sources)).to.equal(undefined);
  });
  it('completes slash commands at the start, and room names after # or /join', () => {
    expect(complete(d('/jo'), sources)!.draft).to.deep.equal(d('/join '));
    expect(complete(d('/join d'), sources)!.draft).to.deep.equal(d('/join dev '));
    expect(complete(d('see #lo'), sources)!.draft).to.deep.equal(d('see #lobby '));
    expect(complete(d('/msg b'), sources)!.draft).to.deep.equal(d('/msg bob '));
    // In the middle of a line the rest stays after the completed word.
    expect(complete(d('al rocks', 2), sources)!.draft).to.deep.equal(d('albert:  rocks', 8));
  });
});
