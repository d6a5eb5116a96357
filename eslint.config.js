import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', '.cache/**', '.local/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]", message: 'no focused or skipped tests' },
      ],
      // Services reach Kafka through @poort/kafka only, so the client can be replaced in one place.
      'no-restricted-imports': ['error', { paths: [{ name: 'kafkajs', message: 'use @poort/kafka' }] }],
    },
  },
  {
    files: ['libs/kafka/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
