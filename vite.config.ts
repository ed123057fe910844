import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';
import { pitwallWebSockets } from './src/lib/server/ws/vite-plugin.ts';

export default defineConfig({
	plugins: [sveltekit(), pitwallWebSockets()],
	// SvelteKit's own compile hooks dominate a 3-s build; rolldown's timing advice is noise in `npm start`.
	build: { rolldownOptions: { checks: { bundlerTimings: false } } }
});
