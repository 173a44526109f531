import { Flags } from '@oclif/core';
import { CHAT } from '../../server/protocol.js';

export const roomFlag = Flags.string({
  summary: 'Chat room.',
  default: CHAT.defaultRoom,
  parse: async (input) => {
    const room = input.trim();
    if (room === '') throw new Error('the room name is empty');
    return room;
  },
});
