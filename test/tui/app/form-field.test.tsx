import { expect } from 'chai';
import { useState } from 'react';
import { render } from 'ink-testing-library';
import { Form } from '../../../tui/app/components/Form.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';

/** Form fields edit with the same keys as the chat's draft; a secret one never shows its text. */
describe('TUI: form fields', () => {
  let app: ReturnType<typeof render> | undefined;
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });

  const open = (size?: { columns: number; rows: number }) => {
    const submitted: Record<string, string>[] = [];
    function Harness() {
      const [values, setValues] = useState<Record<string, string>>({});
      return (
        <Form
          title="Log in"
          fields={[
            { name: 'username', label: 'Username' },
            { name: 'password', label: 'Password', secret: true },
          ]}
          values={values}
          onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
          onSubmit={(v) => submitted.push(v)}
          onBack={() => {}}
          submitLabel="Log in"
        />
      );
    }
    if (size) {
      // ink-testing-library's terminal is 100 columns with no height: this one is as small as asked.
      app = render(<></>);
      Object.defineProperty(app.stdout, 'columns', { value: size.columns });
      Object.defineProperty(app.stdout, 'rows', { value: size.rows });
      app.rerender(<Harness />);
    } else app = render(<Harness />);
    return { ...app, submitted };
  };

  it('edits a masked field in the middle and by word, showing bullets only', async () => {
    const { stdin, lastFrame, submitted } = open();
    await type(stdin, 'ann\t');
    await type(stdin, 'hunter two');
    await press(stdin, '\u001B[1;5D'); // Ctrl-Left: before "two"
    await press(stdin, '\u0017'); // Ctrl-W: "hunter " goes
    await type(stdin, 'my ');
    await press(stdin, '\u001B[F'); // End
    await press(stdin, '\u007F'); // Backspace
    const frame = await waitForFrame(lastFrame, (f) => f.includes('•'.repeat(5)));
    expect(frame).not.to.match(/my|tw/);
    await press(stdin, keys.enter);
    expect(submitted).to.deep.equal([{ username: 'ann', password: 'my tw' }]);
  });

  it('moves on with Tab and submits with Enter inside one burst', async () => {
    const { stdin, submitted } = open();
    await type(stdin, 'bob\tse\u007Fecret\r');
    expect(submitted).to.deep.equal([{ username: 'bob', password: 'secret' }]);
  });

  for (const [columns, rows] of [
    [40, 12],
    [80, 24],
  ] as const) {
    it(`shows a password longer than its field as one row of bullets that fills it, at ${columns}x${rows}`, async () => {
      const { stdin, lastFrame, submitted } = open({ columns, rows });
      // The field is the width left of the label's column and the form's padding: 27 or 67 columns.
      const field = columns - 'Password'.length - 1 - 4;
      const password = 'correct horse battery staple '.repeat(3).slice(0, field + 5);
      await type(stdin, 'ann\t');
      await type(stdin, password);
      const typed = await waitForFrame(lastFrame, (f) => f.includes('•'));
      const row = (frame: string) =>
        frame
          .split('\n')
          .find((l) => l.includes('Password'))!
          .trimEnd();
      // The last characters typed, the cursor in the field's last column after them, and a mark
      // where the rest is out of sight.
      expect(row(typed), typed).to.equal(` › Password …${'•'.repeat(field - 2)}`);
      expect(typed.split('\n').length).to.be.at.most(rows);
      await press(stdin, '\u001B[H'); // Home: the field shows its start, the cursor on the first
      const home = await waitForFrame(lastFrame, (f) => row(f) === ` › Password ${'•'.repeat(field - 1)}…`);
      expect(home).not.to.match(/horse|staple/);
      for (let i = 0; i < field; i++) await press(stdin, '\u001B[C'); // Right, past the field's width
      const middle = await waitForFrame(lastFrame, (f) => /…•+…$/.test(row(f)));
      expect(row(middle).length, middle).to.equal(` › Password `.length + field);
      await press(stdin, keys.enter);
      expect(submitted).to.deep.equal([{ username: 'ann', password }]);
    });
  }
});
