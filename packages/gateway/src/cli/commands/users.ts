// faxgate user add|passwd|disable, group add|member
import { groups, type Role, users } from '@faxgate/store';
import type { Command } from 'commander';
import { printJson, printLine } from '../context.js';
import { readPassword } from '../password.js';
import { change, requireAdminFor, requirePermission, withSession } from '../session.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('faxgate user accounts (M 2.180)');

  user
    .command('add <name>')
    .description('create a user (default role: user); without --password-stdin it has no password yet')
    .option('--role <role>', 'admin, postoffice, operator, auditor or user (repeatable)', collect, [])
    .option('--display-name <text>', 'full name shown in lists')
    .option('--password-stdin', 'read the password from standard input (never give it as an argument)')
    .option('--json', 'print the new user as JSON')
    .action(async function (this: Command, name: string, o) {
      const password = o.passwordStdin ? await readPassword({ stdin: true }) : undefined;
      const created = await withSession(this, async (s) => {
        await requirePermission(s, 'user.manage', 'add users');
        const roles = o.role.length ? o.role : ['user'];
        await requireAdminFor(s, `add a user with roles ${roles.join(', ')}`, { roles });
        return change(s, 'admin.user_add', async (trx) => {
          const u = await users.add(trx, {
            name,
            roles: roles as Role[],
            displayName: o.displayName,
            password,
          });
          // the password itself is never part of an event
          const details = { roles: u.roles, displayName: u.displayName, password: u.hasPassword };
          return { event: { subject: `user:${u.name}`, details }, result: u };
        });
      });
      if (o.json) printJson(created);
      else printLine(`user ${created.name} created (roles: ${created.roles.join(', ')})`);
    });

  user
    .command('passwd <name>')
    .description('set a password: prompted twice on a terminal, else read from standard input')
    .option('--password-stdin', 'read the password from standard input even on a terminal')
    .action(async function (this: Command, name: string, o) {
      await withSession(this, async (s) => {
        await requirePermission(s, 'user.manage', 'set passwords');
        await requireAdminFor(s, `set the password of ${name}`, { target: name });
        const u = await users.get(s.db, name); // unknown user fails before anything is asked
        const password = await readPassword({ stdin: Boolean(o.passwordStdin), confirm: true });
        await change(s, 'admin.password_set', async (trx) => {
          await users.setPassword(trx, u.id, password);
          return { event: { subject: `user:${u.name}`, details: {} }, result: undefined };
        });
      });
      printLine(`password of ${name} set`);
    });

  user
    .command('disable <name>')
    .description('disable a user: it can do nothing; grants and memberships stay for the record')
    .action(async function (this: Command, name: string) {
      const was = await withSession(this, async (s) => {
        await requirePermission(s, 'user.manage', 'disable users');
        await requireAdminFor(s, `disable ${name}`, { target: name });
        return change(s, 'admin.user_disable', async (trx) => {
          const before = await users.get(trx, name);
          if (before.disabled) return { event: null, result: true };
          await users.disable(trx, before.id);
          return { event: { subject: `user:${before.name}`, details: {} }, result: false };
        });
      });
      printLine(was ? `user ${name} was already disabled` : `user ${name} disabled`);
    });

  const group = program.command('group').description('groups: rights are granted to groups as the rule');

  group
    .command('add <name>')
    .description('create a group')
    .option('--description <text>', 'what the group is for')
    .option('--json', 'print the new group as JSON')
    .action(async function (this: Command, name: string, o) {
      const g = await withSession(this, async (s) => {
        await requirePermission(s, 'user.manage', 'add groups');
        return change(s, 'admin.group_add', async (trx) => {
          const created = await groups.add(trx, { name, description: o.description });
          return { event: { subject: `group:${created.name}`, details: {} }, result: created };
        });
      });
      if (o.json) printJson(g);
      else printLine(`group ${g.name} created`);
    });

  group
    .command('member <group> <user>')
    .description('add a user to a group (or remove with --remove)')
    .option('--remove', 'remove the user from the group')
    .action(async function (this: Command, groupName: string, userName: string, o) {
      const remove = Boolean(o.remove);
      const changed = await withSession(this, async (s) => {
        await requirePermission(s, 'user.manage', 'change group memberships');
        return change(s, remove ? 'admin.member_remove' : 'admin.member_add', async (trx) => {
          const done = remove
            ? await groups.removeMember(trx, groupName, userName)
            : await groups.addMember(trx, groupName, userName);
          const event = done ? { subject: `group:${groupName}`, details: { user: userName } } : null;
          return { event, result: done };
        });
      });
      if (remove)
        printLine(changed ? `${userName} removed from ${groupName}` : `${userName} was not in ${groupName}`);
      else printLine(changed ? `${userName} added to ${groupName}` : `${userName} already in ${groupName}`);
    });
}
