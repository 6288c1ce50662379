// ESLint's flat config (a default export is what ESLint loads). TypeScript is checked with type information through
// the project service, which finds each file's tsconfig on its own.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'coverage/**', 'examples/web-client/src/gql/**'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // An async function with no await is how this code implements an interface that returns a promise (Apollo's
      // plugin hooks, the fakes of the store and of ExpressPlay): a throw in it still becomes a rejection. Promises
      // left unawaited are no-floating-promises' and no-misused-promises' to catch.
      '@typescript-eslint/require-await': 'off',
      // `const { secret: _secret, ...rest } = value` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Vitest types its asymmetric matchers (expect.any, expect.stringMatching, …) as `any`, so that they fit in any
      // expected value: every `{ message: expect.stringMatching(…) }` would be a finding. Other `any`s in tests (a
      // response's json()) are typed where they are read, which no-unsafe-member-access still checks.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
