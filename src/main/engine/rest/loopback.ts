/** Loopback addresses (a module of its own: the desktop host names them without loading fastify). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The host names a loopback listener answers to (any port): its own address, localhost's, and `extra`. */
export function loopbackHostNames(host: string, extra: readonly string[] = []): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', host, ...extra].map((h) => h.toLowerCase()))];
}
