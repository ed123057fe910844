/**
 * `npm run package:windows`'s zip: exactly the expected entries under pitwall-agent/, koffi reduced
 * to its win32_x64 binary (from a koffi package that has every platform's), the launcher with CRLF
 * lines, node.exe only when asked for — read back with Python's zipfile, not with the writer.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KOFFI_FILES, TOP, koffiVersion, packageWindows } from '../../../scripts/package-windows.ts';

const hasPython = (() => {
	try {
		execFileSync('python3', ['-c', 'import zipfile'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();
const PLATFORMS = ['win32_x64', 'win32_ia32', 'win32_arm64', 'linux_x64', 'darwin_arm64'];

/** Python's zipfile: the archive tests clean, then every file extracted; returns name → bytes. */
function pythonUnzip(zip: string, into: string): Map<string, Buffer> {
	execFileSync('python3', ['-m', 'zipfile', '-t', zip], { stdio: 'ignore' });
	execFileSync('python3', ['-m', 'zipfile', '-e', zip, into]);
	const files = readdirSync(into, { recursive: true })
		.map((f) => join(into, String(f)))
		.filter((f) => statSync(f).isFile());
	return new Map(files.map((f) => [relative(into, f), readFileSync(f)]));
}

describe('package:windows', { skip: hasPython ? false : 'python3 not installed (the zip is read back with its zipfile)' }, () => {
	let work: string;
	let koffiTar: string;

	before(() => {
		work = mkdtempSync(join(tmpdir(), 'pitwall-package-'));
		// A koffi package as npm ships it: every platform's binary.
		const koffi = join(work, 'koffi');
		const all = [...KOFFI_FILES.filter((f) => !f.startsWith('build/')), ...PLATFORMS.map((p) => `build/koffi/${p}/koffi.node`), 'src/koffi.cc'];
		for (const f of all) {
			mkdirSync(dirname(join(koffi, f)), { recursive: true });
			writeFileSync(join(koffi, f), f === 'package.json' ? JSON.stringify({ name: 'koffi', version: koffiVersion() }) : `contents of ${f}`);
		}
		koffiTar = join(work, 'koffi.tar');
		execFileSync('tar', ['-cf', koffiTar, '-C', koffi, '.']);
	});
	after(() => rmSync(work, { recursive: true, force: true }));

	const expected = [
		'bridge-agent.js',
		'pitwall-agent.cmd',
		'README.txt',
		...KOFFI_FILES.map((f) => `node_modules/koffi/${f}`),
		'apps/python/pitwall_reset/pitwall_reset.py',
		'apps/python/pitwall_reset/manifest.ini'
	].map((f) => `${TOP}/${f}`);

	it('holds exactly the agent, the launcher, the README, the reset app and win32_x64 koffi', () => {
		const { path, entries } = packageWindows({ out: join(work, 'a.zip'), koffiTar });
		const files = pythonUnzip(path, join(work, 'a'));
		assert.deepEqual([...files.keys()].sort(), [...expected].sort());
		assert.deepEqual([...entries].sort(), [...expected].sort());
		const koffiBinaries = [...files.keys()].filter((f) => f.endsWith('.node'));
		assert.deepEqual(koffiBinaries, [`${TOP}/node_modules/koffi/build/koffi/win32_x64/koffi.node`]);
		assert.equal(files.get(koffiBinaries[0])!.toString(), 'contents of build/koffi/win32_x64/koffi.node');
		assert.deepEqual(files.get(`${TOP}/bridge-agent.js`), readFileSync(new URL('../../../bridge-agent/dist/bridge-agent.js', import.meta.url)));
		const cmd = files.get(`${TOP}/pitwall-agent.cmd`)!.toString();
		assert.match(cmd, /^@echo off\r\n/);
		assert.doesNotMatch(cmd.replace(/\r\n/g, ''), /\n/, 'CRLF lines only');
		assert.match(cmd, /%~dp0node\\node\.exe/);
		assert.match(cmd, /%%~\$PATH:I/, 'else node.exe on PATH');
		assert.match(cmd, /"%~dp0bridge-agent\.js" %\*/);
	});

	it('--with-node adds node/node.exe (here a stand-in), byte for byte', () => {
		const exe = join(work, 'node.exe');
		writeFileSync(exe, Buffer.alloc(300_000, 7));
		const { path } = packageWindows({ out: join(work, 'b.zip'), koffiTar, node: exe, build: false });
		const files = pythonUnzip(path, join(work, 'b'));
		assert.deepEqual([...files.keys()].sort(), [...expected, `${TOP}/node/node.exe`].sort());
		assert.deepEqual(files.get(`${TOP}/node/node.exe`), readFileSync(exe));
		assert.ok(statSync(path).size - statSync(join(work, 'a.zip')).size < 10_000, 'deflated (300 kB of one byte)');
	});
});
