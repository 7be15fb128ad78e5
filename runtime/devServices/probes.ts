/**
 * Readiness probes for the dev servers: each resolves true once the server
 * answers its own protocol, not merely once a port is open.
 */
import { request } from 'node:http';
import { connect } from 'node:net';

/** True once a TCP server on 127.0.0.1:port greets with a line starting with `prefix` (NATS sends INFO). */
export function tcpGreets(port: number, prefix: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean): void => { sock.destroy(); resolve(ok); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('data', (d) => { buf += d.toString('latin1'); if (buf.length >= prefix.length) done(buf.startsWith(prefix)); });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

/** The status code and body of a GET, or undefined if nothing answered. */
export function httpGet(url: string, timeoutMs = 1_000): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
