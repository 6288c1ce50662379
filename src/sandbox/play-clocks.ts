/**
 * When each rental started playing. A rental is one (cookie, kid, period end): the first granted license starts its
 * play clock, and every later token for the same rental shares it, so a fresh token cannot restart the play time,
 * while renting the title again (a new period end) starts a new clock. A clock is kept until its period ends, since
 * past that the period check refuses on its own; so the map holds only running rentals.
 */
export interface PlayClocks {
  /** When the rental started playing, or undefined before its first granted license. */
  startedAt(clock: string): number | undefined;
  start(clock: string, started: number, periodEnd: number, now: number): void;
  /** Clocks held: running rentals, plus ended ones not swept yet. */
  size(): number;
}

export function createPlayClocks(): PlayClocks {
  const clocks = new Map<string, { readonly started: number; readonly periodEnd: number }>();
  let sweepAt = 1024;
  return {
    startedAt: (clock: string): number | undefined => clocks.get(clock)?.started,
    start(clock: string, started: number, periodEnd: number, now: number): void {
      clocks.set(clock, { started, periodEnd });
      // Swept when the map has doubled since the last sweep: amortized O(1) per license.
      if (clocks.size < sweepAt) return;
      for (const [key, { periodEnd: end }] of clocks) if (end <= now) clocks.delete(key);
      sweepAt = Math.max(1024, clocks.size * 2);
    },
    size: (): number => clocks.size,
  };
}
