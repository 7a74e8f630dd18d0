// V8 tuning for StepLens' own processes (the CLI and the execution workers).
//
// A scoring run is short and its planner code meets many object shapes, so
// TurboFan optimizes, deoptimizes and re-optimizes the same functions: on
// Spider dev (15,510 records) its compile threads burned more CPU than the
// structural thread ran, and on 2 cores they compete with the work itself.
// Shallower inlining makes each compile cheap and the optimized code is as
// fast (measured in docs/decisions.md, "V8 inlining limits"). Never applied
// inside VS Code's extension host, whose V8 is shared with other extensions.

import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS: readonly string[] = ['--max-inlined-bytecode-size=100', '--max-inlined-bytecode-size-cumulative=300'];

/** The flags StepLens' processes use: none with STEPLENS_V8_DEFAULTS=1 (to measure V8's own defaults). */
export function v8Flags(): readonly string[] {
  return process.env.STEPLENS_V8_DEFAULTS === '1' ? [] : V8_FLAGS;
}

/** Applies v8Flags() to this process; call before any hot code runs (they affect later compiles only). */
export function applyV8Flags(): void {
  for (const f of v8Flags()) setFlagsFromString(f);
}

/**
 * Lets a heap grow to at most twice what survived the last full collection
 * (V8 picks up to 4x for a fast-allocating program). Measured on 10,000
 * hostile records: `score` peaked at 1.4 GB by default, 0.7 GB with this, at
 * the same speed on Spider (docs/decisions.md, "Memory of a scoring run").
 * V8 reads it at startup only: bin/steplens.cjs passes it to `score` and
 * `lsp`, the extension to the server it starts.
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=100';
