/**
 * Finds the server binaries the dev services run (nats-server, etcd), installing
 * the Debian packages of missing ones with apt-get once per process.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// Debian puts nats-server in /usr/sbin, which is not on a normal user's PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable, or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

let aptUpdated = false;

/**
 * Installs Debian packages non-interactively (`apt-get update` once per process).
 * Needs root or passwordless sudo; otherwise throws with the packages to install by hand.
 */
export function aptInstall(pkgs: string[]): void {
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for a dpkg lock held by another install rather than failing at once.
  const lock = ['-o', 'DPkg::Lock::Timeout=120'];
  const run = (args: string[]): void => {
    const cmd = [...sudo, ...args];
    console.log(`[services] ${cmd.join(' ')}`);
    const r = spawnSync(cmd[0]!, cmd.slice(1), { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`'${cmd.join(' ')}' failed (${r.error?.message ?? `exit ${r.status}`}); install ${pkgs.join(' ')} by hand`);
  };
  if (!aptUpdated) { run(['apt-get', ...lock, 'update']); aptUpdated = true; }
  run(['apt-get', ...lock, 'install', '-y', '--no-install-recommends', ...pkgs]);
}

/** Returns the path of each binary, installing the Debian packages of the missing ones first. */
export function ensureBinaries(wanted: Record<string, string>): Record<string, string> {
  const missing = Object.keys(wanted).filter((b) => !findBinary(b));
  if (missing.length > 0) aptInstall([...new Set(missing.map((b) => wanted[b]!))]);
  const out: Record<string, string> = {};
  for (const b of Object.keys(wanted)) {
    const p = findBinary(b);
    if (!p) throw new Error(`${b} not found after installing ${wanted[b]}`);
    out[b] = p;
  }
  return out;
}
