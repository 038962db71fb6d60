import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EngineEvents } from '../../../shared/events.js';
import { VminerError } from '../../../shared/errors.js';
import type { EventBus } from '../events.js';
import type { AuthService, TokenClaims } from '../auth/auth-service.js';
import { toHttpError } from './http-errors.js';

const EVENT_NAMES: (keyof EngineEvents)[] = [
  'sync:progress',
  'inventory:changed',
  'scheduler:state',
  'sources:refreshed',
  'live:state',
];

export interface EventLimits {
  /** Open streams one account may hold (a browser tab holds one). */
  perUser: number;
  /** Open streams in all. */
  total: number;
  /** How often a stream re-checks its token (a password changed in another process). */
  recheckMs: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { perUser: 20, total: 1000, recheckMs: 5_000 };
const TICKET_TTL_MS = 60_000;
const KEEP_ALIVE_MS = 15_000;

interface Stream {
  claims: TokenClaims;
  res: ServerResponse;
  close: () => void;
}

/**
 * Server-Sent Events without a JWT in a URL: clients send the Authorization header (fetch
 * streaming), or trade it for a one-time ticket (`POST /api/events/ticket`) for EventSource. A
 * ticket carries the user who asked for it. A stream ends when its token does: logout, a password
 * or role change, the account removed, or expiry.
 */
export function registerEvents(
  app: FastifyInstance,
  bus: EventBus,
  auth: AuthService,
  limits: EventLimits = DEFAULT_EVENT_LIMITS,
): void {
  const tickets = new Map<string, { exp: number; claims: TokenClaims }>();
  const streams = new Set<Stream>();

  const offRevoked = auth.onRevoked((username, jti) => {
    for (const s of streams)
      if (jti ? s.claims.jti === jti : s.claims.sub.toLowerCase() === username.toLowerCase()) s.close();
  });
  app.addHook('onClose', async () => {
    offRevoked();
    for (const s of streams) s.close();
  });

  app.post(
    '/api/events/ticket',
    { schema: { summary: 'A one-time, 60-second ticket for GET /api/events?ticket=…', tags: ['events'] } },
    async (req) => {
      const claims = signedIn(req);
      const now = Date.now();
      for (const [t, v] of tickets) if (v.exp < now) tickets.delete(t);
      const ticket = randomBytes(24).toString('base64url');
      tickets.set(ticket, { exp: now + TICKET_TTL_MS, claims });
      return { ticket, expires_in: TICKET_TTL_MS / 1000 };
    },
  );

  app.get(
    '/api/events',
    {
      config: { ticket: true },
      schema: {
        summary: 'Sync progress, inventory changes, scheduler and live-update state as Server-Sent Events',
        tags: ['events'],
      },
    },
    (req, reply) => {
      let claims: TokenClaims;
      try {
        claims = req.vminerUser ?? fromTicket((req.query as { ticket?: string }).ticket);
        const mine = [...streams].filter((s) => s.claims.sub.toLowerCase() === claims.sub.toLowerCase());
        if (mine.length >= limits.perUser)
          throw new VminerError(
            'RATE_LIMITED',
            `${claims.sub} already has ${mine.length} open event streams (at most ${limits.perUser}): close other tabs or clients`,
          );
        if (streams.size >= limits.total)
          throw new VminerError('RATE_LIMITED', `the server holds ${streams.size} event streams, its limit`);
      } catch (err) {
        const e = toHttpError(err);
        void reply.status(e.status).send(e.body);
        return;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(': connected\n\n');
      const offs = EVENT_NAMES.map((name) =>
        bus.on(name, (payload) => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`)),
      );
      let lastBeat = Date.now();
      const timer = setInterval(() => {
        if (!auth.stillValid(claims)) return stream.close();
        if (Date.now() - lastBeat >= KEEP_ALIVE_MS) {
          lastBeat = Date.now();
          res.write(': keep-alive\n\n');
        }
      }, limits.recheckMs);
      const stream: Stream = {
        claims,
        res,
        close: () => {
          if (!streams.delete(stream)) return;
          clearInterval(timer);
          for (const off of offs) off();
          res.end();
        },
      };
      streams.add(stream);
      req.raw.on('close', () => stream.close());
    },
  );

  function fromTicket(ticket: string | undefined): TokenClaims {
    const t = ticket === undefined ? undefined : tickets.get(ticket);
    if (ticket !== undefined) tickets.delete(ticket);
    if (!t || t.exp < Date.now())
      throw new VminerError('LOGIN_FAILED', 'the event ticket is unknown, used or expired');
    if (!auth.stillValid(t.claims))
      throw new VminerError(
        'LOGIN_FAILED',
        'the account that asked for this ticket was logged out or changed',
      );
    return t.claims;
  }
}

function signedIn(req: FastifyRequest): TokenClaims {
  if (!req.vminerUser) throw new VminerError('LOGIN_FAILED', 'not logged in');
  return req.vminerUser;
}
