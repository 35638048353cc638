// The escalation policy itself: invariants written out by hand from issue 13 (not derived
// from the table), and the printed rights matrix equal to the checked-in document.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CAPABILITY_ROLES, ROLES, type Role } from '@faxgate/store';
import { describe, expect, it } from 'vitest';
import {
  decideOperation,
  MANAGED_ROLES,
  OPERATION_NAMES,
  OPERATIONS,
  rightsMatrix,
  rightsMatrixMarkdown,
} from './policy.js';

const DOC = resolve(import.meta.dirname, '../../../../../docs/rights-matrix.md');

describe('escalation policy', () => {
  it('nobody but an admin manages admins or auditors', () => {
    for (const role of ROLES) {
      if (role === 'admin') continue;
      expect(MANAGED_ROLES[role]).not.toContain('admin');
      expect(MANAGED_ROLES[role]).not.toContain('auditor');
    }
    expect([...MANAGED_ROLES.admin].sort()).toEqual([...ROLES].sort());
  });

  it('nobody manages a role it does not hold (the base role user aside)', () => {
    for (const role of ROLES) {
      if (role === 'admin') continue;
      for (const managed of MANAGED_ROLES[role]) expect([role, 'user']).toContain(managed);
    }
  });

  it('only roles with the capability act on others at all', () => {
    for (const cell of rightsMatrix()) {
      const rule = OPERATIONS[cell.op];
      if (rule.capability === 'self') {
        expect(cell.allowed).toBe(true);
        continue;
      }
      if (!CAPABILITY_ROLES[rule.capability].includes(cell.actor)) expect(cell.allowed).toBe(false);
    }
  });

  // The attacks of issue 13, as hand-written cells.
  const cases: Array<
    [string, Role[], Parameters<typeof decideOperation>[1], Role[] | undefined, Role[] | undefined, boolean]
  > = [
    ['post office → token for an admin', ['postoffice'], 'token.create', ['admin'], undefined, false],
    ["post office → auditor's password", ['postoffice'], 'user.password', ['auditor'], undefined, false],
    ['post office → admin for itself', ['postoffice'], 'role.assign', ['postoffice'], ['admin'], false],
    ['post office → admin into a group', ['postoffice'], 'group.member', ['admin'], undefined, false],
    ['post office → operator role', ['postoffice'], 'role.assign', ['user'], ['operator'], false],
    [
      'post office → a user who is also an admin',
      ['postoffice'],
      'user.disable',
      ['user', 'admin'],
      undefined,
      false,
    ],
    ['post office → plain user password', ['postoffice'], 'user.password', ['user'], undefined, true],
    ['post office → account without roles', ['postoffice'], 'token.create', [], undefined, true],
    [
      'post office + operator → operator role',
      ['postoffice', 'operator'],
      'role.assign',
      ['user'],
      ['operator'],
      false,
    ],
    ['operator → plain user token', ['operator'], 'token.create', ['user'], undefined, false],
    ['auditor → anything on others', ['auditor'], 'user.modify', ['user'], undefined, false],
    ['admin → auditor token', ['admin'], 'token.create', ['auditor'], undefined, true],
    ['admin → admin role', ['admin'], 'role.assign', ['user'], ['admin'], true],
  ];
  it.each(cases)('%s', (_what, actor, op, targetRoles, givenRoles, ok) => {
    expect(decideOperation(actor, op, { targetRoles, givenRoles }).ok).toBe(ok);
  });

  it('operator holds no management even together with a managed role', () => {
    // MANAGED_ROLES.operator is empty, so an operator+postoffice manages what a post office does.
    expect(
      decideOperation(['postoffice', 'operator'], 'user.password', { targetRoles: ['postoffice'] }).ok,
    ).toBe(true);
  });

  it('every operation appears in the matrix, for every role', () => {
    const cells = rightsMatrix();
    for (const op of OPERATION_NAMES) {
      for (const role of ROLES) expect(cells.some((c) => c.op === op && c.actor === role)).toBe(true);
    }
  });

  it('docs/rights-matrix.md is the printed table (npm run docs:rights)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(rightsMatrixMarkdown());
  });
});
