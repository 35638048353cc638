// Who is asking: `Authorization: Bearer <secret>` (API tokens, or a session token) or the
// console's session cookie. Cookies are HttpOnly and SameSite=Strict, and a request that
// changes something on a cookie alone must also carry the header X-Faxgate-Request — a
// header a cross-site form cannot set (CSRF).
import { credentials } from '@faxgate/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiServices } from './context.js';
import { ApiError } from './errors.js';

export const SESSION_COOKIE = 'faxgate_session';
export const CSRF_HEADER = 'x-faxgate-request';

/** Routes reachable without credentials (login, health, docs). */
export type PublicRoute = (req: FastifyRequest) => boolean;

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw new ApiError(401, 'unauthenticated', 'Authorization must be "Bearer <token>"');
  return m[1];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installAuthentication(
  app: FastifyInstance,
  services: ApiServices,
  isPublic: PublicRoute,
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    if (isPublic(req)) return;
    let secret = bearer(req);
    if (secret === undefined) {
      secret = req.cookies?.[SESSION_COOKIE];
      if (secret !== undefined && !SAFE_METHODS.has(req.method) && req.headers[CSRF_HEADER] === undefined) {
        throw new ApiError(
          403,
          'forbidden',
          `a change with the session cookie needs the ${CSRF_HEADER} header`,
        );
      }
    }
    if (secret === undefined) throw new ApiError(401, 'unauthenticated', 'log in or present an API token');
    const found = await credentials.authenticate(services.db, secret, {
      sessionIdleMs: services.config.api.sessionIdleMinutes * 60_000,
    });
    if (!found)
      throw new ApiError(401, 'unauthenticated', 'the token or session is unknown, expired or revoked');
    req.principal = found;
  });
}
