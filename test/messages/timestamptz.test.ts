/**
 * Specifies Timestamptz values (messages/timestamptz.ts): ISO 8601 text with
 * an offset or `Z` is an instant; text without one is a wall-clock time in a
 * zone (DST gaps and overlaps resolved as java.time does); output is RFC 3339
 * in a zone; ISO 8601 durations shift instants on the UTC calendar.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatTimestamptz, isTimeZone, parseInterval, parseTimestamptz, shiftTimestamptz, TIMESTAMPTZ_RANGE, type Interval } from '../../messages/timestamptz.js';

const us = (iso: string) => Date.parse(iso) * 1000;
const parsed = (text: string, tz?: string) => { const v = parseTimestamptz(text, tz); if (typeof v === 'string') throw new Error(v); return v; };

test('one instant written with several offsets parses to one integer of microseconds', () => {
  const t = us('2025-01-01T00:00:00Z');
  for (const s of ['2025-01-01T00:00:00Z', '2025-01-01T00:00:00z', '2025-01-01T08:00:00+08:00', '2024-12-31T19:00:00-05:00', '2025-01-01T05:30:00+0530', '2025-01-01T02:00+02', '2025-01-01 00:00:00Z']) {
    assert.is(parsed(s), t, s);
  }
  assert.is(parsed('2025-01-01T00:00:00.123456Z'), t + 123456);
  assert.is(parsed('2025-01-01T00:00:00.1234567Z'), t + 123456, 'past microseconds the digits are cut');
  assert.is(parsed('2025-01-01T00:00:00.5+01:00'), t - 3_600_000_000 + 500_000);
  assert.is(parsed('1969-12-31T23:59:59.999999Z'), -1, 'before the epoch');
});

test('text without an offset is read in the zone given, UTC by default', () => {
  assert.is(parsed('2025-01-01T00:00:00'), us('2025-01-01T00:00:00Z'));
  assert.is(parsed('2025-01-01'), us('2025-01-01T00:00:00Z'), 'a date alone is its midnight');
  assert.is(parsed('2024-12-31 22:00:00', 'Asia/Shanghai'), us('2024-12-31T14:00:00Z'));
  assert.is(parsed('2025-07-01T12:00:00', 'America/New_York'), us('2025-07-01T16:00:00Z'), 'summer time: -04:00');
  assert.is(parsed('2025-01-15T12:00:00', 'America/New_York'), us('2025-01-15T17:00:00Z'), 'winter time: -05:00');
  assert.is(parsed('2025-01-01T00:00:00+09:00', 'America/New_York'), us('2024-12-31T15:00:00Z'), 'an offset wins over the zone');
});

test('DST: a skipped wall time moves forward by the gap, an ambiguous one is the earlier instant', () => {
  // New York sprang forward at 2025-03-09 02:00 -05:00 to 03:00 -04:00: 02:30 never happened.
  assert.is(parsed('2025-03-09T02:30:00', 'America/New_York'), us('2025-03-09T07:30:00Z'));
  assert.is(formatTimestamptz(parsed('2025-03-09T02:30:00', 'America/New_York'), 'America/New_York'), '2025-03-09T03:30:00-04:00');
  // It fell back at 2025-11-02 02:00 -04:00 to 01:00 -05:00: 01:30 happened twice.
  assert.is(parsed('2025-11-02T01:30:00', 'America/New_York'), us('2025-11-02T05:30:00Z'));
  assert.is(parsed('2025-11-02T01:30:00-05:00'), us('2025-11-02T06:30:00Z'), 'an offset picks the later one');
  // Southern hemisphere: Sydney is +11:00 in January, +10:00 in July.
  assert.is(formatTimestamptz(us('2025-01-10T00:00:00Z'), 'Australia/Sydney'), '2025-01-10T11:00:00+11:00');
  assert.is(formatTimestamptz(us('2025-07-10T00:00:00Z'), 'Australia/Sydney'), '2025-07-10T10:00:00+10:00');
});

test('leap years: 29 February exists only in them', () => {
  assert.is(parsed('2024-02-29T12:00:00Z'), us('2024-02-29T12:00:00Z'));
  assert.is(parsed('2000-02-29T00:00:00Z'), us('2000-02-29T00:00:00Z'), '2000 is a leap year (divisible by 400)');
  for (const s of ['2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2100-02-29T00:00:00Z']) assert.match(parseTimestamptz(s) as string, /no such date/, s);
});

test('bad text and values past the range are refused with a reason', () => {
  const bad: Array<[unknown, RegExp]> = [
    ['2025-13-01T00:00:00Z', /no such date/], ['2025-04-31T00:00:00Z', /no such date/], ['2025-01-01T24:00:00Z', /no such time/],
    ['2025-01-01T00:60:00Z', /no such time/], ['2025-01-01T00:00:60Z', /no such time/], ['2025-01-01T00:00:00+24:00', /no such offset/],
    ['yesterday', /not an ISO 8601/], ['2025/01/01', /not an ISO 8601/], ['2025-01-01T00:00:00 UTC', /not an ISO 8601/], ['', /not an ISO 8601/],
    [1735689600, /must be an ISO 8601 string/], [null, /must be an ISO 8601 string/],
    ['1600-01-01T00:00:00Z', /out of range/], ['2300-01-01T00:00:00Z', /out of range/], ['9999-12-31T23:59:59Z', /out of range/],
  ];
  for (const [v, why] of bad) assert.match(parseTimestamptz(v) as string, why, String(v));
  assert.is(typeof parseTimestamptz(formatTimestamptz(TIMESTAMPTZ_RANGE.max)), 'number', 'the last instant kept parses');
  assert.is(typeof parseTimestamptz(formatTimestamptz(TIMESTAMPTZ_RANGE.min)), 'number', 'the first instant kept parses');
});

test('output: RFC 3339 in the zone, Z for a zero offset, fractions only when not zero; a round trip keeps the instant', () => {
  const t = us('2024-12-31T16:00:00Z');
  assert.is(formatTimestamptz(t), '2024-12-31T16:00:00Z');
  assert.is(formatTimestamptz(t, 'Asia/Shanghai'), '2025-01-01T00:00:00+08:00');
  assert.is(formatTimestamptz(t, 'America/Havana'), '2024-12-31T11:00:00-05:00');
  assert.is(formatTimestamptz(t, 'Asia/Kolkata'), '2024-12-31T21:30:00+05:30');
  assert.is(formatTimestamptz(t, 'Europe/London'), '2024-12-31T16:00:00Z', 'London in winter is at offset zero');
  assert.is(formatTimestamptz(t + 120_000), '2024-12-31T16:00:00.12Z');
  assert.is(formatTimestamptz(-1), '1969-12-31T23:59:59.999999Z');
  assert.is(formatTimestamptz(us('1700-01-01T00:00:00Z'), 'Asia/Shanghai'), '1700-01-01T08:05:43+08:05:43', 'local mean time is off UTC by seconds too');
  for (const v of [0, -1, 1, t + 7, us('2255-01-01T00:00:00Z'), us('1700-06-30T12:00:00Z'), TIMESTAMPTZ_RANGE.max, TIMESTAMPTZ_RANGE.min]) {
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/New_York', 'Pacific/Chatham']) assert.is(parsed(formatTimestamptz(v, tz)), v, `${v} in ${tz}`);
  }
});

test('zones are IANA names Intl knows', () => {
  for (const tz of ['UTC', 'Asia/Shanghai', 'America/Chicago', 'Europe/Berlin']) assert.ok(isTimeZone(tz), tz);
  for (const tz of ['Mars/Olympus', '', ' UTC', 'GMT+25', 42, null]) assert.not.ok(isTimeZone(tz), String(tz));
});

test('intervals: ISO 8601 durations; months on the calendar (clamped to the month end), the rest fixed', () => {
  assert.equal(parseInterval('P1D'), { months: 0, micros: 86_400_000_000 });
  assert.equal(parseInterval('PT3H'), { months: 0, micros: 3 * 3_600_000_000 });
  assert.equal(parseInterval('P1Y2M3DT1H2M3.5S'), { months: 14, micros: ((3 * 24 + 1) * 3600 + 2 * 60 + 3.5) * 1_000_000 });
  assert.equal(parseInterval('P2W'), { months: 0, micros: 14 * 86_400_000_000 });
  assert.equal(parseInterval('P0D'), { months: 0, micros: 0 });
  for (const s of ['P', 'PT', '1D', 'P1H', 'P-1D', 'p1d', 'P1DT', 'PT1.1234567S', 'P1D ']) assert.type(parseInterval(s), 'string', s);
  const iv = (s: string) => parseInterval(s) as Interval;
  assert.is(shiftTimestamptz(us('2024-01-31T10:00:00Z'), iv('P1M'), 1), us('2024-02-29T10:00:00Z'), 'clamped to 29 Feb in a leap year');
  assert.is(shiftTimestamptz(us('2023-01-31T10:00:00Z'), iv('P1M'), 1), us('2023-02-28T10:00:00Z'));
  assert.is(shiftTimestamptz(us('2024-02-29T00:00:00Z'), iv('P1Y'), 1), us('2025-02-28T00:00:00Z'));
  assert.is(shiftTimestamptz(us('2025-03-01T00:00:00Z'), iv('P1M1D'), -1), us('2025-01-31T00:00:00Z'));
  assert.is(shiftTimestamptz(us('2025-01-01T00:00:00Z') + 5, iv('PT2H'), -1), us('2024-12-31T22:00:00Z') + 5);
  assert.is(shiftTimestamptz(TIMESTAMPTZ_RANGE.max, iv('PT1S'), 1), null, 'past the range is null');
});

test.run();
