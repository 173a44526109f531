import { expect } from 'chai';
import { decodeKeys } from '../../../tui/app/components/keys.js';
import { roomKeyTarget } from '../../../tui/app/components/RoomBar.js';
import { parseSlash } from '../../../tui/app/screens/ChatScreen.js';

const rooms = [
  { room: 'lobby', unread: 0, mentions: 0 },
  { room: 'dev', unread: 4, mentions: 0 },
  { room: 'ops', unread: 0, mentions: 0 },
  { room: 'dm:1-2', unread: 1, mentions: 1 },
];
const target = (input: string, current = 'lobby') => roomKeyTarget(decodeKeys(input)[0]!, rooms, current);

describe('TUI: room keys', () => {
  it('decodes Ctrl-P/Ctrl-N and Alt with a digit or letter as keys of their own', () => {
    expect(decodeKeys('\u0010\u000E')).to.deep.equal([{ name: 'previous' }, { name: 'next' }]);
    expect(decodeKeys('\u001B1')).to.deep.equal([{ name: 'alt', key: '1' }]);
    expect(decodeKeys('\u001BA')).to.deep.equal([{ name: 'alt', key: 'a' }]);
    // Alt-B still moves by word, and Alt with a control character is no room key.
    expect(decodeKeys('\u001Bb')).to.deep.equal([{ name: 'wordLeft' }]);
    expect(decodeKeys('\u001B\u0001')).to.deep.equal([{ name: 'ignored' }]);
  });
  it('Alt-1..9 picks the room at that place in the bar, and nothing past its end', () => {
    expect(target('\u001B1', 'dev')).to.equal('lobby');
    expect(target('\u001B4')).to.equal('dm:1-2');
    expect(target('\u001B5')).to.equal(undefined);
    expect(target('\u001B0')).to.equal(undefined);
  });
  it('Ctrl-N and Ctrl-P go round the bar', () => {
    expect(target('\u000E', 'lobby')).to.equal('dev');
    expect(target('\u000E', 'dm:1-2')).to.equal('lobby');
    expect(target('\u0010', 'lobby')).to.equal('dm:1-2');
    expect(roomKeyTarget({ name: 'next' }, [rooms[0]!], 'lobby')).to.equal(undefined);
  });
  it('Alt-A goes to a room with mentions first, then to one with unread messages, never nowhere', () => {
    expect(target('\u001Ba', 'lobby')).to.equal('dm:1-2');
    const quiet = rooms.map((r) => ({ ...r, mentions: 0 }));
    expect(roomKeyTarget({ name: 'alt', key: 'a' }, quiet, 'ops')).to.equal('dm:1-2');
    expect(roomKeyTarget({ name: 'alt', key: 'a' }, quiet, 'dm:1-2')).to.equal('dev');
    const idle = rooms.map((r) => ({ ...r, unread: 0, mentions: 0 }));
    expect(roomKeyTarget({ name: 'alt', key: 'a' }, idle, 'lobby')).to.equal(undefined);
  });
  it('parses /me with its text, refusing an empty or over-long one', () => {
    expect(parseSlash('/me waves  hello')).to.deep.equal({ name: 'me', text: 'waves  hello' });
    expect(parseSlash('/me')).to.deep.equal({ name: 'invalid', error: 'usage: /me TEXT' });
    expect(parseSlash('/me ' + 'x'.repeat(2000))).to.deep.include({ name: 'invalid' });
  });
});

describe('TUI: /query and /search', () => {
  it('parses /query with one valid name, @ allowed', () => {
    expect(parseSlash('/query @Alice')).to.deep.equal({ name: 'query', username: 'alice' });
    expect(parseSlash('/query')).to.deep.equal({ name: 'invalid', error: 'usage: /query USER' });
    expect(parseSlash('/query two names')).to.deep.equal({ name: 'invalid', error: 'usage: /query USER' });
    expect(parseSlash('/query ../x')).to.deep.include({ name: 'invalid' });
  });
  it('parses /search with its words, refusing none or more than the server takes', () => {
    expect(parseSlash('/search  build  failed ')).to.deep.equal({ name: 'search', words: 'build  failed' });
    expect(parseSlash('/search')).to.deep.equal({ name: 'invalid', error: 'usage: /search WORDS' });
    expect(parseSlash('/search ' + 'x'.repeat(201))).to.deep.equal({
      name: 'invalid',
      error: 'search for at most 200 characters',
    });
  });
});
