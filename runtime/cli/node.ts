import { NuthatchError } from '../../messages/errors.js';
import { EXIT_RESTART, NODE_USAGE, parseNodeOptions, type NodeOptions } from '../cluster/nodeOptions.js';
import { startRole, type RunningRole } from '../cluster/roles.js';

/** The line a launcher waits for: `nuthatch node <id> (<role>) ready|standby`. */
export const READY_MARK = 'ready';
export const STANDBY_MARK = 'standby';


/**
 * `nuthatch node --role <role> ...`: one actor per process on NATS, etcd and S3.
 * Logs go to stderr with the node id; SIGTERM/SIGINT stop it cleanly (a
 * coordinator waiting in the election just leaves). A coordinator that loses
 * leadership exits with code 3 so its supervisor starts it again as a standby.
 */
export async function runNode(argv: string[], onSignals: (stop: () => Promise<void>) => void): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) { console.log(NODE_USAGE); return; }
  let o: NodeOptions;
  try {
    o = parseNodeOptions(argv);
  } catch (e) {
    if (e instanceof NuthatchError) { console.error(`nuthatch node: ${e.message}\n${NODE_USAGE}`); process.exit(2); }
    throw e;
  }
  const log = (...a: unknown[]) => console.error(new Date().toISOString(), `[${o.nodeId}]`, ...a);
  let running: RunningRole | undefined;
  let stopping = false;
  onSignals(async () => {
    stopping = true;
    // A coordinator still in the election has nothing to hand over: leave at once.
    if (!running) process.exit(0);
    await running.stop();
  });
  running = await startRole(o, log, (e) => {
    if (e === 'lost') { log('leadership lost: exiting'); process.exit(EXIT_RESTART); }
    log(`nuthatch node ${o.nodeId} (${o.role}) ${e === 'ready' ? READY_MARK : STANDBY_MARK}`);
  }).catch((e) => {
    if (stopping) process.exit(0);
    throw e;
  });
}
