import { describe, expect, it } from 'vitest';
import { roughDuration } from '../../../src/bindings/rough-duration.js';

describe('roughDuration', () => {
  it.each([
    [1, '1 second'],
    [59, '59 seconds'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [3599, '60 minutes'],
    [3600, 'about 1 hour'],
    [86_400, 'about 24 hours'],
    [2 * 86_400, 'about 2 days'],
    [30 * 86_400, 'about 30 days'],
  ])('%i s reads "%s"', (seconds, text) => {
    expect(roughDuration(seconds)).toBe(text);
  });
});
