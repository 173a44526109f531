import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The import rules of docs/architecture.md are lint rules (eslint.config.js). Each case lints one
 * line as if it stood in a file of that folder, so a rule that stops biting fails here, and an
 * allowed import that starts being refused does too.
 */
describe('layering: lint refuses the imports the architecture forbids', function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: root });

  const problems = async (file: string, code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(`${code}\n`, { filePath: file });
    return result!.messages
      .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
      .map((m) => m.message);
  };

  const refused: [file: string, code: string][] = [
    ['server/accounts/probe.ts', "import '../http/app.js';"],
    ['server/accounts/probe.ts', "export { createRealtime } from '../realtime/index.js';"],
    ['server/accounts/probe.ts', "import type { Context } from 'koa';"],
    ['server/accounts/probe.ts', "import Router from '@koa/router';"],
    ['server/accounts/probe.ts', "import { Server } from 'socket.io';"],
    ['server/accounts/probe.ts', "await import('../realtime/index.js');"],
    ['server/accounts/deep/probe.ts', "import '../../http/edge.js';"],
    ['server/store/probe.ts', "import '../http/request.js';"],
    ['server/store/probe.ts', "import '../realtime/index.js';"],
    ['server/store/probe.ts', "import type { Accounts } from '../accounts/index.js';"],
    ['server/probe.ts', "import '../tui/cli/errors.js';"],
    ['server/mail/probe.ts', "await import('../../tui/app/App.js');"],
    ['server/realtime/probe.ts', "import { parseBody } from '../http/request.js';"],
    ['server/http/probe.ts', "import '../realtime/index.js';"],
    ['tui/cli/probe.ts', "import { createServer } from '../../server/main.js';"],
    ['tui/cli/probe.ts', "import type { Db } from '../../server/store/db.js';"],
    ['tui/app/probe.tsx', "import { AppError } from '../../server/errors.js';"],
    ['tui/commands/probe.ts', "await import('../../server/store/db.js');"],
    ['tui/commands/probe.ts', "await import('../../server/run.js.bak');"],
    ['tui/cli/probe.ts', "await import('../../server/accounts/passwords.js');"],
    ['config/probe.ts', "import { LIMITS } from '../server/protocol.js';"],
    ['config/probe.ts', "import '../tui/client/rest.js';"],
    ['i18n/probe.ts', "import { LIMITS } from '../server/protocol.js';"],
    ['i18n/probe.ts', "import '../tui/client/rest.js';"],
  ];
  const allowed: [file: string, code: string][] = [
    ['server/accounts/probe.ts', "import '../store/users.js';"],
    ['server/accounts/probe.ts', "import { AppError } from '../errors.js';"],
    ['server/http/probe.ts', "import '../accounts/index.js';"],
    ['server/realtime/probe.ts', "import { asUnavailable } from '../errors.js';"],
    ['server/probe.ts', "import './http/app.js';"],
    ['tui/client/probe.ts', "import type { ErrorBody } from '../../server/protocol.js';"],
    ['tui/commands/probe.ts', "await import('../../server/run.js');"],
    ['tui/cli/probe.ts', "await import('../../server/store/admin.js');"],
    ['tui/cli/probe.ts', "await import('../../server/operator.js');"],
    ['tui/cli/probe.ts', "import type { DatabaseChoice } from '../../server/store/admin.js';"],
    ['config/probe.ts', "import { z } from 'zod';"],
    ['i18n/probe.ts', "import i18next from 'i18next';"],
  ];
  for (const [verdict, cases] of [
    ['refuses', refused],
    ['allows', allowed],
  ] as const) {
    for (const [file, code] of cases) {
      it(`${verdict} in ${file}: ${code}`, async () => {
        const found = await problems(file, code);
        if (verdict === 'refuses') expect(found).to.have.length.above(0);
        else expect(found).to.deep.equal([]);
      });
    }
  }
});
