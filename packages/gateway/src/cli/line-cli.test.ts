// faxgate line out-of-service | in-service as an operator runs them: the real CLI against the
// gateway API on a real PostgreSQL; a user without line.manage is refused (exit 2, access.denied).
import { users } from '@faxgate/store';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEvents, type CliApiFixture, cliApiFixture } from '../test-support/cli-fixture.js';

vi.setConfig({ testTimeout: 120_000 });

let f: CliApiFixture;

beforeAll(async () => {
  f = await cliApiFixture('logging:\n  level: warn\nlines:\n  controllers: [1]\n');
  await users.add(f.db, { name: 'olga', roles: ['operator'] });
  await users.add(f.db, { name: 'audrey', roles: ['auditor'] });
});

afterAll(async () => {
  await f?.close();
});

describe('faxgate line', () => {
  it('takes controller 1 out of service and back; refuses an auditor and a bad controller', async () => {
    const refused = await f.as('audrey', ['line', 'out-of-service', '1']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toBe('faxgate: audrey may not take controller 1 out of service\n');
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'access.denied', actor: 'audrey' });
    const out = await f.as('olga', ['line', 'out-of-service', '1', '--reason', 'card swap']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe('controller 1 out of service: no calls on it until faxgate line in-service 1\n');
    expect(await f.db('line_service').select('controller', 'reason', 'set_by')).toEqual([
      { controller: 1, reason: 'card swap', set_by: 'olga' },
    ]);
    const back = await f.as('olga', ['line', 'in-service', '1']);
    expect(back.stdout).toBe('controller 1 back in service\n');
    expect((await auditEvents(f.db)).at(-1)).toMatchObject({ type: 'line.in_service', actor: 'olga' });
    const bad = await f.as('olga', ['line', 'in-service', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a controller number/);
  });
});
