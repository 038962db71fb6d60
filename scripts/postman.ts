/**
 * Writes docs/vMiner.postman_collection.json: the REST API's OpenAPI document (built in-process
 * from the same route table and zod schemas `vminer serve` uses; nothing listens) converted to a
 * Postman v2.1 collection: one folder per tag, a `{{baseUrl}}` variable, bearer auth with
 * `{{token}}` (the login request stores it), example bodies from the request schemas.
 *
 *   npm run docs:postman        tsx scripts/postman.ts [--out FILE] [--check]
 *
 * `--check` exits 1 when the committed collection differs from a fresh one (for CI).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { createHandlers } from '../src/main/engine/api.js';
import { Engine } from '../src/main/engine/engine.js';
import { AuthService } from '../src/main/engine/auth/auth-service.js';
import { registerExportRoutes } from '../src/main/engine/rest/export-routes.js';
import { buildRestServer } from '../src/main/engine/rest/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const COLLECTION_PATH = path.join(ROOT, 'docs', 'vMiner.postman_collection.json');
const SCHEMA_URL = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

// ---------------------------------------------------------------------------------------------
// The parts of OpenAPI 3 read here.

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  default?: unknown;
  example?: unknown;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

// ---------------------------------------------------------------------------------------------
// Postman v2.1

interface PostmanKeyValue {
  key: string;
  value: string;
  type?: string;
  description?: string;
  disabled?: boolean;
}

export interface PostmanRequestItem {
  name: string;
  request: {
    method: string;
    description?: string;
    header: PostmanKeyValue[];
    url: {
      raw: string;
      host: string[];
      path: string[];
      query?: PostmanKeyValue[];
      variable?: PostmanKeyValue[];
    };
    body?: { mode: 'raw'; raw: string; options: { raw: { language: 'json' } } };
    auth?: { type: 'noauth' };
  };
  event?: { listen: 'test'; script: { type: 'text/javascript'; exec: string[] } }[];
  response: [];
}

export interface PostmanFolder {
  name: string;
  description?: string;
  item: PostmanRequestItem[];
}

export interface PostmanCollection {
  info: { name: string; description: string; schema: string; version: string };
  auth: { type: 'bearer'; bearer: PostmanKeyValue[] };
  variable: PostmanKeyValue[];
  item: PostmanFolder[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Placeholder values by property name, where a name says more than a type. */
const EXAMPLE_STRINGS: Record<string, string> = {
  username: 'admin',
  password: '{{password}}',
  name: 'vc-ams-01',
  url: 'https://vc-ams-01.corp.example/sdk',
  thumbprint:
    'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  query: 'powered off vms with more than 8 cpus',
  question: 'powered off vms with more than 8 cpus',
  cron: '0 */2 * * *',
};
/** Optional properties left out of examples (rarely wanted, or long). */
const SKIP_OPTIONAL = new Set(['caPem', 'conversation_id', 'conversationId', 'cron', 'minutes']);

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  return s.type;
}

/** A small example value for a schema, or undefined when it is not simple enough to guess. */
export function exampleOf(schema: JsonSchema, name = '', depth = 0): unknown {
  if (depth > 4) return undefined;
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt) {
    const first = alt.find((a) => typeOf(a) !== 'null');
    return first ? exampleOf(first, name, depth + 1) : null;
  }
  switch (typeOf(schema)) {
    case 'string':
      return EXAMPLE_STRINGS[name] ?? `<${name || 'text'}>`;
    case 'integer':
    case 'number':
      if (name === 'interval_minutes' || name === 'minutes' || name === 'intervalMinutes') return 60;
      return schema.minimum !== undefined ? Math.max(schema.minimum, 1) : 1;
    case 'boolean':
      return false;
    case 'array': {
      const item = schema.items ? exampleOf(schema.items, name, depth + 1) : undefined;
      return item === undefined ? [] : [item];
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [k, v] of Object.entries(schema.properties ?? {})) {
        // Optional properties only when simple: a placeholder inside an optional list would not validate.
        const simple = ['string', 'number', 'integer', 'boolean'].includes(typeOf(v) ?? '') || !!v.enum;
        if (!required.has(k) && (SKIP_OPTIONAL.has(k) || depth > 1 || !simple)) continue;
        const ex = exampleOf(v, k, depth + 1);
        if (ex !== undefined) out[k] = ex;
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** Query parameters an inventory list takes (disabled examples; tick the ones you want). */
function listQuery(entity: string): PostmanKeyValue[] {
  const sample: Record<string, PostmanKeyValue[]> = {
    vms: [
      { key: 'powerState', value: 'poweredOff', description: 'field=value, * wildcards allowed' },
      { key: 'name', value: '*web*', description: 'wildcard match' },
      {
        key: 'numCpu.gte',
        value: '8',
        description: '.gt .gte .lt .lte .ne .contains .startsWith .endsWith .empty',
      },
      { key: 'memoryMb.lt', value: '4096' },
    ],
    hosts: [{ key: 'connectionState', value: 'connected' }],
    datastores: [{ key: 'freeBytes.lt', value: '107374182400' }],
    clusters: [{ key: 'name', value: '*Prod*' }],
  };
  return [
    ...(sample[entity] ?? []),
    {
      key: 'filter',
      value: '{"kind":"cmp","field":"name","op":"ne","value":"x"}',
      description: 'a query-plan filter as JSON',
    },
    { key: 'sort', value: 'name:asc', description: 'field:asc|desc, comma-separated' },
    { key: 'limit', value: '100', description: '1–5000 (default 100)' },
    { key: 'cursor', value: '', description: "the previous page's nextCursor" },
    { key: 'offset', value: '0', description: 'plain offset paging (ignored with a cursor)' },
  ].map((q) => ({ ...q, disabled: true }));
}

const PATH_EXAMPLES: Record<string, string> = { id: '1', name: 'stats.get' };

/** Bodies where the schema alone would give a misleading example (`METHOD path` → body). */
const BODY_OVERRIDES: Record<string, unknown> = {
  'POST /api/vcenters': {
    name: 'vc-ams-01',
    url: 'https://vc-ams-01.corp.example/sdk',
    username: 'svc-vminer@vsphere.local',
    password: '{{vcPassword}}',
    thumbprint: EXAMPLE_STRINGS['thumbprint'],
    trustPresentedCert: false,
  },
  'PUT /api/vcenters/{id}': { name: 'vc-ams-01', enabled: true },
  'POST /api/rpc/{name}': {},
};

function requestItem(p: string, method: string, op: OpenApiOperation): PostmanRequestItem {
  const segments = p
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/^\{(.+)\}$/, ':$1'));
  const pathVars = (op.parameters ?? [])
    .filter((x) => x.in === 'path')
    .map((x) => ({
      key: x.name,
      value: PATH_EXAMPLES[x.name] ?? '',
      ...(x.description ? { description: x.description } : {}),
    }));
  // Path parameters the document does not describe (e.g. /api/rpc/{name}) still get a variable.
  for (const s of segments)
    if (s.startsWith(':') && !pathVars.some((v) => v.key === s.slice(1)))
      pathVars.push({ key: s.slice(1), value: PATH_EXAMPLES[s.slice(1)] ?? '' });
  const entity = /^\/api\/(\w+)$/.exec(p)?.[1];
  const query =
    method === 'get' && op.tags?.includes('inventory') && entity
      ? listQuery(entity)
      : (op.parameters ?? [])
          .filter((x) => x.in === 'query')
          .map((x) => ({ key: x.name, value: '', disabled: !x.required }));
  const queryString = query
    .filter((q) => !q.disabled)
    .map((q) => `${q.key}=${q.value}`)
    .join('&');
  const summary = op.summary ?? `${method.toUpperCase()} ${p}`;
  // Long summaries ("List vms: field=value …") become a short name and a description.
  const cut = summary.length > 60 ? summary.indexOf(':') : -1;
  const item: PostmanRequestItem = {
    name: cut > 0 ? summary.slice(0, cut) : summary,
    request: {
      method: method.toUpperCase(),
      header: [],
      url: {
        raw: `{{baseUrl}}/${segments.join('/')}${queryString ? `?${queryString}` : ''}`,
        host: ['{{baseUrl}}'],
        path: segments,
        ...(query.length > 0 ? { query } : {}),
        ...(pathVars.length > 0 ? { variable: pathVars } : {}),
      },
    },
    response: [],
  };
  const description = [cut > 0 ? summary : '', op.description ?? ''].filter(Boolean).join('\n\n');
  if (description) item.request.description = description;
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const override = BODY_OVERRIDES[`${method.toUpperCase()} ${p}`];
  if (schema || override !== undefined) {
    const example = override ?? (schema ? exampleOf(schema) : undefined);
    if (example !== undefined) {
      item.request.header.push({ key: 'Content-Type', value: 'application/json' });
      item.request.body = {
        mode: 'raw',
        raw: JSON.stringify(example, null, 2),
        options: { raw: { language: 'json' } },
      };
    }
  }
  if (op.security && op.security.length === 0) item.request.auth = { type: 'noauth' };
  if (p === '/api/auth/login') {
    item.event = [
      {
        listen: 'test',
        script: {
          type: 'text/javascript',
          exec: [
            'if (pm.response.code === 200) {',
            "  pm.collectionVariables.set('token', pm.response.json().access_token);",
            '}',
          ],
        },
      },
    ];
  }
  return item;
}

/** OpenAPI 3 → Postman v2.1: folders by first tag, in first-seen order; requests in document order. */
export function toPostman(doc: OpenApiDocument): PostmanCollection {
  const folders = new Map<string, PostmanFolder>();
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      let folder = folders.get(tag);
      if (!folder) {
        folder = { name: tag, item: [] };
        folders.set(tag, folder);
      }
      folder.item.push(requestItem(p, method, op));
    }
  }
  return {
    info: {
      name: doc.info.title,
      description:
        `${doc.info.description ?? ''}\n\nGenerated from the OpenAPI document (GET /docs/json) by ` +
        '`npm run docs:postman`. Set `baseUrl` and `password` (of the vMiner user), run "auth / Log in" ' +
        '(it stores `token`), ' +
        'then any request.',
      schema: SCHEMA_URL,
      version: doc.info.version,
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: 'http://127.0.0.1:8000', type: 'string' },
      { key: 'token', value: '', type: 'string' },
      { key: 'password', value: '', type: 'string' },
      { key: 'vcPassword', value: '', type: 'string' },
    ],
    item: [...folders.values()],
  };
}

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** The OpenAPI document of the REST server, built in-process over a throwaway engine. */
export async function openApiDocument(): Promise<OpenApiDocument> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vminer-postman-'));
  const engine = await Engine.open({
    dataDir: dir,
    owner: 'docs:postman',
    vaultBackend: 'file',
    onWarning: () => undefined,
  });
  try {
    const app = await buildRestServer({
      handlers: createHandlers(engine),
      auth: await AuthService.create(engine.database.db, engine.vault),
      bus: engine.bus,
      version: packageVersion(),
      // The routes `startRest` adds to the seed's (keep in step with serve.ts).
      extend: (app, ctx) => registerExportRoutes(app, engine, ctx),
    });
    try {
      await app.ready();
      return app.swagger() as unknown as OpenApiDocument;
    } finally {
      await app.close();
    }
  } finally {
    engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function buildCollection(): Promise<PostmanCollection> {
  return toPostman(await openApiDocument());
}

/** The collection as the file holds it: JSON formatted by the repository's prettier settings. */
export async function serialize(c: PostmanCollection, file = COLLECTION_PATH): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(c, null, 2), { ...options, filepath: file });
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]!) : COLLECTION_PATH;
  const text = await serialize(await buildCollection(), out);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), out)} is out of date: run npm run docs:postman`);
      process.exitCode = 1;
    } else console.log(`${path.relative(process.cwd(), out)} is up to date`);
    return;
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, text);
  const c = JSON.parse(text) as PostmanCollection;
  const n = c.item.reduce((a, f) => a + f.item.length, 0);
  console.log(`wrote ${path.relative(process.cwd(), out)}: ${n} requests in ${c.item.length} folders`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
