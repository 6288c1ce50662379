import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { resolvers } from './index.js';

/** Decorators carry explicit types, so the schema is the same under tsc, tsx and vitest. */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({ resolvers, validate: false });
  // type-graphql has no option for root type descriptions; they are plain properties, set once here.
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  if (query)
    query.description =
      'Reads: your device bindings, entitlements, history, license URLs and the catalog; support look-ups.';
  if (mutation) {
    mutation.description =
      'Writes: bind, rename and unbind devices, purchase and rent titles; admins: the catalog and support.';
  }
  return schema;
}

/** The committed SDL: sorted, so that a diff shows only real changes. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
