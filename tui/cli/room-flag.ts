import { Flags } from '@oclif/core';

export const roomFlag = Flags.string({
  summary: 'Chat room.',
  default: 'lobby',
  parse: async (input) => {
    const room = input.trim();
    if (room === '') throw new Error('the room name is empty');
    return room;
  },
});
