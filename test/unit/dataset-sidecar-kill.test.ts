// The sidecar's bar (issue 12): a process doing 1,000 rapid annotations is
// killed with SIGKILL at random moments; the sidecar always opens, and every
// annotation acknowledged before the kill (append() returned, then the child
// printed it) is there. Each round re-annotates the same lines with a new
// note, so "there" means the last acknowledged entry for the line won; the
// child also compacts every 97 annotations, so some kills land in a compaction.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { Sidecar } from '../../src/core/dataset/sidecar.ts';
import { REPO_ROOT } from '../helpers/data.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-sidecar-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SIDECAR = pathToFileURL(join(REPO_ROOT, 'src', 'core', 'dataset', 'sidecar.ts')).href;
const STATUSES = ['accepted', 'rejected', 'flagged', 'pending'];

// Child: 1,000 annotations of lines 1..1000 for round R; prints "<line>\n" after each append returns.
const CHILD = `
import { Sidecar } from ${JSON.stringify(SIDECAR)};
const [path, round] = process.argv.slice(-2);
const s = Sidecar.open(path);
const statuses = ${JSON.stringify(STATUSES)};
for (let i = 1; i <= 1000; i++) {
  s.append({ v: 1, line: i, id: 'rec-' + i, status: statuses[(i + Number(round)) % 4], labels: ['r' + round],
    note: round + ':' + i + ' ' + 'x'.repeat(i % 300), edit: i % 7 === 0 ? { sql: 'SELECT ' + round } : null, at: new Date().toISOString() });
  // Now and then the child compacts too, so some kills land inside a compaction (temp file, fsync, rename).
  if (i % 97 === 0) s.compact();
  process.stdout.write(i + '\\n');
}
// Done: stay alive until killed, so every round ends with a SIGKILL whatever the disk's speed.
process.stdout.write('done\\n');
setInterval(() => {}, 1000);
`;

/** Runs one round; kills the child with SIGKILL as soon as it has acknowledged `killAt` annotations (it goes on writing meanwhile, so the kill lands at a random point of an append). */
function runRound(path: string, round: number, killAt: number): Promise<{ acked: number[]; done: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, '--', path, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let seen = 0;
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const c of d) if (c === '\n') seen++;
      if (!sent && seen >= killAt) sent = child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`child ended without the kill (${code} ${signal}): ${err}`));
      // A line cut short by the kill was not fully printed: only whole lines are acknowledgements.
      const whole = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
      const done = whole[whole.length - 1] === 'done';
      resolve({ acked: whole.filter((l) => l !== 'done').map(Number), done });
    });
  });
}

test('SIGKILL during 1,000 rapid annotations: the sidecar always opens and holds every acknowledged one', { timeout: 60_000 }, async () => {
  const path = join(dir, 'train.steplens.jsonl');
  let midway = 0;
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ROUNDS = 12;
  for (let round = 1; round <= ROUNDS; round++) {
    const { acked, done } = await runRound(path, round, 1 + Math.floor(rand() * 999));
    if (!done) midway++;
    if (process.env.STEPLENS_KILL_DEBUG) console.log(`round ${round}: ${acked.length} acknowledged${done ? ' (all, killed after)' : ', killed mid-way'}`);
    const s = Sidecar.open(path); // must never throw
    // A compaction cut by the kill left at most a temp file, which opening removes (its process is gone).
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], `round ${round}`);
    for (const line of acked) {
      const a = s.get(line);
      assert.ok(a, `round ${round}: acknowledged annotation of line ${line} is missing`);
      assert.ok(a.note!.startsWith(`${round}:${line} `), `round ${round}: line ${line} holds ${JSON.stringify(a.note)}`);
      assert.equal(a.status, STATUSES[(line + round) % 4]);
      assert.deepEqual(a.labels, [`r${round}`]);
    }
    // Lines not acknowledged hold this round's entry (written, killed before the print) or an earlier round's.
    for (const [line, a] of s.entries()) assert.ok(Number(a.note!.split(':')[0]) <= round && line >= 1 && line <= 1000);
    for (const w of s.warnings) assert.match(w, /torn last line/, `round ${round}: unexpected warning ${w}`);
    // Now and then the parent compacts between rounds: the log stays valid through it.
    if (round % 3 === 0) s.compact();
    s.close();
  }
  // The kill follows the K-th acknowledgement by a pipe read: it lands while the child is still appending.
  assert.ok(midway >= 1, `no round was killed while appending (${midway} of ${ROUNDS})`);
});
