// Taking a line (CAPI controller) out of service and back (line.manage; refusal 403 +
// access.denied): POST /lines/:controller/out-of-service {reason}, POST
// /lines/:controller/in-service. The row and the audit event commit together
// (lines/service.ts); the line supervisor of this process follows at once, every other node
// at its next probe. GET /lines/service lists the lines out of service (line.read).
import type { FastifyInstance } from 'fastify';
import { listOutOfService, setLineService } from '../../lines/service.js';
import { requireCan } from '../authorize.js';
import { type ApiServices, principalOf } from '../context.js';
import { ApiError } from '../errors.js';
import { errors } from '../schemas.js';

const tags = ['operations'];

const controllerParams = {
  type: 'object',
  required: ['controller'],
  additionalProperties: false,
  properties: { controller: { type: 'integer', minimum: 1, maximum: 127 } },
};

const outOfService = {
  type: ['object', 'null'],
  properties: {
    controller: { type: 'integer' },
    reason: { type: 'string' },
    setBy: { type: 'string' },
    since: { type: 'string', format: 'date-time' },
  },
};

const changeAnswer = {
  type: 'object',
  properties: {
    controller: { type: 'integer' },
    inService: { type: 'boolean' },
    changed: { type: 'boolean', description: 'false: it already was as asked (nothing recorded)' },
    outOfService,
  },
};

export async function lineServiceRoutes(app: FastifyInstance, services: ApiServices): Promise<void> {
  const { db } = services;

  app.get(
    '/lines/service',
    {
      schema: {
        tags,
        summary:
          'Lines (controllers) an operator took out of service, with who, why and since when (line.read)',
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: outOfService } } },
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      await requireCan(services, principalOf(req), 'line.read', 'read the line status');
      return { items: await listOutOfService(db) };
    },
  );

  for (const inService of [false, true]) {
    app.post<{ Params: { controller: number }; Body: { reason?: string } | undefined }>(
      `/lines/:controller/${inService ? 'in-service' : 'out-of-service'}`,
      {
        schema: {
          tags,
          summary: inService
            ? 'Put a line (controller) back in service: it is registered and LISTENed on again, sends use it (line.manage)'
            : 'Take a line (controller) out of service: no new call goes out on it, incoming calls on it are not taken; kept across restarts (line.manage)',
          params: controllerParams,
          body: {
            type: ['object', 'null'],
            additionalProperties: false,
            properties: inService ? {} : { reason: { type: 'string', maxLength: 200 } },
          },
          response: { 200: changeAnswer, ...errors(400, 401, 403, 404) },
        },
      },
      async (req) => {
        const p = principalOf(req);
        const controller = req.params.controller;
        await requireCan(
          services,
          p,
          'line.manage',
          `take controller ${controller} ${inService ? 'back into' : 'out of'} service`,
        );
        if (!services.config.lines.controllers.includes(controller))
          throw new ApiError(404, 'not_found', `controller ${controller} is not one of lines.controllers`);
        const r = await setLineService(db, {
          controller,
          inService,
          actor: { id: p.user.id, name: p.user.name },
          reason: req.body?.reason,
        });
        // This process follows now; a failure here is the supervisor's to report, the change stands.
        await services.refreshLines?.().catch((e: Error) => services.logError(`lines: ${e.message}`));
        return r;
      },
    );
  }
}
