import {
  type CapiMessage,
  Cip,
  cipMask,
  encodeFaxB3Config,
  encodeFaxNcpi,
  FaxOptions,
  faxBProtocol,
  makeNcci,
  makePlci,
} from '@faxgate/capi-bindings';
import { describe, expect, it } from 'vitest';
import { MessageGuard } from './guard.js';
import { resolvePolicy } from './policy.js';

const hdr = { applId: 1, messageNumber: 1 };
const fax444 = faxBProtocol({ b3: 4, resolution: 1, format: 0, stationId: '+49 30 1234', headLine: 'ACME' });
const fax445 = (options: number) =>
  faxBProtocol({ b3: 5, options, format: 0, stationId: '+49 30 1234', headLine: 'ACME' });
const plci = makePlci(1, 1);
const ncci = makeNcci(plci, 1);

function connectReq(over: Partial<Extract<CapiMessage, { name: 'CONNECT_REQ' }>> = {}): CapiMessage {
  return { name: 'CONNECT_REQ', ...hdr, controller: 1, cipValue: Cip.FAX_G2_G3, bProtocol: fax444, ...over };
}

/** Lets a guard see an outgoing fax call being set up, as the card would confirm it. */
function dialled(guard: MessageGuard, messageNumber = 7): void {
  const req = connectReq({ messageNumber });
  expect(guard.check(req)).toBeUndefined();
  guard.observeSent(req);
  guard.observeIncoming({ name: 'CONNECT_CONF', applId: 1, messageNumber, plci, info: 0 });
}

describe('MessageGuard: LISTEN', () => {
  it('allows the fax CIP mask in send-receive mode and refuses anything wider', () => {
    const g = new MessageGuard(resolvePolicy());
    const listen = (mask: number): CapiMessage => ({
      name: 'LISTEN_REQ',
      ...hdr,
      controller: 1,
      infoMask: 0,
      cipMask: mask,
    });
    expect(g.check(listen(cipMask(Cip.AUDIO_3_1_KHZ, Cip.FAX_G2_G3)))).toBeUndefined();
    expect(g.check(listen(cipMask(Cip.FAX_G2_G3)))).toBeUndefined();
    expect(g.check(listen(cipMask(Cip.SPEECH, Cip.FAX_G2_G3)))?.rule).toBe('listen-mask');
    expect(g.check(listen(1))?.rule).toBe('listen-mask'); // bit 0 = any service
  });

  it('allows only the empty mask in outgoing-only mode', () => {
    const g = new MessageGuard(resolvePolicy({ mode: 'outgoing-only' }));
    const listen = (mask: number): CapiMessage => ({
      name: 'LISTEN_REQ',
      ...hdr,
      controller: 1,
      infoMask: 0,
      cipMask: mask,
    });
    expect(g.check(listen(0))).toBeUndefined();
    expect(g.check(listen(cipMask(Cip.FAX_G2_G3)))?.rule).toBe('listen-mask');
  });
});

describe('MessageGuard: outgoing calls', () => {
  const g = new MessageGuard(resolvePolicy());

  it('allows a fax call 4/4/4 and 4/4/5', () => {
    expect(g.check(connectReq())).toBeUndefined();
    expect(g.check(connectReq({ bProtocol: fax445(FaxOptions.HIGH_RESOLUTION) }))).toBeUndefined();
    expect(g.check(connectReq({ cipValue: Cip.AUDIO_3_1_KHZ }))).toBeUndefined();
  });

  it('refuses data and voice B protocols and non-fax services', () => {
    expect(g.check(connectReq({ bProtocol: { b1: 1, b2: 1, b3: 0 } }))?.rule).toBe('not-fax-protocol');
    expect(g.check(connectReq({ bProtocol: { b1: 4, b2: 4, b3: 0 } }))?.rule).toBe('not-fax-protocol');
    expect(g.check(connectReq({ bProtocol: undefined }))?.rule).toBe('not-fax-protocol');
    expect(g.check(connectReq({ cipValue: Cip.UNRESTRICTED_DIGITAL }))?.rule).toBe('service-not-allowed');
    expect(g.check(connectReq({ cipValue: Cip.SPEECH }))?.rule).toBe('service-not-allowed');
  });

  it('refuses colour, JBIG, polling and non-SFF formats unless allowed', () => {
    expect(g.check(connectReq({ bProtocol: fax445(FaxOptions.JPEG) }))?.reason).toMatch(/colour/);
    expect(g.check(connectReq({ bProtocol: fax445(FaxOptions.JBIG) }))?.reason).toMatch(/JBIG/);
    expect(g.check(connectReq({ bProtocol: fax445(FaxOptions.POLLING) }))?.reason).toMatch(/polling/);
    const ascii = {
      ...fax444,
      b3Config: encodeFaxB3Config({ b3: 4, resolution: 0, format: 5, stationId: '', headLine: '' }),
    };
    expect(g.check(connectReq({ bProtocol: ascii }))?.reason).toMatch(/not SFF/);
    const lenient = new MessageGuard(resolvePolicy({ colour: true, jbig: true, polling: true }));
    expect(
      lenient.check(
        connectReq({ bProtocol: fax445(FaxOptions.JPEG | FaxOptions.JBIG | FaxOptions.POLLING) }),
      ),
    ).toBeUndefined();
  });

  it('with ECM off, requires B3 = 5 with the no-ECM option', () => {
    const noEcm = new MessageGuard(resolvePolicy({ ecm: false }));
    expect(noEcm.check(connectReq())?.reason).toMatch(/ECM/);
    expect(noEcm.check(connectReq({ bProtocol: fax445(0) }))?.reason).toMatch(/ECM/);
    expect(noEcm.check(connectReq({ bProtocol: fax445(FaxOptions.NO_ECM) }))).toBeUndefined();
  });

  it('refuses the messages outside the fax call set in any state', () => {
    const forbidden: CapiMessage[] = [
      {
        name: 'FACILITY_REQ',
        ...hdr,
        address: plci,
        facilitySelector: 1,
        facilityRequestParameter: new Uint8Array(),
      },
      {
        name: 'MANUFACTURER_REQ',
        ...hdr,
        controller: 1,
        manuId: 0x44,
        manuClass: 0,
        manuFunction: 0,
        manuData: new Uint8Array(),
      },
      { name: 'RESET_B3_REQ', ...hdr, ncci },
      { name: 'INFO_REQ', ...hdr, address: plci },
    ] as CapiMessage[];
    for (const m of forbidden) expect(g.check(m)?.rule, m.name).toBe('message-not-allowed');
  });

  it('allows B3 and data messages only on fax calls it saw being set up', () => {
    const fresh = new MessageGuard(resolvePolicy());
    const data: CapiMessage = { name: 'DATA_B3_REQ', ...hdr, ncci, dataHandle: 1, data: new Uint8Array(10) };
    expect(fresh.check(data)?.rule).toBe('not-a-fax-call');
    expect(fresh.check({ name: 'CONNECT_B3_REQ', ...hdr, plci })?.rule).toBe('not-a-fax-call');
    dialled(fresh);
    expect(fresh.check({ name: 'CONNECT_B3_REQ', ...hdr, plci })).toBeUndefined();
    expect(fresh.check(data)).toBeUndefined();
    fresh.observeIncoming({ name: 'DISCONNECT_IND', ...hdr, plci, reason: 0x3490 });
    expect(fresh.check(data)?.rule).toBe('not-a-fax-call');
  });

  it('checks the options NCPI of a B3 = 5 call', () => {
    const g5 = new MessageGuard(resolvePolicy());
    const req = connectReq({ messageNumber: 9, bProtocol: fax445(0) });
    g5.observeSent(req);
    g5.observeIncoming({ name: 'CONNECT_CONF', applId: 1, messageNumber: 9, plci, info: 0 });
    const ncpi = (options: number) =>
      encodeFaxNcpi({ b3: 5, rate: 0, options, format: 0, pages: 0, receiveId: '' });
    expect(g5.check({ name: 'CONNECT_B3_REQ', ...hdr, plci, ncpi: ncpi(0) })).toBeUndefined();
    expect(
      g5.check({ name: 'CONNECT_B3_REQ', ...hdr, plci, ncpi: ncpi(FaxOptions.POLLING) })?.reason,
    ).toMatch(/polling/);
  });
});

describe('MessageGuard: answering calls', () => {
  const offer = (g: MessageGuard, cip: number) =>
    g.observeIncoming({ name: 'CONNECT_IND', ...hdr, plci, cipValue: cip } as CapiMessage);
  const resp = (reject: number, bProtocol = fax444): CapiMessage => ({
    name: 'CONNECT_RESP',
    ...hdr,
    plci,
    reject,
    bProtocol,
  });

  it('accepts an offered fax call with a fax protocol only', () => {
    const g = new MessageGuard(resolvePolicy());
    offer(g, Cip.FAX_G2_G3);
    expect(g.check(resp(0, { b1: 1, b2: 1, b3: 0 }))?.rule).toBe('not-fax-protocol');
    expect(g.check(resp(0))).toBeUndefined();
  });

  it('never answers a speech call unless speech is allowed', () => {
    const g = new MessageGuard(resolvePolicy());
    offer(g, Cip.SPEECH);
    expect(g.check(resp(0))?.rule).toBe('service-not-allowed');
    expect(g.check(resp(7))).toBeUndefined(); // rejecting is always allowed
    const pbx = new MessageGuard(resolvePolicy({ incomingServices: [1, 4, 16, 17] }));
    offer(pbx, Cip.SPEECH);
    expect(pbx.check(resp(0))).toBeUndefined();
  });

  it('answers nothing in outgoing-only mode', () => {
    const g = new MessageGuard(resolvePolicy({ mode: 'outgoing-only' }));
    offer(g, Cip.FAX_G2_G3);
    expect(g.check(resp(0))?.rule).toBe('outgoing-only');
    expect(g.check({ name: 'ALERT_REQ', ...hdr, plci })?.rule).toBe('outgoing-only');
    expect(g.check(resp(2))).toBeUndefined();
  });

  it('refuses to answer a call that was never offered', () => {
    const g = new MessageGuard(resolvePolicy());
    expect(g.check(resp(0))?.rule).toBe('unknown-call');
  });
});
