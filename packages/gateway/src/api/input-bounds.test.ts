// Hostile numbers and strings in every path and query parameter (and every JSON body
// property) of the OpenAPI document never make the API answer 500: each operation is
// called as admin with 2^63, -1, a NUL, control characters and very long strings — the
// answer is 400 (or 404/403/409 where a value is valid but unknown), never an internal
// error. The fixture also fails the file when the API logged an internal error.
import { describe, expect, it } from 'vitest';
import { client, faxForm, testTiff, useApiFixture } from '../test-support/api-fixture.js';
import { boundRouteSchema, MAX_INT } from './input-bounds.js';

const f = useApiFixture();

interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: { type?: string | string[]; enum?: unknown[] };
}
interface Operation {
  parameters?: Param[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  $ref?: string;
}

const HOSTILE = [
  '9223372036854775808',
  '-1',
  '-9223372036854775809',
  '1e400',
  '\u0000x',
  'a\u0000',
  'tab\there',
  '\r\nX-Injected: 1',
  'x'.repeat(5000),
  '%',
];

function plausible(p: Param): string {
  if (p.schema?.enum?.length) return String(p.schema.enum[0]);
  const t = p.schema?.type;
  return t === 'integer' || t === 'number' || (Array.isArray(t) && t.includes('integer')) ? '1' : 'alice';
}

function isType(s: JsonSchema | undefined, t: string): boolean {
  return s?.type === t || (Array.isArray(s?.type) && s.type.includes(t));
}

/** A body with every property hostile: strings with NUL, integers 2^63. */
function hostileBody(schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema?.properties ?? {})) {
    if (isType(s, 'integer') || isType(s, 'number')) out[k] = 2 ** 63;
    else if (isType(s, 'string')) out[k] = 'x\u0000y';
    else if (isType(s, 'array')) out[k] = ['x\u0000y'];
    else if (isType(s, 'boolean')) out[k] = true;
  }
  return out;
}

function pathOf(template: string, params: Param[], values: Record<string, string>): string {
  let path = template;
  const query = new URLSearchParams();
  for (const p of params) {
    const v = values[p.name] ?? plausible(p);
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(v));
    else if (p.in === 'query') query.set(p.name, v);
  }
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}

describe('input bounds', () => {
  it('no hostile path or query parameter of any operation gets a 500', async () => {
    const spec = (await (await fetch(`${f.base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const admin = client(f, 'admin');
    const answers: string[] = [];
    let calls = 0;
    for (const [template, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const params = (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
        if (params.length === 0) continue;
        for (const p of params) {
          for (const bad of HOSTILE) {
            const path = pathOf(template, params, { [p.name]: bad });
            const json = op.requestBody?.content?.['application/json'] ? {} : undefined;
            const r = await admin(path, { method: method.toUpperCase(), json });
            calls++;
            if (r.status >= 500) answers.push(`${method.toUpperCase()} ${path.slice(0, 120)} → ${r.status}`);
            await r.arrayBuffer();
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(answers).toEqual([]);
  }, 120_000);

  it('no JSON body with NUL strings and 2^63 numbers gets a 500', async () => {
    const spec = (await (await fetch(`${f.base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, JsonSchema> };
    };
    const admin = client(f, 'admin');
    const answers: string[] = [];
    let calls = 0;
    for (const [template, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        let schema = op.requestBody?.content?.['application/json']?.schema;
        if (!schema) continue;
        if (schema.$ref) schema = spec.components.schemas[schema.$ref.split('/').pop() ?? ''];
        const params = (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query');
        const r = await admin(pathOf(template, params, {}), {
          method: method.toUpperCase(),
          json: hostileBody(schema),
        });
        calls++;
        if (r.status >= 500)
          answers.push(`${method.toUpperCase()} ${template} → ${r.status} ${await r.text()}`);
        else await r.arrayBuffer();
      }
    }
    expect(calls).toBeGreaterThan(5);
    expect(answers).toEqual([]);
  }, 120_000);

  it('?mailbox=9223372036854775808 and a NUL in a user name are 400, with a clear message', async () => {
    const admin = client(f, 'admin');
    const big = await admin('/api/v1/faxes?mailbox=9223372036854775808');
    expect(big.status).toBe(400);
    expect(((await big.json()) as { error: unknown }).error).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/mailbox/),
    });
    const nul = await admin('/api/v1/users/ali%00ce', { method: 'PATCH', json: { displayName: 'x' } });
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { error: { code: string } }).error.code).toBe('invalid_input');
    const login = await fetch(`${f.base}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ali\u0000ce', password: 'whatever-password' }),
    });
    expect(login.status).toBe(400);
  });

  it('a submission (multipart) with a control character in jobTag or a NUL in the subject is 400, nothing stored', async () => {
    const before = Number((await f.db('faxes').count({ n: '*' }))[0].n);
    const cases: Record<string, string>[] = [
      { number: '030 5551000', jobTag: 'tag\u0000x' },
      { number: '030 5551000', jobTag: 'a\r\nb' },
      { number: '030 5551000', subject: 'a\u0000b' },
    ];
    for (const fields of cases) {
      const r = await client(f, 'alice')('/api/v1/faxes', {
        method: 'POST',
        body: faxForm(fields, [{ name: 'fax.tif', data: testTiff() }]),
      });
      expect(r.status, JSON.stringify(fields)).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid_input');
    }
    expect(Number((await f.db('faxes').count({ n: '*' }))[0].n)).toBe(before);
  }, 60_000);

  it('the bounds show in the OpenAPI document', async () => {
    const spec = (await (await fetch(`${f.base}/openapi.json`)).json()) as {
      paths: Record<string, { get: { parameters: unknown } }>;
    };
    const list = spec.paths['/api/v1/faxes'].get.parameters as {
      name: string;
      schema: { maximum?: number };
    }[];
    expect(list.find((p) => p.name === 'mailbox')?.schema.maximum).toBe(MAX_INT);
  });
});

describe('boundRouteSchema', () => {
  it('bounds copies: a schema piece shared by two routes is not changed', () => {
    const shared = { type: 'integer', minimum: 1 };
    const route = {
      params: { type: 'object', properties: { id: shared } },
      body: { type: 'object', properties: { n: shared, s: { type: 'string' } } },
    };
    boundRouteSchema(route);
    expect(shared).toEqual({ type: 'integer', minimum: 1 });
    expect(route.params.properties.id).toEqual({ type: 'integer', minimum: 1, maximum: MAX_INT });
    expect((route.body.properties.s as Record<string, unknown>).pattern).toBe('^[^\\u0000]*$');
  });

  it('keeps a tighter bound and adds the control-character rule beside an existing pattern', () => {
    const route = {
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500 },
          name: { type: 'string', pattern: '^[a-z]+$' },
        },
      },
    };
    boundRouteSchema(route);
    const q = route.querystring.properties as Record<string, Record<string, unknown>>;
    expect(q.limit.maximum).toBe(500);
    expect(q.name.pattern).toBe('^[a-z]+$');
    expect(q.name.allOf).toEqual([{ pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$' }]);
    expect(q.name.maxLength).toBe(1024);
  });
});
