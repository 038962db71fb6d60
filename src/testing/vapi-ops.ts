/**
 * Test support: tags a (simulated) vCenter through its tagging REST API, the way an
 * administrator would, over a connection that verifies the simulator's certificate.
 */
import https from 'node:https';

export class VapiOps {
  private constructor(
    private readonly base: URL,
    private readonly ca: string,
    private readonly session: string,
  ) {}

  static async connect(
    url: string,
    user: string,
    password: string,
    certificatePem: string,
  ): Promise<VapiOps> {
    const base = new URL('/rest/com/vmware/cis/', new URL(url).origin);
    const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const id = (await call(base, certificatePem, 'POST', 'session', undefined, {
      Authorization: auth,
    })) as string;
    return new VapiOps(base, certificatePem, id);
  }

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    return call(this.base, this.ca, method, path, body, { 'vmware-api-session-id': this.session });
  }

  /** The id of the tag `name` in category `category`. */
  async tagId(category: string, name: string): Promise<string> {
    for (const id of (await this.call('GET', 'tagging/tag')) as string[]) {
      const t = (await this.call('GET', `tagging/tag/id:${encodeURIComponent(id)}`)) as {
        name: string;
        category_id: string;
      };
      if (t.name !== name) continue;
      const c = (await this.call('GET', `tagging/category/id:${encodeURIComponent(t.category_id)}`)) as {
        name: string;
      };
      if (c.name === category) return id;
    }
    throw new Error(`no tag ${category}:${name}`);
  }

  attach(tagId: string, type: string, moid: string): Promise<unknown> {
    return this.call('POST', `tagging/tag-association/id:${encodeURIComponent(tagId)}?~action=attach`, {
      object_id: { type, id: moid },
    });
  }

  detach(tagId: string, type: string, moid: string): Promise<unknown> {
    return this.call('POST', `tagging/tag-association/id:${encodeURIComponent(tagId)}?~action=detach`, {
      object_id: { type, id: moid },
    });
  }

  async close(): Promise<void> {
    await this.call('DELETE', 'session').catch(() => undefined);
  }
}

function call(
  base: URL,
  ca: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, base),
      {
        method,
        ca,
        headers: {
          ...headers,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`));
          else resolve(text.trim() ? (JSON.parse(text) as { value?: unknown }).value : undefined);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
