// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, Svelte's, and
// prettier's switch-offs (formatting is Prettier's job: `npm run format`).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'bridge-agent/dist/',
			'node_modules/',
			'bridge-agent/node_modules/',
			'runs/',
			'bench/results/',
			'test-results/',
			'.test-output/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: { globals: { ...globals.browser, ...globals.node } },
		rules: {
			// `_name` marks a binding kept on purpose (destructuring a field away, an unused parameter).
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
			'no-undef': 'off' // TypeScript checks names
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } }
	}
);
