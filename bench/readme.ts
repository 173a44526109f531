/**
 * `npm run bench:docs`: writes the figures of bench/results.json into bench/README.md, between
 * its two markers, so the page shows what the last full run measured and no figure is copied by
 * hand. bench/run.ts does the same after a full run.
 *
 *   npm run bench:docs            rewrite the section
 *   npm run bench:docs -- --check exit 1 when the section is not what results.json says
 *
 * The rest of the page is prose, written by hand; only the lines between the markers are
 * generated, and formatted with the project's Prettier settings so `npm run lint` accepts them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { num } from './lib/table.js';

export const START_MARKER = '<!-- figures:start (npm run bench:docs writes this part) -->';
export const END_MARKER = '<!-- figures:end -->';

const here = dirname(fileURLToPath(import.meta.url));
export const RESULTS_FILE = join(here, 'results.json');
export const README_FILE = join(here, 'README.md');

const text = z.string().max(500);
const figureSchema = z.object({
  id: text,
  figure: z.number().int().min(0).max(1000),
  name: text,
  unit: text,
  value: z.number(),
  baseline: z.number().nullable(),
  baselineName: text.nullable(),
  ratio: z.number().nullable(),
  ratioOf: text.nullable(),
  target: text,
  pass: z.boolean().nullable(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
const resultsSchema = z.object({
  startedAt: z.iso.datetime(),
  durationS: z.number().nonnegative(),
  machine: z.object({
    cpus: z.number().int().positive(),
    cpuModel: text,
    node: text,
    uvThreadpoolSize: z.union([text, z.number()]),
    loadAverage1mAtStart: z.number(),
    loadAverage1mAtEnd: z.number(),
  }),
  figures: z.array(figureSchema).max(10_000),
  errors: z.array(z.object({ bench: text, error: text })).default([]),
});

export type BenchResults = z.output<typeof resultsSchema>;

/** results.json, checked: a hand-edited or truncated file is refused with what is wrong and where. */
export function parseResults(json: string, where = 'bench/results.json'): BenchResults {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new Error(`${where} is not JSON: ${(err as Error).message}`);
  }
  const parsed = resultsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? issue.path.join('.') : 'the top level';
    throw new Error(`${where}: ${path}: ${issue.message}`);
  }
  return parsed.data;
}

/** Inline code that stays inline code whatever the text holds. */
const code = (s: string) => '`' + s.replace(/`/g, "'").replace(/\s+/g, ' ') + '`';
/** Prose from the file: one line, and nothing Markdown or HTML would read as markup. */
const plain = (s: string) => s.replace(/\s+/g, ' ').replace(/[<>*_`[\]\\|]/g, (c) => `\\${c}`);

/** The spread of a figure's rounds (`mux1Runs: [..]` in its detail), when it has several. */
function rounds(detail: Record<string, unknown> | undefined): string | undefined {
  const spreads = Object.entries(detail ?? {})
    .filter(([key, v]) => key.endsWith('Runs') && Array.isArray(v) && v.length > 1)
    .map(([key, v]) => {
      const xs = (v as unknown[]).filter((x): x is number => typeof x === 'number');
      return `${plain(key.slice(0, -'Runs'.length))} ${num(Math.min(...xs))}-${num(Math.max(...xs))}`;
    });
  return spreads.length > 0 ? `Rounds: ${spreads.join(', ')}.` : undefined;
}

function figureLine(f: BenchResults['figures'][number]): string {
  const unit = plain(f.unit);
  let line = `- **${f.figure}. ${plain(f.name)}**: ${num(f.value)} ${unit}`;
  if (f.baseline !== null) {
    line += ` against ${num(f.baseline)} ${unit}`;
    if (f.baselineName) line += ` (${plain(f.baselineName)})`;
  }
  if (f.ratio !== null) line += `; ratio ${num(f.ratio)}${f.ratioOf ? ` (${plain(f.ratioOf)})` : ''}`;
  line += '.';
  if (f.target !== '-' && f.target !== '') {
    const verdict = f.pass === null ? '' : f.pass ? ': met' : ': **missed**';
    line += ` Target ${code(f.target)}${verdict}.`;
  }
  const spread = rounds(f.detail);
  return spread ? `${line} ${spread}` : line;
}

/** The generated section: when and where the run was made, then one line per figure. */
export function renderFigures(results: BenchResults): string {
  const { machine } = results;
  const figures = [...results.figures].sort((a, b) => a.figure - b.figure);
  const met = figures.filter((f) => f.pass === true).length;
  const missed = figures.filter((f) => f.pass === false).length;
  const when = results.startedAt.slice(0, 16).replace('T', ' ');
  const lines = [
    `Run of ${when} UTC: ${Math.round(results.durationS)} s on ${machine.cpus} CPUs ` +
      `(${plain(machine.cpuModel)}), Node ${plain(machine.node)}, \`UV_THREADPOOL_SIZE\` ` +
      `${plain(String(machine.uvThreadpoolSize))}, load average ${machine.loadAverage1mAtStart} ` +
      `at the start and ${machine.loadAverage1mAtEnd} at the end. ${met} targets met, ${missed} missed.`,
    '',
    ...(figures.length > 0 ? figures.map(figureLine) : ['No figure was measured.']),
  ];
  if (results.errors.length > 0) {
    lines.push('', 'Not measured in this run:', '');
    for (const e of results.errors) lines.push(`- ${plain(e.bench)}: ${plain(e.error)}`);
  }
  return lines.join('\n');
}

/** The README with its generated section replaced, formatted as `npm run lint` wants it. */
export async function withFigures(readme: string, results: BenchResults, readmePath = README_FILE) {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`${readmePath} must hold "${START_MARKER}" and then "${END_MARKER}"`);
  }
  const page =
    readme.slice(0, start + START_MARKER.length) + `\n\n${renderFigures(results)}\n\n` + readme.slice(end);
  const options = (await resolveConfig(readmePath)) ?? {};
  return format(page, { ...options, filepath: readmePath });
}

/** Rewrites bench/README.md from bench/results.json; returns whether the page changed. */
export async function writeBenchReadme(
  files = { results: RESULTS_FILE, readme: README_FILE },
  options: { check?: boolean } = {},
): Promise<boolean> {
  const results = parseResults(readFileSync(files.results, 'utf8'), files.results);
  const before = readFileSync(files.readme, 'utf8');
  const after = await withFigures(before, results, files.readme);
  const changed = after !== before;
  if (changed && !options.check) writeFileSync(files.readme, after);
  return changed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check');
  writeBenchReadme(undefined, { check }).then(
    (changed) => {
      if (check && changed) {
        console.error('bench/README.md does not show bench/results.json: run npm run bench:docs');
        process.exitCode = 1;
      } else {
        console.log(changed ? 'wrote bench/README.md' : 'bench/README.md is up to date');
      }
    },
    (err: Error) => {
      console.error(`bench:docs: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
