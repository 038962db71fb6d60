/**
 * Tags and categories through the vCenter's tagging REST API (vAPI, `/rest/com/vmware/cis/…`,
 * vSphere 6.5 and later; the govmomi simulator serves the same paths): a session created from the
 * same credentials as the SOAP login, the category and tag definitions, and the objects attached
 * to each tag in batches. The connection trusts exactly what the SOAP client trusts (the pinned
 * thumbprint or the CA), with the same timeouts, and the session is deleted at the end.
 */
import https from 'node:https';
import { VminerError } from '../../../shared/errors.js';
import type { TagSet } from '../../../shared/inventory.js';
import { classifyNetworkError, createAgent, type TrustPolicy } from './transport.js';

export interface TaggingOptions {
  url: string;
  trust: TrustPolicy;
  user: string;
  password: string;
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  signal?: AbortSignal;
  /** The largest answer one call may send (bytes). */
  maxAnswerBytes?: number;
}

/** Requests in flight at once to the tagging API (a vCenter serves a few per session well). */
const PARALLEL = 6;

/** Tags whose attached objects one request asks for. */
const BATCH = 100;
const SESSION_HEADER = 'vmware-api-session-id';

interface Answer {
  status: number;
  body: unknown;
}

class TaggingClient {
  private readonly agent: https.Agent;
  private readonly base: URL;
  private readonly host: string;
  private session: string | undefined;

  constructor(private readonly opts: TaggingOptions) {
    const u = new URL(opts.url);
    this.base = new URL('/rest/', u.origin);
    this.host = u.host;
    this.agent = createAgent({
      url: opts.url,
      trust: opts.trust,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      maxSockets: PARALLEL,
    });
  }

  private request(method: string, path: string, body?: unknown, auth?: string): Promise<Answer> {
    const signal = this.opts.signal;
    if (signal?.aborted) return Promise.reject(signal.reason ?? new VminerError('CANCELLED', 'cancelled'));
    const limit = this.opts.maxAnswerBytes ?? 64 * 1024 * 1024;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    return new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (payload) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = payload.length;
      }
      if (auth) headers['Authorization'] = auth;
      if (this.session) headers[SESSION_HEADER] = this.session;
      const req = https.request(new URL(path, this.base), { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > limit) {
            req.destroy(
              new VminerError(
                'ANSWER_TOO_LARGE',
                `${this.host}: the tagging API sent more than ${Math.round(limit / 1048576)} MB for ${path}`,
              ),
            );
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = undefined;
          if (text.trim()) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      const timer = setTimeout(
        () =>
          req.destroy(
            new VminerError(
              'TIMEOUT',
              `${this.host}: the tagging API did not answer ${path} within ${Math.round((this.opts.callTimeoutMs ?? 60_000) / 1000)} s`,
            ),
          ),
        this.opts.callTimeoutMs ?? 60_000,
      );
      const onAbort = (): void => {
        req.destroy(
          signal?.reason instanceof Error ? signal.reason : new VminerError('CANCELLED', 'cancelled'),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      });
      req.on('error', (err) => reject(classifyNetworkError(err, this.host)));
      req.end(payload);
    });
  }

  /** The `value` of a vAPI answer, or an error that says what failed and what to check. */
  private async value(method: string, path: string, body?: unknown): Promise<unknown> {
    const a = await this.request(method, path, body);
    if (a.status >= 200 && a.status < 300) return (a.body as { value?: unknown } | undefined)?.value;
    throw this.failure(a, path);
  }

  private failure(a: Answer, path: string): VminerError {
    if (a.status === 401)
      return new VminerError('LOGIN_FAILED', `${this.host}: the tagging API refused the session for ${path}`);
    if (a.status === 403)
      return new VminerError(
        'PERMISSION_DENIED',
        `${this.host}: the account may not read tags (${path}); give it read access to tagging`,
      );
    if (a.status === 404)
      return new VminerError(
        'NOT_FOUND',
        `${this.host}: no tagging API at /rest${path.startsWith('/') ? '' : '/'}${path} (vSphere 6.5 or later has one)`,
      );
    return new VminerError('PROTOCOL', `${this.host}: the tagging API answered HTTP ${a.status} to ${path}`);
  }

  async login(): Promise<void> {
    const auth = `Basic ${Buffer.from(`${this.opts.user}:${this.opts.password}`, 'utf8').toString('base64')}`;
    const a = await this.request('POST', 'com/vmware/cis/session', undefined, auth);
    if (a.status === 401)
      throw new VminerError(
        'LOGIN_FAILED',
        `${this.host}: the tagging API rejected the login (the same user and password the inventory uses)`,
      );
    if (a.status < 200 || a.status >= 300) throw this.failure(a, 'com/vmware/cis/session');
    const id = (a.body as { value?: unknown } | undefined)?.value;
    if (typeof id !== 'string' || !id)
      throw new VminerError('PROTOCOL', `${this.host}: the tagging API gave no session id`);
    this.session = id;
  }

  async logout(): Promise<void> {
    try {
      if (this.session) await this.request('DELETE', 'com/vmware/cis/session');
    } catch {
      /* the session expires on its own */
    } finally {
      this.session = undefined;
      this.agent.destroy();
    }
  }

  async ids(path: string): Promise<string[]> {
    const v = await this.value('GET', path);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  async get(path: string): Promise<Record<string, unknown>> {
    const v = await this.value('GET', path);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  }

  async attached(tagIds: string[]): Promise<{ tag_id?: unknown; object_ids?: unknown }[]> {
    const v = await this.value(
      'POST',
      'com/vmware/cis/tagging/tag-association?~action=list-attached-objects-on-tags',
      { tag_ids: tagIds },
    );
    return Array.isArray(v) ? (v as { tag_id?: unknown; object_ids?: unknown }[]) : [];
  }
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** `f` of every item, at most PARALLEL at a time; results in the items' order; the first failure fails all. */
async function inParallel<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return out;
}

/** Reads every category, tag and tag attachment of a vCenter. */
export async function readTags(opts: TaggingOptions): Promise<TagSet> {
  const c = new TaggingClient(opts);
  try {
    await c.login();
    const out: TagSet = { categories: [], tags: [], attachments: [] };
    // One GET per category and per tag: a few at a time, in the order they were listed.
    const categoryIds = await c.ids('com/vmware/cis/tagging/category');
    const categories = await inParallel(categoryIds, (id) =>
      c.get(`com/vmware/cis/tagging/category/id:${encodeURIComponent(id)}`),
    );
    categoryIds.forEach((id, i) => {
      const cat = categories[i]!;
      out.categories.push({
        id,
        name: text(cat['name']) ?? id,
        description: text(cat['description']),
        cardinality: text(cat['cardinality']),
      });
    });
    const ids = await c.ids('com/vmware/cis/tagging/tag');
    const tags = await inParallel(ids, (id) =>
      c.get(`com/vmware/cis/tagging/tag/id:${encodeURIComponent(id)}`),
    );
    ids.forEach((id, i) => {
      const tag = tags[i]!;
      out.tags.push({
        id,
        categoryId: text(tag['category_id']) ?? '',
        name: text(tag['name']) ?? id,
        description: text(tag['description']),
      });
    });
    const tagIds = out.tags.map((t) => t.id);
    for (let i = 0; i < tagIds.length; i += BATCH) {
      for (const entry of await c.attached(tagIds.slice(i, i + BATCH))) {
        const tagId = text(entry.tag_id);
        if (!tagId || !Array.isArray(entry.object_ids)) continue;
        for (const o of entry.object_ids as { type?: unknown; id?: unknown }[]) {
          const type = text(o?.type);
          const moid = text(o?.id);
          if (type && moid) out.attachments.push([type, moid, tagId]);
        }
      }
    }
    return out;
  } finally {
    await c.logout();
  }
}
