import { readFile } from 'node:fs/promises';
import { isObjectType, isInputObjectType, isEnumType, type GraphQLField, type GraphQLInputField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildAppSchema, printAppSchema } from '../../../src/graphql/build-schema.js';

describe('schema', () => {
  it('matches the committed schema/schema.graphql (run `npm run schema` after changing the API)', async () => {
    const committed = await readFile('schema/schema.graphql', 'utf8');
    expect(printAppSchema(await buildAppSchema())).toBe(committed);
  });

  it('describes every type, field and argument, and never exposes a content key or cookie', async () => {
    const schema = await buildAppSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Boolean', 'Int', 'Float', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        const fields = Object.values<GraphQLField<unknown, unknown> | GraphQLInputField>(type.getFields());
        for (const field of fields) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
          if (isObjectType(type) && /contentKey|cookie|customerAuthenticator/i.test(field.name)) {
            missing.push(`LEAK ${type.name}.${field.name}`);
          }
        }
      }
      if (isEnumType(type))
        for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});
