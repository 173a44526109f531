import Router from '@koa/router';
import { z } from 'zod';
import QRCode from 'qrcode';
import type { Accounts } from '../../accounts/index.js';
import { loginPasswordField, secondFactorField } from '../../accounts/fields.js';
import type {
  BackupCodesBody,
  MessageBody,
  TwoFactorSetupBody,
  TwoFactorStatusBody,
} from '../../protocol.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';
import { signedOut } from './account.js';

// One schema per request body. Unknown keys are dropped, never passed inward.
const setupBody = z.object({ password: loginPasswordField });
const enableBody = z.object({ code: secondFactorField });
const proofBody = z.object({ password: loginPasswordField, code: secondFactorField });

const backupCodesNote =
  'Keep these backup codes somewhere safe: each logs in once without your app, and they are shown only now.';

/** Two-factor sign-in as its owner manages it, signed in: set up, turn on and off, backup codes. */
export function twoFactorRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/2fa' });
  const auth = requireAuth(accounts);

  router.get('/', auth, async (ctx) => {
    const status = await accounts.twoFactorStatus(ctx.state.auth);
    ctx.body = {
      enabled: status.enabledAt !== null,
      enabled_at: status.enabledAt === null ? null : new Date(status.enabledAt).toISOString(),
      backup_codes_left: status.backupCodesLeft,
    } satisfies TwoFactorStatusBody;
  });

  router.post('/setup', auth, async (ctx) => {
    const { password } = parseBody(setupBody, ctx.request.body);
    const setup = await accounts.setupTwoFactor(ctx.state.auth, password, requestMeta(ctx));
    ctx.body = {
      secret: setup.secret,
      otpauth_url: setup.otpauthUrl,
      // For the browser page: drawn here, so the page needs no QR library of its own.
      qr_svg: await QRCode.toString(setup.otpauthUrl, { type: 'svg', errorCorrectionLevel: 'L', margin: 4 }),
    } satisfies TwoFactorSetupBody;
  });

  router.post('/enable', auth, async (ctx) => {
    const { code } = parseBody(enableBody, ctx.request.body);
    const result = await accounts.enableTwoFactor(ctx.state.auth, code, requestMeta(ctx));
    ctx.body = {
      message: `Two-factor sign-in is on. ${signedOut(result.revoked)} ${backupCodesNote}`,
      backup_codes: result.backupCodes,
    } satisfies BackupCodesBody;
  });

  router.post('/disable', auth, async (ctx) => {
    const input = parseBody(proofBody, ctx.request.body);
    await accounts.disableTwoFactor(ctx.state.auth, input, requestMeta(ctx));
    ctx.body = { message: 'Two-factor sign-in is off: your password alone logs in.' } satisfies MessageBody;
  });

  router.post('/backup-codes', auth, async (ctx) => {
    const input = parseBody(proofBody, ctx.request.body);
    const codes = await accounts.regenerateBackupCodes(ctx.state.auth, input, requestMeta(ctx));
    ctx.body = {
      message: `New backup codes; the earlier ones no longer work. ${backupCodesNote}`,
      backup_codes: codes,
    } satisfies BackupCodesBody;
  });

  return router;
}
