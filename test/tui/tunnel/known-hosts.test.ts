import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintOf, hostKeyAlgorithmsFor } from '../../../tui/client/tunnel/host-key.js';
import {
  appendKnownHost,
  checkKnownHost,
  formatKnownHostsLine,
  hashHostName,
  knownHostsName,
  parseKnownHosts,
} from '../../../tui/client/tunnel/known-hosts.js';
import { makeKeyPair } from '../../helpers/ssh-keys.js';

// Made with OpenSSH 9.2: `ssh-keygen -t ed25519`, two known_hosts lines for it hashed with
// `ssh-keygen -H` (example.com, then [127.0.0.1]:2222), and `ssh-keygen -lf` for the fingerprint.
const KEY_BASE64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIMhCY+L/ZkEckLNlmm2d5XFs03xJD8fCuMtKSkDl65GS';
const KEY = Buffer.from(KEY_BASE64, 'base64');
const SSH_KEYGEN_FINGERPRINT = 'SHA256:0/aZqEBwQ1CYrwGtwA1h37bxopa19zP9QmQ3JofwZlw';
const HASHED_BY_SSH_KEYGEN = [
  `|1|N1tCr7zcMxkul4AODXY50kWhYYg=|Bmt0cTYtXls1gLP16ZHcsqSbAvk= ssh-ed25519 ${KEY_BASE64}`,
  `|1|6omnuAkS6mLD9DRHKCGO52n+hsw=|5qKee3HZ0npvdAe/rKGVPaSoVvo= ssh-ed25519 ${KEY_BASE64}`,
].join('\n');

const check = (text: string, name: string, key = KEY) =>
  checkKnownHost(parseKnownHosts(text, 'kh'), name, key).status;

describe('tunnel: known_hosts, read and written as OpenSSH does', () => {
  it('computes the fingerprint ssh-keygen -lf shows', () => {
    expect(fingerprintOf(KEY)).to.equal(SSH_KEYGEN_FINGERPRINT);
  });

  it('names hosts `host` on port 22 and `[host]:port` elsewhere, lower case', () => {
    expect(knownHostsName('Example.COM', 22)).to.equal('example.com');
    expect(knownHostsName('127.0.0.1', 2222)).to.equal('[127.0.0.1]:2222');
    expect(knownHostsName('::1', 2222)).to.equal('[::1]:2222');
  });

  it('matches entries hashed by ssh-keygen -H, for port 22 and for [host]:port', () => {
    expect(check(HASHED_BY_SSH_KEYGEN, 'example.com')).to.equal('known');
    expect(check(HASHED_BY_SSH_KEYGEN, '[127.0.0.1]:2222')).to.equal('known');
    expect(check(HASHED_BY_SSH_KEYGEN, '[127.0.0.1]:2223')).to.equal('unknown');
    expect(check(HASHED_BY_SSH_KEYGEN, 'example.org')).to.equal('unknown');
  });

  it('matches comma lists, wildcards and negations, and keeps ports apart', () => {
    const line = (hosts: string) => `${hosts} ssh-ed25519 ${KEY_BASE64}`;
    expect(check(line('alias,example.com,10.0.0.1'), 'example.com')).to.equal('known');
    expect(check(line('*.example.com'), 'chat.example.com')).to.equal('known');
    expect(check(line('*.example.com,!evil.example.com'), 'evil.example.com')).to.equal('unknown');
    expect(check(line('example.com'), '[example.com]:2222')).to.equal('unknown');
    expect(check(line('[example.com]:2222'), 'example.com')).to.equal('unknown');
    expect(check(line('[example.com]:*'), '[example.com]:2222')).to.equal('known');
  });

  it('hashes a host name exactly as ssh-keygen -H does, with a fresh salt per line', () => {
    const [firstField] = HASHED_BY_SSH_KEYGEN.split(' ');
    const salt = Buffer.from(firstField!.split('|')[2]!, 'base64');
    expect(hashHostName('example.com', salt)).to.equal(firstField);

    const one = formatKnownHostsLine('[127.0.0.1]:2222', KEY, { hash: true });
    const two = formatKnownHostsLine('[127.0.0.1]:2222', KEY, { hash: true });
    expect(one).to.match(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
    expect(one).not.to.equal(two);
    expect(one).not.to.include('127.0.0.1');
    expect(check(one, '[127.0.0.1]:2222')).to.equal('known');
    expect(check(two, '[127.0.0.1]:2222')).to.equal('known');
    expect(check(one, '127.0.0.1')).to.equal('unknown');
  });

  it('calls a different key, or only keys of another type, a change', () => {
    const other = makeKeyPair().blob.toString('base64');
    expect(check(`example.com ssh-ed25519 ${other}`, 'example.com')).to.equal('changed');
    const ecdsa =
      'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCcos1dmSPv6lVEchyS2lWKS8HXfEGKydq1Gb+DGGa412ZJoPXGW/WyQdALaPw5qmrsfsfBU3QhJV8Skk6r7MB0=';
    expect(check(`example.com ecdsa-sha2-nistp256 ${ecdsa}`, 'example.com')).to.equal('changed');
    // ...and the handshake asks for the known type first, so a host that still has it offers it.
    expect(hostKeyAlgorithmsFor(['ecdsa-sha2-nistp256'])[0]).to.equal('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithmsFor(['ssh-rsa']).slice(0, 2)).to.deep.equal(['rsa-sha2-512', 'rsa-sha2-256']);
  });

  it('skips comments, blank, malformed and @cert-authority lines, and honours @revoked', () => {
    const text = [
      '# comment',
      '',
      'garbage',
      `example.com ssh-rsa ${KEY_BASE64}`, // type does not match the key: ignored
      `@cert-authority *.example.com ssh-ed25519 ${KEY_BASE64}`,
    ].join('\n');
    expect(check(text, 'example.com')).to.equal('unknown');
    expect(
      check(`example.com ssh-ed25519 ${KEY_BASE64}\n@revoked * ssh-ed25519 ${KEY_BASE64}`, 'example.com'),
    ).to.equal('revoked');
  });

  it('appends `[host]:port keytype base64` on its own line, creating the file 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mux1-kh-'));
    try {
      const file = join(dir, 'ssh', 'known_hosts');
      appendKnownHost(file, '[127.0.0.1]:2222', KEY);
      expect(readFileSync(file, 'utf8')).to.equal(`[127.0.0.1]:2222 ssh-ed25519 ${KEY_BASE64}\n`);
      expect(statSync(file).mode & 0o777).to.equal(0o600);

      writeFileSync(file, 'example.org ssh-ed25519 AAAA'); // no final newline
      appendKnownHost(file, 'example.com', KEY);
      expect(readFileSync(file, 'utf8')).to.equal(
        `example.org ssh-ed25519 AAAA\nexample.com ssh-ed25519 ${KEY_BASE64}\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
