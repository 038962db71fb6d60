import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const TESTS = ['**/*.test.ts', '**/*.test.tsx'];
const electron = {
  name: 'electron',
  message: 'Only the desktop shell (src/main/shell) and the preload use Electron.',
};
const testing = {
  group: ['**/testing/**', '**/testing'],
  message: 'Test scaffolding (src/testing) is for tests only: production code never imports it.',
};

/**
 * `no-restricted-imports` per folder. Rules of the same name do not merge across config objects,
 * so each folder gets one rule with everything it may not import.
 */
function layers() {
  const rule = (files, paths, patterns, ignores = TESTS) => ({
    files,
    ignores,
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  });
  return [
    rule(
      ['src/shared/**/*.ts'],
      [electron],
      [
        {
          group: ['**/main/**', '**/renderer/**', '**/preload/**'],
          message: 'src/shared is the contract: it imports nothing from main, renderer or preload.',
        },
        { group: ['node:*'], message: 'src/shared runs in the renderer too: no Node modules.' },
        testing,
      ],
      [],
    ),
    rule(
      ['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'],
      [electron],
      [
        {
          group: ['**/main/**', '**/preload/**'],
          message: 'The renderer talks to the engine only through the API object typed by src/shared.',
        },
        { group: ['node:*'], message: 'The renderer has no Node modules.' },
        testing,
      ],
    ),
    rule(
      ['src/main/engine/**/*.ts'],
      [{ name: 'electron', message: 'The engine runs under plain Node.' }],
      [
        {
          group: ['**/cli/**', '**/rpc/**', '**/shell/**', '**/host/**'],
          message:
            'The engine is the bottom layer: it never imports the CLI, the RPC, the shell or the host.',
        },
        testing,
      ],
    ),
    rule(
      ['src/main/cli/**/*.ts', 'src/main/rpc/**/*.ts'],
      [electron],
      [{ group: ['**/shell/**'], message: 'Only the desktop app uses the shell.' }, testing],
    ),
    rule(['src/main/shell/**/*.ts', 'src/preload/**/*.ts', 'src/main/*.ts'], [], [testing]),
  ];
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'drizzle/meta/**',
      'drizzle-pg/meta/**',
      '.vminer-demo/**',
      '.tmp/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Layers (docs/architecture.md): each folder may import only from the layers below it.
  ...layers(),
  prettier,
);
