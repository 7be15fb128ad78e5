/**
 * How an integration test gets a service URL from the environment set by
 * services.ts. When the variable is missing, the test must not pass silently:
 * under CI=true it registers a failing test; otherwise it registers a skipped one
 * and prints why.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/** The value of `envVar`, or undefined after registering a failing (CI) or skipped test. */
export function requireService(envVar: string, what: string): string | undefined {
  const value = process.env[envVar];
  if (value) return value;
  const reason = `${envVar} is not set: ${what} needs a running server (npm test starts one via test/support/services.ts)`;
  if (process.env.CI === 'true') {
    test(`${what} (service missing)`, () => assert.unreachable(reason));
  } else {
    console.log(`skip: ${reason}`);
    test.skip(what, () => {});
  }
  return undefined;
}
