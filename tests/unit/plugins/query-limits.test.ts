/**
 * The query-limit guard against a large generated family of hostile documents, up to the body limit: each must be
 * judged quickly (the old walker re-walked a fragment at every spread: 93 s for a 1 KB document), and for those
 * small enough to expand by brute force, its figures and its verdict must agree with the expansion. Documents it
 * lets through must then be quick to validate and to cost, and cost at least one per field.
 */
import { Kind, parse, validate, type DocumentNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureDocument, type Measure } from '../../../src/plugins/document-measure.js';
import { buildAppSchema } from '../../../src/graphql/build-schema.js';
import { judgeQueryText, MAX_FRAGMENT_NESTING, type QueryLimits } from '../../../src/plugins/query-limits.js';
import { chain, costPadding, fanOut, nested, repeated, repeatedUpTo } from '../../helpers/hostile-documents.js';

const LIMITS: QueryLimits = { maxDepth: 8, maxAliases: 60, maxCost: 1000 };
const BODY_LIMIT = 100_000;
/** Generous: a 100 KB document is judged in tens of milliseconds; the old walker took seconds from 20 levels on. */
const QUICK_MS = 2000;

interface Case {
  readonly name: string;
  readonly text: string;
  readonly operationName?: string;
}

/** The family: fan-outs of several widths and depths, chains, and mixes, all under the body limit. */
function family(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, text: string, operationName?: string) => {
    if (text.length < BODY_LIMIT) cases.push({ name, text, ...(operationName ? { operationName } : {}) });
  };
  const leaves = [
    '__typename',
    'contents{nodes{id title}}',
    'a:content(id:"sintel"){id}',
    '... on Query{__typename}',
    'contents{nodes{rental{periodSeconds}}}',
    'contents(first:3){edges{cursor node{id}}}',
    'deviceBindings(first:100){nodes{id}}',
  ];
  const levels = [0, 1, 2, 3, 5, 8, 9, 10, 11, 13, 16, 20, 26, 40, 64, 99, 100, 101, 200, 1000, 2600];
  for (const width of [1, 2, 3, 4, 8, 16]) {
    for (const level of levels) {
      // Long ones once: the leaf makes no difference there, and each is up to 100 KB to parse.
      for (const leaf of level >= 1000 ? leaves.slice(0, 1) : leaves) {
        add(`fan-out ${width}^${level} of ${leaf}`, fanOut(level, { width, leaf }));
      }
    }
  }
  for (const links of [1, 50, 99, 100, 101, 1000, 2700]) add(`chain of ${links}`, chain(links));

  // Wide and flat, up to the body limit.
  for (const selection of [
    'a:contents{nodes{id}}',
    'contents{nodes{id}}',
    '__typename',
    'a:__typename',
    'content(id:"x"){id}',
  ]) {
    add(`repeated ${selection}`, repeatedUpTo(selection, BODY_LIMIT - 100));
    add(`1000 x ${selection}`, repeated(selection, 1000));
    add(`500 x ${selection}`, repeated(selection, 500));
  }
  add('distinct aliases', `{${Array.from({ length: 5000 }, (_, i) => `a${i}:contents{nodes{id}}`).join(' ')}}`);
  add(
    'one fragment spread 20,000 times',
    `${repeatedUpTo('...F', BODY_LIMIT - 200)} fragment F on Query{contents{nodes{id}}}`,
  );
  add(
    'spreads of distinct fragments',
    (() => {
      const n = 2000;
      const spreads = Array.from({ length: n }, (_, i) => `...F${i}`).join(' ');
      return `{${spreads}} ${Array.from({ length: n }, (_, i) => `fragment F${i} on Query{a:contents{nodes{id}}}`).join(' ')}`;
    })(),
  );

  // Deep nesting: fields, inline fragments, and inline fragments inside a fanned-out fragment.
  for (const depth of [8, 9, 100, 1000]) {
    add(`fields nested ${depth}`, `{${nested('contents{$}', depth, 'id')}}`);
    add(`inline fragments nested ${depth}`, `{${nested('... on Query{$}', depth, '__typename')}}`);
  }
  add('too deep to parse', `{${nested('a{$}', 20_000, 'b')}}`);
  for (const [inline, fan] of [
    [300, 9],
    [20, 5],
    [9, 6],
  ] as const) {
    add(
      `${inline} nested inline fragments in a 2^${fan} fan-out`,
      `query Q{...X0} ${Array.from({ length: fan }, (_, i) => `fragment X${i} on Query{...X${i + 1} ...X${i + 1}}`).join(' ')} ` +
        `fragment X${fan} on Query{${nested('... on Query{$}', inline, '__typename')}}`,
    );
  }

  // Mixes: aliases, inline fragments and nested fields at every level of a fan-out.
  for (const [width, level] of [
    [2, 5],
    [2, 10],
    [2, 26],
    [3, 7],
    [5, 4],
    [5, 30],
  ] as const) {
    const lines = ['query Mix{...M0}'];
    for (let i = 0; i < level; i += 1) {
      const spreads = Array.from({ length: width }, () => `...M${i + 1}`).join(' ');
      lines.push(`fragment M${i} on Query{a${i}:contents{nodes{id ... on Content{title}}} ... on Query{${spreads}}}`);
    }
    lines.push(`fragment M${level} on Query{content(id:"x"){rental{periodSeconds}}}`);
    add(`mix ${width}^${level}`, lines.join('\n'));
  }
  add('cost padding', costPadding());
  add('cost padding, 4 levels', costPadding(4));

  // Cycles, fragments nobody spreads, several operations, names defined twice.
  add('two-fragment cycle', 'query C{...A} fragment A on Query{...B ...B} fragment B on Query{...A __typename}');
  add('fan-out closing a cycle', fanOut(20, { leaf: '...F0' }));
  add('self spread', 'query S{...A} fragment A on Query{...A}');
  add('unused fan-out', `query U{__typename} ${fanOut(26, { name: 'G' }).replace('query FanOut{...G0}', '')}`);
  add('small operation beside a fan-out', `query Small{__typename} ${fanOut(26)}`, 'Small');
  add('the fan-out beside a small operation', `query Small{__typename} ${fanOut(26)}`, 'FanOut');
  add(
    'fragment defined twice',
    `query D{...F1} fragment F1 on Query{__typename} ${fanOut(26).replace('query FanOut{...F0}', '')}`,
  );
  return cases;
}

// ---------------------------------------------------------------------------------------------------------------
// Brute force: expand every spread, as the old walker and graphql-query-complexity do, within a budget.

const ZERO: Measure = { depth: 0, aliases: 0, fields: 0, selections: 0, spreadDepth: 0 };
const BUDGET = 20_000;
class TooBig extends Error {}
class Cycle extends Error {}

type Expansion =
  { kind: 'figures'; operations: Map<string, Measure>; largest: Measure } | { kind: 'cycle' } | { kind: 'skip' };

function bruteForce(document: DocumentNode): Expansion {
  const fragments = new Map<string, SelectionSetNode>();
  for (const def of document.definitions) {
    if (def.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if (fragments.has(def.name.value)) return { kind: 'skip' }; // validation's business
    fragments.set(def.name.value, def.selectionSet);
  }
  let visited = 0;
  const path = new Set<string>(); // the fragments being expanded, outermost first
  const expand = (set: SelectionSetNode): Measure => {
    let m = ZERO;
    for (const selection of set.selections) {
      if ((visited += 1) > BUDGET) throw new TooBig();
      let inner = ZERO;
      let own = { depth: 0, aliases: 0, fields: 0, spreadDepth: 0 };
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) inner = expand(selection.selectionSet);
        const meta = selection.name.value.startsWith('__');
        own = {
          depth: meta ? 0 : inner.depth + 1,
          aliases: selection.alias ? 1 : 0,
          fields: 1,
          spreadDepth: inner.spreadDepth,
        };
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = expand(selection.selectionSet);
        own = { depth: inner.depth, aliases: 0, fields: 0, spreadDepth: inner.spreadDepth };
      } else {
        const name = selection.name.value;
        const target = fragments.get(name);
        if (path.has(name)) throw new Cycle();
        if (target) {
          path.add(name);
          inner = expand(target);
          path.delete(name);
        }
        own = { depth: inner.depth, aliases: 0, fields: 0, spreadDepth: inner.spreadDepth + 1 };
      }
      m = {
        depth: Math.max(m.depth, own.depth),
        aliases: m.aliases + own.aliases + inner.aliases,
        fields: m.fields + own.fields + inner.fields,
        selections: m.selections + 1 + inner.selections,
        spreadDepth: Math.max(m.spreadDepth, own.spreadDepth),
      };
    }
    return m;
  };
  try {
    const operations = new Map<string, Measure>();
    let largest = ZERO;
    const keep = (m: Measure) => {
      largest = {
        depth: Math.max(largest.depth, m.depth),
        aliases: Math.max(largest.aliases, m.aliases),
        fields: Math.max(largest.fields, m.fields),
        selections: Math.max(largest.selections, m.selections),
        spreadDepth: Math.max(largest.spreadDepth, m.spreadDepth),
      };
    };
    for (const [name, set] of fragments) {
      path.add(name);
      keep(expand(set));
      path.delete(name);
    }
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const m = expand(def.selectionSet);
      operations.set(def.name?.value ?? '', m);
      keep(m);
    }
    return { kind: 'figures', operations, largest };
  } catch (error) {
    if (error instanceof Cycle) return { kind: 'cycle' };
    if (error instanceof TooBig || error instanceof RangeError) return { kind: 'skip' };
    throw error;
  }
}

/** What the limits say about brute-force figures: the rules of judgeShape, restated. */
function expectedRefusal(expansion: Expansion & { kind: 'figures' }, operationName: string | undefined): boolean {
  const { largest, operations } = expansion;
  const own =
    operationName !== undefined
      ? operations.get(operationName)
      : operations.size === 1
        ? [...operations.values()][0]
        : undefined;
  return (
    largest.spreadDepth > MAX_FRAGMENT_NESTING ||
    (own !== undefined && (own.depth > LIMITS.maxDepth || own.aliases > LIMITS.maxAliases)) ||
    largest.fields > LIMITS.maxCost ||
    largest.selections > 10 * LIMITS.maxCost
  );
}

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

describe('query limits on hostile documents', () => {
  const cases = family();

  it('generates a large family, up to the body limit', () => {
    expect(cases.length).toBeGreaterThan(500);
    expect(Math.max(...cases.map((c) => c.text.length))).toBeGreaterThan(0.9 * BODY_LIMIT);
  });

  it('judges every document quickly, and as brute-force expansion would for the small ones', () => {
    let compared = 0;
    let refused = 0;
    for (const c of cases) {
      const started = performance.now();
      const verdict = judgeQueryText(LIMITS, schema, c.text, c.operationName);
      const ms = performance.now() - started;
      expect(ms, `${c.name} (${c.text.length} bytes) judged in ${ms.toFixed(0)} ms`).toBeLessThan(QUICK_MS);
      if (typeof verdict === 'string') refused += 1;

      let document: DocumentNode;
      try {
        document = parse(c.text, { noLocation: true });
      } catch {
        expect(verdict, c.name).toBeUndefined(); // unparseable: Apollo answers it
        continue;
      }
      const expansion = bruteForce(document);
      if (expansion.kind === 'cycle') {
        expect(verdict, c.name).toMatch(/spreads itself/);
        compared += 1;
      } else if (expansion.kind === 'figures') {
        const measured = measureDocument(document);
        expect(measured.largest, c.name).toEqual(expansion.largest);
        for (const [operation, m] of measured.operations)
          expect(m, c.name).toEqual(expansion.operations.get(operation.name?.value ?? ''));
        // Past the shape, the guard also refuses by a lower bound of the cost (checked against
        // graphql-query-complexity below).
        if (expectedRefusal(expansion, c.operationName)) expect(verdict, c.name).toEqual(expect.any(String));
        else if (verdict !== null)
          expect(verdict, c.name).toMatch(/estimated cost is at least \d+, more than the limit/);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });

  it('refuses the documents from the issue', () => {
    expect(judgeQueryText(LIMITS, schema, fanOut(26))).toMatch(/estimated cost is at least 67108864/);
    expect(judgeQueryText(LIMITS, schema, chain(2700))).toMatch(/2701 deep, more than the limit of 100/);
    expect(judgeQueryText(LIMITS, schema, costPadding())).toMatch(/estimated cost is at least \d+/);
    expect(judgeQueryText(LIMITS, schema, costPadding(4))).toMatch(
      /estimated cost is at least 7216, more than the limit of 1000/,
    );
    expect(judgeQueryText(LIMITS, schema, fanOut(2600))).toMatch(/2601 deep, more than the limit of 100/);
    // Past 2^53 the figures stay put instead of turning into Infinity or NaN.
    expect(judgeQueryText(LIMITS, schema, fanOut(90, { width: 16 }))).toMatch(/more than 9007199254740991/);
  });

  it('lets through only documents that validation and graphql-query-complexity handle quickly, with a sound cost bound', () => {
    let checked = 0;
    let refusedByCost = 0;
    for (const c of cases) {
      const verdict = judgeQueryText(LIMITS, schema, c.text, c.operationName);
      const byCost = typeof verdict === 'string' && /estimated cost is at least \d+, more than/.test(verdict);
      if (verdict !== null && !byCost) continue;
      const document = parse(c.text);
      const started = performance.now();
      const errors = validate(schema, document);
      const ms = performance.now() - started;
      // Only what the guard admits reaches validation in the service.
      if (!byCost) expect(ms, `${c.name}: validated in ${ms.toFixed(0)} ms`).toBeLessThan(QUICK_MS);
      if (errors.length > 0) continue;
      const cost = getComplexity({
        schema,
        query: document,
        operationName: c.operationName,
        variables: {},
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
        maxQueryNodes: 10 * LIMITS.maxCost + 1,
      });
      const measured = measureDocument(document, schema);
      // The guard's arguments: every field costs at least 1, and its bound never exceeds the real estimate.
      expect(cost, c.name).toBeGreaterThanOrEqual(measured.largest.fields);
      const bound = [...measured.costs!.values()][0];
      expect(bound, c.name).toBeLessThanOrEqual(cost);
      if (!measured.conditional) expect(bound, c.name).toBe(cost);
      if (byCost) refusedByCost += 1;
      checked += 1;
    }
    expect(checked).toBeGreaterThan(50);
    expect(refusedByCost).toBeGreaterThan(5);
  });
});
