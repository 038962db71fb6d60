import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: for a listener a test starts next, or as a
 * closed port (nothing listens there) for connection-refused cases.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
