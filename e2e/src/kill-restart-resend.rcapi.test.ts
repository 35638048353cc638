// kill -9 and restart with `queue.outcomeUnknown: resend` (rcapi): the calls cut off are
// dialled again, each with job.retry on record first — a resend, but never a silent one.
import { killRestartScenario } from './test-support/kill-restart.js';

killRestartScenario('rcapi', 'resend');
