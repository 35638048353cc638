import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../codec/messages.js';
import { parseProfile } from '../../codec/profile.js';
import { once, RcapiPeer } from '../../test-support/rcapi-peer.js';
import { capiErrorCode } from '../types.js';
import { RcapiTransport } from './transport.js';

let peer: RcapiPeer | undefined;
let transport: RcapiTransport | undefined;
afterEach(async () => {
  await transport?.close();
  await peer?.close();
  peer = transport = undefined;
});

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('rcapi transport against a scripted server', () => {
  it('speaks the functions byte for byte like libcapi20 (§3.2)', async () => {
    peer = await RcapiPeer.start({ manufacturer: 'Simulated ISDN card (rcapi)', serial: '1234567' });
    transport = new RcapiTransport({ port: peer.port });
    expect(await transport.isInstalled()).toBe(true);
    expect(await transport.getManufacturer(0)).toBe('Simulated ISDN card (rcapi)');
    expect(await transport.getVersion(0)).toEqual({
      capiMajor: 2,
      capiMinor: 0,
      manufacturerMajor: 1,
      manufacturerMinor: 2,
    });
    expect(await transport.getSerialNumber(0)).toBe('1234567');
    const prof = parseProfile(await transport.getProfile(1));
    expect(prof).toMatchObject({ controllers: 2, bChannels: 2, b1: 0x13, b3: 0x31 });
    const infoConn = [...peer.conns][0];
    expect(infoConn.frames.map((f) => f.toString('hex'))).toEqual([
      '00000000faff000000000000',
      '00000000fcff000000000000',
      '00000000feff000000000000',
      '00000000e0ff000001000000',
    ]);
    await expect(transport.getProfile(9)).rejects.toMatchObject({ code: 'ERR_CAPI_INFO', info: 0x2002 });

    const app = await transport.register({ maxLogicalConnection: 2, maxBDataBlocks: 7, maxBDataLen: 2048 });
    expect(app.applId).toBe(1);
    const appConn = [...peer.conns].find((c) => c.register)!;
    // 23-byte frame: length 0x17 then 21 bytes
    expect(appConn.registerFrame).toEqual(hex('00000000f2ff0000 00000000 0008 0200 0700 0008 02'));
  });

  it('carries messages on the application connection, DATA_B3_IND data split off', async () => {
    peer = await RcapiPeer.start();
    transport = new RcapiTransport({ port: peer.port });
    const app = await transport.register({ maxLogicalConnection: 2, maxBDataBlocks: 7, maxBDataLen: 2048 });
    const got = peer.next('LISTEN_REQ');
    await app.putMessage(
      encodeMessage({
        name: 'LISTEN_REQ',
        applId: app.applId,
        messageNumber: 1,
        controller: 1,
        infoMask: 0,
        cipMask: 0x10,
      }),
    );
    const [conn, listen] = await got;
    expect(listen).toMatchObject({ controller: 1, cipMask: 0x10 });
    const msg = once<[Buffer, Buffer | undefined]>(app, 'message');
    const received: [Buffer, Buffer?][] = [];
    app.on('message', (raw: Buffer, data?: Buffer) => received.push([raw, data]));
    // The server sends another ApplID: the client sees its own (§2).
    conn.sendFrame(hex('16 00 09 00 86 82 42 42 01 01 01 00 00 00 00 00 05 00 77 07 00 00 48 45 4c 4c 4f'));
    await msg;
    const [raw, data] = received[0];
    expect(raw.length).toBe(22);
    expect(Buffer.from(data!).toString()).toBe('HELLO');
    const d = decodeMessage(raw, data);
    expect(d).toMatchObject({ name: 'DATA_B3_IND', applId: app.applId, dataHandle: 0x777 });
  });

  it('times out a function the server never answers, and recovers the info connection', async () => {
    peer = await RcapiPeer.start({ silent: true });
    transport = new RcapiTransport({ port: peer.port, callTimeoutMs: 200 });
    await expect(transport.getManufacturer(0)).rejects.toMatchObject({ code: 'ERR_CAPI_TIMEOUT' });
    peer.opts.silent = false;
    expect(await transport.getSerialNumber(0)).toBe('7654321');
  });

  it('times out a REGISTER the server never answers', async () => {
    peer = await RcapiPeer.start({ silent: true });
    transport = new RcapiTransport({ port: peer.port, callTimeoutMs: 200 });
    await expect(
      transport.register({ maxLogicalConnection: 1, maxBDataBlocks: 1, maxBDataLen: 128 }),
    ).rejects.toMatchObject({ code: 'ERR_CAPI_TIMEOUT' });
  });

  it('re-opens a stale info connection after a server restart (P8)', async () => {
    peer = await RcapiPeer.start();
    const port = peer.port;
    transport = new RcapiTransport({ port, callTimeoutMs: 2000 });
    expect(await transport.getSerialNumber(0)).toBe('7654321');
    const closed = once(peer, 'close');
    await peer.close();
    await closed;
    peer = await RcapiPeer.start({ serial: 'NEW0001' }, port);
    expect(await transport.getSerialNumber(0)).toBe('NEW0001');
  });

  it('register refused by the server gives its Info (not 0x1008)', async () => {
    peer = await RcapiPeer.start({ registerInfo: 0x1001 });
    transport = new RcapiTransport({ port: peer.port });
    const e = await transport
      .register({ maxLogicalConnection: 1, maxBDataBlocks: 1, maxBDataLen: 128 })
      .catch((x) => x);
    expect(capiErrorCode(e)).toBe('ERR_CAPI_INFO');
    expect(e.info).toBe(0x1001);
  });

  it('refused connection: isInstalled false, calls fail with ERR_CAPI_DOWN', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    transport = new RcapiTransport({ port, callTimeoutMs: 1000 });
    expect(await transport.isInstalled()).toBe(false);
    await expect(transport.getProfile(0)).rejects.toMatchObject({ code: 'ERR_CAPI_DOWN' });
  });

  it('oversized frame from the server (> 4096, P4) takes the application down, not the process', async () => {
    peer = await RcapiPeer.start();
    transport = new RcapiTransport({ port: peer.port });
    const app = await transport.register({ maxLogicalConnection: 1, maxBDataBlocks: 1, maxBDataLen: 128 });
    const conn = [...peer.conns].find((c) => c.register)!;
    const down = once<Error>(app, 'down');
    const big = Buffer.alloc(5000);
    big.writeUInt16LE(5000, 0);
    big[4] = 0x86;
    big[5] = 0x82;
    conn.sendFrame(big);
    const err = await down;
    expect(capiErrorCode(err)).toBe('ERR_CAPI_DOWN');
    expect(err.message).toMatch(/exceeds the 4096-byte limit/);
    await expect(app.putMessage(Buffer.alloc(12))).rejects.toMatchObject({ code: 'ERR_CAPI_DOWN' });
  });

  it('a stream cut inside a frame and an unknown function reply get the wire module’s errors', async () => {
    peer = await RcapiPeer.start({ silent: true });
    transport = new RcapiTransport({ port: peer.port, callTimeoutMs: 2000 });
    // An info reply with a function code rcapi does not have: the call fails, naming it.
    peer.once('frame', (conn) => conn.sendFrame(hex('0c000000 12ff 0000 0000')));
    const e = await transport.getManufacturer(0).catch((x) => x);
    expect(e).toMatchObject({ code: 'ERR_CAPI_INFO', info: 0x1108 });
    expect(e.message).toMatch(/unknown rcapi function 0x12$/);
    peer.opts.silent = false;
    const app = await transport.register({ maxLogicalConnection: 1, maxBDataBlocks: 1, maxBDataLen: 128 });
    const conn = [...peer.conns].find((c) => c.register)!;
    const down = once<Error>(app, 'down');
    conn.write(hex('00 10 0e 00 01 00 05 81'));
    conn.socket.end();
    const err = await down;
    expect(capiErrorCode(err)).toBe('ERR_CAPI_DOWN');
    expect(err.message).toBe(
      'rcapi server broke the protocol: rcapi stream ended inside a frame (8 of 16 bytes)',
    );
  });

  it('refuses to send a message too big for a frame, and stays up', async () => {
    peer = await RcapiPeer.start();
    transport = new RcapiTransport({ port: peer.port });
    const app = await transport.register({ maxLogicalConnection: 1, maxBDataBlocks: 1, maxBDataLen: 128 });
    await expect(app.putMessage(Buffer.alloc(4000), Buffer.alloc(97))).rejects.toMatchObject({
      code: 'ERR_CAPI_REFUSED',
      guard: 'oversize',
      message:
        'rcapi frame of 4097 bytes exceeds the 4096-byte limit (message + data, length word not counted)',
    });
    const got = peer.next('LISTEN_REQ');
    await app.putMessage(
      encodeMessage({
        name: 'LISTEN_REQ',
        applId: 1,
        messageNumber: 1,
        controller: 1,
        infoMask: 0,
        cipMask: 0x10,
      }),
    );
    expect((await got)[1]).toMatchObject({ controller: 1 });
  });

  it('server closing the application socket → down (P6), frames split anywhere are reassembled (P7)', async () => {
    peer = await RcapiPeer.start();
    transport = new RcapiTransport({ port: peer.port });
    const app = await transport.register({ maxLogicalConnection: 1, maxBDataBlocks: 1, maxBDataLen: 128 });
    const conn = [...peer.conns].find((c) => c.register)!;
    const frame = hex('00 10 0e 00 01 00 05 81 01 00 01 00 00 00 00 00');
    const got = once<Buffer>(app, 'message');
    for (const b of frame) conn.socket.write(Buffer.from([b]));
    expect(decodeMessage(await got)).toMatchObject({ name: 'LISTEN_CONF', controller: 1 });
    const down = once<Error>(app, 'down');
    conn.socket.destroy();
    expect(capiErrorCode(await down)).toBe('ERR_CAPI_DOWN');
  });
});
