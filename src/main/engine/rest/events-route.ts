import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EngineEvents } from '../../../shared/events.js';
import { VminerError } from '../../../shared/errors.js';
import type { EventBus } from '../events.js';
import type { AuthService } from './auth.js';
import { toHttpError } from './http-errors.js';

const EVENT_NAMES: (keyof EngineEvents)[] = [
  'sync:progress',
  'inventory:changed',
  'scheduler:state',
  'sources:refreshed',
  'live:state',
];

/**
 * Server-Sent Events without a JWT in a URL: clients send the Authorization header (fetch
 * streaming), or trade it for a one-time ticket (`POST /api/events/ticket`) for EventSource.
 */
export function registerEvents(app: FastifyInstance, bus: EventBus, _auth: AuthService): void {
  const tickets = new Map<string, number>();

  app.post(
    '/api/events/ticket',
    { schema: { summary: 'A one-time, 60-second ticket for GET /api/events?ticket=…', tags: ['events'] } },
    async () => {
      const now = Date.now();
      for (const [t, exp] of tickets) if (exp < now) tickets.delete(t);
      const ticket = randomBytes(24).toString('base64url');
      tickets.set(ticket, now + 60_000);
      return { ticket, expires_in: 60 };
    },
  );

  app.get(
    '/api/events',
    {
      schema: {
        summary: 'Sync progress, inventory changes, scheduler and live-update state as Server-Sent Events',
        tags: ['events'],
      },
    },
    (req, reply) => {
      const ticket = (req.query as { ticket?: string }).ticket;
      if (ticket !== undefined) {
        const exp = tickets.get(ticket);
        tickets.delete(ticket);
        if (!exp || exp < Date.now()) {
          const e = toHttpError(
            new VminerError('LOGIN_FAILED', 'the event ticket is unknown, used or expired'),
          );
          void reply.status(e.status).send(e.body);
          return;
        }
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
      const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      req.raw.on('close', () => {
        clearInterval(beat);
        for (const off of offs) off();
      });
    },
  );
}
