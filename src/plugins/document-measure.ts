/**
 * How big a GraphQL document is once its fragments are spread, computed with numbers instead of by spreading
 * them. A document of 1 KB whose fragments each spread the next one twice stands for 2^26 fields: anything that
 * walks a fragment again at every spread (a naive depth walker, graphql-query-complexity) does exponential work
 * on it. Here every fragment is measured once, after the fragments it spreads, and its figures are reused at each
 * spread, so the whole document is measured in time linear in its size. No recursion either: the traversal keeps
 * its own stack, so a 2,700-link chain of fragments or a selection set nested a thousand deep cannot overflow
 * the call stack. With the schema, the same walk also gives a lower bound of the cost (`Costing`).
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Figures of one selection set as expanded: each fragment spread counted in full, as often as it is spread. */
export interface Measure {
  /** Nesting depth of fields, introspection meta fields (`__schema`, `__type`, `__typename`) not counted. */
  readonly depth: number;
  /** Aliased fields. */
  readonly aliases: number;
  /** Fields, meta fields included. */
  readonly fields: number;
  /** Fields, fragment spreads and inline fragments: what graphql-query-complexity counts as nodes. */
  readonly selections: number;
  /** The longest chain of fragment spreads inside one another. */
  readonly spreadDepth: number;
}

export interface DocumentMeasure {
  /** Per operation; the map's order is the document's. */
  readonly operations: ReadonlyMap<OperationDefinitionNode, Measure>;
  /** Per fragment name (the largest of its definitions when a name is defined twice, which validation refuses). */
  readonly fragments: ReadonlyMap<string, Measure>;
  /** The largest figure of each kind over every operation and fragment of the document. */
  readonly largest: Measure;
  /** A fragment that spreads itself, directly or through others, as `[F, G, ..., F]`; its expansion is endless. */
  readonly cycle: readonly string[] | undefined;
  /** Whether any selection carries @skip or @include: then what runs depends on the variables. */
  readonly conditional: boolean;
  /**
   * With a schema: per operation, a lower bound of what graphql-query-complexity will estimate (see
   * `Costing`), so that an operation over the cost limit can be refused before validation. Undefined
   * without a schema, with a cycle, or when a bound cannot be given (an abstract type, an estimator that throws).
   */
  readonly costs: ReadonlyMap<OperationDefinitionNode, number> | undefined;
}

/**
 * Figures only grow to this and stay there: a 100 KB document can stand for 2^3000 fields, and sums of such
 * numbers must not turn into Infinity or NaN. Any limit is far below it.
 */
export const SATURATED = Number.MAX_SAFE_INTEGER;

const ZERO: Measure = { depth: 0, aliases: 0, fields: 0, selections: 0, spreadDepth: 0 };

const add = (a: number, b: number): number => Math.min(a + b, SATURATED);

/** Two sibling selections: sizes add up, depths do not. */
function beside(a: Measure, b: Measure): Measure {
  return {
    depth: Math.max(a.depth, b.depth),
    aliases: add(a.aliases, b.aliases),
    fields: add(a.fields, b.fields),
    selections: add(a.selections, b.selections),
    spreadDepth: Math.max(a.spreadDepth, b.spreadDepth),
  };
}

function largestOf(a: Measure, b: Measure): Measure {
  return {
    depth: Math.max(a.depth, b.depth),
    aliases: Math.max(a.aliases, b.aliases),
    fields: Math.max(a.fields, b.fields),
    selections: Math.max(a.selections, b.selections),
    spreadDepth: Math.max(a.spreadDepth, b.spreadDepth),
  };
}

/** A selection with the figures of what is below it (its selection set, or the fragment it spreads). */
function around(selection: SelectionNode, inner: Measure | undefined): Measure {
  const below = inner ?? ZERO;
  switch (selection.kind) {
    case Kind.FIELD:
      return {
        // Introspection is not our data and GraphiQL's own query is deep: meta fields add no depth (and, as
        // before, nothing below them counts towards depth).
        depth: selection.name.value.startsWith('__') ? 0 : below.depth + 1,
        aliases: add(below.aliases, selection.alias ? 1 : 0),
        fields: add(below.fields, 1),
        selections: add(below.selections, 1),
        spreadDepth: below.spreadDepth,
      };
    case Kind.INLINE_FRAGMENT:
      return { ...below, selections: add(below.selections, 1) };
    case Kind.FRAGMENT_SPREAD:
      // An unknown fragment (validation refuses it) counts as the spread alone.
      return { ...below, selections: add(below.selections, 1), spreadDepth: below.spreadDepth + 1 };
  }
}

/**
 * The figures of one selection set, given those of the fragments it spreads (`fragment` returns undefined for an
 * unknown one). Post-order with an explicit stack; each selection is visited once.
 */
function measureSelectionSet(root: SelectionSetNode, fragment: (name: string) => Measure | undefined): Measure {
  interface Frame {
    readonly owner: SelectionNode | undefined;
    readonly selections: readonly SelectionNode[];
    next: number;
    sum: Measure;
  }
  const stack: Frame[] = [{ owner: undefined, selections: root.selections, next: 0, sum: ZERO }];
  for (;;) {
    const top = stack[stack.length - 1];
    if (top.next < top.selections.length) {
      const selection = top.selections[top.next++];
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) {
        stack.push({ owner: selection, selections: selection.selectionSet.selections, next: 0, sum: ZERO });
      } else {
        const inner = selection.kind === Kind.FRAGMENT_SPREAD ? fragment(selection.name.value) : undefined;
        top.sum = beside(top.sum, around(selection, inner));
      }
      continue;
    }
    stack.pop();
    const parent = stack[stack.length - 1];
    if (!parent) return top.sum;
    parent.sum = beside(parent.sum, around(top.owner!, top.sum));
  }
}

/** Names of the fragments a selection set spreads, at any depth, in order, with repeats. */
function spreadsIn(root: SelectionSetNode, conditional: { found: boolean }): string[] {
  const names: string[] = [];
  const sets: SelectionSetNode[] = [root];
  for (let set = sets.pop(); set; set = sets.pop()) {
    for (const selection of set.selections) {
      if (selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include'))
        conditional.found = true;
      if (selection.kind === Kind.FRAGMENT_SPREAD) names.push(selection.name.value);
      else if (selection.selectionSet) sets.push(selection.selectionSet);
    }
  }
  return names;
}

export function measureDocument(document: DocumentNode, schema?: GraphQLSchema): DocumentMeasure {
  const definitions = new Map<string, FragmentDefinitionNode[]>();
  const operationNodes: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const name = definition.name.value;
      const same = definitions.get(name);
      if (same) same.push(definition);
      else definitions.set(name, [definition]);
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operationNodes.push(definition);
    }
  }

  const conditional = { found: false };
  const spreads = new Map<string, string[]>();
  for (const [name, defs] of definitions)
    spreads.set(
      name,
      defs.flatMap((def) => spreadsIn(def.selectionSet, conditional)),
    );

  // Fragments in dependency order (depth-first, iterative): a fragment is measured once all it spreads are.
  const fragments = new Map<string, Measure>();
  const costing = schema ? new Costing(schema) : undefined;
  const active = new Map<string, number>(); // name -> its place on the path
  const path: Array<{ name: string; next: number }> = [];
  let cycle: string[] | undefined;
  const lookup = (name: string): Measure | undefined => fragments.get(name);
  for (const start of definitions.keys()) {
    if (fragments.has(start) || cycle) continue;
    path.push({ name: start, next: 0 });
    active.set(start, 0);
    while (path.length > 0 && !cycle) {
      const top = path[path.length - 1];
      const deps = spreads.get(top.name)!;
      if (top.next < deps.length) {
        const dep = deps[top.next++];
        if (!definitions.has(dep) || fragments.has(dep)) continue;
        const at = active.get(dep);
        if (at !== undefined) {
          cycle = [...path.slice(at).map((p) => p.name), dep];
          break;
        }
        active.set(dep, path.length);
        path.push({ name: dep, next: 0 });
        continue;
      }
      let measure: Measure | undefined;
      for (const def of definitions.get(top.name)!) {
        const m = measureSelectionSet(def.selectionSet, lookup);
        measure = measure ? largestOf(measure, m) : m;
      }
      fragments.set(top.name, measure!);
      costing?.costFragment(top.name, definitions.get(top.name)!);
      active.delete(top.name);
      path.pop();
    }
  }

  const operations = new Map<OperationDefinitionNode, Measure>();
  let largest = ZERO;
  for (const m of fragments.values()) largest = largestOf(largest, m);
  if (!cycle) {
    for (const operation of operationNodes) {
      spreadsIn(operation.selectionSet, conditional);
      const m = measureSelectionSet(operation.selectionSet, lookup);
      operations.set(operation, m);
      largest = largestOf(largest, m);
    }
  }
  let costs: Map<OperationDefinitionNode, number> | undefined;
  if (costing && !cycle) {
    costs = new Map();
    for (const operation of operationNodes) costs.set(operation, costing.costOperation(operation));
    if (costing.unknown) costs = undefined;
  }
  return { operations, fragments, largest, cycle, conditional: conditional.found, costs };
}

// ---------------------------------------------------------------------------------------------------------------
// A lower bound of the cost, before validation

/**
 * What graphql-query-complexity computes with `fieldExtensionsEstimator` then `simpleEstimator`, in numbers and
 * with every fragment costed once: a field costs its `complexity` extension (a number added to its children's
 * cost, or a function of it), else 1 plus its children's cost. It is a lower bound, for a document not yet
 * validated and variables not yet coerced: a selection under @skip or @include, an unknown field or type, and a
 * fragment or inline fragment on another type than where it is spread count 0. Estimators get no arguments here
 * (a connection in src/graphql/common/complexity.ts then reads `first` from the document, and counts a variable as its
 * least). An abstract type or an estimator that throws gives no bound.
 */
class Costing {
  /** Set when no bound can be given for this document. */
  unknown = false;
  private readonly fragments = new Map<string, { cost: number; on: string }>();

  constructor(private readonly schema: GraphQLSchema) {}

  costFragment(name: string, definitions: readonly FragmentDefinitionNode[]): void {
    let cost = 0;
    for (const def of definitions) {
      cost = Math.max(cost, this.costSelectionSet(def.selectionSet, this.schema.getType(def.typeCondition.name.value)));
    }
    this.fragments.set(name, { cost, on: definitions[0].typeCondition.name.value });
  }

  costOperation(operation: OperationDefinitionNode): number {
    return this.costSelectionSet(operation.selectionSet, this.schema.getRootType(operation.operation) ?? undefined);
  }

  private fieldOf(type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
    if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
    return isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
  }

  private estimate(
    field: GraphQLField<unknown, unknown>,
    children: number,
    node: SelectionNode,
    type: GraphQLNamedType,
  ): number {
    const complexity = field.extensions?.complexity;
    if (typeof complexity === 'number') return add(children, complexity);
    if (typeof complexity === 'function') {
      try {
        // An estimator, called with the arguments graphql-query-complexity gives it; what it returns is checked below.
        const estimate = complexity as (args: Record<string, unknown>) => unknown;
        const cost: unknown = estimate({ childComplexity: children, args: {}, field, node, type });
        if (typeof cost === 'number' && !Number.isNaN(cost)) return Math.min(cost, SATURATED);
      } catch {
        this.unknown = true;
        return 0;
      }
    }
    return add(children, 1);
  }

  /** Post-order with an explicit stack, like `measureSelectionSet`. */
  private costSelectionSet(root: SelectionSetNode, rootType: GraphQLNamedType | undefined): number {
    interface Frame {
      readonly owner: SelectionNode | undefined;
      readonly selections: readonly SelectionNode[];
      /** The type these selections are on; undefined when unknown (they count 0). */
      readonly type: GraphQLNamedType | undefined;
      /** The owner's field, and whether the owner's cost counts towards its parent's. */
      readonly field: GraphQLField<unknown, unknown> | undefined;
      readonly counts: boolean;
      next: number;
      cost: number;
    }
    const typed = (type: GraphQLNamedType | undefined | null): GraphQLNamedType | undefined => {
      if (type && isAbstractType(type)) this.unknown = true;
      return type && isCompositeType(type) && !isAbstractType(type) ? type : undefined;
    };
    const stack: Frame[] = [
      {
        owner: undefined,
        selections: root.selections,
        type: typed(rootType),
        field: undefined,
        counts: true,
        next: 0,
        cost: 0,
      },
    ];
    for (;;) {
      const top = stack[stack.length - 1];
      if (top.next < top.selections.length) {
        const selection = top.selections[top.next++];
        const counted =
          top.type !== undefined &&
          !selection.directives?.some((d) => d.name.value === 'skip' || d.name.value === 'include');
        if (selection.kind === Kind.FIELD) {
          const field = top.type ? this.fieldOf(top.type, selection.name.value) : undefined;
          if (selection.selectionSet) {
            const type = field ? typed(getNamedType(field.type)) : undefined;
            stack.push({
              owner: selection,
              selections: selection.selectionSet.selections,
              type,
              field,
              counts: counted,
              next: 0,
              cost: 0,
            });
          } else if (counted && field) {
            top.cost = add(top.cost, this.estimate(field, 0, selection, top.type));
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const on = selection.typeCondition?.name.value;
          const same = on === undefined || on === top.type?.name;
          const type = on === undefined ? top.type : typed(this.schema.getType(on));
          stack.push({
            owner: selection,
            selections: selection.selectionSet.selections,
            type,
            field: undefined,
            counts: counted && same,
            next: 0,
            cost: 0,
          });
        } else {
          const fragment = this.fragments.get(selection.name.value);
          if (counted && fragment && fragment.on === top.type.name) top.cost = add(top.cost, fragment.cost);
        }
        continue;
      }
      stack.pop();
      const parent = stack[stack.length - 1];
      if (!parent) return top.cost;
      if (!top.counts) continue;
      if (top.owner!.kind === Kind.FIELD) {
        if (top.field) parent.cost = add(parent.cost, this.estimate(top.field, top.cost, top.owner!, parent.type!));
      } else {
        parent.cost = add(parent.cost, top.cost);
      }
    }
  }
}
