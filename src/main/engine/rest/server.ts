import { installAccessLog, type AccessLogger } from './access-log.js';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import cors from '@fastify/cors';
import { z } from 'zod';
import {
  CONTRACT,
  type Handlers,
  type ListRequest,
  type ListResult,
  type RequestName,
} from '../../../shared/contract.js';
import { VminerError } from '../../../shared/errors.js';
import { dispatch } from '../../../shared/dispatch.js';
import type { QueryEntity } from '../../../shared/fields.js';
import type { EventBus } from '../events.js';
import type { EngineHealth } from '../serving-engine.js';
import type { JsonPage } from '../list-pages.js';
import type { AuthService, TokenClaims } from '../auth/auth-service.js';
import { fromHandler, toHttpError } from './http-errors.js';
import { listRequestFromQuery } from './list-params.js';
import { changesRequestFromQuery, CHANGES_QUERY_DOC } from './changes-params.js';
import type { ChangesPage } from '../../../shared/changes.js';
import { registerEvents, type EventLimits } from './events-route.js';
import { registerUi } from './ui-route.js';
import { collectRoutes, installRouteAuth, publicRoutes, type RouteInfo } from './route-auth.js';

export interface RestOptions {
  handlers: Handlers;
  auth: AuthService;
  bus: EventBus;
  version: string;
  /**
   * A list page as the JSON text of its `ListResult` (`ListPages.json`): the list routes send it
   * as it is instead of serialising row objects. Without it they answer through `inventory.list`.
   */
  listJson?: (req: ListRequest) => JsonPage | Promise<JsonPage>;
  corsOrigins?: string[];
  /** Extra routes (exports) registered by the caller with the same auth. */
  extend?: (app: FastifyInstance, ctx: RouteContext) => void;
  /** Serve the browser UI from this folder at `/`. */
  uiRoot?: string;
  /**
   * A loopback listener's own host names: requests naming any other host are refused (DNS
   * rebinding). Absent: any `Host` (a listener on a real interface, usually behind a proxy).
   */
  allowedHosts?: readonly string[];
  /**
   * Proxies whose `X-Forwarded-For` is believed (addresses or CIDRs, fastify's `trustProxy`):
   * the client address then comes from that header for the per-address login limit. None by default.
   */
  trustedProxies?: readonly string[];
  /** Caps on open event streams (tests lower them). */
  eventLimits?: EventLimits;
  /** Where the access log goes: a line per request (`vminer serve`'s pino logger). None by default. */
  accessLog?: AccessLogger;
  /** The back end and, on a team server, this instance's role and the lease (`GET /api/health`). */
  health?: () => EngineHealth;
}

export interface RouteContext {
  call: <K extends RequestName>(name: K, args: unknown, req: FastifyRequest) => Promise<unknown>;
  user: (req: FastifyRequest) => TokenClaims;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The router table with each route's auth (read after the listener is built). */
    vminerRoutes: () => RouteInfo[];
  }
}

const jsonSchema = (s: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(s, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;

const LoginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1000) });
const ChatSchema = z.object({
  query: z.string().min(1).max(2000),
  conversation_id: z.string().max(100).optional(),
});
const SyncSchema = z.object({ vcenter_ids: z.array(z.number().int().positive()).max(10_000).optional() });
const IntervalSchema = z.object({
  interval_minutes: z.number().int().min(1).max(10_080).optional(),
  minutes: z.number().int().min(1).max(10_080).optional(),
  cron: z.string().max(200).nullable().optional(),
});
const IdParams = z.object({ id: z.coerce.number().int().positive() });

/** A list route's answer in the OpenAPI document: the page, and the two paging headers. */
const LIST_RESPONSE = {
  description: 'One page: `{items, total, nextCursor}`',
  type: 'object',
  properties: {
    items: { type: 'array', items: { type: 'object', additionalProperties: true } },
    total: { type: 'integer' },
    nextCursor: { type: ['string', 'null'] },
  },
  headers: {
    Link: {
      type: 'string',
      description: 'The next page: `</api/vms?…&cursor=…>; rel="next"` (absent on the last page)',
    },
    'X-Total-Count': { type: 'integer', description: 'Rows matching the filters' },
  },
} as const;
const RESULT_OPEN = Buffer.from('{"result":');
const RESULT_CLOSE = Buffer.from('}');

/** Any request body: JSON arguments, never files. */
export const BODY_LIMIT = 1024 * 1024;
/**
 * The imports carry a whole CSV/XLSX vCenter list in the body (XLSX as base64, a third larger):
 * they alone take up to 20 MB.
 */
export const IMPORT_BODY_LIMIT = 20 * 1024 * 1024;
const LARGE_BODY_REQUESTS: readonly RequestName[] = ['import.preview', 'import.apply'];

/**
 * The REST listener: the seed's routes as a thin adapter over contract requests, the generic
 * `POST /api/rpc/{request}` the browser UI uses, SSE events, OpenAPI docs from the same zod schemas.
 */
export async function buildRestServer(opts: RestOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: false,
    trustProxy: opts.trustedProxies && opts.trustedProxies.length > 0 ? [...opts.trustedProxies] : false,
    ajv: { customOptions: { strict: false } },
  });
  // Requests are validated with the contract's zod schemas (clear messages); the JSON schemas
  // generated from them document the API.
  app.setValidatorCompiler(() => () => true);
  app.setErrorHandler((err, req, reply) => {
    const e = toHttpError(err, { bodyLimit: req.routeOptions.bodyLimit ?? BODY_LIMIT });
    void reply.status(e.status).send(e.body);
  });
  app.decorate('vminerRoutes', collectRoutes(app));
  if (opts.accessLog) installAccessLog(app, opts.accessLog);
  installRouteAuth(app, { auth: opts.auth, allowedHosts: opts.allowedHosts });
  app.setNotFoundHandler((req, reply) => {
    void reply
      .status(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  if (opts.corsOrigins && opts.corsOrigins.length > 0)
    await app.register(cors, { origin: opts.corsOrigins, exposedHeaders: ['Link', 'X-Total-Count'] });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'vMiner API',
        version: opts.version,
        description: 'Inventory of every vCenter: questions, lists, exports, sync.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
    },
  });
  await app.register(async (docs) => {
    publicRoutes(docs);
    await docs.register(swaggerUi, { routePrefix: '/docs' });
  });

  const user = (req: FastifyRequest): TokenClaims => {
    if (!req.vminerUser) throw new VminerError('LOGIN_FAILED', 'not logged in');
    return req.vminerUser;
  };
  /** One contract call through the shared dispatcher, as the logged-in user. */
  const call = async <K extends RequestName>(
    name: K,
    args: unknown,
    req: FastifyRequest,
  ): Promise<unknown> => {
    const out = await dispatch(opts.handlers, name, args, { role: user(req).role, transport: 'http' });
    if (out.ok) return out.value;
    // Any login failing inside a call was refused further on (a vCenter, a source): see fromHandler.
    throw fromHandler(new VminerError(out.error.code, out.error.message));
  };
  const doc = (summary: string, extra: Record<string, unknown> = {}) => ({
    schema: { summary, tags: [String(extra['tag'] ?? 'vMiner')], ...extra, tag: undefined },
  });

  app.get(
    '/health',
    { config: { public: true }, schema: { summary: 'Liveness (no auth)', tags: ['system'], security: [] } },
    async () => ({ status: 'ok', version: opts.version }),
  );

  // Behind the login: which back end serves, and on a team server this instance's role, the lease
  // and its term (an operator's or a monitor's question; `/health` stays the public liveness probe).
  app.get(
    '/api/health',
    doc("Back end, and on a team server this instance's role (leader or follower), the lease and its term", {
      tag: 'system',
    }),
    async (req) => {
      user(req);
      return { status: 'ok', version: opts.version, ...(opts.health?.() ?? { backend: 'sqlite' }) };
    },
  );

  app.post(
    '/api/auth/login',
    {
      ...doc('Log in; answers an OAuth2-style bearer token', {
        tag: 'auth',
        body: jsonSchema(LoginSchema),
        security: [],
      }),
      // Per address here (the client's, or X-Forwarded-For's from a trusted proxy); per account in AuthService.
      config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (req) => {
      const { username, password } = LoginSchema.parse(req.body);
      return opts.auth.login(username, password);
    },
  );
  app.post('/api/auth/logout', doc('Revoke the token used for this call', { tag: 'auth' }), async (req) => {
    await opts.auth.revoke(user(req));
    return { logged_out: true };
  });

  // vCenters
  app.get('/api/vcenters', doc(CONTRACT['vcenters.list'].summary, { tag: 'vcenters' }), (req) =>
    call('vcenters.list', {}, req),
  );
  app.post(
    '/api/vcenters',
    doc(CONTRACT['vcenters.add'].summary, {
      tag: 'vcenters',
      body: jsonSchema(CONTRACT['vcenters.add'].args),
    }),
    async (req, reply) => {
      const v = await call('vcenters.add', req.body, req);
      return reply.status(201).send(v);
    },
  );
  app.put(
    '/api/vcenters/:id',
    doc(CONTRACT['vcenters.update'].summary, {
      tag: 'vcenters',
      params: jsonSchema(IdParams),
      body: jsonSchema(CONTRACT['vcenters.update'].args.omit({ id: true })),
    }),
    (req) => call('vcenters.update', { ...(req.body as object), id: IdParams.parse(req.params).id }, req),
  );
  app.delete(
    '/api/vcenters/:id',
    doc(CONTRACT['vcenters.remove'].summary, { tag: 'vcenters', params: jsonSchema(IdParams) }),
    (req) => call('vcenters.remove', { id: IdParams.parse(req.params).id }, req),
  );
  app.get(
    '/api/vcenters/:id/status',
    doc('Sync state of one vCenter', { tag: 'vcenters', params: jsonSchema(IdParams) }),
    async (req) => {
      const v = (await call('vcenters.get', { id: IdParams.parse(req.params).id }, req)) as {
        id: number;
        name: string;
        sync: unknown;
      };
      return { id: v.id, name: v.name, ...(v.sync as object) };
    },
  );
  app.post(
    '/api/vcenters/sync',
    doc('Start a sync of all (or the given) vCenters', { tag: 'vcenters', body: jsonSchema(SyncSchema) }),
    async (req, reply) => {
      const { vcenter_ids } = SyncSchema.parse(req.body ?? {});
      const r = await call('sync.start', vcenter_ids ? { vcenterIds: vcenter_ids } : {}, req);
      return reply.status(202).send(r);
    },
  );

  // Questions
  app.post(
    '/api/query/chat',
    doc('Ask a question in plain English', { tag: 'query', body: jsonSchema(ChatSchema) }),
    async (req) => {
      const { query, conversation_id } = ChatSchema.parse(req.body);
      const answer = (await call('query.ask', { question: query, conversationId: conversation_id }, req)) as {
        conversationId: string;
      };
      return { ...answer, conversation_id: answer.conversationId };
    },
  );

  // Inventory lists: query parameters are query-plan filters.
  for (const entity of [
    'vms',
    'hosts',
    'datastores',
    'clusters',
    'datacenters',
    'networks',
    'snapshots',
  ] as QueryEntity[]) {
    app.get(
      `/api/${entity}`,
      doc(
        `List ${entity}: field=value (* wildcards), field.gt/.gte/.lt/.lte/.ne/.contains/.startsWith/.endsWith/.empty, filter=<plan JSON>, sort=field:desc, limit, cursor | offset. ` +
          'The next page is also given as a `Link: <…>; rel="next"` header, the total as `X-Total-Count`.',
        { tag: 'inventory', response: { 200: LIST_RESPONSE } },
      ),
      async (req, reply) => {
        const args = listRequestFromQuery(entity, req.query as Record<string, unknown>);
        if (!opts.listJson) {
          const page = (await call('inventory.list', args, req)) as ListResult;
          pageHeaders(reply, req.url, page.total, page.nextCursor);
          return page;
        }
        user(req);
        const page = await opts.listJson(CONTRACT['inventory.list'].args.parse(args));
        pageHeaders(reply, req.url, page.total, page.nextCursor);
        return reply.type('application/json; charset=utf-8').send(page.body);
      },
    );
  }

  // Settings and scheduler
  app.get('/api/settings', doc(CONTRACT['settings.get'].summary, { tag: 'settings' }), (req) =>
    call('settings.get', {}, req),
  );
  app.put(
    '/api/settings/sync-interval',
    doc('Set the sync interval (minutes) or a cron expression', {
      tag: 'settings',
      body: jsonSchema(IntervalSchema),
    }),
    (req) => {
      const b = IntervalSchema.parse(req.body ?? {});
      const minutes = b.interval_minutes ?? b.minutes;
      if (minutes === undefined && b.cron === undefined)
        throw new VminerError('INVALID_INPUT', 'give interval_minutes or cron');
      return call(
        'scheduler.configure',
        {
          ...(minutes !== undefined ? { intervalMinutes: minutes, cron: null } : {}),
          ...(b.cron !== undefined ? { cron: b.cron } : {}),
        },
        req,
      );
    },
  );
  app.post(
    '/api/settings/scheduler/start',
    doc(CONTRACT['scheduler.start'].summary, { tag: 'settings' }),
    (req) => call('scheduler.start', {}, req),
  );
  app.post(
    '/api/settings/scheduler/stop',
    doc(CONTRACT['scheduler.stop'].summary, { tag: 'settings' }),
    (req) => call('scheduler.stop', {}, req),
  );

  app.get('/api/live', doc(CONTRACT['live.status'].summary, { tag: 'settings' }), (req) =>
    call('live.status', {}, req),
  );

  app.get(
    '/api/changes',
    doc(
      `${CONTRACT['changes.list'].summary}. Keyset paged: the next page is \`nextCursor\`, also given as a \`Link: <…>; rel="next"\` header.`,
      { tag: 'changes', querystring: CHANGES_QUERY_DOC },
    ),
    async (req, reply) => {
      const page = (await call(
        'changes.list',
        changesRequestFromQuery(req.query as Record<string, unknown>),
        req,
      )) as ChangesPage;
      if (page.counts)
        reply.header('X-Total-Count', String(Object.values(page.counts).reduce((a, b) => a + b, 0)));
      nextLink(reply, req.url, page.nextCursor);
      return page;
    },
  );

  app.get('/api/stats', doc(CONTRACT['stats.get'].summary, { tag: 'stats' }), (req) =>
    call('stats.get', {}, req),
  );

  // The browser UI's one route to the contract.
  app.post(
    '/api/rpc/:name',
    doc('Call a contract request by name (the browser UI uses this)', { tag: 'rpc' }),
    async (req, reply) => {
      const { name } = req.params as { name: string };
      if (name === 'inventory.list' && opts.listJson) {
        // The browser's grids page like the list routes: the same built, remembered JSON.
        user(req);
        const page = await opts.listJson(CONTRACT['inventory.list'].args.parse(req.body ?? {}));
        return reply
          .type('application/json; charset=utf-8')
          .send(Buffer.concat([RESULT_OPEN, page.body, RESULT_CLOSE]));
      }
      // An unknown name, or one that never travels over HTTP, is refused by the dispatcher (404).
      return { result: await call(name as RequestName, req.body ?? {}, req) };
    },
  );
  // The same call for the imports, as their own routes: a body limit is per route, and only these
  // carry a file (a static path wins over `/api/rpc/:name`).
  for (const name of LARGE_BODY_REQUESTS) {
    app.post(
      `/api/rpc/${name}`,
      {
        ...doc(CONTRACT[name].summary, {
          tag: 'rpc',
          description:
            `The file travels in the body (CSV as text, XLSX as base64), which may be up to ` +
            `${IMPORT_BODY_LIMIT / (1024 * 1024)} MB; other routes take ${BODY_LIMIT / (1024 * 1024)} MB.`,
          body: jsonSchema(CONTRACT[name].args),
        }),
        bodyLimit: IMPORT_BODY_LIMIT,
      },
      async (req) => ({ result: await call(name, req.body ?? {}, req) }),
    );
  }

  registerEvents(app, opts.bus, opts.auth, opts.eventLimits);
  opts.extend?.(app, { call, user });
  const uiRoot = opts.uiRoot;
  if (uiRoot)
    await app.register(async (ui) => {
      publicRoutes(ui);
      // A path the file server refuses (`..`, a NUL byte) is simply not a file of the UI.
      ui.setErrorHandler((err: { statusCode?: number }, req, reply) => {
        const e = toHttpError(err.statusCode === 403 ? new VminerError('NOT_FOUND', 'no such file') : err);
        void reply.status(e.status).send(e.body);
      });
      await registerUi(ui, uiRoot);
    });
  return app;
}

export type { FastifyReply };

/**
 * `Link: </api/vms?…&cursor=…>; rel="next"` (RFC 8288, as GitHub's API pages) and `X-Total-Count`:
 * a script can follow the pages without reading the body for the cursor.
 */
function pageHeaders(reply: FastifyReply, url: string, total: number, nextCursor: string | null): void {
  reply.header('X-Total-Count', String(total));
  nextLink(reply, url, nextCursor);
}

/** The next page's address as a `Link: <…>; rel="next"` header (none on the last page). */
function nextLink(reply: FastifyReply, url: string, nextCursor: string | null): void {
  if (!nextCursor) return;
  const q = url.indexOf('?');
  const params = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
  params.delete('cursor');
  params.delete('offset');
  params.set('cursor', nextCursor);
  reply.header('Link', `<${q >= 0 ? url.slice(0, q) : url}?${params.toString()}>; rel="next"`);
}
