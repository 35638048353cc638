import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redact, redactText } from './logging.js';

function capture(json: boolean) {
  const stream = new PassThrough();
  const logger = createLogger({ level: 'debug', component: 'test', json, stream });
  // Ends the logger, waits until it has flushed, and returns everything it wrote.
  const text = async () => {
    await new Promise((resolve) => {
      logger.on('finish', resolve);
      logger.end();
    });
    stream.end();
    let s = '';
    for await (const c of stream) s += String(c);
    return s;
  };
  return { logger, text };
}

describe('redaction', () => {
  it('drops secrets and fax content at any depth, keeps counts', () => {
    const input = {
      user: 'alice',
      password: 'hunter22',
      Authorization: 'Bearer abc.def',
      nested: { apiKey: 'k-123', cookie: 'sid=1', list: [{ token: 't' }, { passwd: 'p' }] },
      pages: 3,
      page: { data: 'AAAA' },
      image: Buffer.from('II*\0'),
      content: 'Dear Sir',
      tiff: new Uint8Array(10),
      raw: new Uint8Array([1, 2, 3]),
    };
    const out = redact(input) as Record<string, unknown>;
    expect(out).toEqual({
      user: 'alice',
      password: REDACTED,
      Authorization: REDACTED,
      nested: { apiKey: REDACTED, cookie: REDACTED, list: [{ token: REDACTED }, { passwd: REDACTED }] },
      pages: 3,
      page: REDACTED,
      image: REDACTED,
      content: REDACTED,
      tiff: REDACTED,
      raw: '[binary 3 bytes]',
    });
    expect(input.password).toBe('hunter22'); // the caller's object is untouched
  });

  it('masks secrets inside free text', () => {
    expect(redactText('login with password=hunter22 ok')).toBe(`login with password=${REDACTED} ok`);
    expect(redactText('header Bearer eyJhbGciOi.x.y')).toBe(`header Bearer ${REDACTED}`);
    expect(redactText('postgres://fax:s3cret@db/faxgate')).toBe(`postgres://fax:${REDACTED}@db/faxgate`);
  });

  it('survives cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redact(a)).toEqual({ name: 'a', self: '[circular]' });
  });
});

describe('createLogger', () => {
  it('writes JSON lines without secrets, content or bytes', async () => {
    const { logger, text } = capture(true);
    logger.info('user login password=hunter22', {
      user: 'alice',
      password: 'hunter22',
      token: 'tok-SECRET',
      fax: { id: 7, pages: 2, tiff: Buffer.from('SECRET-TIFF-BYTES') },
      blob: Buffer.from('SECRET-BLOB'),
    });
    const out = await text();
    const line = JSON.parse(out.trim());
    expect(line).toMatchObject({
      level: 'info',
      component: 'test',
      user: 'alice',
      password: REDACTED,
      token: REDACTED,
    });
    expect(line.fax).toEqual({ id: 7, pages: 2, tiff: REDACTED });
    expect(line.blob).toBe('[binary 11 bytes]');
    expect(line.message).toBe(`user login password=${REDACTED}`);
    expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(out).not.toMatch(/hunter22|SECRET/);
  });

  it('writes readable lines on a terminal, redacted too', async () => {
    const { logger, text } = capture(false);
    logger.warn('line down', { line: 'c1', secret: 'xyz' });
    const out = await text();
    expect(out).toMatch(/warn.*\[test\] line down/);
    expect(out).toContain(REDACTED);
    expect(out).not.toContain('xyz');
    expect(() => JSON.parse(out)).toThrow();
  });
});
