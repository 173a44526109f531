import { expect } from 'chai';
import { parseTarget } from '../../../tui/client/tunnel/index.js';

describe('tunnel: the USER@HOST target', () => {
  it('reads user, host and an optional port', () => {
    expect(parseTarget('alice@chat.example.com')).to.deep.equal({
      user: 'alice',
      host: 'chat.example.com',
      port: undefined,
    });
    expect(parseTarget('chat.example.com')).to.deep.equal({
      user: undefined,
      host: 'chat.example.com',
      port: undefined,
    });
    expect(parseTarget('alice@chat.example.com:2222')).to.deep.equal({
      user: 'alice',
      host: 'chat.example.com',
      port: 2222,
    });
    expect(parseTarget('ssh://alice@10.0.0.5:22')).to.deep.equal({
      user: 'alice',
      host: '10.0.0.5',
      port: 22,
    });
  });

  it('reads IPv6 addresses, bracketed when a port follows', () => {
    expect(parseTarget('alice@[::1]:2222')).to.deep.equal({ user: 'alice', host: '::1', port: 2222 });
    expect(parseTarget('alice@fe80::1')).to.deep.equal({ user: 'alice', host: 'fe80::1', port: undefined });
  });

  it('keeps an @ in the user name (the last @ splits)', () => {
    expect(parseTarget('alice@corp@bastion')).to.deep.equal({
      user: 'alice@corp',
      host: 'bastion',
      port: undefined,
    });
  });

  it('refuses what is not a target with bad_target and a one-line reason', () => {
    for (const bad of [
      '',
      '@host',
      'alice@',
      'alice@host:0',
      'alice@host:99999',
      'alice@host:ssh',
      '-oProxyCommand=x',
      'a b',
    ]) {
      expect(() => parseTarget(bad), bad)
        .to.throw()
        .with.property('code', 'bad_target');
    }
  });
});
