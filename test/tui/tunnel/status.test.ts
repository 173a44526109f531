import { expect } from 'chai';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../tui/client/tunnel/backoff.js';
import { formatStatus, TunnelError } from '../../../tui/client/tunnel/index.js';

describe('tunnel: status lines and backoff', () => {
  it('says each status in one line a user can read', () => {
    const lines = [
      formatStatus({ type: 'connected', sshHost: 'alice@example.com:22', fingerprint: 'SHA256:abc' }),
      formatStatus({ type: 'link_lost', reason: 'the connection was reset' }),
      formatStatus({ type: 'reconnecting', attempt: 2, delayMs: 1500, lastError: 'connection refused' }),
      formatStatus({ type: 'reconnected', attempt: 2, downtimeMs: 4200 }),
      formatStatus({ type: 'failed', error: new TunnelError('auth_failed', 'SSH login refused') }),
    ];
    expect(lines).to.deep.equal([
      'connected to alice@example.com:22 (host key SHA256:abc)',
      'link lost: the connection was reset; the local port stays open while reconnecting',
      'reconnecting in 1.5s (attempt 2); last attempt: connection refused',
      'reconnected after 4.2s',
      'tunnel closed: SSH login refused',
    ]);
  });

  it('doubles the delay up to the ceiling, with at most 20% jitter either way', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, DEFAULT_BACKOFF, mid))).to.deep.equal([
      500, 1000, 2000, 4000,
    ]);
    expect(backoffDelay(20, DEFAULT_BACKOFF, mid)).to.equal(30_000);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).to.equal(400);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 1)).to.equal(600);
  });
});
