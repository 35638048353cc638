import type { Command } from 'commander';
import { registerAuditCommands } from './audit.js';
import { registerComplianceCommands } from './compliance.js';
import { registerConfigCommands } from './config.js';
import { registerDbCommands } from './db.js';
import { registerFaxFileCommands } from './fax-files.js';
import { registerFaxCommands } from './faxes.js';
import { registerForwardingCommands } from './forwarding.js';
import { registerHealthCommands } from './health.js';
import { registerLineCommands } from './line.js';
import { registerLockdownCommands } from './lockdown.js';
import { registerLoginCommands } from './login.js';
import { registerMailboxCommands } from './mailboxes.js';
import { registerOperatorCommands } from './operator.js';
import { registerPilotCommands } from './pilot.js';
import { registerRetentionCommands } from './retention.js';
import { registerReviewCommands } from './review.js';
import { registerRightsCommands } from './rights.js';
import { registerUserCommands } from './users.js';

/** One module per command area; each adds its subcommands to the program. */
export type RegisterCommands = (program: Command) => void;

// Add a line per command module (keep the list sorted).
export const commandModules: RegisterCommands[] = [
  registerAuditCommands,
  registerComplianceCommands,
  registerConfigCommands,
  registerDbCommands,
  registerFaxCommands,
  registerFaxFileCommands,
  // after registerFaxCommands: adds `inbox forward` under its `inbox`
  registerForwardingCommands,
  registerHealthCommands,
  registerLineCommands,
  registerLockdownCommands,
  registerLoginCommands,
  registerMailboxCommands,
  registerRetentionCommands,
  registerOperatorCommands,
  registerPilotCommands,
  registerReviewCommands,
  registerRightsCommands,
  registerUserCommands,
];
