import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../codec/messages.js';
import { once, type PeerConn, RcapiPeer } from '../test-support/rcapi-peer.js';
import { RcapiTransport } from '../transport/rcapi/transport.js';
import { GuardedApplication } from './guarded-application.js';

let peer: RcapiPeer | undefined;
let transport: RcapiTransport | undefined;
afterEach(async () => {
  await transport?.close();
  await peer?.close();
  peer = transport = undefined;
});

const NCCI = 0x00010101;
const PLCI = 0x0101;

async function setup(maxBDataLen = 2048, maxBDataBlocks = 7) {
  peer = await RcapiPeer.start();
  const p = peer;
  transport = new RcapiTransport({ port: p.port });
  const registered = new Promise<PeerConn>((r) => p.once('register', r));
  const params = { maxLogicalConnection: 2, maxBDataBlocks, maxBDataLen };
  const app = new GuardedApplication(await transport.register(params), params);
  const conn = await registered;
  conn.applId = app.applId;
  /** Names of what reached the server, after a LISTEN_REQ marker has round-tripped. */
  const seen = async () => {
    const marker = p.next('LISTEN_REQ');
    await app.putMessage(
      encodeMessage({
        name: 'LISTEN_REQ',
        applId: 1,
        messageNumber: 9,
        controller: 1,
        infoMask: 0,
        cipMask: 0,
      }),
    );
    await marker;
    return conn.frames
      .filter((f) => f[5] !== 0xff)
      .map((f) => `${f[4].toString(16)}/${f[5].toString(16)}:${f.length >= 14 ? f.readUInt16LE(12) : ''}`);
  };
  const ind = async (handle: number) => {
    const got = once(app, 'message');
    p.send(conn, { name: 'DATA_B3_IND', ncci: NCCI, dataHandle: handle, data: Buffer.from('x') });
    await got;
  };
  const resp = (dataHandle: number) =>
    app.putMessage(
      encodeMessage({ name: 'DATA_B3_RESP', applId: 1, messageNumber: 1, ncci: NCCI, dataHandle }),
    );
  return { app, conn, p, seen, ind, resp };
}

const refused = (guard: string) => ({ code: 'ERR_CAPI_REFUSED', guard });

describe('guards (capi-reference §7) against a real socket', () => {
  it('P5: DATA_B3_REQ above MaxBDataLen and messages above 2176 bytes are refused before sending', async () => {
    const { app, seen } = await setup(1024);
    const data = new Uint8Array(1025);
    await expect(
      app.putMessage(
        encodeMessage({ name: 'DATA_B3_REQ', applId: 1, messageNumber: 1, ncci: NCCI, dataHandle: 1, data }),
      ),
    ).rejects.toMatchObject(refused('data-length'));
    await expect(
      app.putMessage(
        encodeMessage({
          name: 'FACILITY_REQ',
          applId: 1,
          messageNumber: 1,
          address: 1,
          facilitySelector: 1,
          facilityRequestParameter: new Uint8Array(2200),
        }),
      ),
    ).rejects.toMatchObject(refused('oversize'));
    expect((await seen()).length).toBe(1); // only the marker
  });

  it('flow control: no more DATA_B3_REQ outstanding than MaxBDataBlocks', async () => {
    const { app } = await setup(2048, 2);
    const req = (h: number) =>
      app.putMessage(
        encodeMessage({
          name: 'DATA_B3_REQ',
          applId: 1,
          messageNumber: h,
          ncci: NCCI,
          dataHandle: h,
          data: Buffer.alloc(10),
        }),
      );
    await req(1);
    await req(2);
    await expect(req(3)).rejects.toMatchObject(refused('flow-control'));
  });

  it('P3: DATA_B3_RESP unknown, repeated, or after DISCONNECT_B3_RESP is refused; each IND answered once', async () => {
    const { app, seen, ind, resp } = await setup();
    await expect(resp(999)).rejects.toMatchObject(refused('data-handle'));
    await ind(7);
    await resp(7);
    await expect(resp(7)).rejects.toMatchObject(refused('data-handle'));
    await ind(8);
    await ind(9);
    await resp(8);
    // DISCONNECT_B3_RESP with handle 9 still open: the guard answers it first.
    await app.putMessage(
      encodeMessage({ name: 'DISCONNECT_B3_RESP', applId: 1, messageNumber: 2, ncci: NCCI }),
    );
    await expect(resp(9)).rejects.toMatchObject(refused('data-handle'));
    const s = await seen();
    expect(s.filter((x) => x.startsWith('86/83'))).toEqual(['86/83:7', '86/83:8', '86/83:9']);
    expect(s.findIndex((x) => x.startsWith('84/83'))).toBe(3); // after all three RESPs
  });

  it('P3: a DATA_B3_RESP after DISCONNECT_IND freed the buffers is dropped, not sent', async () => {
    const { app, seen, ind, resp, p, conn } = await setup();
    await ind(5);
    const got = once(app, 'message');
    p.send(conn, { name: 'DISCONNECT_IND', plci: PLCI, reason: 0x3490 });
    await got;
    await resp(5); // no throw: the data was delivered, the answer is simply not due any more
    await expect(resp(5)).rejects.toMatchObject(refused('data-handle'));
    expect((await seen()).filter((x) => x.startsWith('86/83'))).toEqual([]);
  });

  it('malformed messages are refused', async () => {
    const { app } = await setup();
    await expect(app.putMessage(Buffer.from('0e00010005810100', 'hex'))).rejects.toMatchObject(
      refused('malformed'),
    );
  });
});
