import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isAllowedListener, listListeningSockets, parseProcNet } from './host-sockets.js';

describe('parseProcNet', () => {
  it('reads listening TCP and unconnected UDP sockets and their addresses', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0 100 0 0 10 0',
      '   1: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1235 1 0 100 0 0 10 0',
    ].join('\n');
    expect(parseProcNet(tcp, 'tcp')).toEqual([
      { protocol: 'tcp', address: '127.0.0.1', port: 8080, inode: 1234 },
    ]);
    const tcp6 = [
      'header',
      '   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1',
    ].join('\n');
    expect(parseProcNet(tcp6, 'tcp6')[0]).toMatchObject({ address: '::1', port: 22 });
    const udp = [
      'header',
      '  10: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 77 2 0',
    ].join('\n');
    expect(parseProcNet(udp, 'udp')[0]).toMatchObject({ address: '0.0.0.0', port: 514, inode: 77 });
  });
});

describe('listListeningSockets', () => {
  it('sees a socket this test opens, with this process as its owner', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const sockets = await listListeningSockets();
      const mine = sockets.find((s) => s.port === port && s.protocol === 'tcp');
      expect(mine).toMatchObject({ address: '127.0.0.1', pid: process.pid });
      expect(isAllowedListener(mine!, [{ port }])).toBeDefined();
      expect(isAllowedListener(mine!, [{ port, protocol: 'udp' }])).toBeUndefined();
    } finally {
      server.close();
    }
  });
});
