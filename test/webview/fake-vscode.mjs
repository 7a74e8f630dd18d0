// A stand-in for the `vscode` module in test/webview/host.test.ts: the few APIs the panel host uses,
// backed by globalThis.__fakeVscode (the test builds and inspects it).
const f = () => globalThis.__fakeVscode;
export const window = new Proxy({}, { get: (_t, k) => f().window[k] });
export const workspace = new Proxy({}, { get: (_t, k) => f().workspace[k] });
export const Uri = new Proxy({}, { get: (_t, k) => f().Uri[k] });
export const ViewColumn = { One: 1, Two: 2, Beside: -2 };
export const TextEditorRevealType = { Default: 0, InCenter: 1, InCenterIfOutsideViewport: 2, AtTop: 3 };
export class Position {
  constructor(line, character) { this.line = line; this.character = character; }
  isBefore(o) { return this.line < o.line || (this.line === o.line && this.character < o.character); }
  isAfter(o) { return o.isBefore(this); }
}
export class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') { this.start = new Position(a, b); this.end = new Position(c, d); } else { this.start = a; this.end = b; }
  }
  contains(p) { return !p.isBefore(this.start) && !p.isAfter(this.end); }
}
export class Selection extends Range {
  constructor(anchor, active) { super(anchor, active); this.anchor = anchor; this.active = active; }
}
export class CancellationTokenSource {
  constructor() { this.token = { isCancellationRequested: false }; }
  cancel() { this.token.isCancellationRequested = true; }
  dispose() {}
}
