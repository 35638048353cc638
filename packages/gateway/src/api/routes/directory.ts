// The administration of who may do what (M 2.179/2.180), registered together: users,
// groups, mailboxes and grants, each in its own file. The routes are thin: every check,
// change and audit event is in the directory service layer (services/directory).
import type { FastifyInstance } from 'fastify';
import type { ApiServices } from '../context.js';
import { grantRoutes } from './grants.js';
import { groupRoutes } from './groups.js';
import { mailboxRoutes } from './mailboxes.js';
import { userRoutes } from './users.js';

export async function directoryRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  await userRoutes(app, services);
  await groupRoutes(app, services);
  await mailboxRoutes(app, services);
  await grantRoutes(app, services);
}
