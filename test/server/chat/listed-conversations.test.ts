import { expect } from 'chai';
import { ListedConversations } from '../../../server/chat/listed-conversations.js';

describe('ListedConversations (the memory of direct message rooms in both lists)', () => {
  it('remembers what it was told, and forgets the oldest first past its size', () => {
    const listed = new ListedConversations(3);
    for (const room of ['dm:1-2', 'dm:1-3', 'dm:2-3']) listed.add(room);
    listed.add('dm:1-3'); // a repeat takes no second place
    expect(['dm:1-2', 'dm:1-3', 'dm:2-3'].map((r) => listed.has(r))).to.deep.equal([true, true, true]);
    listed.add('dm:3-4');
    expect(['dm:1-2', 'dm:1-3', 'dm:2-3', 'dm:3-4'].map((r) => listed.has(r))).to.deep.equal([
      false,
      true,
      true,
      true,
    ]);
    expect(listed.has('dm:5-6')).to.equal(false);
  });
});
