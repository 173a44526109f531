/** The readable table of a run, printed by bench/run.ts; `num` also writes bench/README.md's figures. */
import type { Figure } from './report.js';

export function num(x: number): string {
  if (!Number.isFinite(x)) return '-';
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    String(f.figure),
    f.name,
    `${num(f.value)} ${f.unit}`,
    f.baseline === null ? '-' : `${num(f.baseline)} ${f.unit} (${f.baselineName})`,
    f.ratio === null ? '-' : `${num(f.ratio)} (${f.ratioOf})`,
    f.target,
    f.pass === null ? '' : f.pass ? 'pass' : '**MISS**',
  ]);
  const head = ['#', 'figure', 'mux1', 'baseline, same run', 'ratio', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
