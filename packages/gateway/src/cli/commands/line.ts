// faxgate line out-of-service <controller> [--reason] | line in-service <controller> — the
// operator takes a line (CAPI controller) out of service and back, through the gateway API
// (line.manage; a refusal is 403 and access.denied, exit 2). `faxgate status --lines` shows it.
import type { Command } from 'commander';
import { loggedIn } from '../api-client.js';
import { printLine } from '../context.js';
import { CliError } from '../errors.js';

interface ChangeAnswer {
  controller: number;
  inService: boolean;
  changed: boolean;
}

export function parseController(text: string): number {
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) < 1 || Number(text) > 127)
    throw new CliError(`not a controller number (1..127): ${JSON.stringify(text)}`, 2);
  return Number(text);
}

export function registerLineCommands(program: Command): void {
  const line = program.command('line').description('take a line (CAPI controller) out of service and back');
  line
    .command('out-of-service <controller>')
    .description(
      'no new call goes out on it, incoming calls on it are not taken; kept across restarts (line.manage)',
    )
    .option('--reason <text>', 'why (recorded, shown in status --lines)')
    .action(async function (this: Command, c: string, o: { reason?: string }) {
      const r = await loggedIn(this).call<ChangeAnswer>(
        'POST',
        `/lines/${parseController(c)}/out-of-service`,
        {
          json: o.reason === undefined ? {} : { reason: o.reason },
        },
      );
      printLine(
        r.changed
          ? `controller ${r.controller} out of service: no calls on it until faxgate line in-service ${r.controller}`
          : `controller ${r.controller} already was out of service`,
      );
    });
  line
    .command('in-service <controller>')
    .description('put it back: registered and LISTENed on again, sends use it (line.manage)')
    .action(async function (this: Command, c: string) {
      const r = await loggedIn(this).call<ChangeAnswer>('POST', `/lines/${parseController(c)}/in-service`, {
        json: {},
      });
      printLine(
        r.changed
          ? `controller ${r.controller} back in service`
          : `controller ${r.controller} already was in service`,
      );
    });
}
