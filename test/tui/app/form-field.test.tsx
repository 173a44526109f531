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

  const open = () => {
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
    app = render(<Harness />);
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
});
