/**
 * ExpressPlay's time parameters (`expirationTime`, `rental.periodEndTime`): RFC 3339 in the `Z` zone, or `+N`
 * seconds from now (ExpressPlay's documentation).
 */

const ZULU = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
const RELATIVE = /^\+(\d{1,10})$/;

/** The instant the parameter names, or `null` when it is in neither accepted form. */
export function parseTimeParameter(raw: string, now: Date): Date | null {
  const relative = RELATIVE.exec(raw);
  if (relative) return new Date(now.getTime() + Number(relative[1]) * 1000);

  const m = ZULU.exec(raw);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = m[7] === undefined ? 0 : Math.floor(Number(m[7]) * 1000);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  // Date.UTC rolls 2024-02-30 over into March; ExpressPlay's validator would not, so compare the fields back.
  const rolledOver =
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getUTCHours() !== hour ||
    date.getUTCMinutes() !== minute ||
    date.getUTCSeconds() !== second;
  return rolledOver ? null : date;
}

/** Why a `+` arrived as a space is the commonest mistake with relative times, so the error says so. */
export function timeParameterHint(raw: string): string {
  return /^ \d+$/.test(raw)
    ? "a relative time's '+' must be sent encoded, as %2B"
    : "expected RFC 3339 in the 'Z' zone or +<seconds>";
}
