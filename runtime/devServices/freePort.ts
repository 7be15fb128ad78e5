/**
 * Picks a port for a private server on 127.0.0.1.
 */
import { createServer } from 'node:net';

/** A port on 127.0.0.1 that was free a moment ago (the caller retries on a clash). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
