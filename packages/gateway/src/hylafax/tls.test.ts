// hylafax.tls: the control connection is TLS from the first byte, and so are the data
// connections (the documents and received faxes never cross the network in clear).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../test-support/api-fixture.js';
import { useHylafaxFixture } from './test-support/fixture.js';
import { RawClient } from './test-support/raw-client.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-hylafax-tls-'));
const certFile = path.join(dir, 'cert.pem');
const keyFile = path.join(dir, 'key.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-days',
    '1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
  ],
  { stdio: 'ignore' },
);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const f = useHylafaxFixture({ hylafax: { enabled: true, port: 0, tls: { certFile, keyFile } } });

describe('the listener with TLS', () => {
  it('logs in and lists the send queue over TLS control and data connections', async () => {
    const c = await RawClient.connectTls(f.port);
    await c.login('alice', PASSWORD);
    const list = await c.transfer('LIST sendq');
    expect(list.first).toMatch(/^150 /);
    expect(list.last).toMatch(/^226 /);
    c.close();
  });

  it('a client speaking plain text gets no greeting and no session', async () => {
    const s = net.connect(f.port, '127.0.0.1');
    const got: string[] = [];
    s.on('data', (d) => got.push(d.toString('latin1')));
    s.on('error', () => {});
    s.write('USER alice\r\n');
    await new Promise((r) => s.on('close', r));
    expect(got.join('')).not.toMatch(/^2\d\d /m);
  });
});
