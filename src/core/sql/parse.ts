// Recursive-descent parser for SQLite SELECT statements (lang_select.html,
// lang_expr.html). It follows SQLite's LALR grammar (parse.y) closely enough
// that whatever SQLite prepares, this accepts, with exact source ranges on
// every node. It walks the token array without backtracking: every decision
// needs at most two tokens of lookahead.

import type {
  BinaryOp,
  CaseExpr,
  CommonTableExpr,
  CompoundOp,
  Expr,
  FromItem,
  FunctionCall,
  Ident,
  InExpr,
  JoinKind,
  JoinRef,
  LikeExpr,
  LimitClause,
  NamedWindow,
  OrderItem,
  Range,
  ResultColumn,
  SelectCore,
  SelectStmt,
  SetExpr,
  ValuesClause,
  WindowSpec,
  WithClause,
} from './ast.ts';
import { SqlError } from './errors.ts';
import { tokenize, type Token } from './tokens.ts';

/** Parses one SELECT / VALUES / WITH statement; a trailing `;` and comments are allowed. */
export function parseSelect(sql: string): SelectStmt {
  const p = new Parser(sql);
  return p.parseStatement();
}

/** Parses a single expression (for tests and tools). */
export function parseExpression(sql: string): Expr {
  const p = new Parser(sql);
  const e = p.parseExpr();
  p.expectEnd();
  return e;
}

// Keywords that can never be names. Measured against SQLite 3.54: these are
// the keywords outside parse.y's `%fallback ID` list (plus JOIN_KW, INDEXED
// and the context rules below, handled separately).
const RESERVED = new Set([
  'ADD', 'ALL', 'ALTER', 'AND', 'AS', 'AUTOINCREMENT', 'BETWEEN', 'CASE', 'CHECK', 'COLLATE', 'COMMIT',
  'CONSTRAINT', 'CREATE', 'DEFAULT', 'DEFERRABLE', 'DELETE', 'DISTINCT', 'DROP', 'ELSE', 'ESCAPE', 'EXCEPT',
  'EXISTS', 'FOREIGN', 'FROM', 'GROUP', 'HAVING', 'IN', 'INDEX', 'INSERT', 'INTERSECT', 'INTO', 'IS', 'ISNULL',
  'JOIN', 'LIMIT', 'NOT', 'NOTHING', 'NOTNULL', 'NULL', 'ON', 'OR', 'ORDER', 'PRIMARY', 'REFERENCES',
  'RETURNING', 'SELECT', 'SET', 'TABLE', 'THEN', 'TO', 'TRANSACTION', 'UNION', 'UNIQUE', 'UPDATE', 'USING',
  'VALUES', 'WHEN', 'WHERE',
]);

/** Join keywords are names (`FROM left`) but never bare aliases: `t LEFT JOIN` must stay a join. */
const JOIN_KW = new Set(['NATURAL', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'OUTER']);

/** Binary keyword operators: after a result expression they continue it, so they can't be bare aliases there. */
const LIKE_OPS = new Set(['LIKE', 'GLOB', 'REGEXP', 'MATCH']);

/** First words of statements we recognise but do not analyze. */
const OTHER_STATEMENTS = new Set([
  'ALTER', 'ANALYZE', 'ATTACH', 'BEGIN', 'COMMIT', 'CREATE', 'DELETE', 'DETACH', 'DROP', 'END', 'EXPLAIN',
  'INSERT', 'PRAGMA', 'REINDEX', 'RELEASE', 'REPLACE', 'ROLLBACK', 'SAVEPOINT', 'UPDATE', 'VACUUM',
]);

// Precedence of the plain binary operators between the equality level and
// COLLATE (higher binds tighter). Equality-level operators are parsed by
// parseEquality because of their keyword forms.
const BINARY_PREC: Record<string, number> = {
  '<': 1, '<=': 1, '>': 1, '>=': 1,
  '&': 2, '|': 2, '<<': 2, '>>': 2,
  '+': 3, '-': 3,
  '*': 4, '/': 4, '%': 4,
  '||': 5, '->': 5, '->>': 5,
};

class Parser {
  readonly sql: string;
  readonly toks: Token[];
  pos = 0;

  /** A tokenizer error; `toks` then holds the tokens before it (see constructor). */
  readonly lexError: SqlError | undefined;

  constructor(sql: string) {
    this.sql = sql;
    // SQLite tokenizes as it parses, so a syntax error before an unterminated
    // string is reported first ('Women's Soccer' fails near "s"). Parse the
    // text up to the bad token and report whichever error comes first.
    try {
      this.toks = tokenize(sql);
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      this.lexError = e;
      this.toks = tokenize(sql.slice(0, e.start));
    }
  }

  // ------------------------------------------------------------ token helpers

  get tok(): Token {
    return this.toks[this.pos];
  }

  peek(k: number): Token {
    const i = this.pos + k;
    return i < this.toks.length ? this.toks[i] : this.toks[this.toks.length - 1];
  }

  advance(): Token {
    const t = this.toks[this.pos];
    if (t.type !== 'eof') this.pos++;
    return t;
  }

  /** End offset of the last consumed token. */
  get lastEnd(): number {
    return this.pos > 0 ? this.toks[this.pos - 1].end : 0;
  }

  isOp(v: string, t: Token = this.tok): boolean {
    return t.type === 'op' && t.value === v;
  }

  isWord(upper: string, t: Token = this.tok): boolean {
    return t.type === 'word' && t.upper === upper;
  }

  eatOp(v: string): boolean {
    if (this.isOp(v)) {
      this.pos++;
      return true;
    }
    return false;
  }

  eatWord(upper: string): boolean {
    if (this.isWord(upper)) {
      this.pos++;
      return true;
    }
    return false;
  }

  expectOp(v: string): Token {
    if (!this.isOp(v)) this.failExpected(`"${v}"`);
    return this.advance();
  }

  expectWord(upper: string): Token {
    if (!this.isWord(upper)) this.failExpected(upper);
    return this.advance();
  }

  /** Open parentheses, subqueries and prefix operators around the current token (see NESTING_LIMIT). */
  private nesting = 0;

  /** Enters one more level of nesting at `t`, refusing past NESTING_LIMIT; pair with leave(). */
  enter(t: Token): void {
    if (++this.nesting > NESTING_LIMIT) {
      this.fail(`nested more than ${NESTING_LIMIT} levels deep (StepLens' limit on parentheses, subqueries and prefix operators; SQLite's own parser gives up between 2,000 and 3,000)`, t, 'too_deep');
    }
  }

  leave(): void {
    this.nesting--;
  }

  /** Refuses an operator chain longer than SQLite's expression depth limit, as SQLite does. */
  checkChain(terms: number, t: Token): void {
    if (terms > MAX_EXPR_DEPTH) this.fail(`Expression tree is too large (maximum depth ${MAX_EXPR_DEPTH}, SQLite's SQLITE_MAX_EXPR_DEPTH)`, t, 'too_deep');
  }

  fail(detail: string, t: Token = this.tok, kind: 'syntax' | 'unsupported' | 'too_deep' = 'syntax'): never {
    if (t.type === 'eof' && this.lexError) throw this.lexError;
    throw new SqlError(detail, this.sql, t.start, t.end, kind);
  }

  failExpected(what: string, t: Token = this.tok): never {
    this.fail(`${t.type === 'eof' ? 'incomplete input' : 'syntax error'}: expected ${what}`, t);
  }

  expectEnd(): void {
    if (this.tok.type !== 'eof') this.fail('syntax error: unexpected text after the end of the expression');
    if (this.lexError) throw this.lexError;
  }

  /** Word/quoted name/string usable as `nm` (table, column, CTE, alias after AS). */
  isName(t: Token = this.tok): boolean {
    if (t.type === 'word') return !RESERVED.has(t.upper);
    return t.type === 'qident' || t.type === 'string';
  }

  /** SQLite's `ids` (ID or STRING): collation and type names. Unlike `nm`, no join keyword or INDEXED. */
  isIds(t: Token = this.tok): boolean {
    if (t.type === 'word') return !RESERVED.has(t.upper) && !JOIN_KW.has(t.upper) && t.upper !== 'INDEXED';
    return t.type === 'qident' || t.type === 'string';
  }

  /**
   * What tokenize.c's getToken() calls an ID when it looks ahead after OVER
   * and WINDOW: names and fallback keywords, but not INDEXED or FILTER.
   */
  isLookaheadId(t: Token): boolean {
    if (t.type === 'word') return !RESERVED.has(t.upper) && t.upper !== 'INDEXED' && t.upper !== 'FILTER';
    return t.type === 'qident' || t.type === 'string';
  }

  ident(t: Token): Ident {
    if (t.type === 'word') return { name: t.value, quoted: false, start: t.start, end: t.end };
    const q = this.sql[t.start] as '"' | '`' | '[' | "'";
    return { name: t.value, quoted: true, quote: q, start: t.start, end: t.end };
  }

  parseName(what: string): Ident {
    if (!this.isName()) this.failExpected(what);
    return this.ident(this.advance());
  }

  /** SQLite reads WINDOW as a keyword only when followed by `name AS` (tokenize.c analyzeWindowKeyword). */
  isWindowClause(): boolean {
    if (!this.isWord('WINDOW')) return false;
    return this.isLookaheadId(this.peek(1)) && this.isWord('AS', this.peek(2));
  }

  startsSelect(t: Token): boolean {
    return t.type === 'word' && (t.upper === 'SELECT' || t.upper === 'WITH' || t.upper === 'VALUES');
  }

  // --------------------------------------------------------------- statements

  parseStatement(): SelectStmt {
    const t = this.tok;
    if (t.type === 'eof' || this.isOp(';')) this.failExpected('a SELECT statement');
    if (t.type === 'word' && !this.startsSelect(t) && OTHER_STATEMENTS.has(t.upper)) {
      this.fail(`only SELECT statements are analyzed; found ${t.upper}`, t, 'unsupported');
    }
    if (!this.startsSelect(t)) this.failExpected('SELECT, VALUES or WITH');
    const stmt = this.parseSelectStmt();
    if (this.isOp(';')) {
      while (this.eatOp(';'));
      const extra = this.tok;
      if (extra.type !== 'eof') {
        if (extra.type === 'word' && (this.startsSelect(extra) || OTHER_STATEMENTS.has(extra.upper))) {
          this.fail('only one statement is analyzed; found a second statement', extra, 'unsupported');
        }
        this.fail('syntax error: unexpected text after the statement', extra);
      }
    } else if (this.tok.type !== 'eof') {
      this.fail(this.unexpectedAfterStatement(), this.tok);
    }
    if (this.lexError) throw this.lexError;
    return stmt;
  }

  /** A specific message for the commonest leftovers. */
  unexpectedAfterStatement(): string {
    const t = this.tok;
    if (this.isOp(')')) return 'syntax error: unbalanced ")"';
    if (t.type === 'word' && this.startsSelect(t)) return 'syntax error: missing ";" or compound operator before the next SELECT';
    return 'syntax error: unexpected text after the statement';
  }

  parseSelectStmt(): SelectStmt {
    const start = this.tok.start;
    let withClause: WithClause | undefined;
    if (this.isWord('WITH')) {
      withClause = this.parseWith();
      const t = this.tok;
      if (t.type === 'word' && (t.upper === 'DELETE' || t.upper === 'INSERT' || t.upper === 'UPDATE' || t.upper === 'REPLACE')) {
        this.fail(`only SELECT statements are analyzed; found ${t.upper}`, t, 'unsupported');
      }
    }
    const body = this.parseSetExpr();
    const stmt: SelectStmt = { kind: 'select', body, start, end: 0 };
    if (withClause) stmt.with = withClause;
    // In SQLite's grammar ORDER BY and LIMIT belong to the last SELECT core,
    // so a statement ending in VALUES takes neither.
    const last = body.kind === 'compound' ? body.right : body;
    if (this.isWord('ORDER') || this.isWord('LIMIT')) {
      if (last.kind === 'values') this.fail(`syntax error: VALUES cannot take ${this.tok.upper === 'ORDER' ? 'ORDER BY' : 'LIMIT'}`, this.tok);
    }
    if (this.isWord('ORDER')) stmt.orderBy = this.parseOrderBy();
    if (this.isWord('LIMIT')) stmt.limit = this.parseLimit();
    if ((stmt.orderBy || stmt.limit) && this.compoundOpAhead()) {
      const what = stmt.limit ? 'LIMIT' : 'ORDER BY';
      this.fail(`${what} clause should come after ${this.tok.upper} not before`, this.tok);
    }
    stmt.end = this.lastEnd;
    return stmt;
  }

  compoundOpAhead(): boolean {
    const t = this.tok;
    return t.type === 'word' && (t.upper === 'UNION' || t.upper === 'INTERSECT' || t.upper === 'EXCEPT');
  }

  parseWith(): WithClause {
    const start = this.advance().start; // WITH
    const recursive = this.eatWord('RECURSIVE');
    const ctes: CommonTableExpr[] = [];
    do ctes.push(this.parseCte());
    while (this.eatOp(','));
    return { recursive, ctes, start, end: this.lastEnd };
  }

  parseCte(): CommonTableExpr {
    const name = this.parseName('a common table expression name');
    let columns: Ident[] | undefined;
    if (this.eatOp('(')) {
      columns = [];
      do columns.push(this.parseName('a column name'));
      while (this.eatOp(','));
      this.expectOp(')');
    }
    this.expectWord('AS');
    let materialized: CommonTableExpr['materialized'];
    if (this.eatWord('MATERIALIZED')) materialized = 'MATERIALIZED';
    else if (this.isWord('NOT') && this.isWord('MATERIALIZED', this.peek(1))) {
      this.pos += 2;
      materialized = 'NOT MATERIALIZED';
    }
    const open = this.expectOp('(');
    if (!this.startsSelect(this.tok)) this.failExpected('a SELECT statement');
    const query = this.parseSelectStmt();
    const close = this.expectOp(')');
    const cte: CommonTableExpr = { name, query, openParen: open.start, closeParen: close.start, start: name.start, end: close.end };
    if (columns) cte.columns = columns;
    if (materialized) cte.materialized = materialized;
    return cte;
  }

  parseSetExpr(): SetExpr {
    const start = this.tok.start;
    let left: SetExpr = this.parseSimpleSelect();
    for (let terms = 1; ; terms++) {
      const t = this.tok;
      let op: CompoundOp;
      if (this.isWord('UNION')) {
        this.pos++;
        op = this.eatWord('ALL') ? 'UNION ALL' : 'UNION';
      } else if (this.isWord('INTERSECT')) {
        this.pos++;
        op = 'INTERSECT';
      } else if (this.isWord('EXCEPT')) {
        this.pos++;
        op = 'EXCEPT';
      } else break;
      if (!this.isWord('SELECT') && !this.isWord('VALUES')) this.failExpected(`SELECT or VALUES after ${t.upper}`);
      if (terms >= MAX_COMPOUND_SELECT) this.fail(`too many terms in compound SELECT (SQLite's limit is ${MAX_COMPOUND_SELECT})`, t, 'too_deep');
      const right = this.parseSimpleSelect();
      left = { kind: 'compound', op, left, right, start, end: right.end };
    }
    return left;
  }

  parseSimpleSelect(): SelectCore | ValuesClause {
    if (this.isWord('SELECT')) return this.parseCore();
    if (this.isWord('VALUES')) return this.parseValues();
    return this.failExpected('SELECT or VALUES');
  }

  parseValues(): ValuesClause {
    const start = this.advance().start; // VALUES
    const rows: Expr[][] = [];
    do {
      this.expectOp('(');
      rows.push(this.parseExprList());
      this.expectOp(')');
    } while (this.eatOp(','));
    return { kind: 'values', rows, start, end: this.lastEnd };
  }

  parseCore(): SelectCore {
    const start = this.advance().start; // SELECT
    let distinct = false;
    if (this.eatWord('DISTINCT')) distinct = true;
    else this.eatWord('ALL');
    const columns: ResultColumn[] = [];
    do columns.push(this.parseResultColumn());
    while (this.eatOp(','));
    const core: SelectCore = { kind: 'core', distinct, columns, start, end: 0 };
    if (this.eatWord('FROM')) core.from = this.parseFrom();
    if (this.eatWord('WHERE')) core.where = this.parseExpr();
    if (this.isWord('GROUP')) {
      this.pos++;
      this.expectWord('BY');
      core.groupBy = this.parseExprList(true);
    }
    if (this.eatWord('HAVING')) core.having = this.parseExpr();
    if (this.isWindowClause()) {
      this.pos++;
      const windows: NamedWindow[] = [];
      do {
        const name = this.parseName('a window name');
        this.expectWord('AS');
        const spec = this.parseWindowParens();
        windows.push({ name, spec, start: name.start, end: spec.end });
      } while (this.eatOp(','));
      core.windows = windows;
    }
    core.end = this.lastEnd;
    return core;
  }

  parseResultColumn(): ResultColumn {
    const t = this.tok;
    if (this.isOp('*')) {
      this.pos++;
      return { kind: 'star', start: t.start, end: t.end };
    }
    if (this.isName(t) && this.isOp('.', this.peek(1)) && this.isOp('*', this.peek(2))) {
      this.pos += 3;
      return { kind: 'star', table: this.ident(t), start: t.start, end: this.lastEnd };
    }
    const expr = this.parseExpr();
    const col: ResultColumn = { kind: 'expr', expr, start: t.start, end: 0 };
    const alias = this.parseAlias(true);
    if (alias) col.alias = alias;
    col.end = this.lastEnd;
    return col;
  }

  /** `[AS] alias` after a result column (`column` true) or a FROM item. */
  parseAlias(column: boolean): Ident | undefined {
    if (this.eatWord('AS')) return this.parseName('an alias');
    const t = this.tok;
    if (t.type === 'qident' || t.type === 'string') return this.ident(this.advance());
    if (t.type !== 'word') return undefined;
    const u = t.upper;
    if (RESERVED.has(u) || JOIN_KW.has(u) || u === 'INDEXED') return undefined;
    if (column && LIKE_OPS.has(u)) return undefined;
    if (u === 'WINDOW' && this.isWindowClause()) return undefined;
    return this.ident(this.advance());
  }

  parseOrderBy(): OrderItem[] {
    this.pos++; // ORDER
    this.expectWord('BY');
    const items: OrderItem[] = [];
    do items.push(this.parseOrderItem());
    while (this.eatOp(','));
    return items;
  }

  parseOrderItem(): OrderItem {
    const start = this.tok.start;
    let expr = this.parseExpr();
    const item: OrderItem = { expr, desc: false, start, end: 0 };
    // A top-level COLLATE belongs to the sort key (OrderItem.collate).
    if (expr.kind === 'collate' && !expr.parens) {
      item.collate = expr.collation;
      expr = expr.expr;
      item.expr = expr;
    }
    if (this.eatWord('DESC')) item.desc = true;
    else this.eatWord('ASC');
    if (this.isWord('NULLS')) {
      const n = this.peek(1);
      if (this.isWord('FIRST', n) || this.isWord('LAST', n)) {
        this.pos += 2;
        item.nulls = n.upper as 'FIRST' | 'LAST';
      } else {
        this.failExpected('FIRST or LAST', n);
      }
    }
    item.end = this.lastEnd;
    return item;
  }

  parseLimit(): LimitClause {
    const start = this.advance().start; // LIMIT
    const first = this.parseExpr();
    const limit: LimitClause = { count: first, start, end: 0 };
    if (this.eatWord('OFFSET')) limit.offset = this.parseExpr();
    else if (this.eatOp(',')) {
      // SQLite: `LIMIT a, b` is LIMIT b OFFSET a.
      limit.offset = first;
      limit.count = this.parseExpr();
    }
    limit.end = this.lastEnd;
    return limit;
  }

  // --------------------------------------------------------------------- FROM

  parseFrom(): FromItem {
    const start = this.tok.start;
    let left = this.parseFromTerm();
    if (this.isWord('ON') || this.isWord('USING')) this.fail('a JOIN clause is required before ' + this.tok.upper, this.tok);
    for (;;) {
      let join: JoinKind | 'comma';
      let natural = false;
      if (this.eatOp(',')) join = 'comma';
      else if (this.eatWord('JOIN')) join = 'inner';
      else if (this.tok.type === 'word' && JOIN_KW.has(this.tok.upper)) {
        [join, natural] = this.parseJoinKeywords();
      } else break;
      const right = this.parseFromTerm();
      const node: JoinRef = { kind: 'join', join, natural, left, right, start, end: 0 };
      if (this.eatWord('ON')) node.on = this.parseExpr();
      else if (this.eatWord('USING')) {
        this.expectOp('(');
        const using: Ident[] = [];
        do using.push(this.parseName('a column name'));
        while (this.eatOp(','));
        this.expectOp(')');
        node.using = using;
      }
      node.end = this.lastEnd;
      left = node;
    }
    return left;
  }

  /** `[NATURAL] [LEFT|RIGHT|FULL] [OUTER] | INNER | CROSS` then JOIN, validated like sqlite3JoinType. */
  parseJoinKeywords(): [JoinKind, boolean] {
    const first = this.tok;
    let natural = false;
    let left = false;
    let right = false;
    let outer = false;
    let inner = false;
    let cross = false;
    let n = 0;
    while (this.tok.type === 'word' && JOIN_KW.has(this.tok.upper) && n < 3) {
      switch (this.advance().upper) {
        case 'NATURAL': natural = true; break;
        case 'LEFT': left = outer = true; break;
        case 'RIGHT': right = outer = true; break;
        case 'FULL': left = right = outer = true; break;
        case 'OUTER': outer = true; break;
        case 'INNER': inner = true; break;
        case 'CROSS': inner = cross = true; break;
      }
      n++;
    }
    const words = this.sql.slice(first.start, this.lastEnd);
    if (!this.isWord('JOIN')) this.failExpected('JOIN');
    this.pos++;
    if ((inner && outer) || (outer && !left && !right)) {
      this.fail(`unknown join type: ${words}`, { ...first, end: this.toks[this.pos - 2].end });
    }
    const kind: JoinKind = left && right ? 'full' : left ? 'left' : right ? 'right' : cross ? 'cross' : 'inner';
    return [kind, natural];
  }

  parseFromTerm(): FromItem {
    const t = this.tok;
    const start = t.start;
    if (this.isOp('(')) {
      this.enter(t);
      this.pos++;
      if (this.startsSelect(this.tok)) {
        const query = this.parseSelectStmt();
        this.expectOp(')');
        this.leave();
        const alias = this.parseAlias(false);
        const node: FromItem = { kind: 'subquery', query, start, end: this.lastEnd };
        if (alias) node.alias = alias;
        return node;
      }
      const inner = this.parseFrom();
      this.expectOp(')');
      this.leave();
      const parens: Range = { start, end: this.lastEnd };
      const alias = this.parseAlias(false);
      if (alias) {
        // SQLite renames a single parenthesized item, and wraps a join group in a subquery.
        return { ...inner, alias, parens, start, end: this.lastEnd };
      }
      inner.parens = parens;
      return inner;
    }
    if (!this.isName(t)) this.failExpected('a table name or subquery');
    this.pos++;
    let name = this.ident(t);
    let schema: Ident | undefined;
    if (this.eatOp('.')) {
      schema = name;
      name = this.parseName('a table name');
    }
    if (this.isOp('(')) {
      this.pos++;
      const args = this.isOp(')') ? [] : this.parseExprList();
      this.expectOp(')');
      const alias = this.parseAlias(false);
      const node: FromItem = { kind: 'function', name, args, start, end: this.lastEnd };
      if (alias) node.alias = alias;
      return node;
    }
    const node: FromItem = { kind: 'table', name, start, end: 0 };
    if (schema) node.schema = schema;
    const alias = this.parseAlias(false);
    if (alias) node.alias = alias;
    if (this.isWord('INDEXED')) {
      this.pos++;
      this.expectWord('BY');
      node.indexedBy = this.parseName('an index name');
    } else if (this.isWord('NOT') && this.isWord('INDEXED', this.peek(1))) {
      this.pos += 2;
      node.notIndexed = true;
    }
    node.end = this.lastEnd;
    return node;
  }

  // -------------------------------------------------------------- expressions

  /** Comma-separated expressions; `nonEmpty` false allows none (before `)`). */
  parseExprList(nonEmpty = true): Expr[] {
    const list: Expr[] = [];
    if (!nonEmpty && this.isOp(')')) return list;
    do list.push(this.parseExpr());
    while (this.eatOp(','));
    return list;
  }

  parseExpr(): Expr {
    const start = this.tok.start;
    let left = this.parseAnd();
    for (let terms = 2; this.isWord('OR'); terms++) {
      this.checkChain(terms, this.tok);
      this.pos++;
      const right = this.parseAnd();
      left = { kind: 'binary', op: 'OR', left, right, start, end: this.lastEnd };
    }
    return left;
  }

  parseAnd(): Expr {
    const start = this.tok.start;
    let left = this.parseNot();
    for (let terms = 2; this.isWord('AND'); terms++) {
      this.checkChain(terms, this.tok);
      this.pos++;
      const right = this.parseNot();
      left = { kind: 'binary', op: 'AND', left, right, start, end: this.lastEnd };
    }
    return left;
  }

  parseNot(): Expr {
    if (!this.isWord('NOT')) return this.parseEquality();
    const notTok = this.tok;
    const start = this.advance().start;
    this.enter(notTok);
    const operand = this.parseNot();
    this.leave();
    // NOT EXISTS (...) is one node (but not NOT (EXISTS ...) = 1 or NOT NOT EXISTS).
    if (operand.kind === 'exists' && !operand.not && !operand.parens) {
      operand.not = true;
      operand.start = start;
      return operand;
    }
    return { kind: 'unary', op: 'NOT', operand, start, end: this.lastEnd };
  }

  /** `=`, `!=`, IS, IN, LIKE, BETWEEN, ISNULL, ...: left-associative, one level. */
  parseEquality(): Expr {
    const start = this.tok.start;
    let left = this.parseBinary(1);
    for (;;) {
      const t = this.tok;
      if (t.type === 'op') {
        let op: BinaryOp;
        if (t.value === '=' || t.value === '==') op = '=';
        else if (t.value === '!=' || t.value === '<>') op = '!=';
        else break;
        this.pos++;
        const right = this.parseBinary(1);
        left = { kind: 'binary', op, left, right, start, end: this.lastEnd };
        continue;
      }
      if (t.type !== 'word') break;
      let not = false;
      let kw = t.upper;
      if (kw === 'NOT') {
        const n = this.peek(1);
        if (n.type !== 'word') break;
        if (n.upper === 'NULL') {
          this.pos += 2;
          left = this.continueBinary({ kind: 'nulltest', not: true, expr: left, start, end: this.lastEnd }, start, 1);
          continue;
        }
        if (n.upper !== 'IN' && n.upper !== 'BETWEEN' && !LIKE_OPS.has(n.upper)) break;
        not = true;
        kw = n.upper;
        this.pos++;
      }
      switch (kw) {
        case 'ISNULL':
        case 'NOTNULL':
          this.pos++;
          left = this.continueBinary({ kind: 'nulltest', not: kw === 'NOTNULL', expr: left, start, end: this.lastEnd }, start, 1);
          continue;
        case 'IS': {
          this.pos++;
          let negate = this.eatWord('NOT');
          if (this.isWord('DISTINCT')) {
            // IS DISTINCT FROM = IS NOT; IS NOT DISTINCT FROM = IS
            this.pos++;
            this.expectWord('FROM');
            negate = !negate;
          }
          const right = this.parseBinary(1);
          if (right.kind === 'literal' && right.type === 'null') {
            left = { kind: 'nulltest', not: negate, expr: left, start, end: this.lastEnd };
          } else {
            left = { kind: 'binary', op: negate ? 'IS NOT' : 'IS', left, right, start, end: this.lastEnd };
          }
          continue;
        }
        case 'LIKE':
        case 'GLOB':
        case 'REGEXP':
        case 'MATCH': {
          this.pos++;
          const right = this.parseBinary(1);
          const node: LikeExpr = { kind: 'like', op: kw, not, left, right, start, end: 0 };
          if (this.eatWord('ESCAPE')) node.escape = this.parseBinary(1);
          node.end = this.lastEnd;
          left = node;
          continue;
        }
        case 'BETWEEN': {
          this.pos++;
          // The low bound stops at AND, which belongs to BETWEEN.
          const low = this.parseNot();
          this.expectWord('AND');
          const high = this.parseBinary(1);
          left = { kind: 'between', not, expr: left, low, high, start, end: this.lastEnd };
          continue;
        }
        case 'IN':
          this.pos++;
          left = this.continueBinary(this.parseInRest(left, not, start), start, 1);
          continue;
        default:
          break;
      }
      break;
    }
    return left;
  }

  parseInRest(expr: Expr, not: boolean, start: number): InExpr {
    const node: InExpr = { kind: 'in', not, expr, start, end: 0 };
    if (this.isOp('(')) {
      this.pos++;
      if (this.startsSelect(this.tok)) node.query = this.parseSelectStmt();
      else node.list = this.parseExprList(false);
      this.expectOp(')');
    } else if (this.isName()) {
      let name = this.ident(this.advance());
      if (this.eatOp('.')) {
        node.tableSchema = name;
        name = this.parseName('a table name');
      }
      node.table = name;
      if (this.eatOp('(')) {
        node.tableArgs = this.parseExprList(false);
        this.expectOp(')');
      }
    } else {
      this.failExpected('"(" or a table name after IN');
    }
    node.end = this.lastEnd;
    return node;
  }

  /** Precedence climbing over < <= > >=, & | << >>, + -, * / %, || -> ->>. */
  parseBinary(minPrec: number): Expr {
    const start = this.tok.start;
    return this.continueBinary(this.parseCollate(), start, minPrec);
  }

  /**
   * Applies COLLATE and binary operators to an already parsed left operand.
   * Needed after constructs that end in a token (`x IN (...)`, `x ISNULL`,
   * `x NOT NULL`): in SQLite's LALR grammar they reduce without a precedence
   * conflict, so `x IN (1) + 1` is `(x IN (1)) + 1`.
   */
  continueBinary(left: Expr, start: number, minPrec: number): Expr {
    while (this.isWord('COLLATE')) left = this.parseCollateSuffix(left, start);
    for (let terms = 2; ; terms++) {
      const t = this.tok;
      if (t.type !== 'op') break;
      const prec = BINARY_PREC[t.value];
      if (prec === undefined || prec < minPrec) break;
      this.checkChain(terms, t);
      this.pos++;
      const right = this.parseBinary(prec + 1);
      left = { kind: 'binary', op: t.value as BinaryOp, left, right, start, end: this.lastEnd };
    }
    return left;
  }

  parseCollate(): Expr {
    const start = this.tok.start;
    let e = this.parseUnary();
    while (this.isWord('COLLATE')) e = this.parseCollateSuffix(e, start);
    return e;
  }

  parseCollateSuffix(expr: Expr, start: number): Expr {
    this.pos++; // COLLATE
    const t = this.tok;
    if (!this.isIds(t)) this.failExpected('a collation name');
    this.pos++;
    return { kind: 'collate', expr, collation: t.value, start, end: this.lastEnd };
  }

  parseUnary(): Expr {
    const t = this.tok;
    if (t.type === 'op' && (t.value === '-' || t.value === '+' || t.value === '~')) {
      this.pos++;
      this.enter(t);
      const operand = this.parseUnary();
      this.leave();
      return { kind: 'unary', op: t.value, operand, start: t.start, end: this.lastEnd };
    }
    // SQLite lets a prefix NOT appear as any operand (`1 + NOT 2`); it then extends over the equality level.
    if (t.type === 'word' && t.upper === 'NOT') return this.parseNot();
    return this.parsePrimary();
  }

  parsePrimary(): Expr {
    const t = this.tok;
    switch (t.type) {
      case 'number':
        this.pos++;
        return { kind: 'literal', type: 'number', value: t.value, start: t.start, end: t.end };
      case 'string':
        if (this.isOp('.', this.peek(1))) return this.parseNameExpr();
        this.pos++;
        return { kind: 'literal', type: 'string', value: t.value, start: t.start, end: t.end };
      case 'blob':
        this.pos++;
        return { kind: 'literal', type: 'blob', value: t.value, start: t.start, end: t.end };
      case 'param':
        this.pos++;
        return { kind: 'param', text: t.value, start: t.start, end: t.end };
      case 'qident':
        return this.parseNameExpr();
      case 'op':
        if (t.value === '(') return this.parseParenExpr();
        return this.failExpected('an expression');
      case 'eof':
        return this.failExpected('an expression');
      case 'word':
        break;
    }
    switch (t.upper) {
      case 'NULL':
        this.pos++;
        return { kind: 'literal', type: 'null', value: 'NULL', start: t.start, end: t.end };
      case 'CURRENT_DATE':
      case 'CURRENT_TIME':
      case 'CURRENT_TIMESTAMP':
        this.pos++;
        return { kind: 'literal', type: 'current', value: t.upper, start: t.start, end: t.end };
      case 'TRUE':
      case 'FALSE': {
        const n = this.peek(1);
        if (this.isOp('.', n) || this.isOp('(', n)) break;
        this.pos++;
        return { kind: 'literal', type: 'bool', value: t.upper, start: t.start, end: t.end };
      }
      case 'CASE':
        return this.parseCase();
      case 'CAST':
        return this.parseCast();
      case 'EXISTS': {
        this.pos++;
        this.expectOp('(');
        if (!this.startsSelect(this.tok)) this.failExpected('a SELECT statement');
        const query = this.parseSelectStmt();
        this.expectOp(')');
        return { kind: 'exists', not: false, query, start: t.start, end: this.lastEnd };
      }
      case 'RAISE':
        return this.fail('RAISE() may only be used within a trigger-program', t, 'unsupported');
      default:
        if (RESERVED.has(t.upper)) return this.failExpected('an expression');
    }
    return this.parseNameExpr();
  }

  /** Column reference `[schema.][table.]column` or function call `name(...)`. */
  parseNameExpr(): Expr {
    const t = this.advance();
    if (t.type !== 'string' && this.isOp('(')) return this.parseFunctionCall(t);
    const first = this.ident(t);
    if (!this.eatOp('.')) return { kind: 'column', column: first, start: t.start, end: t.end };
    const second = this.parseName('a column name');
    if (!this.eatOp('.')) return { kind: 'column', table: first, column: second, start: t.start, end: this.lastEnd };
    const third = this.parseName('a column name');
    return { kind: 'column', schema: first, table: second, column: third, start: t.start, end: this.lastEnd };
  }

  parseFunctionCall(nameTok: Token): FunctionCall {
    this.pos++; // (
    const fn: FunctionCall = {
      kind: 'function',
      name: nameTok.value.toLowerCase(),
      nameRange: { start: nameTok.start, end: nameTok.end },
      distinct: false,
      star: false,
      args: [],
      start: nameTok.start,
      end: 0,
    };
    if (this.isOp('*') && this.isOp(')', this.peek(1))) {
      this.pos++;
      fn.star = true;
    } else if (!this.isOp(')')) {
      if (this.eatWord('DISTINCT')) fn.distinct = true;
      else this.eatWord('ALL');
      if (!this.isOp(')') && !this.isWord('ORDER')) fn.args = this.parseExprList();
      if (this.isWord('ORDER')) fn.orderBy = this.parseOrderBy();
    }
    this.expectOp(')');
    // FILTER and OVER are keywords only right after `)` (tokenize.c analyzeFilterKeyword/analyzeOverKeyword).
    if (this.isWord('FILTER') && this.isOp('(', this.peek(1))) {
      this.pos += 2;
      this.expectWord('WHERE');
      fn.filter = this.parseExpr();
      this.expectOp(')');
    }
    if (this.isWord('OVER')) {
      const n = this.peek(1);
      if (this.isOp('(', n)) {
        this.pos++;
        fn.over = this.parseWindowParens();
      } else if (this.isLookaheadId(n)) {
        this.pos += 2;
        fn.over = { base: n.value, bare: true, start: n.start, end: n.end };
      }
    }
    fn.end = this.lastEnd;
    return fn;
  }

  /** `( [base] [PARTITION BY ...] [ORDER BY ...] [frame] )` */
  parseWindowParens(): WindowSpec {
    const start = this.expectOp('(').start;
    const spec: WindowSpec = { start, end: 0 };
    const t = this.tok;
    if (t.type === 'qident' || (t.type === 'word' && !RESERVED.has(t.upper) && !(t.upper === 'PARTITION' || t.upper === 'RANGE' || t.upper === 'ROWS' || t.upper === 'GROUPS'))) {
      this.pos++;
      spec.base = t.value;
    }
    if (this.isWord('PARTITION')) {
      this.pos++;
      this.expectWord('BY');
      spec.partitionBy = this.parseExprList();
    }
    if (this.isWord('ORDER')) spec.orderBy = this.parseOrderBy();
    if (this.isWord('RANGE') || this.isWord('ROWS') || this.isWord('GROUPS')) spec.frame = this.parseFrame();
    this.expectOp(')');
    spec.end = this.lastEnd;
    return spec;
  }

  /** The frame clause, returned as normalized text (`ROWS BETWEEN 1 PRECEDING AND CURRENT ROW`). */
  parseFrame(): string {
    let text = this.advance().upper;
    if (this.eatWord('BETWEEN')) {
      text += ' BETWEEN ' + this.parseFrameBound(true);
      this.expectWord('AND');
      text += ' AND ' + this.parseFrameBound(false);
    } else {
      text += ' ' + this.parseFrameBound(true);
    }
    if (this.eatWord('EXCLUDE')) {
      if (this.eatWord('NO')) {
        this.expectWord('OTHERS');
        text += ' EXCLUDE NO OTHERS';
      } else if (this.eatWord('CURRENT')) {
        this.expectWord('ROW');
        text += ' EXCLUDE CURRENT ROW';
      } else if (this.eatWord('GROUP')) text += ' EXCLUDE GROUP';
      else if (this.eatWord('TIES')) text += ' EXCLUDE TIES';
      else this.failExpected('NO OTHERS, CURRENT ROW, GROUP or TIES');
    }
    return text;
  }

  parseFrameBound(isStart: boolean): string {
    if (this.isWord('UNBOUNDED')) {
      this.pos++;
      const dir = isStart ? 'PRECEDING' : 'FOLLOWING';
      this.expectWord(dir);
      return 'UNBOUNDED ' + dir;
    }
    if (this.isWord('CURRENT') && this.isWord('ROW', this.peek(1))) {
      this.pos += 2;
      return 'CURRENT ROW';
    }
    const e = this.parseExpr();
    const dir = this.tok;
    if (!this.isWord('PRECEDING') && !this.isWord('FOLLOWING')) this.failExpected('PRECEDING or FOLLOWING');
    this.pos++;
    return `${collapseSpace(this.sql.slice(e.parens?.start ?? e.start, e.parens?.end ?? e.end))} ${dir.upper}`;
  }

  parseCase(): CaseExpr {
    const start = this.advance().start; // CASE
    const node: CaseExpr = { kind: 'case', whens: [], start, end: 0 };
    if (!this.isWord('WHEN')) node.operand = this.parseExpr();
    while (this.eatWord('WHEN')) {
      const when = this.parseExpr();
      this.expectWord('THEN');
      node.whens.push({ when, then: this.parseExpr() });
    }
    if (node.whens.length === 0) this.failExpected('WHEN');
    if (this.eatWord('ELSE')) node.else = this.parseExpr();
    this.expectWord('END');
    node.end = this.lastEnd;
    return node;
  }

  parseCast(): Expr {
    const start = this.advance().start; // CAST
    this.expectOp('(');
    const expr = this.parseExpr();
    this.expectWord('AS');
    const type = this.parseTypeName();
    this.expectOp(')');
    return { kind: 'cast', expr, type, start, end: this.lastEnd };
  }

  /** SQLite's typetoken: zero or more names, then optional `(n)` or `(n, m)`. */
  parseTypeName(): string {
    const words: string[] = [];
    for (;;) {
      const t = this.tok;
      if (this.isIds(t)) {
        words.push(t.value.toUpperCase());
        this.pos++;
      } else break;
    }
    let type = words.join(' ');
    if (words.length > 0 && this.eatOp('(')) {
      const args = [this.parseSignedNumber()];
      if (this.eatOp(',')) args.push(this.parseSignedNumber());
      this.expectOp(')');
      type += `(${args.join(',')})`;
    }
    return type;
  }

  parseSignedNumber(): string {
    let sign = '';
    if (this.isOp('+') || this.isOp('-')) sign = this.advance().value;
    if (this.tok.type !== 'number') this.failExpected('a number');
    return (sign === '-' ? '-' : '') + this.advance().value;
  }

  /** `(expr)`, a row value `(a, b)`, or a scalar subquery `(SELECT ...)`. */
  parseParenExpr(): Expr {
    this.enter(this.tok);
    const e = this.parseParenExprInner();
    this.leave();
    return e;
  }

  private parseParenExprInner(): Expr {
    const start = this.advance().start; // (
    if (this.startsSelect(this.tok)) {
      const query = this.parseSelectStmt();
      this.expectOp(')');
      return { kind: 'subquery', query, start, end: this.lastEnd };
    }
    const first = this.parseExpr();
    if (this.eatOp(')')) {
      first.parens = { start, end: this.lastEnd };
      return first;
    }
    if (!this.isOp(',')) this.failExpected('")"');
    this.pos++;
    const items = [first, ...this.parseExprList()];
    this.expectOp(')');
    return { kind: 'row', items, start, end: this.lastEnd };
  }
}

/**
 * Nesting the parser, planner and matcher follow without running out of stack
 * (they recurse per level; about 700 levels is where the default stack ends).
 * SQLite accepts deeper parentheses but refuses 50 nested scalar subqueries and
 * 499 nested FROM subqueries; decisions.md, "Bounded analysis".
 */
export const NESTING_LIMIT = 500;
/** SQLite's SQLITE_MAX_EXPR_DEPTH: a left-deep chain of more operands than this is refused by SQLite too. */
export const MAX_EXPR_DEPTH = 1000;
/** SQLite's SQLITE_MAX_COMPOUND_SELECT. */
export const MAX_COMPOUND_SELECT = 500;

function collapseSpace(s: string): string {
  return s.replace(/\s+/g, ' ');
}
