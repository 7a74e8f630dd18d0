// Types of the stand-in vscode module (fake-vscode.mjs), as far as host.test.ts uses them directly.
export class Position {
  constructor(line: number, character: number);
  line: number;
  character: number;
  isBefore(o: Position): boolean;
  isAfter(o: Position): boolean;
}
export class Range {
  constructor(start: Position, end: Position);
  start: Position;
  end: Position;
  contains(p: Position): boolean;
}
export class Selection extends Range {
  constructor(anchor: Position, active: Position);
  anchor: Position;
  active: Position;
}
