// The HTTP control port (loopback only): JSON in and out, the trace as chunked JSON lines.
//   GET  /counters                       counters
//   GET  /controllers                    profiles and channel use
//   PUT  /controllers/:n/profile         {b1?, b2?, b3?, globalOptions?}
//   GET  /parties                        remote parties and what they received (summary)
//   GET  /parties/:number/received/:i    the i-th received document as SFF bytes
//   GET  /calls                          the last calls
//   POST /calls                          inject an incoming call, answer when it is over
//   POST /drop-lines                     {controller?}: layer-1 failure on active calls
//   GET  /trace[?follow=1]               ring buffer (and live messages) as JSON lines
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonReplacer } from '../observe/trace.js';
import type { InjectCallOptions, Service, Simulator } from '../simulator.js';

export interface ControlServer {
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `body over ${MAX_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, 'body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, jsonReplacer);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

function str(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new HttpError(400, `${what} must be a string`);
}

function optNum(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new HttpError(400, `${what} must be an integer`);
  return v;
}

function callOptions(body: unknown): InjectCallOptions {
  if (typeof body !== 'object' || body === null) throw new HttpError(400, 'body must be an object');
  const b = body as Record<string, unknown>;
  const o: InjectCallOptions = { from: str(b.from ?? '', 'from'), to: str(b.to, 'to') };
  if (b.service !== undefined) o.service = str(b.service, 'service') as Service;
  if (b.file !== undefined) o.document = { file: str(b.file, 'file') };
  if (b.csi !== undefined) o.csi = str(b.csi, 'csi');
  o.cip = optNum(b.cip, 'cip');
  o.rate = optNum(b.rate, 'rate');
  o.controller = optNum(b.controller, 'controller');
  o.hangUpAfterPage = optNum(b.hangUpAfterPage, 'hangUpAfterPage');
  o.holdAfterPage = optNum(b.holdAfterPage, 'holdAfterPage');
  if (b.callerType !== undefined)
    o.callerType = str(b.callerType, 'callerType') as InjectCallOptions['callerType'];
  if (b.ignoreListen !== undefined) o.ignoreListen = b.ignoreListen === true;
  return o;
}

export function startControlServer(sim: Simulator, host: string, port: number): Promise<ControlServer> {
  const server = http.createServer((req, res) => {
    handle(sim, req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 400;
      if (!res.headersSent) json(res, status, { error: (e as Error).message });
      else res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const p = (server.address() as AddressInfo).port;
      resolve({
        port: p,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

async function handle(sim: Simulator, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const parts = url.pathname.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  const route = `${method} /${parts[0] ?? ''}`;
  switch (route) {
    case 'GET /counters':
      return json(res, 200, sim.counters);
    case 'GET /controllers':
      return json(
        res,
        200,
        sim.config.controllers.map((c, i) => ({
          controller: i + 1,
          bChannels: c.bChannels,
          busy: sim.channelsBusy()[i],
          msns: c.msns,
          ddi: c.ddi,
          profile: sim.profile(i + 1),
        })),
      );
    case 'PUT /controllers': {
      const n = Number(parts[1]);
      if (parts[2] !== 'profile') throw new HttpError(404, 'not found');
      const body = (await readBody(req)) as Record<string, unknown>;
      try {
        sim.setProfile(n, body as never);
      } catch (e) {
        throw new HttpError(400, (e as Error).message);
      }
      return json(res, 200, sim.profile(n));
    }
    case 'GET /parties': {
      if (parts[1] && parts[2] === 'received' && parts[3] !== undefined) {
        let party: ReturnType<Simulator['remoteParty']>;
        try {
          party = sim.remoteParty(parts[1]);
        } catch (e) {
          throw new HttpError(404, (e as Error).message);
        }
        const fax = party.received[Number(parts[3])];
        if (!fax) throw new HttpError(404, 'no such document');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(fax.sff);
        return;
      }
      return json(
        res,
        200,
        sim.parties().map((p) => ({
          number: p.number,
          behaviour: p.behaviour,
          received: p.received.map((f) => ({
            callId: f.callId,
            from: f.from,
            complete: f.complete,
            reasonB3: f.reasonB3,
            pages: f.pageCount,
            sffBytes: f.sff.length,
            rate: f.rate,
            fine: f.fine,
            receivedAt: f.receivedAt,
          })),
        })),
      );
    }
    case 'GET /calls':
      return json(res, 200, sim.calls);
    case 'POST /calls': {
      const o = callOptions(await readBody(req));
      const rec = await sim.injectCall(o);
      return json(res, 200, rec);
    }
    case 'POST /drop-lines': {
      const body = (await readBody(req)) as Record<string, unknown>;
      return json(res, 200, { dropped: sim.dropLines(optNum(body.controller, 'controller')) });
    }
    case 'GET /trace': {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const e of sim.trace.entries()) res.write(`${JSON.stringify(e, jsonReplacer)}\n`);
      if (url.searchParams.get('follow') !== '1') {
        res.end();
        return;
      }
      const on = (e: unknown) => res.write(`${JSON.stringify(e, jsonReplacer)}\n`);
      sim.trace.on('message', on);
      res.on('close', () => sim.trace.off('message', on));
      return;
    }
    default:
      throw new HttpError(404, `no route ${method} ${url.pathname}`);
  }
}
