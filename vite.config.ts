import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { pitwallWebSockets } from './src/lib/server/ws/vite-plugin.ts';

export default defineConfig({
	plugins: [sveltekit(), pitwallWebSockets()]
});
