// ESLint 9 flat config: typescript-eslint's `recommended` set, plus the few type-aware rules that
// catch real bugs in a pg/stream codebase (a promise nobody awaits, an await of a non-promise, a
// thrown non-Error). The whole `recommended-type-checked` set is not used: ~240 of its findings
// are no-unsafe-* on values typed `any` by JSON.parse and pg rows, which say nothing new here.
// Formatting is prettier's (`npm run format:check`), so no stylistic rules.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = [
  { ignores: ['dist/', 'bench/out/', 'coverage/', 'fixtures/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The package's own version is read at run time, from the package root.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['/package\\.json$'] }],
      // NUL and other control characters are what the reader repairs: matching them is the point.
      'no-control-regex': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // bench/ loads the built dist/ on purpose: it measures what ships.
    files: ['bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read crawler JSON (fixtures, query rows) whose shape is the thing under test.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
