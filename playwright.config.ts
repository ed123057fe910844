import { defineConfig } from '@playwright/test';

// scripts/test.sh picks a free port, so a second suite on the same machine (another checkout) does not collide.
const PORT = Number(process.env.PITWALL_E2E_PORT ?? 4317);

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.spec.ts',
	timeout: 90_000,
	expect: { timeout: 20_000 },
	workers: 1,
	retries: 0,
	reporter: 'list',
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		launchOptions: {
			executablePath: process.env.PITWALL_CHROMIUM ?? '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--headless',
				'--disable-gpu',
				'--disable-quic',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run'
			]
		}
	},
	webServer: {
		// The production artifact users run (npm test builds it first); warnings and errors only in the test log.
		// Two trainer threads: the bundled trainer worker starts its gradient threads (build/parallel-worker.js).
		command: `node build/server.js --port ${PORT} --sim-actors 2 --runs-dir .test-output/runs --ppo '{"nSteps":1024}' --trainer-threads 2 --log-level warn`,
		env: { PITWALL_ACTOR_TOKEN: 'e2e-actor-token' },
		url: `http://127.0.0.1:${PORT}`,
		reuseExistingServer: false,
		stdout: 'pipe',
		timeout: 60_000
	}
});
