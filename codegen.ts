/**
 * npm run codegen: typed documents for the example web clients, and the persisted-documents manifest the server
 * trusts (TRUSTED_DOCUMENTS=allow|only). Works offline: the schema is the committed SDL, not introspection.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

export const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/schema.graphql',
  documents: ['examples/operations/**/*.graphql'],
  // NodeNext/ESM: relative imports in generated code need a .js extension (tsc TS2835 otherwise).
  importExtension: '.js',
  generates: {
    'examples/web-client/src/gql/': {
      preset: 'client',
      // `__typename` on every selection set, in the typed documents and in the manifest alike: a normalizing
      // cache (Apollo Client's InMemoryCache, urql's graphcache) needs it to tell objects apart, and with
      // persisted documents the client cannot add it itself, since the server runs the manifest's text.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: {
        fragmentMasking: false,
        // Emits persisted-documents.json ("sha256:<hex>" -> normalized document text) and puts the same id on
        // each document as __meta__.hash. The npm script then merges it into schema/persisted-documents.json.
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTimeISO: 'string' },
      },
    },
  },
};

// graphql-codegen reads the config file's default export.
export default config;
