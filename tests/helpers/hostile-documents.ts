/**
 * Documents that are small as text and huge once their fragments are expanded, for the query-limit tests.
 * Fragment names are short so that long chains fit under the default body limit (100,000 bytes).
 */

/** `fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } ...`: `width ** levels` copies of `leaf`. */
export function fanOut(
  levels: number,
  options: { width?: number; leaf?: string; on?: string; name?: string } = {},
): string {
  const { width = 2, leaf = '__typename', on = 'Query', name = 'F' } = options;
  const lines = [`query FanOut{...${name}0}`];
  for (let i = 0; i < levels; i += 1) {
    lines.push(`fragment ${name}${i} on ${on}{${Array.from({ length: width }, () => `...${name}${i + 1}`).join(' ')}}`);
  }
  lines.push(`fragment ${name}${levels} on ${on}{${leaf}}`);
  return lines.join('\n');
}

/** `fragment F0 { ...F1 } fragment F1 { ...F2 } ...`: `links` fragments spread inside one another. */
export function chain(links: number, leaf = '__typename'): string {
  const lines = ['query Chain{...F0}'];
  for (let i = 0; i < links; i += 1) lines.push(`fragment F${i} on Query{...F${i + 1}}`);
  lines.push(`fragment F${links} on Query{${leaf}}`);
  return lines.join('\n');
}

/**
 * An operation over the cost limit (120 pages of 20 items at 3 each: 7,200), padded with a fan-out of
 * fragments big enough that graphql-query-complexity gives up counting ("maximum allowed number of nodes").
 */
export function costPadding(levels = 14): string {
  const lines = [`query Padded{${Array.from({ length: 120 }, () => 'contents{nodes{id}}').join(' ')} ...P0}`];
  for (let i = 0; i < levels; i += 1) lines.push(`fragment P${i} on Query{...P${i + 1} ...P${i + 1}}`);
  lines.push(`fragment P${levels} on Query{__typename}`);
  return lines.join('\n');
}

/** `count` copies of `selection` in one selection set. */
export function repeated(selection: string, count: number): string {
  return `{${Array.from({ length: count }, () => selection).join(' ')}}`;
}

/** As many copies of `selection` as fit in `bytes` of document text. */
export function repeatedUpTo(selection: string, bytes: number): string {
  return repeated(selection, Math.floor((bytes - 2) / (selection.length + 1)));
}

/** A selection nested `depth` times inside `wrap` (`wrap` holds `$` where the inner part goes). */
export function nested(wrap: string, depth: number, inner: string): string {
  let text = inner;
  for (let i = 0; i < depth; i += 1) text = wrap.replace('$', text);
  return text;
}
