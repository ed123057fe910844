/**
 * The console in Chromium: gzipped JavaScript the dashboard loads, redraw time of a chart with
 * 100 k points per series, of 10 charts × 1 M points (downsampled), the track map with 8 cars, the
 * replay's frame, and heap while a million metric points stream through the console's state
 * (measured by the /bench page). Needs the build (`npm run build`) and Debian's Chromium.
 */
import { chromium } from '@playwright/test';
import { gzipSync } from 'fflate';
import { mkdtempSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerConfig } from '../src/lib/server/config.ts';
import { startServer } from '../src/lib/server/http-server.ts';
import { getRuntime, resetRuntime } from '../src/lib/server/runtime/index.ts';
import { round, type BenchResult } from './harness.ts';

export async function run(): Promise<BenchResult> {
	process.env.PROTOCOL_HEADER ??= 'x-bench-protocol';
	const { handler } = (await import('../build/handler.js' as string)) as { handler: RequestListener };
	const base = parseServerConfig(['--port', '0', '--log-level', 'warn'], {});
	const runtime = getRuntime({ ...base, learner: { ...base.learner, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-console-')), runId: 'console-bench' } });
	const server = await startServer(runtime, (req, res) => {
		req.headers['x-bench-protocol'] = 'http';
		handler(req, res);
	});
	const browser = await chromium.launch({
		executablePath: process.env.PITWALL_CHROMIUM ?? '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--headless',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--enable-precise-memory-info',
			'--js-flags=--expose-gc'
		]
	});
	try {
		const page = await browser.newPage();
		let jsBytes = 0;
		let jsGzipBytes = 0;
		page.on('response', async (response) => {
			if (!response.url().endsWith('.js')) return;
			const body = await response.body();
			jsBytes += body.length;
			jsGzipBytes += gzipSync(body, { level: 9 }).length;
		});
		await page.goto(`${server.url}/`);
		await page.waitForLoadState('networkidle');
		const bench = await browser.newPage();
		await bench.setViewportSize({ width: 1300, height: 900 });
		await bench.goto(`${server.url}/bench`);
		await bench.waitForFunction(() => document.getElementById('result')?.textContent, undefined, { timeout: 300_000 });
		const measured = JSON.parse((await bench.locator('#result').textContent())!);
		const heap = measured.heapAfterMb as number[];
		return {
			name: 'console',
			figures: {
				dashboardJsKb: round(jsBytes / 1024, 1),
				dashboardJsGzipKb: round(jsGzipBytes / 1024, 1),
				redrawP50Ms: round(measured.redrawP50Ms, 2),
				redrawMaxMs: round(measured.redrawMaxMs, 2),
				pointsPerSeries: measured.pointsPerSeries,
				redraw1MP50Ms: round(measured.redraw1MP50Ms, 2),
				redraw1MP95Ms: round(measured.redraw1MP95Ms, 2),
				// All ten charts redraw in one go; per chart that is this (a mean, not a separate measurement).
				redraw1MMeanPerChartMs: round(measured.redraw1MP50Ms / 10, 2),
				redraw1MPoints: measured.redraw1MPoints,
				trackMapDrawMs: round(measured.trackMapDrawMs, 2),
				trackMapDrawP50Ms: round(measured.trackMapDrawP50Ms, 2),
				replayFrameP95Ms: round(measured.replayFrameP95Ms, 2),
				replayFps: round(measured.replayFps, 1),
				replayRafFps: round(measured.replayRafFps, 1),
				sessionPoints: measured.sessionPoints,
				keptPoints: measured.keptPoints,
				heapMbAfter200kTo1M: heap.map((h) => h.toFixed(1)).join(' ')
			},
			targets: [
				{ key: 'dashboardJsGzipKb', op: '<=', value: 150 },
				{ key: 'redrawP50Ms', op: '<=', value: 16 },
				{ key: 'redraw1MP95Ms', op: '<=', value: 16 },
				{ key: 'trackMapDrawMs', op: '<=', value: 4 },
				{ key: 'replayFps', op: '>=', value: 60 }
			]
		};
	} finally {
		await browser.close();
		await server.close();
		resetRuntime();
	}
}
