import { Kind } from 'graphql';
import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './connection.js';

/** Cost of a field that may call ExpressPlay, relative to 1 for a plain field. */
export const UPSTREAM_CALL = 10;

const clamp = (first: number): number => Math.min(Math.max(first, 1), MAX_PAGE_SIZE);

/**
 * How many items a page may hold. From the coerced `first` when there is one (graphql-query-complexity fills in
 * the default). Before validation (src/server/document-measure.ts passes no arguments) from the document: a
 * literal, the default when `first` is left out, and 1, the least, for a variable not yet known. A `first` out of
 * range is clamped here and refused with its limit when the field runs (BAD_USER_INPUT).
 */
function pageItems({ args, node }: ComplexityEstimatorArgs): number {
  const first: unknown = args['first'];
  if (typeof first === 'number') return clamp(first);
  const literal = node.arguments?.find((a) => a.name.value === 'first')?.value;
  if (literal === undefined) return DEFAULT_PAGE_SIZE;
  return literal.kind === Kind.INT ? clamp(Number.parseInt(literal.value, 10)) : 1;
}

/**
 * A connection costs `first` times an item: its cost per item plus everything selected under it (edges, nodes and
 * pageInfo alike; the limit exists to stop a query from multiplying work, not to count rows exactly).
 */
export const connectionOf =
  (itemCost: number) =>
  (estimator: ComplexityEstimatorArgs): number =>
    pageItems(estimator) * (itemCost + estimator.childComplexity);
