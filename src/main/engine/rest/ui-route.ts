import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Where the built renderer is: `out/renderer` next to the built CLI (`out/main/cli.js`), or from
 * the source tree (tests, `tsx`). `null` when the UI was never built.
 */
export function findUiRoot(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../renderer'),
    path.resolve(here, '../../../../out/renderer'),
    path.resolve(process.cwd(), 'out/renderer'),
  ];
  return candidates.find((d) => fs.existsSync(path.join(d, 'index.html'))) ?? null;
}

/**
 * Serves the same UI the desktop app shows, as static files: `/` is the app (which logs in over
 * `/api/auth/login` and then talks to `/api/rpc/*` and `/api/events`). Files only: no directory
 * listings, no paths outside the root, and the page's own CSP meta tag applies.
 */
export async function registerUi(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    list: false,
    dotfiles: 'deny',
    wildcard: true,
    decorateReply: false,
    setHeaders: (reply, file) => {
      reply.header('X-Content-Type-Options', 'nosniff');
      reply.header('Referrer-Policy', 'no-referrer');
      reply.header('X-Frame-Options', 'DENY');
      // Hashed assets never change; the page itself must always be fresh.
      reply.header(
        'Cache-Control',
        file.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
}
