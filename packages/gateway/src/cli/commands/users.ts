// faxgate user add|passwd|disable, group add|member — through the gateway API with the
// caller's token: user.manage gates them, only an admin hands out roles above `user` or
// touches an admin, and every change is an audit event naming the caller.
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printJson, printLine } from '../context.js';
import { CliError } from '../errors.js';
import { readAllStdin, readPassword } from '../password.js';

const collect = (v: string, prev: string[]) => [...prev, v];
const seg = encodeURIComponent;

interface User {
  id: number;
  name: string;
  displayName: string;
  disabled: boolean;
  roles: string[];
  hasPassword: boolean;
}

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
      const api = loggedIn(this);
      const password = o.passwordStdin ? await readPassword({ stdin: true }) : undefined;
      const created = await api.call<User>('POST', '/users', {
        json: { name, roles: o.role.length ? o.role : ['user'], displayName: o.displayName, password },
      });
      if (o.json) printJson(created);
      else printLine(`user ${created.name} created (roles: ${created.roles.join(', ')})`);
    });

  user
    .command('passwd <name>')
    .description(
      'set a password: prompted twice on a terminal, else read from standard input; your own needs the current one too (prompted first, or the first line of standard input)',
    )
    .option('--password-stdin', 'read the password(s) from standard input even on a terminal')
    .action(async function (this: Command, name: string, o) {
      const api = loggedIn(this);
      // One's own password is changed only with the current one (a stolen session is not enough).
      const me = await api.call<{ user: { name: string } }>('GET', '/me');
      const self = me.user.name === name;
      let oldPassword: string | undefined;
      let password: string;
      if (self && (o.passwordStdin || !process.stdin.isTTY)) {
        const [current, next] = (await readAllStdin()).split(/\r?\n/);
        if (!current || !next)
          throw new CliError(
            'your own password: give the current and the new password on two lines of standard input',
            2,
          );
        [oldPassword, password] = [current, next];
      } else {
        if (self) oldPassword = await readPassword({ stdin: false, prompt: 'Current password: ' });
        password = await readPassword({ stdin: Boolean(o.passwordStdin), confirm: true });
      }
      await api.call('PATCH', `/users/${seg(name)}`, {
        json: oldPassword === undefined ? { password } : { password, oldPassword },
      });
      printLine(`password of ${name} set`);
    });

  user
    .command('disable <name>')
    .description('disable a user: it can do nothing; grants and memberships stay for the record')
    .action(async function (this: Command, name: string) {
      await loggedIn(this).call<User>('PATCH', `/users/${seg(name)}`, { json: { disabled: true } });
      printLine(`user ${name} disabled`);
    });

  const group = program.command('group').description('groups: rights are granted to groups as the rule');

  group
    .command('add <name>')
    .description('create a group')
    .option('--description <text>', 'what the group is for')
    .option('--json', 'print the new group as JSON')
    .action(async function (this: Command, name: string, o) {
      const g = await loggedIn(this).call<{ name: string }>('POST', '/groups', {
        json: { name, description: o.description },
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
      const r = await loggedIn(this).call<{ changed: boolean }>(
        remove ? 'DELETE' : 'PUT',
        `/groups/${seg(groupName)}/members/${seg(userName)}`,
      );
      const changed = r?.changed === true;
      if (remove)
        printLine(changed ? `${userName} removed from ${groupName}` : `${userName} was not in ${groupName}`);
      else printLine(changed ? `${userName} added to ${groupName}` : `${userName} already in ${groupName}`);
    });
}
