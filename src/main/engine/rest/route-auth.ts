import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { VminerError } from '../../../shared/errors.js';
import type { AuthService, TokenClaims } from '../auth/auth-service.js';
import { toHttpError } from './http-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answered without a token: `/health`, login, the OpenAPI docs, the UI's static files. */
    public?: boolean;
    /** `GET /api/events`: a one-time ticket (`?ticket=`) may stand in for the bearer token. */
    ticket?: boolean;
  }
  interface FastifyRequest {
    vminerUser?: TokenClaims;
  }
}

/** One route as the listener registered it, with whether it answers without a token. */
export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
}

/** Marks every route registered in this (encapsulated) context as public: plugins' own routes. */
export function publicRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    route.config ??= {};
    route.config.public = true;
  });
}

/** The host part of a `Host` header: `[::1]:8000` → `::1`, `LocalHost:80` → `localhost`. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : null;
  }
  const colon = h.indexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

const deny = (reply: FastifyReply, err: VminerError): FastifyReply => {
  const e = toHttpError(err);
  return reply.status(e.status).send(e.body);
};

/**
 * Deny by default: every matched route needs a valid bearer token unless its own config says
 * `public`, decided on the route the router matched (never on the raw URL, whose spelling —
 * `/%61pi/…` — may differ from what the router decodes). An unmatched path needs no token: it
 * answers 404 and serves nothing.
 *
 * `allowedHosts` (a loopback listener's own names): any other `Host` header is refused, so a web
 * page that re-points its own DNS name at 127.0.0.1 (DNS rebinding) cannot read the answers.
 */
export function installRouteAuth(
  app: FastifyInstance,
  opts: { auth: AuthService; allowedHosts?: readonly string[] | undefined },
): void {
  const allowed = opts.allowedHosts ? new Set(opts.allowedHosts.map((h) => h.toLowerCase())) : null;
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (allowed) {
      const host = hostName(req.headers.host);
      if (host === null || !allowed.has(host))
        return deny(
          reply,
          new VminerError(
            'PERMISSION_DENIED',
            `this listener answers only to ${[...allowed].join(', ')}, not to the host name ` +
              `"${String(req.headers.host ?? '').slice(0, 100)}" (protection against DNS rebinding)`,
          ),
        );
    }
    const config = req.routeOptions.config;
    if (req.routeOptions.url === undefined || config.public === true) return undefined;
    if (config.ticket === true && typeof (req.query as Record<string, unknown>)['ticket'] === 'string')
      return undefined; // the route checks the ticket itself
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m)
      return deny(
        reply,
        new VminerError('LOGIN_FAILED', 'missing bearer token (POST /api/auth/login first)'),
      );
    try {
      req.vminerUser = await opts.auth.verify(m[1]!);
    } catch (err) {
      const e = toHttpError(err);
      return reply.status(e.status).send(e.body);
    }
    return undefined;
  });
}

/**
 * Collects the router table as routes are registered (tests walk it). Read after the listener is
 * built: a plugin's context marks its routes public after this root hook has seen them.
 */
export function collectRoutes(app: FastifyInstance): () => RouteInfo[] {
  const seen: RouteOptions[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    seen.push(route);
  });
  return () =>
    seen.flatMap((route) =>
      [route.method]
        .flat()
        .map((method) => ({ method, url: route.url, public: route.config?.public === true })),
    );
}
