/**
 * One access-log line per request, after the answer: method, path, status, time taken, client
 * address and user — never a header (tokens), a body (passwords) or a query value that looks like
 * a credential.
 */
import type { FastifyInstance } from 'fastify';

export interface AccessLogger {
  info(entry: Record<string, unknown>, msg: string): void;
}

const SECRET_PARAM = /token|pass|secret|key|auth|session|cookie|code/i;

/** The URL as logged: query values whose names look like credentials become `***`. */
export function accessUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_PARAM.test(decodeName(name)) ? `${name}=***` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

export function installAccessLog(app: FastifyInstance, logger: AccessLogger): void {
  app.addHook('onResponse', async (req, reply) => {
    logger.info(
      {
        module: 'http',
        method: req.method,
        url: accessUrl(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: req.ip,
        ...(req.vminerUser ? { user: req.vminerUser.sub } : {}),
      },
      'request',
    );
  });
}
