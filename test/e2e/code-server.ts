// code-server (VS Code's own server and workbench) for the end-to-end test:
// installs a VSIX into a fresh extensions folder, starts the server on a free
// port in its own process group, and stops it. The recipe is in
// ../shared/notes/vscode-e2e.md; scripts/setup-code-server.sh installs it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.105.1';

export function codeServerEntry(repo: string): string | null {
  const dir = join(repo, '.tools', `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  return existsSync(join(dir, '.ok')) && existsSync(entry) ? entry : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningCodeServer {
  url: string;
  /** The code-server process (leader of its own process group). */
  pid: number;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

export async function startCodeServer(entry: string, vsix: string, workspace: string, settings: Record<string, unknown> = {}): Promise<RunningCodeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'steplens-e2e-'));
  const ext = join(dir, 'extensions');
  const user = join(dir, 'user');
  mkdirSync(join(user, 'User'), { recursive: true });
  // No welcome page, no trust prompt, no telemetry: the workbench opens straight on the folder.
  writeFileSync(join(user, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'workbench.tips.enabled': false, 'extensions.ignoreRecommendations': true, ...settings }));
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config') };
  const inst = spawnSync(process.execPath, [entry, '--extensions-dir', ext, '--user-data-dir', user, '--install-extension', vsix], { encoding: 'utf8', env });
  if (inst.status !== 0 || !/successfully installed/.test(inst.stdout + inst.stderr)) throw new Error(`installing ${vsix} failed:\n${inst.stdout}\n${inst.stderr}`);
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [entry, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--extensions-dir', ext, '--user-data-dir', user, workspace],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 60_000;
  while (!/HTTP server listening/.test(log)) {
    if (child.exitCode !== null) throw new Error(`code-server exited ${child.exitCode}:\n${log}`);
    if (Date.now() > deadline) throw new Error(`code-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
    pid: child.pid!,
    dir,
    log: () => log,
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
