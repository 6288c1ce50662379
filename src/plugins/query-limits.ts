/**
 * Limits on what one operation may ask for: nesting depth, aliases (each alias of an upstream-backed field can
 * cost an ExpressPlay call) and an overall cost estimate. Errors say which limit and by how much, so a client
 * developer can fix the query.
 *
 * Two stages, both fed by `measureDocument`, which sizes a document as expanded (every fragment spread in full)
 * in time linear in its text:
 * - `queryLimitsJudge`, the guard in front of Apollo (in request-gate.ts's Express middleware and in the GraphQL
 *   fast path), refuses by shape (depth, aliases, fields and selections as expanded, fragment cycles and chains) and
 *   by a lower bound of the cost that needs no variables, before anything else looks at the document.
 *   What it lets through expands to at most GRAPHQL_MAX_COST fields, so that graphql-js validation and
 *   graphql-query-complexity, which both walk a fragment again at each spread, only ever see bounded documents.
 * - `createQueryLimitsPlugin`, after validation, judges the shape again (for callers that bypass HTTP) and then
 *   the cost, which needs the schema and the variables. An operation whose cost cannot be estimated is refused.
 *
 * Why middleware and not a validation rule or an earlier Apollo hook: Apollo validates (all of graphql-js's rules
 * in one parallel visit) before the first hook whose throw becomes a client error (`didResolveOperation`). A throw
 * from `didResolveSource`, `parsingDidStart` or `validationDidStart` escapes Apollo's request pipeline and comes
 * back as a logged HTTP 500 for the whole request, batch included. A custom validation rule that refuses on
 * entering the Document cannot stop the other rules of the same visit either: OverlappingFieldsCanBeMergedRule
 * still compares every pair of same-named fields, up to its budget (about 0.3 s on a small VM for a 100 KB
 * body of 5,000 identical fields). In front of Apollo, a refused document costs one parse and one linear walk,
 * and no token check or loader is set up for it; an accepted one is parsed twice, which is linear too.
 *
 * What the guard lets through still meets that rule: it compares same-named fields pairwise, but over at most
 * GRAPHQL_MAX_COST fields of an operation within the cost limit, and graphql-js stops it at a fixed budget
 * (500,000 comparisons).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../errors/codes.js';
import { measureDocument, SATURATED, type DocumentMeasure } from './document-measure.js';
import { isObject, type Judge } from '../http/request-gate.js';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
}

/**
 * Fragments spread inside one another more deeply than this are refused. Real documents nest fragments a few
 * levels (one per screen component, Relay-style); a chain of thousands has no use, and graphql-js validation,
 * graphql-query-complexity and execution all recurse once per link.
 */
export const MAX_FRAGMENT_NESTING = 100;

/**
 * graphql-query-complexity counts fields, fragment spreads and inline fragments ("nodes") as it expands them, and
 * gives up at its own maximum. Allow this many selections per unit of cost, and tell it the same bound, so that a
 * document the guard admitted is never one it gives up on.
 */
const SELECTIONS_PER_COST = 10;

/** Why the operation is refused, or null when it is within the limits. */
type Verdict = string | null;

/** The `maxQueryNodes` given to graphql-query-complexity: one more than the guard lets through. */
function maxSelections(limits: QueryLimits): number {
  return SELECTIONS_PER_COST * limits.maxCost;
}

const count = (n: number): string => (n >= SATURATED ? `more than ${SATURATED}` : String(n));

/**
 * The verdict on a document's shape, without the variables: on the whole document (every operation and fragment:
 * validation walks them all) for size, cycles and fragment nesting, and on the operation that runs, when known,
 * for depth, aliases and (when measured with the schema) a lower bound of its cost.
 */
export function judgeShape(
  limits: QueryLimits,
  measured: DocumentMeasure,
  operation: OperationDefinitionNode | null | undefined,
): Verdict {
  if (measured.cycle) {
    return (
      `Fragment ${measured.cycle[0]} spreads itself (${measured.cycle.join(' -> ')}), so the query never ends; ` +
      'remove the cycle.'
    );
  }
  const { largest } = measured;
  if (largest.spreadDepth > MAX_FRAGMENT_NESTING) {
    return (
      `Fragments are spread inside one another ${largest.spreadDepth} deep, more than the limit of ` +
      `${MAX_FRAGMENT_NESTING}; spread them side by side instead.`
    );
  }
  const own = operation ? measured.operations.get(operation) : undefined;
  if (own && own.depth > limits.maxDepth) {
    return `Query depth ${own.depth} exceeds the limit of ${limits.maxDepth}; ask for less nesting.`;
  }
  if (own && own.aliases > limits.maxAliases) {
    return `The query uses ${count(own.aliases)} aliases, more than the limit of ${limits.maxAliases}; split it into several requests.`;
  }
  // Every field costs at least 1 (simpleEstimator, and each cost in src/graphql/common/complexity.ts is 1 or more), so a
  // document with more fields than the cost limit, once its fragments are expanded, is over it: say so without
  // asking graphql-query-complexity, which would expand them one by one. Only @skip/@include could make the
  // real cost lower, and a document that needs that many fields to be skipped has no use either.
  if (largest.fields > limits.maxCost) {
    return (
      `The query's estimated cost is at least ${count(largest.fields)} (it selects that many fields once its ` +
      `fragments are expanded), more than the limit of ${limits.maxCost}; ask for fewer fields or items.`
    );
  }
  if (largest.selections > maxSelections(limits)) {
    return (
      `The query expands to ${count(largest.selections)} selections (fields, fragment spreads and inline fragments), ` +
      `more than the limit of ${maxSelections(limits)}; spread fewer fragments.`
    );
  }
  // Measured with the schema (the guard): a lower bound of the cost, so that validation does not run for an
  // operation that is over the limit anyway. 500 copies of `contents { id }` are 1,000 fields, within the field
  // bound, but cost 20,000, and validation compares their 125,000 pairs first.
  const cost = operation ? measured.costs?.get(operation) : undefined;
  if (cost !== undefined && cost > limits.maxCost) {
    return `The query's estimated cost is at least ${count(cost)}, more than the limit of ${limits.maxCost}; ask for fewer fields or items.`;
  }
  return null;
}

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } } });
}

/**
 * The guard's verdict on a document's text: a refusal, null within the limits, or undefined when the text does
 * not parse (Apollo answers syntax errors itself). Linear in the text's length.
 */
export function judgeQueryText(
  limits: QueryLimits,
  schema: GraphQLSchema,
  query: string,
  operationName?: string,
): Verdict | undefined {
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return undefined;
  }
  return judgeShape(limits, measureDocument(document, schema), getOperationAST(document, operationName));
}

/** Documents whose verdict the guard remembers (the oldest goes first), and the longest text it remembers one for. */
const MAX_REMEMBERED_VERDICTS = 1000;
const MAX_REMEMBERED_TEXT = 8192;

/**
 * The guard: what it decides for one request, before Apollo (after trusted documents, which turn ids into text). One
 * instance serves Express and the fast path, so that a text is judged once.
 */
export function queryLimitsJudge(limits: QueryLimits, schema: GraphQLSchema): Judge {
  // A text's verdict depends on the text and the operation chosen, nothing else: clients send the same few documents
  // over and over, so each is parsed and measured once, not on every request. Bounded in count and text length.
  const verdicts = new Map<string, Verdict | undefined>();
  const judged = (query: string, operationName: string | undefined): Verdict | undefined => {
    if (query.length > MAX_REMEMBERED_TEXT) return judgeQueryText(limits, schema, query, operationName);
    const key = `${operationName ?? ''}\u0000${query}`;
    if (verdicts.has(key)) return verdicts.get(key);
    const verdict = judgeQueryText(limits, schema, query, operationName);
    if (verdicts.size >= MAX_REMEMBERED_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(key, verdict);
    return verdict;
  };
  return (request) => {
    if (!isObject(request) || typeof request.query !== 'string') return { ok: true, request };
    const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
    const refusal = judged(request.query, operationName);
    if (refusal === null || refusal === undefined) return { ok: true, request };
    return { ok: false, status: 400, error: { message: refusal, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } } };
  };
}

export function createQueryLimitsPlugin<T extends object>(limits: QueryLimits): ApolloServerPlugin<T> {
  // Apollo hands the same parsed document to every request with the same text, so a verdict is computed once
  // per document and operation. Not for documents with @skip/@include: their cost depends on the variables.
  const verdicts = new WeakMap<DocumentNode, Map<string, Verdict>>();
  const measures = new WeakMap<DocumentNode, DocumentMeasure>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (!operation) return;
          const name = operation.name?.value ?? '';
          let refusal = verdicts.get(document)?.get(name);
          if (refusal === undefined) {
            let measured = measures.get(document);
            if (!measured) {
              measured = measureDocument(document);
              measures.set(document, measured);
            }
            const verdict = judge(limits, schema, document, measured, operation, request.variables);
            if (verdict === undefined) return;
            refusal = verdict;
            if (!measured.conditional) {
              const byName = verdicts.get(document) ?? new Map<string, Verdict>();
              byName.set(name, refusal);
              verdicts.set(document, byName);
            }
          }
          if (refusal !== null) throw tooComplex(refusal);
        },
      };
    },
  };
}

/**
 * The limits' verdict on one validated operation, or undefined for no verdict: bad variables, which execution
 * reports as BAD_USER_INPUT with HTTP 400.
 */
function judge(
  limits: QueryLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  measured: DocumentMeasure,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Verdict | undefined {
  const shape = judgeShape(limits, measured, operation);
  if (shape !== null) return shape;
  // getComplexity coerces the variables and throws on bad ones. Check them first, the way execution will: bad
  // variables get no verdict here, and execution reports them as BAD_USER_INPUT with HTTP 400.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
  if (coerced.errors) return undefined;
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      operationName: operation.name?.value,
      variables: variables ?? {},
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      maxQueryNodes: maxSelections(limits) + 1,
    });
  } catch {
    // Fail closed: an operation whose cost cannot be estimated is not run. (Its variables are fine, see above;
    // what is left is graphql-query-complexity giving up, or an estimator throwing.)
    return "The query's cost could not be estimated, so it is refused; ask for fewer fields, items or fragments.";
  }
  if (cost > limits.maxCost) {
    return `The query's estimated cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer fields or items.`;
  }
  return null;
}
