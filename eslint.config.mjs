import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Code under workflows/ runs in Temporal's deterministic sandbox: it may import only
// other workflow code, domain/ and @temporalio/workflow (activities as types only).
const workflowImports = {
  patterns: [
    {
      regex: '^(?!(\\./|\\.\\./domain/|\\.\\./workflows/|@temporalio/workflow$))',
      message: 'workflows/ may import only workflows/, domain/ and @temporalio/workflow (activity types via `import type`).',
      allowTypeImports: true,
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'ui/dist/', '.data/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  { files: ['workflows/**/*.ts'], rules: { 'no-restricted-imports': ['error', workflowImports] } },
  // Relative imports that stay inside domain/: no packages, nothing more than one level up, and not into a sibling layer.
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\.\\.?/)|^(\\.\\./){2,}|^\\.\\./(api|store|activities|runtime|workflows|ui|bin|test|bench)/', message: 'domain/ is pure: no I/O, no frameworks, only other domain files.' }] }],
    },
  },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], languageOptions: { globals: globals.node } },
  { files: ['test/fixtures/**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' } },
);
