import type { JsonFile } from './json-file.js';

/** How many sent lines are kept per room. */
export const RECALL_MAX = 100;

export type RecallData = Record<string, string[]>;

export const isRecallData = (data: unknown): data is RecallData =>
  typeof data === 'object' &&
  data !== null &&
  !Array.isArray(data) &&
  Object.values(data).every((lines) => Array.isArray(lines) && lines.every((l) => typeof l === 'string'));

/**
 * The lines the user sent, per room, oldest first, for Up/Down in the draft as a shell recalls
 * commands; the last RECALL_MAX per room, kept in a private file across restarts.
 */
export class Recall {
  private data: RecallData = Object.create(null) as RecallData;
  /** Until the file is read, nothing is written: a write then would replace what it holds. */
  private loaded: boolean;
  private addedMeanwhile = false;

  constructor(
    private readonly file?: JsonFile<RecallData>,
    private readonly warn: (text: string) => void = () => {},
  ) {
    this.loaded = !file;
  }

  async load(): Promise<void> {
    if (!this.file) return;
    const { value, warning } = await this.file.read();
    if (warning) this.warn(warning);
    for (const [room, lines] of Object.entries(value)) {
      this.data[room] = [...lines, ...(this.data[room] ?? [])].slice(-RECALL_MAX);
    }
    this.loaded = true;
    if (this.addedMeanwhile) this.save();
  }

  lines(room: string): readonly string[] {
    return this.data[room] ?? [];
  }

  /** Remembers a sent line; the same line twice in a row is kept once, as shells do. */
  add(room: string, line: string): void {
    const lines = this.data[room] ?? [];
    if (lines.at(-1) === line) return;
    this.data[room] = [...lines, line].slice(-RECALL_MAX);
    if (this.loaded) this.save();
    else this.addedMeanwhile = true;
  }

  private save(): void {
    this.file?.write(this.data).catch((err: Error) => this.warn(`sent lines not saved: ${err.message}`));
  }
}
