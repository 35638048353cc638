// In pilot mode every path that routes a destination (submit, modify, resubmit) refuses a
// number that is not a test number, through the router's refusal: recorded as policy.reject
// (rule 'pilot') and answered with the reason, nothing stored or queued.
import type { MailboxInput, Router } from '@faxgate/router';
import type { Knex } from '@faxgate/store';
import type { FaxgateConfig } from '../config/schema.js';
import { effectiveMode, pilotAllows, pilotRefusal } from './state.js';

export async function pilotRouter(
  db: Knex,
  config: FaxgateConfig,
  router: Router<MailboxInput>,
): Promise<Router<MailboxInput>> {
  if ((await effectiveMode(db, config)).mode !== 'pilot') return router;
  return {
    plan: router.plan,
    normalise: (input) => router.normalise(input),
    findInternal: (number) => router.findInternal(number),
    checkDestination: (number, options) => router.checkDestination(number, options),
    routeIncoming: (call) => router.routeIncoming(call),
    decideOutgoing(input, options) {
      const d = router.decideOutgoing(input, options);
      if (d.action !== 'dial' || pilotAllows(config, d.number.e164)) return d;
      return { action: 'refuse', number: d.number, rule: 'pilot', reason: pilotRefusal(config) };
    },
  };
}
