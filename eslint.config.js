// ESLint flat config: typescript-eslint's type-checked recommended rules for the server, tests, benchmarks and the two
// front-ends, then eslint-config-prettier last so formatting is Prettier's alone (`npm run lint` runs both).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'coverage/**', 'test-results/**', 'var/**', 'data/**', 'docs/**', 'bench/results/**', '**/*.min.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // projectService finds the nearest tsconfig.json: the root one for src/test/bench, agent-console's and widget's own.
      parserOptions: {
        projectService: {
          allowDefaultProject: ['agent-console/vite.config.ts', 'widget/vite.config.ts', 'portal/vite.config.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // Query results (TypeORM `query()`, pg rows) are `any` in ~200 places; typing them is its own sweep, not a lint fix.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // Same sweep: the explicit `any`s are row mappers over those query results and test doubles of third-party clients.
      '@typescript-eslint/no-explicit-any': 'off',
      // Adapters, shutdown hooks and test doubles implement Promise-returning interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
      // Stripping control characters from hostile input is exactly what those regular expressions are for.
      'no-control-regex': 'off',
      // It flags `String(v)` of an `unknown` narrowed past null (typed `{}`), which is how the CSV and dimension keys are built.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // The front-ends take the API's types from the server (tsconfig path @server/*): its type-only *.api modules, with
    // `import type`, so nothing of the server reaches a bundle (docs/architecture.md, "API types").
    files: ['agent-console/src/**/*.{ts,tsx}', 'widget/src/**/*.ts', 'portal/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration'].flatMap((node) => [
          {
            selector: `${node}[source.value=/^@server\\//]:not([source.value=/\\.api$/])`,
            message: "The front-ends import only the server's type-only *.api modules.",
          },
          {
            selector: `${node}[source.value=/^@server\\//]:not([${node === 'ImportDeclaration' ? 'importKind' : 'exportKind'}="type"])`,
            message: 'Types only from the server (`import type`, `export type`): nothing of it is bundled.',
          },
          { selector: `${node}[source.value=/^(\\.\\.\\/)+src\\//]`, message: 'Import the server through the @server/* path.' },
        ]),
      ],
    },
  },
  {
    // Plain JavaScript scripts (benchmarks, loaders, configs) run on Node: TypeScript does not check them, so no-undef stays on.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'fetch', 'performance', 'setTimeout', 'clearTimeout', 'Buffer', 'module', 'require', '__dirname'].map(
          (g) => [g, 'readonly'],
        ),
      ),
    },
  },
  prettier,
);
