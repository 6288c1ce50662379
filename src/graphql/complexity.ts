import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';

/** Cost of a field that may call ExpressPlay, relative to 1 for a plain field. */
export const UPSTREAM_CALL = 10;

/**
 * Lists have no pagination yet, so their cost assumes a typical size; the limit exists to stop a query from
 * multiplying work, not to count rows exactly.
 */
const ASSUMED_LIST_SIZE = 20;

export const listOf =
  (itemCost: number) =>
  ({ childComplexity }: ComplexityEstimatorArgs): number =>
    ASSUMED_LIST_SIZE * (itemCost + childComplexity);
