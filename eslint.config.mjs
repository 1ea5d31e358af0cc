import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

const constraints = (extraForTests) => [
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:util', 'type:data-access'] },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:domain', 'type:contract'] },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:connector', onlyDependOnLibsWithTags: ['type:util', 'type:contract', ...extraForTests] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:util', 'type:data-access', 'type:domain', 'type:contract', 'type:connector', ...extraForTests] },
  { sourceTag: 'scope:connector', bannedExternalImports: ['express', 'better-sqlite3', 'kysely'] },
  { sourceTag: 'scope:core', bannedExternalImports: ['jsforce', 'express'] },
  { sourceTag: 'scope:shared', bannedExternalImports: ['jsforce', 'express'] },
  { sourceTag: 'scope:app', bannedExternalImports: ['jsforce'] },
];

const boundaries = (extraForTests) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], banTransitiveDependencies: false, depConstraints: constraints(extraForTests) },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/data/**', '.nx/**', '**/vitest.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': boundaries([]),
    },
  },
  {
    // Connectors reach the network only through `context.http` (the host's egress policy).
    files: ['libs/connectors/**/*.ts', 'tools/generators/src/connector/files/**'],
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use context.http (the egress policy) instead of fetch.' }],
      'no-restricted-imports': [
        'error',
        {
          paths: ['http', 'https', 'net', 'tls', 'dgram', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:dgram', 'undici', 'node-fetch', 'axios'].map((name) => ({
            name,
            message: 'Connectors reach the network only through context.http (the egress policy).',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/testing/**/*.ts', '**/bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests (only tests) may start the Salesforce emulator from tools/.
      '@nx/enforce-module-boundaries': boundaries(['type:tool']),
    },
  },
];
