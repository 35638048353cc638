import { beforeAll, describe, expect, it } from 'vitest';
import { useApiFixture } from '../test-support/api-fixture.js';

const f = useApiFixture();

interface Spec {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown[];
        responses: Record<string, unknown>;
        requestBody?: { content: Record<string, unknown> };
      }
    >
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

describe('OpenAPI document', () => {
  let spec: Spec;
  beforeAll(async () => {
    spec = (await (await fetch(`${f.base}/openapi.json`)).json()) as Spec;
  });

  it('is OpenAPI 3.1 with every v1 route and the shared schemas', () => {
    expect(spec.openapi).toBe('3.1.0');
    const ops = Object.entries(spec.paths).flatMap(([p, m]) =>
      Object.keys(m).map((x) => `${x.toUpperCase()} ${p}`),
    );
    for (const op of [
      'POST /api/v1/sessions',
      'DELETE /api/v1/sessions/current',
      'GET /api/v1/me',
      'GET /api/v1/faxes',
      'POST /api/v1/faxes',
      'GET /api/v1/faxes/{id}',
      'PATCH /api/v1/faxes/{id}',
      'DELETE /api/v1/faxes/{id}',
      'POST /api/v1/faxes/{id}/stop',
      'POST /api/v1/faxes/{id}/resubmit',
      'POST /api/v1/faxes/{id}/settle',
      'GET /api/v1/faxes/{id}/pages/{page}',
      'GET /api/v1/faxes/{id}/document',
      'GET /api/v1/users',
      'PATCH /api/v1/users/{name}',
      'POST /api/v1/grants',
      'GET /api/v1/queue',
      'GET /api/v1/lines',
      'POST /api/v1/retention/runs',
      'GET /api/v1/legal-holds',
      'PUT /api/v1/legal-holds/faxes/{id}',
      'DELETE /api/v1/legal-holds/mailboxes/{mailbox}',
    ]) {
      expect(ops).toContain(op);
    }
    expect(Object.keys(spec.components.schemas)).toEqual(
      expect.arrayContaining(['Fax', 'User', 'Error', 'Mailbox']),
    );
    expect(spec.paths['/api/v1/faxes'].post.requestBody?.content).toHaveProperty('multipart/form-data');
    expect(spec.paths['/api/v1/sessions'].post.security).toEqual([]);
  });

  it('every operation but login answers 401 without credentials', async () => {
    const fill = (p: string) => p.replace(/\{id\}|\{page\}/g, '1').replace(/\{[a-z]+\}/g, 'x');
    let checked = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const method of Object.keys(methods)) {
        if (path === '/api/v1/sessions' && method === 'post') continue;
        const r = await fetch(f.base + fill(path), { method: method.toUpperCase() });
        expect(r.status, `${method} ${path}`).toBe(401);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('serves the docs page', async () => {
    const r = await fetch(`${f.base}/docs/`, { redirect: 'follow' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(await r.text()).toMatch(/swagger/i);
  });
});
