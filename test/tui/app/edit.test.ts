import { expect } from 'chai';
import { applyKey } from '../../../tui/app/components/edit.js';

describe('TUI: editing a field', () => {
  const d = (value: string, cursor = [...value].length) => ({ value, cursor });
  it('inserts typed and pasted text at the cursor, dropping line breaks and control characters', () => {
    expect(applyKey(d('ac', 1), { input: 'b' })).to.deep.equal(d('abc', 2));
    expect(applyKey(d(''), { input: 'pa\nste\u0007d' })).to.deep.equal(d('pasted'));
  });
  it('erases backwards with Backspace (sent as DEL) and moves with arrows, Home and End', () => {
    expect(applyKey(d('abc'), { input: '', delete: true })).to.deep.equal(d('ab'));
    expect(applyKey(d('abc', 0), { input: '', backspace: true })).to.deep.equal(d('abc', 0));
    expect(applyKey(d('abc'), { input: '', leftArrow: true })).to.deep.equal(d('abc', 2));
    expect(applyKey(d('abc', 1), { input: '', end: true })).to.deep.equal(d('abc', 3));
    expect(applyKey(d('abc', 2), { input: 'a', ctrl: true })).to.deep.equal(d('abc', 0));
  });
  it('counts characters, not UTF-16 units, so an emoji is erased whole', () => {
    expect(applyKey(d('hi🙂'), { input: '', backspace: true })).to.deep.equal(d('hi'));
  });
  it('clears before the cursor with Ctrl+U and ignores other control keys', () => {
    expect(applyKey(d('abcdef', 3), { input: 'u', ctrl: true })).to.deep.equal(d('def', 0));
    expect(applyKey(d('abc'), { input: 'x', meta: true })).to.equal(undefined);
  });
});
