import { CommandHelp, Help, type Command, type Interfaces } from '@oclif/core';
import { languageFromEnv } from '../../i18n/language.js';
import german from '../../i18n/de/help.json' with { type: 'json' };

/*
 * `mux1 --help`, `mux1 COMMAND --help` and topic help in the terminal's language. oclif takes the
 * texts from the commands' static fields and package.json's topics (and caches them in the
 * manifest), all in English; this class, named in package.json as oclif's helpClass, swaps each for
 * its translation while help is drawn. i18n/de/help.json maps the English text itself to the German:
 * a changed English text has no translation until it is given one (test/i18n/help.test.ts says
 * which), rather than showing a German text that says something else. A text missing there stays
 * English. In English this class leaves oclif's help exactly as it is.
 *
 * It imports no catalog but its own and not i18next: help runs on every tab completion and typo.
 */

/** English help text to its translation, per language mux1 speaks besides English. */
const TRANSLATIONS: Record<string, Readonly<Record<string, string>>> = { de: german };

/** oclif's own words inside a flag's or an argument's line, as it writes them. */
const MARKERS = ['(required)', '[default: ', '<options: '] as const;

/** oclif's section headers (flag groups add theirs, `GLOBAL FLAGS`) and markers: translated too. */
export const OCLIF_WORDS = [
  'USAGE',
  'ARGUMENTS',
  'FLAGS',
  'DESCRIPTION',
  'ALIASES',
  'EXAMPLES',
  'FLAG DESCRIPTIONS',
  'COMMANDS',
  'TOPICS',
  'VERSION',
  ...MARKERS,
] as const;

/** The help texts of one language: the text itself when it has no translation. */
export type HelpWords = (english: string) => string;

export function helpWords(language: string): HelpWords | undefined {
  if (!Object.hasOwn(TRANSLATIONS, language)) return undefined;
  const table = TRANSLATIONS[language]!;
  return (english) => (Object.hasOwn(table, english) ? table[english]! : english);
}

/** Every text of a command that help shows, in English: what i18n/de/help.json must translate. */
export function helpTexts(command: Command.Loadable): string[] {
  const texts: (string | undefined)[] = [command.summary, command.description];
  for (const example of command.examples ?? []) texts.push(exampleDescription(example));
  for (const flag of Object.values(command.flags ?? {})) {
    if (!flag.hidden) texts.push(flag.summary, flag.description);
  }
  for (const arg of Object.values(command.args ?? {})) if (!arg.hidden) texts.push(arg.description);
  return texts.filter((t): t is string => typeof t === 'string' && t.trim() !== '');
}

/** An example's words for people, if it has any besides the command line. */
function exampleDescription(example: Command.Example): string | undefined {
  if (typeof example !== 'string') return example.description;
  // oclif reads "words\n$ command" as a described example; a lone command has no words.
  const lines = example.split(/\r?\n/).filter(Boolean);
  return lines.length >= 2 && !isCommandLine(lines[0]!) ? lines[0] : undefined;
}

const isCommandLine = (line: string) => /^(\$ )?<%= config\.bin %>/.test(line);

function translateExample(example: Command.Example, say: HelpWords): Command.Example {
  if (typeof example !== 'string') return { ...example, description: say(example.description) };
  const words = exampleDescription(example);
  return words === undefined ? example : example.replace(words, say(words));
}

/** A copy of the command with its texts in the language: oclif's own objects are left unchanged. */
function translateCommand(command: Command.Loadable, say: HelpWords): Command.Loadable {
  const copy = { ...command };
  if (command.summary) copy.summary = say(command.summary);
  if (command.description) copy.description = say(command.description);
  if (command.examples) copy.examples = command.examples.map((e) => translateExample(e, say));
  copy.flags = Object.fromEntries(
    Object.entries(command.flags ?? {}).map(([name, flag]) => [
      name,
      {
        ...flag,
        ...(flag.summary ? { summary: say(flag.summary) } : {}),
        ...(flag.description ? { description: say(flag.description) } : {}),
      },
    ]),
  ) as Command.Loadable['flags'];
  copy.args = Object.fromEntries(
    Object.entries(command.args ?? {}).map(([name, arg]) => [
      name,
      { ...arg, ...(arg.description ? { description: say(arg.description) } : {}) },
    ]),
  ) as Command.Loadable['args'];
  return copy;
}

/** oclif's markers in a line of the flag or argument table, translated once each. */
function translateMarkers(line: string | undefined, say: HelpWords): string | undefined {
  if (line === undefined) return line;
  let out = line;
  for (const marker of MARKERS) out = out.replace(marker, say(marker));
  return out;
}

/** A command's page: its section headers and oclif's markers in the language. */
class TranslatedCommandHelp extends CommandHelp {
  constructor(
    command: Command.Loadable,
    config: Interfaces.Config,
    opts: Interfaces.HelpOptions,
    private readonly say: HelpWords,
  ) {
    super(command, config, opts);
  }

  override section(header: string, body: Parameters<CommandHelp['section']>[1]): string {
    return super.section(this.say(header), body);
  }

  protected override flags(
    flags: Parameters<CommandHelp['flags']>[0],
  ): [string, string | undefined][] | undefined {
    return super.flags(flags)?.map(([left, right]) => [left, translateMarkers(right, this.say)]);
  }

  protected override args(
    args: Parameters<CommandHelp['args']>[0],
  ): [string, string | undefined][] | undefined {
    return super.args(args)?.map(([left, right]) => [left, translateMarkers(right, this.say)]);
  }
}

export default class Mux1Help extends Help {
  /** The terminal's texts, or undefined in English (and any language without a help catalog). */
  private readonly say = helpWords(languageFromEnv().language);

  protected override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    if (!this.say) return super.getCommandHelpClass(command);
    return new TranslatedCommandHelp(command, this.config, this.opts, this.say);
  }

  override async showCommandHelp(command: Command.Loadable): Promise<void> {
    await super.showCommandHelp(this.say ? translateCommand(command, this.say) : command);
  }

  protected override formatCommands(commands: Command.Loadable[]): string {
    const say = this.say;
    return super.formatCommands(say ? commands.map((c) => translateCommand(c, say)) : commands);
  }

  protected override formatTopic(topic: Interfaces.Topic): string {
    return super.formatTopic(this.translateTopic(topic));
  }

  protected override formatTopics(topics: Interfaces.Topic[]): string {
    return super.formatTopics(topics.map((t) => this.translateTopic(t)));
  }

  override section(header: string, body: Parameters<Help['section']>[1]): string {
    return super.section(this.say ? this.say(header) : header, body);
  }

  /**
   * oclif draws the top of `mux1 --help` from package.json, with section headers of its own (in
   * bold on a terminal, hence the escape sequences before them).
   */
  override formatRoot(): string {
    const say = this.say;
    if (!say) return super.formatRoot();
    const oclif = this.config.pjson.oclif as { description?: string };
    const english = oclif.description ?? this.config.pjson.description ?? '';
    const had = Object.hasOwn(oclif, 'description');
    oclif.description = say(english);
    try {
      return super
        .formatRoot()
        .replace(
          /^((?:[^\w\n]\[[\d;]*m)*)(VERSION|USAGE|DESCRIPTION)(?=\W|$)/gm,
          (_, codes, header) => codes + say(header),
        );
    } finally {
      if (had) oclif.description = english;
      else delete oclif.description;
    }
  }

  /** A copy, as oclif's topic objects are shared with the rest of the run. */
  private translateTopic(topic: Interfaces.Topic): Interfaces.Topic {
    if (!this.say || !topic.description) return topic;
    return { ...topic, description: this.say(topic.description) };
  }
}
