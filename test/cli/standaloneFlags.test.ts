import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/** `nuthatch standalone` refuses bad flags with a usage error (exit 2) before it starts anything. */
const CLI = fileURLToPath(new URL('../../runtime/cli/main.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'standalone', ...args], { encoding: 'utf8', timeout: 20_000 });

for (const [args, message] of [
  [['--wal-retention-ms', 'soon'], /--wal-retention-ms must be an integer/],
  [['--drop-tolerance-ms', 'abc'], /--drop-tolerance-ms must be an integer/],
  [['--drop-tolerance-ms', '-5'], /'--drop-tolerance-ms' argument is ambiguous/],
  [['--compaction-interval-ms', '1.5'], /--compaction-interval-ms must be an integer/],
  [['--merge-segments', 'many'], /--merge-segments must be an integer/],
  [['--gc-tolerance-ms', 'day'], /--gc-tolerance-ms must be an integer/],
  [['--bogus'], /Unknown option '--bogus'/],
] as const) {
  test(`standalone ${args.join(' ')}: usage error`, () => {
    const r = run(...args);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage:/);
  });
}

test.run();
