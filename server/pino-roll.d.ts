// pino-roll ships no types; this is the part of its API that server/log.ts uses.
declare module 'pino-roll' {
  import type { SonicBoom } from 'sonic-boom';
  interface PinoRollOptions {
    file: string;
    size?: string | number;
    limit?: { count?: number };
    symlink?: boolean;
    mkdir?: boolean;
  }
  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
