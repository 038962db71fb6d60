import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  COLLECTION_PATH,
  exampleOf,
  openApiDocument,
  toPostman,
  type OpenApiDocument,
  type PostmanCollection,
} from '../../../../scripts/postman.js';

/** Folder / request name / method / URL of every request: what a collection user sees. */
const outline = (c: PostmanCollection): string[] =>
  c.item.flatMap((f) =>
    f.item.map((i) => `${f.name} | ${i.name} | ${i.request.method} ${i.request.url.raw.split('?')[0]}`),
  );

let doc: OpenApiDocument;
let fresh: PostmanCollection;

beforeAll(async () => {
  doc = await openApiDocument();
  fresh = toPostman(doc);
});

describe('docs/vMiner.postman_collection.json', () => {
  it('is up to date with the OpenAPI document (run `npm run docs:postman` if not)', () => {
    const committed = JSON.parse(fs.readFileSync(COLLECTION_PATH, 'utf8')) as PostmanCollection;
    expect(outline(committed)).toEqual(outline(fresh));
    expect(committed.info.schema).toBe(fresh.info.schema);
    // Example bodies too: a changed request schema shows up here.
    const bodies = (c: PostmanCollection) =>
      c.item.flatMap((f) => f.item.map((i) => [i.name, i.request.body?.raw ?? null]));
    expect(bodies(committed)).toEqual(bodies(fresh));
  });

  it('has every OpenAPI operation exactly once, in a folder named by its tag', () => {
    const ops: string[] = [];
    for (const [p, methods] of Object.entries(doc.paths))
      for (const [m, op] of Object.entries(methods))
        if (['get', 'post', 'put', 'patch', 'delete'].includes(m))
          ops.push(`${op.tags?.[0] ?? 'other'} ${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
    const inCollection = fresh.item.flatMap((f) =>
      f.item.map((i) => `${f.name} ${i.request.method} /${i.request.url.path.join('/')}`),
    );
    expect([...inCollection].sort()).toEqual([...ops].sort());
    expect(new Set(inCollection).size).toBe(inCollection.length);
    for (const p of ['/api/auth/login', '/api/vms', '/api/vcenters/{id}/status', '/api/events'])
      expect(doc.paths[p], p).toBeDefined();
  });

  it('uses {{baseUrl}}, bearer {{token}}, and stores the token at login', () => {
    expect(fresh.variable.map((v) => v.key)).toEqual(expect.arrayContaining(['baseUrl', 'token']));
    expect(fresh.auth).toEqual({
      type: 'bearer',
      bearer: [{ key: 'token', value: '{{token}}', type: 'string' }],
    });
    const all = fresh.item.flatMap((f) => f.item);
    for (const i of all) {
      expect(i.request.url.raw.startsWith('{{baseUrl}}/')).toBe(true);
      expect(i.request.url.host).toEqual(['{{baseUrl}}']);
    }
    const login = all.find((i) => i.request.url.raw === '{{baseUrl}}/api/auth/login')!;
    expect(login.request.auth).toEqual({ type: 'noauth' });
    expect(JSON.parse(login.request.body!.raw)).toEqual({ username: 'admin', password: '{{password}}' });
    expect(login.event?.[0]?.script.exec.join('\n')).toContain("collectionVariables.set('token'");
    const health = all.find((i) => i.request.url.raw === '{{baseUrl}}/health')!;
    expect(health.request.auth).toEqual({ type: 'noauth' });
    const vms = all.find((i) => i.request.url.raw === '{{baseUrl}}/api/vms')!;
    expect(vms.request.url.query?.map((q) => q.key)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'sort', 'filter']),
    );
    const status = all.find((i) => i.request.url.raw === '{{baseUrl}}/api/vcenters/:id/status')!;
    expect(status.request.url.variable).toEqual([expect.objectContaining({ key: 'id', value: '1' })]);
  });

  it('example bodies follow the request schemas', () => {
    expect(
      exampleOf({
        type: 'object',
        required: ['a', 'n', 'r'],
        properties: {
          a: { type: 'string' },
          n: { type: 'integer', minimum: 5 },
          b: { type: 'boolean' },
          e: { type: 'string', enum: ['x', 'y'] },
          l: { type: 'array', items: { type: 'integer' } },
          r: { type: 'array', items: { type: 'integer' } },
          caPem: { type: 'string' },
        },
      }),
    ).toEqual({ a: '<a>', n: 5, b: false, e: 'x', r: [1] });
    const chat = fresh.item
      .flatMap((f) => f.item)
      .find((i) => i.request.url.raw.endsWith('/api/query/chat'))!;
    expect(JSON.parse(chat.request.body!.raw)).toEqual({ query: expect.any(String) });
  });
});
