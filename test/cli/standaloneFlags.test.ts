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
  [['--json-shredding', 'jsonShreddingRatioThreshold=2'], /--json-shredding: dataCoord.jsonShreddingRatioThreshold must be a number in \[0, 1\], not 2/],
  [['--json-shredding', 'enabledJSONShredding=on'], /--json-shredding: common.enabledJSONShredding must be true or false/],
  [['--json-shredding', 'maxColumns=3'], /--json-shredding: unknown setting 'maxColumns'/],
] as const) {
  test(`standalone ${args.join(' ')}: usage error`, () => {
    const r = run(...args);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage:/);
  });
}

test('NUTHATCH_JSON_SHREDDING is checked as the flag is: a bad value is a usage error', () => {
  const r = spawnSync(process.execPath, [CLI, 'standalone'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NUTHATCH_JSON_SHREDDING: 'jsonShreddingMaxColumns=-3' } });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /--json-shredding: dataCoord.jsonShreddingMaxColumns must be a non-negative integer, not -3/);
});

test('nuthatch node --json-shredding: a bad value exits 2 with the reason, before connecting to anything', () => {
  const r = spawnSync(process.execPath, [CLI, 'node', '--role', 'data-node', '--json-shredding', 'jsonShreddingRatioThreshold=-0.1'], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /nuthatch node: --json-shredding: dataCoord.jsonShreddingRatioThreshold must be a number in \[0, 1\]/);
});

test.run();
