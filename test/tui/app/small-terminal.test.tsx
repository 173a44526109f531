import { expect } from 'chai';
import { render } from 'ink-testing-library';
import { Form } from '../../../tui/app/components/Form.js';
import { MessageList } from '../../../tui/app/components/MessageList.js';
import type { Entry } from '../../../tui/app/hooks/useChat.js';
import { HELP } from '../../../tui/app/screens/ChatScreen.js';
import { columnsOf } from '../../../tui/app/components/graphemes.js';

/** ink-testing-library's terminal is 100 columns with no height: this one is as small as asked. */
function renderAt(columns: number, rows: number, tree: React.ReactElement) {
  const app = render(<></>);
  Object.defineProperty(app.stdout, 'columns', { value: columns });
  Object.defineProperty(app.stdout, 'rows', { value: rows });
  app.rerender(tree);
  return app;
}

const signup = (props: { fieldErrors?: Record<string, string>; notice?: string; error?: string }) => (
  <Form
    title="Sign up"
    fields={[
      { name: 'username', label: 'Username', placeholder: '3-32 of a-z 0-9 _ . -' },
      { name: 'email', label: 'Email' },
      { name: 'password', label: 'Password', secret: true },
      { name: 'again', label: 'Password again', secret: true },
    ]}
    values={{}}
    onChange={() => {}}
    onSubmit={() => {}}
    onBack={() => {}}
    submitLabel="Sign up"
    {...props}
  />
);

const allWrong = {
  username: 'choose a username',
  email: 'enter your email',
  password: 'choose a password',
  again: 'the two passwords differ; type it again',
};

/** Issue 22: at 40x12 the forms lost their top row; a wrapped line started with a space. */
describe('TUI: a 40x12 terminal', () => {
  let app: ReturnType<typeof render> | undefined;
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });

  it('fits the sign-up form with an error under every field into 12 rows, first field included', () => {
    app = renderAt(40, 12, signup({ fieldErrors: allWrong }));
    const lines = app.lastFrame()!.split('\n');
    expect(lines.length, app.lastFrame()).to.be.at.most(12);
    expect(lines.some((l) => l.includes('Username'))).to.equal(true);
    expect(lines.at(-1)).to.include('Tab/↑↓ move');
    for (const line of lines) expect(columnsOf(line), line).to.be.at.most(40);
  });

  it('keeps the title and its blank rows where there is room', () => {
    app = renderAt(40, 12, signup({}));
    const lines = app.lastFrame()!.split('\n');
    expect(lines[0]).to.equal(' Sign up');
    expect(lines[1]).to.equal('');
    expect(lines.length).to.be.at.most(12);
    app.unmount();
    app = renderAt(80, 24, signup({ fieldErrors: allWrong }));
    const tall = app.lastFrame()!.split('\n');
    expect(tall[0]).to.equal(' Sign up');
    expect(tall.filter((l) => l === '').length, 'blank rows at 80x24').to.equal(3);
  });

  it('cuts a placeholder that is wider than its field rather than wrap it to a second row', () => {
    app = renderAt(40, 12, signup({}));
    const lines = app.lastFrame()!.split('\n');
    const at = lines.findIndex((l) => l.includes('Username'));
    expect(lines[at + 1]).to.match(/^ {3}Email/);
  });

  it('starts a wrapped notice or error line flush at the left edge, not one space in', () => {
    const notice =
      'Account created for alice. We sent a 6-digit code to alice@example.com; verify it to log in.';
    app = renderAt(40, 12, signup({ notice, fieldErrors: { again: allWrong.again } }));
    const lines = app.lastFrame()!.split('\n');
    const from = lines.findIndex((l) => l.includes('Account created'));
    expect(
      lines.slice(from, from + 3).every((l) => /^ \S/.test(l)),
      lines.join('\n'),
    ).to.equal(true);
    const error = lines.findIndex((l) => l.includes('✗ the two'));
    expect(lines[error + 1], lines.join('\n')).to.match(/^ {3}\S/);
    expect(lines.length).to.be.at.most(12);
  });

  it('shows /help in the chat with every wrapped line flush and the last line whole', () => {
    const entries: Entry[] = HELP.map((text, i) => ({
      kind: 'note',
      note: { id: `h${i}`, room: 'lobby', text, ts: Date.UTC(2030, 0, 1, 12, 0) },
    }));
    app = render(<MessageList entries={entries} selfId={1} width={40} height={9} offset={0} />);
    const frame = app.lastFrame()!.split('\n');
    expect(frame).to.have.length(9);
    // The top row stays blank when the next note (two rows) does not fit whole.
    const lines = frame.filter((l) => l !== '');
    expect(lines.length).to.be.at.least(8);
    for (const line of lines) {
      expect(line, lines.join('\n')).to.match(/^\S/);
      expect(columnsOf(line)).to.be.at.most(40);
    }
    // The rows counted are the rows drawn: the newest note is there whole, at the bottom.
    expect(lines.join(' ').replace(/\s+/g, ' ')).to.include(HELP.at(-1)!.replace(/\s+/g, ' '));
  });
});
