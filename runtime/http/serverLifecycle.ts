import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `port` (0: a free one) and `host`; resolves with the URL clients reach it at. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as AddressInfo;
  const h = addr.family === 'IPv6' ? `[${addr.address === '::' ? '::1' : addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
  return `http://${h}:${addr.port}`;
}

/** Stops accepting, lets requests in flight finish for up to 2 s, then cuts the rest. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => { clearTimeout(timer); resolve(); });
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), 2000);
    timer.unref();
  });
}
