import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binRun, cleanEnv, deadServerUrl, repoRoot, runCli, runOnTerminal } from '../../helpers/cli.js';

const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;

describe('mux1 CLI: usage errors, help and exit codes', () => {
  // No server: every case here is decided before a request would be made.
  const env = { MUX1_SERVER: 'http://127.0.0.1:9', MUX1_CONFIG_DIR: '/nonexistent/mux1-usage-test' };

  const expectUsage = async (args: string[], pattern: RegExp, input?: string) => {
    const human = await runCli(args, { env, input });
    expect(human.code, human.stderr).to.equal(2);
    expect(human.stdout).to.equal('');
    const lines = human.stderr.split('\n').filter(Boolean);
    expect(lines, human.stderr).to.have.length(1);
    expect(lines[0]).to.match(pattern);

    const json = await runCli([...args, '--json'], { env, input });
    expect(json.code).to.equal(2);
    expect(json.stderr).to.equal('');
    expect(json.json().error).to.match(pattern);
    return json.json();
  };

  it('an unknown flag', async () => {
    const body = await expectUsage(['whoami', '--bogus'], /Nonexistent flag: --bogus.*mux1 whoami --help/);
    expect(body.code).to.equal('usage');
  });

  it('a missing required flag', async () => {
    await expectUsage(['verify', '--code', '123456'], /Missing required flag email/);
  });

  it('a missing argument', async () => {
    await expectUsage(['send'], /Missing 1 required arg/);
  });

  it('bad values: not a number, not a code, not a URL, a message over the limit', async () => {
    await expectUsage(['history', '--limit', 'many'], /--limit.*Expected an integer/);
    await expectUsage(['history', '--limit', '0'], /--limit/);
    await expectUsage(['verify', '--email', 'a@example.com', '--code', '12ab'], /code must be 6 digits/);
    await expectUsage(['health', '--server', 'localhost:5000'], /must start with http/);
    await expectUsage(['send', 'x'.repeat(2001)], /longer than 2000 characters/);
    await expectUsage(['tunnel', 'alice@'], /expected USER@HOST/);
  });

  // MUX1_SERVER points where nothing listens: a request would fail with `unreachable`, exit 1.
  it('checks fields with the shared rules before sending: invalid_field, the field named, exit 2', async function () {
    // Thirteen CLI runs, one after another: more than the default on a busy machine.
    this.timeout(60_000);
    const cases: [string[], string, RegExp, string?][] = [
      [['send', 'x', '--room', 'Bad Room!'], 'room', /--room: room must be 1-32 characters/],
      [['history', '--room', 'NO SUCH ROOM'], 'room', /room must be/],
      [['send', '   '], 'text', /message is empty/],
      [['signup', '--username', 'A B', '--email', 'a@example.com', '--password-stdin'], 'username', /3-32/],
      [['signup', '--username', 'x', '--email', 'a@example.com', '--password-stdin'], 'username', /3-32/],
      [['signup', '--username', 'abc', '--email', 'not-an-email', '--password-stdin'], 'email', /valid/],
      [['signup', '--username', 'abc', '--email', `${'a'.repeat(250)}@b.co`], 'email', /254/],
      [['resend', '--email', 'nobody at example.com'], 'email', /valid address/],
      [['password', 'forgot', '--email', '@example.com'], 'email', /valid address/],
      [
        ['signup', '--username', 'abc', '--email', 'a@example.com', '--password-stdin'],
        'password',
        /password must be 8-128 characters/,
        'short\n',
      ],
      [
        ['signup', '--username', 'abc', '--email', 'a@example.com', '--password-stdin'],
        'password',
        /password must be 8-128/,
        'x'.repeat(129),
      ],
      [['verify', '--email', 'a@example.com', '--code-stdin'], 'code', /code must be 6 digits/, '12345\n'],
      [['verify', '--email', 'a@example.com', '--code', '1234567'], 'code', /code must be 6 digits/],
    ];
    for (const [args, field, pattern, input] of cases) {
      const body = await expectUsage(args, pattern, input ?? 'a fine long password\n');
      expect(body, args.join(' ')).to.include({ code: 'invalid_field', field });
    }
  });

  it('a code given with spaces is accepted as its digits', async () => {
    const r = await runCli(['verify', '--email', 'a@example.com', '--code-stdin', '--json'], {
      env,
      input: '123 456\n',
    });
    // Past the checks, the request fails for want of a server: the code had the right shape.
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('unreachable');
  });

  it('--code and --code-stdin together, or no code and no terminal', async () => {
    await expectUsage(['verify', '--email', 'a@example.com', '--code', '123456', '--code-stdin'], /--code/);
    const body = await expectUsage(['verify', '--email', 'a@example.com'], /--code-stdin/);
    expect(body.code).to.equal('no_terminal');
  });

  it('the TUI refuses --json, whatever the terminal', async () => {
    for (const args of [['tui', '--json'], ['--json'], ['--server', 'http://localhost:5000', '--json']]) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr).to.match(/^Error: the TUI has no --json output/);
    }
  });

  it('help says where the text of send can come from, and the range of history --limit', async () => {
    const send = await runCli(['send', '--help'], { env });
    expect(send.stdout).to.match(/standard input/);
    const history = await runCli(['history', '--help'], { env });
    expect(history.stdout).to.match(/--limit=<value>\s+\[default: 50\] How many messages, 1-200\./);
    const verify = await runCli(['verify', '--help'], { env });
    expect(verify.stdout).to.match(/--code-stdin/);
    expect(verify.stdout).to.match(/Discouraged: other users see it in ps/);
  });

  it('a bad MUX1_SERVER is a usage error too', async () => {
    const r = await runCli(['health', '--json'], { env: { ...env, MUX1_SERVER: 'ftp://example.com' } });
    expect(r.code).to.equal(2);
    expect(r.json().code).to.equal('usage');
  });

  it('--password is refused, pointing at --password-stdin, with or without a value', async () => {
    for (const args of [
      ['login', '--username', 'x', '--password', 'hunter22hunter'],
      ['login', '--username', 'x', '--password=hunter22hunter'],
      ['signup', '--username', 'x', '--email', 'x@example.com', '--password'],
    ]) {
      const body = await expectUsage(args, /--password-stdin/);
      expect(body.error).not.to.include('hunter22hunter');
    }
  });

  it('no terminal and no --password-stdin: exit 2, saying how to pass the password', async () => {
    const body = await expectUsage(['login', '--username', 'x'], /--password-stdin/);
    expect(body.code).to.equal('no_terminal');
  });

  it('--password-stdin with nothing, or several lines, on stdin', async () => {
    await expectUsage(['login', '--username', 'x', '--password-stdin'], /empty/, '');
    await expectUsage(['login', '--username', 'x', '--password-stdin'], /one line/, 'a\nb\n');
  });

  it('an unknown command suggests the nearest one, exit 2', async () => {
    const body = await expectUsage(
      ['whoamii'],
      /'whoamii' is not a mux1 command\. Did you mean 'mux1 whoami'\?/,
    );
    expect(body).to.include({ code: 'unknown_command', suggestion: 'whoami' });
    await expectUsage(['db', 'statsu'], /Did you mean 'mux1 db status'\?/);
  });

  it('tunnel parses its flags, then fails to reach an SSH host where nothing listens (exit 1)', async () => {
    const dead = new URL(await deadServerUrl()).port;
    const r = await runCli(
      [
        'tunnel',
        'alice@127.0.0.1',
        '--ssh-port',
        dead,
        '--remote-host',
        'localhost',
        '--remote-port',
        '5000',
        '--json',
      ],
      { env },
    );
    expect(r.code).to.equal(1);
    expect(r.json()).to.include({ code: 'unreachable' });
    expect((await runCli(['tunnel', 'a@b', '--ssh-port', '70000'], { env })).code).to.equal(2);
  });

  it('mux1 with no arguments, without a terminal, says the TUI needs one (exit 1)', async () => {
    const r = await runCli([], { env });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/needs a terminal/);
  });

  it('--version and --help exit 0', async () => {
    const v = await runCli(['--version'], { env });
    expect(v.code).to.equal(0);
    expect(v.stdout).to.include(`mux1/${version}`);
    const h = await runCli(['--help'], { env });
    expect(h.code).to.equal(0);
    for (const command of [
      'signup',
      'verify',
      'resend',
      'login',
      'logout',
      'whoami',
      'send',
      'history',
      'health',
    ]) {
      expect(h.stdout).to.match(new RegExp(`^\\s+${command}\\s`, 'm'));
    }
    expect(h.stdout).to.match(/^\s+db\s/m);
  });

  it('every command has examples and the global flags in its help', async function () {
    this.timeout(60_000);
    const commands = [
      ['signup'],
      ['verify'],
      ['resend'],
      ['login'],
      ['logout'],
      ['whoami'],
      ['send'],
      ['history'],
      ['health'],
      ['tunnel'],
      ['tui'],
      ['server'],
      ['db', 'migrate'],
      ['db', 'rollback'],
      ['db', 'status'],
    ];
    const talksToServer = new Set([
      'signup',
      'verify',
      'resend',
      'login',
      'logout',
      'whoami',
      'send',
      'history',
      'health',
    ]);
    await Promise.all(
      commands.map(async (command) => {
        const r = await runCli([...command, '--help'], { env });
        expect(r.code, command.join(' ')).to.equal(0);
        expect(r.stdout, command.join(' ')).to.include('EXAMPLES');
        if (talksToServer.has(command[0]!)) {
          expect(r.stdout, command.join(' ')).to.match(/--server=<value>.*\n.*MUX1_SERVER|MUX1_SERVER/);
          expect(r.stdout, command.join(' ')).to.include('--json');
        }
      }),
    );
  });

  describe('on a terminal', () => {
    // util-linux `script` gives the CLI a pseudo-terminal, which is the only way to see colour.
    const hasScript = spawnSync('script', ['--version']).status === 0;
    const onTty = (command: string, extraEnv: Record<string, string> = {}) =>
      execFileSync('script', ['-qec', command, '/dev/null'], {
        env: cleanEnv({ ...env, ...extraEnv }),
        encoding: 'utf8',
        timeout: 15_000,
      });

    before(function () {
      if (!hasScript) this.skip();
    });

    it('errors are coloured, unless NO_COLOR is set', async () => {
      const dead = await deadServerUrl();
      const command = `${process.execPath} ${binRun} health --server ${dead}; true`;
      expect(onTty(command)).to.include('\u001b[31mError:\u001b[39m');
      expect(onTty(command, { NO_COLOR: '1' })).not.to.include('\u001b[');
    });

    // Inquirer draws each prompt with "[input is masked]" while it waits for an answer.
    const asked = (label: string) => new RegExp(`${label}\\S* \\S*\\[input is masked\\]`);
    const signup = ['signup', '--username', 'abcdef', '--email', 'abc@example.com'];

    it('signup asks again when the two passwords differ, and for a password of the right length', async () => {
      const { code, screen } = await runOnTerminal(
        signup,
        [
          [asked('Password'), 'first try password'],
          [asked('again'), 'first try passwort'],
          [asked('Password'), 'short'],
          [asked('Password'), 'second try password'],
          [asked('again'), 'second try password'],
        ],
        { env },
      );
      expect(screen).to.include('The two passwords differ; once more.');
      expect(screen).to.include('password must be 8-128 characters');
      // Past the prompts, the request fails for want of a server: the password was taken.
      expect(screen).to.match(/Error:\S* Cannot reach the mux1 server/);
      expect(code).to.equal(1);
      expect(screen, 'the password is never echoed').not.to.include('second try password');
    });

    it('signup gives up after three mismatches, sending nothing', async () => {
      const tries = [1, 2, 3].flatMap((i): [RegExp, string][] => [
        [asked('Password'), `password number ${i}`],
        [asked('again'), `password numero ${i}`],
      ]);
      const { code, screen } = await runOnTerminal(signup, tries, { env });
      expect(code).to.equal(1);
      expect(screen).to.match(/The two passwords differed 3 times; nothing was sent/);
      expect(screen).not.to.include('Cannot reach');
    });

    it('verify asks for the code, hidden, until it has six digits', async () => {
      const { code, screen } = await runOnTerminal(
        ['verify', '--email', 'abc@example.com'],
        [
          [asked('Code from the mail \\(6 digits\\)'), '12 34'],
          [asked('Code from the mail \\(6 digits\\)'), '654 321'],
        ],
        { env },
      );
      expect(screen).to.include('code must be 6 digits');
      expect(screen).to.match(/Cannot reach the mux1 server/);
      expect(code).to.equal(1);
      expect(screen, 'the code is never echoed').not.to.match(/654 ?321/);
    });
  });

  describe('npm run dev: the commands from the sources, without a build', () => {
    let checkout: string;
    before(() => {
      // A checkout with no dist/ at all, so a command found there cannot pass for the sources.
      checkout = mkdtempSync(join(tmpdir(), 'mux1-dev-'));
      for (const part of ['package.json', 'tsconfig.json', 'bin', 'config', 'i18n', 'server', 'tui']) {
        cpSync(join(repoRoot, part), join(checkout, part), { recursive: true });
      }
      symlinkSync(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
    });
    after(() => rmSync(checkout, { recursive: true, force: true }));

    const dev = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'bin/dev.js', ...args], {
        cwd: checkout,
        env: { ...cleanEnv(), ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });

    it('runs a command and the command-not-found hook from TypeScript', () => {
      const help = dev(['history', '--help']);
      expect(help.status, help.stderr).to.equal(0);
      expect(help.stdout).to.match(/USAGE\s+\$ mux1 history/);
      const typo = dev(['histroy']);
      expect(typo.status).to.equal(2);
      expect(typo.stderr).to.match(/'histroy' is not a mux1 command\. Did you mean 'mux1 history'/);
      expect(existsSync(join(checkout, 'dist'))).to.equal(false);
    });
  });
});
