/** "45 seconds", "12 minutes", "about 23 hours", "about 3 days": for people; retryAfterSeconds is exact. */
export function roughDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(seconds, 'second');
  if (seconds < 3600) return plural(Math.ceil(seconds / 60), 'minute');
  if (seconds < 2 * 86400) return `about ${plural(Math.round(seconds / 3600), 'hour')}`;
  return `about ${plural(Math.round(seconds / 86400), 'day')}`;
}
