import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { parseTarget } from '../../../tui/client/tunnel/index.js';
import { shellWord, sshCommandFor } from '../../../tui/client/tunnel/target.js';

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

  it('spells a target the way ssh takes it: the port with -p, never host:port', () => {
    expect(sshCommandFor('root@127.0.0.1:18622')).to.equal('ssh -p 18622 root@127.0.0.1');
    expect(sshCommandFor('chat-box')).to.equal('ssh chat-box');
    expect(sshCommandFor('ssh://alice@10.0.0.5:22')).to.equal('ssh -p 22 alice@10.0.0.5');
    expect(sshCommandFor('alice@[::1]:2222')).to.equal('ssh -p 2222 alice@::1');
    expect(sshCommandFor('alice@fe80::1')).to.equal('ssh alice@fe80::1');
    expect(sshCommandFor('bob@box:2200', { identity: '/keys/id_box', knownHostsFile: '~/.ssh/kh' })).to.equal(
      'ssh -i /keys/id_box -o UserKnownHostsFile=~/.ssh/kh -p 2200 bob@box',
    );
  });

  it('quotes what a shell would read differently, so a pasted hint runs as shown', () => {
    for (const word of ['/home/me/my keys/id', 'a;b$(c)`d`"e\\', "it's", '!bang', 'two\nlines']) {
      const echoed = execFileSync('sh', ['-c', `printf %s ${shellWord(word)}`], { encoding: 'utf8' });
      expect(echoed, shellWord(word)).to.equal(word);
    }
    expect(shellWord('/keys/id_ed25519')).to.equal('/keys/id_ed25519');
    expect(sshCommandFor('x;rm@host')).to.equal("ssh 'x;rm@host'");
  });
});
