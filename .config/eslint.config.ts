import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Process boundaries are enforced here, not by memory (STYLE.md):
 * - shared/ imports nothing from node, the DOM, electron/ or renderer/;
 * - electron/engine/ never imports electron;
 * - renderer/ never imports node or electron;
 * - only electron/engine/db/ imports @duckdb/node-api.
 */
const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'https',
  'net',
  'zlib',
  'stream',
  'url',
  'util',
  'worker_threads',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'test/.cache/**',
      'test/e2e/artifacts/**',
      'test-results/**',
      'resources/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@duckdb/*'], message: 'Only electron/engine/db/ may import DuckDB.' }] },
      ],
    },
  },
  {
    files: ['electron/engine/db/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['electron/engine/**'],
    ignores: ['electron/engine/db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The engine runs without Electron (web mode, CLI).' }],
          patterns: [
            { group: ['@duckdb/*'], message: 'Only electron/engine/db/ may import DuckDB.' },
            {
              group: ['**/renderer/**', '**/main/**', '**/server/**', '**/cli/**'],
              message: 'The engine is imported by the shells, never the reverse.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            { group: nodeBuiltins, message: 'shared/ runs everywhere: no node imports.' },
            {
              group: ['**/electron/**', '**/renderer/**', '@duckdb/*'],
              message: 'shared/ imports nothing from electron/ or renderer/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron'],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer is a web page: no node imports.' },
            {
              group: ['**/electron/**', '@duckdb/*'],
              message: 'The renderer talks to the engine only through lib/api-client.ts.',
            },
          ],
        },
      ],
    },
  },
);
