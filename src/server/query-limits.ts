/**
 * Limits on what one operation may ask for, checked after validation and before anything runs: nesting depth,
 * aliases (each alias of an upstream-backed field can cost an ExpressPlay call) and an overall cost estimate.
 * Errors say which limit and by how much, so a client developer can fix the query.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../errors/codes.js';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
}

/** Why the operation is refused, or null when it is within the limits. */
type Verdict = string | null;

export function createQueryLimitsPlugin<T extends object>(limits: QueryLimits): ApolloServerPlugin<T> {
  // Apollo hands the same parsed document to every request with the same text, so a verdict is computed once
  // per document and operation. Not for documents with @skip/@include: their cost depends on the variables.
  const verdicts = new WeakMap<DocumentNode, Map<string, Verdict>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (!operation) return;
          const name = operation.name?.value ?? '';
          let refusal = verdicts.get(document)?.get(name);
          if (refusal === undefined) {
            const verdict = judge(limits, schema, document, operation, request.operationName, request.variables);
            if (verdict === null) return;
            refusal = verdict.refusal;
            if (!verdict.conditional) {
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

/** The limits' verdict on one operation, or null when the variables are invalid (execution reports that). */
function judge(
  limits: QueryLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): { refusal: Verdict; conditional: boolean } | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const { depth, aliases, conditional } = measure(operation, fragments);
  if (depth > limits.maxDepth) {
    return { conditional, refusal: `Query depth ${depth} exceeds the limit of ${limits.maxDepth}; ask for less nesting.` };
  }
  if (aliases > limits.maxAliases) {
    return {
      conditional,
      refusal: `The query uses ${aliases} aliases, more than the limit of ${limits.maxAliases}; split it into several requests.`,
    };
  }
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      operationName: operationName ?? undefined,
      variables: variables ?? {},
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    // getComplexity coerces the variables and throws on bad ones. Execution reports exactly that, as
    // BAD_USER_INPUT with HTTP 400; a throw from here would turn it into a 500.
    return null;
  }
  if (cost > limits.maxCost) {
    return {
      conditional,
      refusal: `The query's estimated cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer fields or items.`,
    };
  }
  return { conditional, refusal: null };
}

function tooComplex(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, http: { status: 400 } } });
}

/** Depth of the deepest field and the number of aliased fields, following fragments (each at most once per path). */
function measure(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { depth: number; aliases: number; conditional: boolean } {
  let aliases = 0;
  let conditional = false;
  const walk = (set: SelectionSetNode, depth: number, seen: ReadonlySet<string>): number => {
    let deepest = depth;
    for (const selection of set.selections) {
      if (selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include')) conditional = true;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        if (selection.name.value.startsWith('__')) continue; // introspection meta fields are not our data
        deepest = Math.max(deepest, selection.selectionSet ? walk(selection.selectionSet, depth + 1, seen) : depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, walk(selection.selectionSet, depth, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          deepest = Math.max(deepest, walk(fragment.selectionSet, depth, new Set([...seen, name])));
        }
      }
    }
    return deepest;
  };
  const depth = walk(operation.selectionSet, 0, new Set());
  return { depth, aliases, conditional };
}
