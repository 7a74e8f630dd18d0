// `npm run package [-- --target <platform>]`: builds and packages the extension
// as one VSIX per platform (vsce --target), holding the bundles in dist/ and,
// of better-sqlite3, only its JavaScript and the one prebuilt binary of that
// platform (see docs/decisions.md, "The VS Code extension": one VSIX per
// platform). Default target: this machine's. Writes steplens-<version>-<target>.vsix.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'alpine-x64': 'linuxmusl-x64',
  'alpine-arm64': 'linuxmusl-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

const args = process.argv.slice(2);
const i = args.indexOf('--target');
const target = i >= 0 ? args[i + 1] : `${process.platform}-${process.arch}`;
const prebuild = TARGETS[target];
if (!prebuild) {
  console.error(`package: unknown target ${target} (one of ${Object.keys(TARGETS).join(', ')})`);
  process.exit(2);
}
const binary = `node_modules/better-sqlite3/prebuilds/${prebuild}.node`;
if (!existsSync(binary)) {
  console.error(`package: ${binary} is missing (npm ci first)`);
  process.exit(2);
}

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

// Everything out, then back in what the extension runs: a whitelist cannot leak sources, tests or data.
const ignore = [
  '**',
  '!package.json',
  '!README.md',
  '!LICENSE',
  '!dist/extension.cjs',
  '!dist/server.cjs',
  '!dist/exec-worker.cjs',
  '!dist/structural-worker.cjs',
  '!dist/webview/**',
  '!node_modules/better-sqlite3/package.json',
  '!node_modules/better-sqlite3/LICENSE',
  '!node_modules/better-sqlite3/lib/**',
  `!${binary}`,
].join('\n');
const dir = mkdtempSync(join(tmpdir(), 'steplens-vsix-'));
const ignoreFile = join(dir, 'vscodeignore');
writeFileSync(ignoreFile, ignore + '\n');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = `steplens-${version}-${target}.vsix`;
try {
  // vsce prints its own error; exit with its status rather than a stack trace.
  execFileSync(process.execPath, ['node_modules/@vscode/vsce/vsce', 'package', '--target', target, '--ignoreFile', ignoreFile, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out], { stdio: 'inherit' });
} catch (err) {
  process.exitCode = err.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (process.exitCode) process.exit(process.exitCode);
console.log(`package: ${out} (${(statSync(out).size / 1024 / 1024).toFixed(2)} MB)`);
