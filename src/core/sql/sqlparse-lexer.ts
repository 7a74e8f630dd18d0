// sqlparse 0.6.0's lexer and statement splitter (andialbrecht/sqlparse 2f40da99,
// sqlparse/keywords.py SQL_REGEX and the KEYWORDS dictionaries, lexer.py, engine/
// statement_splitter.py, filters/tokens.py KeywordCaseFilter, filters/others.py
// SerializerUnicode, utils.py split_unquoted_newlines), ported for the official Spider
// evaluator's value extraction (plug-value.ts), which depends on sqlparse's exact token
// boundaries and types. Only what that code reads is kept: the leaf tokens of
// `sqlparse.parse(sql)[0].flatten()` and `sqlparse.format(sql, keyword_case='upper')`.
//
// The regexes are sqlparse's, in its order, compiled as Python compiles them
// (re.IGNORECASE | re.UNICODE) and spelled out for JavaScript:
//   \w     Python's Unicode word character = [\p{L}\p{N}_] (checked over every code point)
//   \d     Unicode decimal digit \p{Nd};  \s  str.isspace() (not JS's \s: \x1c-\x1f and \x85
//          are space to Python, \ufeff is not)
//   .      any character but \n;  \b after a word character: not followed by one
//   case   IGNORECASE matches a letter's case partners and, for [A-ZÀ-Ü], `i` and `s`,
//          also İ ı ſ K Å (Python's lower() and its i/ı, s/ſ equivalences); JS's `i` flag
//          differs there (and folds U+0345 into \p{L}), so letters are written out as classes.
// Grouping (sqlparse.engine.grouping) changes no leaf token that the value extraction reads
// (it only retypes a `*` between operands as an Operator); its limits are kept: a statement
// of more than 10,000 tokens raises (MAX_GROUPING_TOKENS). Its depth limit (100 levels of
// nested groups) is not modelled.

export type SqlparseType =
  | 'Comment.Single.Hint'
  | 'Comment.Single'
  | 'Comment.Multiline'
  | 'Comment.Multiline.Hint'
  | 'Newline'
  | 'Whitespace'
  | 'Assignment'
  | 'Punctuation'
  | 'Wildcard'
  | 'Name'
  | 'Name.Placeholder'
  | 'Name.Builtin'
  | 'Command'
  | 'Keyword'
  | 'Keyword.DML'
  | 'Keyword.DDL'
  | 'Keyword.DCL'
  | 'Keyword.CTE'
  | 'Keyword.Order'
  | 'Keyword.TZCast'
  | 'Number.Hexadecimal'
  | 'Number.Float'
  | 'Number.Integer'
  | 'String.Single'
  | 'String.Symbol'
  | 'Operator'
  | 'Operator.Comparison'
  | 'Literal'
  | 'Error';

export interface SqlparseToken {
  type: SqlparseType;
  value: string;
}

/** sqlparse.exceptions.SQLParseError, as its grouping raises it. */
export class SqlparseError extends Error {}

/** `ttype in T.Keyword`: the keyword type or one of its subtypes. */
export const isKeywordType = (t: SqlparseType): boolean => t === 'Keyword' || t.startsWith('Keyword.');
/** `token.is_whitespace`: `ttype in T.Whitespace` (Newline is a subtype). */
const isWhitespaceType = (t: SqlparseType): boolean => t === 'Whitespace' || t === 'Newline';

// ---- Python's character classes, as class bodies

/** Python's \w (Unicode): letters, numbers (str.isalnum) and `_`. */
const W = String.raw`\p{L}\p{N}_`;
/** Python's \d: Unicode decimal digits. */
const D = String.raw`\p{Nd}`;
/** Python's \s and str.isspace(). */
export const PY_SPACE = String.raw`\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;
const S = PY_SPACE;
/** [A-ZÀ-Ü] under re.IGNORECASE (every code point Python's matcher accepts). */
const NAME_START = String.raw`A-Za-z\u00c0-\u00dc\u00e0-\u00f6\u00f8-\u00fc\u0130\u0131\u017f\u212a\u212b`;
/** Python's \b after a word character. */
const B = `(?![${W}])`;

/** A word as re.IGNORECASE matches it: each letter with its case partners (i: İ ı, s: ſ, k: K). */
function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const u = ch.toUpperCase();
    const l = ch.toLowerCase();
    if (u === l) out += ch;
    else if (u === 'I') out += '[Iiİı]';
    else if (u === 'S') out += '[Ssſ]';
    else if (u === 'K') out += '[Kk\u212a]';
    else out += `[${u}${l}]`;
  }
  return out;
}
/** A pattern in Python's spelling of upper-case words, \s, \d and \b: the words case-insensitive, the escapes Python's. */
const CI = (pattern: string): string =>
  pattern
    .replace(/[A-Z]+/g, (w) => ci(w))
    .replace(/\\s/g, `[${S}]`)
    .replace(/\\d/g, `[${D}]`)
    .replace(/\\b/g, B);

// ---- SQL_REGEX

type Action = SqlparseType | 'PROCESS_AS_KEYWORD';
const rule = (source: string, action: Action): [RegExp, Action] => [new RegExp(source, 'uy'), action];

const SQL_REGEX: [RegExp, Action][] = [
  rule(String.raw`(?:--|# )\+[^\n]*?(?:\r\n|\r|\n|$)`, 'Comment.Single.Hint'),
  rule(String.raw`(?:--|# )[^\n]*?(?:\r\n|\r|\n|$)`, 'Comment.Single'),
  rule(String.raw`(?:\r\n|\r|\n)`, 'Newline'),
  rule(`[${S}]`, 'Whitespace'), // \s+? : one character
  rule(':=', 'Assignment'),
  rule('::', 'Punctuation'),
  rule(String.raw`\*`, 'Wildcard'),
  rule('`(?:``|[^`])*`', 'Name'),
  rule('´(?:´´|[^´])*´', 'Name'),
  rule(String.raw`\?`, 'Name.Placeholder'),
  rule(String.raw`%(?:\([${W}]+\))?[Ssſ]`, 'Name.Placeholder'),
  rule(String.raw`(?<![${W}])[$:?][${W}]+`, 'Name.Placeholder'),
  rule(String.raw`\\[${W}]+`, 'Command'),
  rule(CI(String.raw`(CASE|IN|VALUES|USING|FROM|AS)\b`), 'Keyword'),
  rule(String.raw`(?:@|##|#)[${NAME_START}][${W}]+`, 'Name'),
  rule(String.raw`[${NAME_START}][${W}]*(?=[${S}]*\.(?![${D}]))`, 'Name'),
  rule(String.raw`(?<=\.)[${NAME_START}][${W}]*`, 'Name'),
  rule(String.raw`[${NAME_START}][${W}]*(?=\()`, 'Name'),
  rule(String.raw`-?0[Xx][${D}A-Fa-f]+`, 'Number.Hexadecimal'),
  rule(String.raw`-?[${D}]+(?:\.[${D}]+)?[Ee]-?[${D}]+`, 'Number.Float'),
  rule(String.raw`(?![_${NAME_START}])-?(?:[${D}]+(?:\.[${D}]*)|\.[${D}]+)(?![_${NAME_START}])`, 'Number.Float'),
  rule(String.raw`(?![_${NAME_START}])-?[${D}]+(?![_${NAME_START}])`, 'Number.Integer'),
  rule(String.raw`'(?:''|\\'|[^'])*'`, 'String.Single'),
  rule(String.raw`"(?:""|\\"|[^"])*"`, 'String.Symbol'),
  rule(String.raw`(?:""|"[^\n]*?[^\\]")`, 'String.Symbol'),
  rule(String.raw`(?<![${W}\])])(?:\[[^\]\[]+\])`, 'Name'),
  rule(CI(String.raw`((LEFT\s+|RIGHT\s+|FULL\s+)?(INNER\s+|OUTER\s+|STRAIGHT\s+)?|(CROSS\s+|NATURAL\s+)?)?JOIN\b`), 'Keyword'),
  rule(CI(String.raw`END(\s+IF|\s+LOOP|\s+WHILE|\s+FOR|\s+CASE)?\b`), 'Keyword'),
  rule(CI(String.raw`IF\s+(NOT\s+)?EXISTS\b`), 'Keyword'),
  rule(CI(String.raw`NOT\s+NULL\b`), 'Keyword'),
  rule(CI(String.raw`(ASC|DESC)(\s+NULLS\s+(FIRST|LAST))?\b`), 'Keyword.Order'),
  rule(CI(String.raw`(ASC|DESC)\b`), 'Keyword.Order'),
  rule(CI(String.raw`NULLS\s+(FIRST|LAST)\b`), 'Keyword.Order'),
  rule(CI(String.raw`UNION\s+ALL\b`), 'Keyword'),
  rule(CI(String.raw`CREATE(\s+OR\s+REPLACE)?\b`), 'Keyword.DDL'),
  rule(CI(String.raw`DOUBLE\s+PRECISION\b`), 'Name.Builtin'),
  rule(CI(String.raw`GROUP\s+BY\b`), 'Keyword'),
  rule(CI(String.raw`ORDER\s+BY\b`), 'Keyword'),
  rule(CI(String.raw`PRIMARY\s+KEY\b`), 'Keyword'),
  rule(CI(String.raw`HANDLER\s+FOR\b`), 'Keyword'),
  rule(CI(String.raw`GO(\s\d+)\b`), 'Keyword'),
  rule(CI(String.raw`(LATERAL\s+VIEW\s+)(EXPLODE|INLINE|PARSE_URL_TUPLE|POSEXPLODE|STACK)\b`), 'Keyword'),
  rule(CI(String.raw`(AT|WITH')\s+TIME\s+ZONE\s+'[^']+'`), 'Keyword.TZCast'),
  rule(CI(String.raw`(NOT\s+)?(LIKE|ILIKE|RLIKE)\b`), 'Operator.Comparison'),
  rule(CI(String.raw`(NOT\s+)?(REGEXP)(\s+(BINARY))?\b`), 'Operator.Comparison'),
  rule(String.raw`[${W}][$#${W}]*`, 'PROCESS_AS_KEYWORD'),
  rule(String.raw`[;:()\[\],\.]`, 'Punctuation'),
  rule(String.raw`(?:->>?|#>>?|@>|<@|\?\|?|\?&|-|#-)`, 'Operator'),
  rule('[<>=~!]+', 'Operator.Comparison'),
  rule(String.raw`[+/@#%^&|^\-]+`, 'Operator'),
];

// ---- the KEYWORDS dictionaries: for each word, the type of the first dictionary that
// has it, in the lexer's order (COMMON, ORACLE, MYSQL, PLPGSQL, HQL, MSACCESS, SNOWFLAKE,
// BIGQUERY, KEYWORDS). Generated from sqlparse 0.6.0; entries with a space ("BIT VARYING")
// are left out: `\w[$#\w]*` never matches them.
const KEYWORD_GROUPS: [SqlparseType, string][] = [
  ['Keyword', 'ABORT ABS ABSOLUTE ACCESS ACCOUNT ADA ADD ADMIN AFTER AGGREGATE ALIAS ALL ALLOCATE ANALYSE ANALYZE ' +
    'AND ANY ARCHIVE ARCHIVELOG ARE ARRAYLEN ARRAY_CONTAINS AS ASENSITIVE ASSERTION ASSERT_ROWS_MODIFIED ' +
    'ASSIGNMENT ASYMMETRIC AT ATOMIC ATTACH AUDIT AUTHORIZATION AUTO_INCREMENT AVG BACKUP BACKWARD BECOME ' +
    'BEFORE BEGIN BETWEEN BIGSERIAL BITVAR BIT_LENGTH BLOCK BODY BOTH BOX BREADTH BREAK BY BYTEA CACHE ' +
    'CALL CALLED CANCEL CARDINALITY CASCADE CASCADED CASE CAST CATALOG CATALOG_NAME CHAIN CHANGE ' +
    'CHARACTER CHARACTERISTICS CHARACTER_LENGTH CHARACTER_SET_CATALOG CHARACTER_SET_NAME ' +
    'CHARACTER_SET_SCHEMA CHARSET CHAR_LENGTH CHECK CHECKED CHECKPOINT CIDR CIRCLE CLASS CLASS_ORIGIN ' +
    'CLOB CLOSE CLUSTER CMP COALESCE COBOL COLLATE COLLATION COLLATION_CATALOG COLLATION_NAME ' +
    'COLLATION_SCHEMA COLLECT COLLECT_LIST COLUMN COLUMN_NAME COMMAND_FUNCTION COMMAND_FUNCTION_CODE ' +
    'COMMENT COMMITTED COMPILE COMPLETION COMPRESS CONCAT CONCURRENTLY CONDITION CONDITION_NUMBER ' +
    'CONFLICT CONNECT CONNECTION CONNECTION_NAME CONSTRAINT CONSTRAINTS CONSTRAINT_CATALOG ' +
    'CONSTRAINT_NAME CONSTRAINT_SCHEMA CONSTRUCTOR CONTAINS CONTENTS CONTINUE CONTROLFILE CONVERSION ' +
    'CONVERT COPY CORRESPONDING COUNT CREATEDB CREATEUSER CROSS CUBE CURRENT CURRENT_DATE CURRENT_PATH ' +
    'CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR CURSOR_NAME CYCLE DATA DATABASE ' +
    'DATAFILE DATETIME_INTERVAL_CODE DATETIME_INTERVAL_PRECISION DATE_ADD DATE_SUB DAY DBA DBMS_OUTPUT ' +
    'DEALLOCATE DECLARE DECODE DEFAULT DEFAULTS DEFERRABLE DEFERRED DEFINE DEFINED DEFINER DELIMITER ' +
    'DELIMITERS DEREF DESCRIBE DESCRIPTOR DESTROY DESTRUCTOR DETACH DETERMINISTIC DIAGNOSTICS DICTIONARY ' +
    'DIRECTORY DISABLE DISCONNECT DISMOUNT DISPATCH DISTINCT DISTINCTROW DISTRIBUTE DO DOMAIN DOUBLE DUMP ' +
    'DYNAMIC DYNAMIC_FUNCTION DYNAMIC_FUNCTION_CODE EACH ELEMENTS ELSE ELSIF ENABLE ENCODING ENCRYPTED ' +
    'END ENGINE ENUM EQUALS ESCAPE EVENTS EVERY EXCEPT EXCEPTION EXCEPTIONS EXCHANGE EXCLUDING EXCLUSIVE ' +
    'EXEC EXECUTE EXISTING EXISTS EXIT EXPLAIN EXPLODE EXTENDED EXTENSION EXTENT EXTERNAL EXTERNALLY ' +
    'EXTRACT FALSE FETCH FILE FINAL FIRST FLOOR FLUSH FOLLOWING FOR FORCE FOREACH FOREIGN FORTRAN FORWARD ' +
    'FOUND FREE FREELIST FREELISTS FREEZE FROM FROM_UNIXTIME FTP FULL FUNCTION GENERAL GENERATED GET ' +
    'GLOBAL GO GOTO GRANTED GROUP GROUPING GSCLUSTER HASH HAVING HIERARCHY HOLD HOST HOUR IDENTIFIED ' +
    'IDENTITY IF IGNORE ILIKE IMMEDIATE IMMUTABLE IMPLEMENTATION IMPLICIT IN INCLUDE INCLUDING INCREMENT ' +
    'INDEX INDEXES INDICATOR INET INFIX INHERIT INHERITS INITIAL INITIALIZE INITIALLY INITRANS INLINE ' +
    'INNER INOUT INPUT INSENSITIVE INSTANCE INSTANTIABLE INSTEAD INSTR INTERSECT INTO INVOKER IS ISNULL ' +
    'ISOLATION ISSUE ITERATE JOIN JSON JSONB KEY KEY_MEMBER KEY_TYPE LANCOMPILER LANGUAGE LARGE LAST ' +
    'LATERAL LAYER LEADING LEAVE LEFT LEN LENGTH LESS LEVEL LIKE LIMIT LINE LINK LISTEN LISTS LOAD LOCAL ' +
    'LOCALTIME LOCALTIMESTAMP LOCATE LOCATION LOCATOR LOCK LOGFILE LOOKUP LOOP LOWER LSEG MACADDR MANAGE ' +
    'MANUAL MATCH MATERIALIZED MAX MAXDATAFILES MAXELEMENT MAXEXTENTS MAXINDEX MAXINSTANCES MAXLOGFILES ' +
    'MAXLOGHISTORY MAXLOGMEMBERS MAXTRANS MAXVALUE MAX_PART_DATE MAX_PART_INT MAX_PART_STRING ' +
    'MESSAGE_LENGTH MESSAGE_OCTET_LENGTH MESSAGE_TEXT METHOD MIN MINELEMENT MINEXTENTS MININDEX MINUS ' +
    'MINUTE MINVALUE MIN_PART_DATE MIN_PART_INT MIN_PART_STRING MOD MODE MODIFIES MODIFY MODULE MONEY ' +
    'MONTH MORE MOUNT MOVE MUMPS NAMES NATIONAL NATURAL NCHAR NCLOB NEW NEXT NO NOARCHIVELOG NOAUDIT ' +
    'NOCACHE NOCOMPRESS NOCREATEDB NOCREATEUSER NOCYCLE NOMAXVALUE NOMINVALUE NONE NOORDER NORESETLOGS ' +
    'NORMAL NOSORT NOT NOTFOUND NOTHING NOTICE NOTIFY NOTNULL NOW NOWAIT NULL NULLABLE NULLIF NVL NVL2 ' +
    'OBJECT OCTET_LENGTH OF OFF OFFLINE OFFSET OIDS OLD ON ONLINE ONLY ON_ERROR_STOP OPEN OPERATION ' +
    'OPERATOR OPTIMAL OPTION OPTIONS OR ORDER ORDINALITY ORGANIZATION OUT OUTER OUTPUT OVER OVERLAPS ' +
    'OVERLAY OVERRIDING OVERWRITE OWN OWNER PACKAGE PAD PARALLEL PARAMETER PARAMETERS PARAMETER_MODE ' +
    'PARAMETER_NAME PARAMETER_ORDINAL_POSITION PARAMETER_SPECIFIC_CATALOG PARAMETER_SPECIFIC_NAME ' +
    'PARAMETER_SPECIFIC_SCHEMA PARSE_URL_TUPLE PARTIAL PARTITION PART_COUNT PART_COUNT_BY PART_LOC PASCAL ' +
    'PATH PCTFREE PCTINCREASE PCTUSED PENDANT PERFORM PG_LSN PIVOT PLACING PLAN PLI PLPGSQL POINT POLYGON ' +
    'POSEXPLODE POSITION POSTFIX PRECEDING PRECISION PREFIX PREORDER PREPARE PRESERVE PRIMARY PRINT PRIOR ' +
    'PRIVATE PRIVILEGES PROCEDURAL PROCEDURE PROFILE PROTO PUBLIC PUT_LINE QUALIFY QUARTER QUOTA RAISE ' +
    'RANGE RAW READ READS RECHECK RECOVER RECURSIVE REDUCE REF REFERENCES REFERENCING REGEXP ' +
    'REGEXP_REPLACE REINDEX RELATIVE RENAME REPEATABLE RESET RESETLOGS RESIGNAL RESOURCE RESPECT RESTART ' +
    'RESTRICT RESTRICTED RESULT RETURN RETURNED_LENGTH RETURNED_OCTET_LENGTH RETURNED_SQLSTATE RETURNING ' +
    'RETURNS REUSE RIGHT RLIKE ROLE ROLES ROLLUP ROUTINE ROUTINE_CATALOG ROUTINE_NAME ROUTINE_SCHEMA ROW ' +
    'ROWS ROW_COUNT ROW_FORMAT RTRIM RULE SAMPLE SAVEPOINT SAVE_POINT SCALE SCHEMA SCHEMA_NAME SCN SCOPE ' +
    'SCROLL SEARCH SECOND SECTION SECURITY SEGMENT SELF SENSITIVE SEQUENCE SERIALIZABLE SERVER_NAME ' +
    'SESSION SESSION_USER SET SETOF SETS SHARE SHARED SHOW SIGN SIGNAL SIMILAR SIMPLE SIN SIZE ' +
    'SMALLSERIAL SNAPSHOT SOME SORT SOURCE SPACE SPECIFIC SPECIFICTYPE SPECIFIC_NAME SPLIT SQL SQLBUF ' +
    'SQLCODE SQLERROR SQLEXCEPTION SQLSTATE SQLWARNING SQRT STABLE STACK STATEMENT STATEMENT_ID STATIC ' +
    'STATISTICS STDIN STDOUT STOP STORAGE STR STRAIGHT_JOIN STRICT STRUCTURE STYPE SUBCLASS_ORIGIN ' +
    'SUBLIST SUBSTR SUBSTRING SUCCESSFUL SUM SUMMARY SWITCH SYMMETRIC SYNONYM SYSID SYSTEM SYSTEM_USER ' +
    'TABLE TABLES TABLESAMPLE TABLESPACE TABLE_NAME TBLPROPERTIES TEMP TEMPLATE TEMPORARY TERMINATE THAN ' +
    'THEN THREAD TIME TIMESTAMP_ISO TIMEZONE_HOUR TIMEZONE_MINUTE TO TOAST TO_CHAR TO_DATE TO_TIMESTAMP ' +
    'TRACING TRAILING TRANSACTION TRANSACTIONS_COMMITTED TRANSACTIONS_ROLLED_BACK TRANSATION ' +
    'TRANSATION_ACTIVE TRANSFORM TRANSFORMS TRANSLATE TRANSLATION TREAT TRIGGER TRIGGERS TRIGGER_CATALOG ' +
    'TRIGGER_NAME TRIGGER_SCHEMA TRIM TRUE TRUNC TRUSTED TRY_CAST TSQUERY TSVECTOR TXID_SNAPSHOT TYPE UID ' +
    'UNBOUNDED UNCOMMITTED UNDER UNENCRYPTED UNION UNIQUE UNIQUEJOIN UNIX_TIMESTAMP UNKNOWN UNLIMITED ' +
    'UNLISTEN UNLOCK UNNAMED UNNEST UNPIVOT UNTIL UPPER USAGE USE USER USER_DEFINED_TYPE_CATALOG ' +
    'USER_DEFINED_TYPE_NAME USER_DEFINED_TYPE_SCHEMA USING UTC_TIMESTAMP UUID VACUUM VALID VALIDATE ' +
    'VALIDATOR VALUES VARIABLE VERBOSE VERSION VIEW VIEWS VOLATILE WEEK WHEN WHENEVER WHERE WHILE WINDOW ' +
    'WITHOUT WORK WRITE XML YEAR ZONE'],
  ['Keyword.CTE', 'WITH'],
  ['Keyword.DCL', 'GRANT REVOKE'],
  ['Keyword.DDL', 'ALTER CREATE DROP TRUNCATE'],
  ['Keyword.DML', 'COMMIT DELETE INSERT MERGE REPLACE ROLLBACK SELECT START UPDATE UPSERT'],
  ['Name', 'SYSDATE'],
  ['Name.Builtin', 'ARRAY BIGINT BIGNUMERIC BINARY BIT BLOB BOOLEAN CHAR DATE DEC DECIMAL FILE_TYPE FLOAT INT INT8 ' +
    'INTEGER INTERVAL LONG MAP NATURALN NUMBER NUMERIC NVARCHAR PLS_INTEGER POSITIVE POSITIVEN REAL ROWID ' +
    'ROWLABEL ROWNUM SERIAL SERIAL8 SIGNED SIGNTYPE SIMPLE_DOUBLE SIMPLE_FLOAT SIMPLE_INTEGER SMALLINT ' +
    'STRING STRUCT SYS_REFCURSOR TEXT TIMESTAMP TINYINT UNSIGNED UROWID UTL_FILE VARCHAR VARCHAR2 VARIANT ' +
    'VARYING'],
  ['Operator', 'DIV'],
];
const KEYWORDS = new Map<string, SqlparseType>();
for (const [type, words] of KEYWORD_GROUPS) for (const w of words.split(' ')) if (w) KEYWORDS.set(w, type);

/** Lexer.is_keyword: the dictionaries are looked up with Python's upper(). */
function keywordType(value: string): SqlparseType {
  return KEYWORDS.get(value.toUpperCase()) ?? 'Name';
}

// ---- dollar-quoted literals and multiline comments (keywords.find_delimited_spans)

interface Spans {
  openers: Map<number, { end: number; tag: string; type: SqlparseType }>;
  closers: Map<string, { starts: number[]; ends: number[] }>;
}

const DOLLAR_DELIM = new RegExp(String.raw`(?=(\$(?:[_${NAME_START}][${W}]*)?\$))`, 'gu');
const DOLLAR_OPENER_OK = new RegExp(String.raw`(?<![${W}"$])`, 'uy');

function delimitedSpans(text: string): Spans | null {
  const hasDollar = text.includes('$');
  const hasComment = text.includes('/*');
  if (!hasDollar && !hasComment) return null;
  const openers: Spans['openers'] = new Map();
  const closers: Spans['closers'] = new Map();
  const bucket = (tag: string) => {
    let b = closers.get(tag);
    if (!b) closers.set(tag, (b = { starts: [], ends: [] }));
    return b;
  };
  if (hasDollar) {
    for (const m of text.matchAll(DOLLAR_DELIM)) {
      const start = m.index;
      const tag = m[1];
      const end = start + tag.length;
      const b = bucket(tag);
      b.starts.push(start);
      b.ends.push(end);
      DOLLAR_OPENER_OK.lastIndex = start;
      if (DOLLAR_OPENER_OK.test(text)) openers.set(start, { end, tag, type: 'Literal' });
    }
  }
  if (hasComment) {
    for (const m of text.matchAll(/\/\*\+/g)) openers.set(m.index, { end: m.index + 3, tag: '/*', type: 'Comment.Multiline.Hint' });
    for (const m of text.matchAll(/\/\*(?!\+)/g)) openers.set(m.index, { end: m.index + 2, tag: '/*', type: 'Comment.Multiline' });
    const b = bucket('/*');
    for (const m of text.matchAll(/\*\//g)) {
      b.starts.push(m.index);
      b.ends.push(m.index + 2);
    }
  }
  return { openers, closers };
}

/** DelimitedSpans.resolve: the first closer of the tag starting at or after the opener's end. */
function resolveSpan(spans: Spans, pos: number): { end: number; type: SqlparseType } | null {
  const o = spans.openers.get(pos)!;
  const { starts, ends } = spans.closers.get(o.tag)!;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] < o.end) lo = mid + 1;
    else hi = mid;
  }
  return lo === starts.length ? null : { end: ends[lo], type: o.type };
}

// ---- the lexer

/** Lexer.get_tokens: every (type, value) pair of `text`, in order; their values concatenate to `text`. */
export function sqlparseTokens(text: string): SqlparseToken[] {
  const out: SqlparseToken[] = [];
  const spans = delimitedSpans(text);
  const n = text.length;
  let pos = 0;
  outer: while (pos < n) {
    if (spans?.openers.has(pos)) {
      const r = resolveSpan(spans, pos);
      if (r) {
        out.push({ type: r.type, value: text.slice(pos, r.end) });
        pos = r.end;
        continue;
      }
    }
    for (const [re, action] of SQL_REGEX) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m) continue;
      const value = m[0];
      out.push({ type: action === 'PROCESS_AS_KEYWORD' ? keywordType(value) : action, value });
      pos += value.length;
      continue outer;
    }
    // No rule matches: one character (a code point, as Python iterates a str) is an Error token.
    const cp = text.codePointAt(pos)!;
    const value = String.fromCodePoint(cp);
    out.push({ type: 'Error', value });
    pos += value.length;
  }
  return out;
}

// ---- the statement splitter (engine/statement_splitter.py)

class StatementSplitter {
  private blockStack: string[] = [];
  private unconfirmedStart: string | null = null;
  private isCreate = false;
  private seenBegin = false;
  private consumeWs = false;
  private tokens: SqlparseToken[] = [];
  private level = 0;

  private reset(): void {
    this.blockStack = [];
    this.unconfirmedStart = null;
    this.isCreate = false;
    this.seenBegin = false;
    this.consumeWs = false;
    this.tokens = [];
    this.level = 0;
  }

  private nestedBlock(unified: string): number | null {
    if (unified === 'FOR') {
      this.unconfirmedStart = 'FOR';
      return 0;
    }
    if (unified === 'WHILE') {
      this.unconfirmedStart = 'WHILE';
      return 0;
    }
    if (unified === 'LOOP' || unified === 'DO') {
      if (this.unconfirmedStart === 'FOR' || this.unconfirmedStart === 'WHILE') {
        this.blockStack.push(this.unconfirmedStart);
        this.unconfirmedStart = null;
        return 1;
      }
      if (unified === 'LOOP') {
        this.blockStack.push('LOOP');
        return 1;
      }
    }
    if (unified === 'IF' || unified === 'CASE') {
      this.blockStack.push(unified);
      return 1;
    }
    return null;
  }

  private closingKeyword(unified: string): number {
    const top = this.blockStack[this.blockStack.length - 1];
    const closes: Record<string, readonly string[]> = { 'END IF': ['IF'], 'END FOR': ['FOR'], 'END WHILE': ['WHILE'], 'END LOOP': ['LOOP', 'FOR', 'WHILE'], 'END CASE': ['CASE'] };
    if (unified in closes) {
      if (this.blockStack.length && closes[unified].includes(top)) {
        this.blockStack.pop();
        return -1;
      }
      return 0;
    }
    if (unified === 'END') {
      if (this.blockStack.length) this.blockStack.pop();
      return -1;
    }
    return 0;
  }

  private changeSplitLevel(type: SqlparseType, value: string): number {
    if (type === 'Punctuation' && value === ';') {
      this.unconfirmedStart = null;
      if (this.seenBegin) {
        this.seenBegin = false;
        if (this.blockStack.length && this.blockStack[this.blockStack.length - 1] === 'BEGIN') {
          this.blockStack.pop();
          return -1;
        }
      }
      return 0;
    }
    if (type === 'Punctuation' && value === '(') return 1;
    if (type === 'Punctuation' && value === ')') return -1;
    if (!isKeywordType(type)) return 0;
    const unified = value.toUpperCase();
    if (type === 'Keyword.DDL' && unified.startsWith('CREATE')) {
      this.isCreate = true;
      return 0;
    }
    if (unified === 'DECLARE' && this.isCreate && !this.blockStack.length) {
      this.blockStack.push('DECLARE');
      return 1;
    }
    if (unified === 'BEGIN') {
      this.seenBegin = true;
      if (this.blockStack.length && this.blockStack[this.blockStack.length - 1] === 'DECLARE') {
        this.blockStack.pop();
        this.blockStack.push('BEGIN');
        return 0;
      }
      this.blockStack.push('BEGIN');
      return 1;
    }
    // (sqlparse also accepts T.Name here; a Name never reaches this line, which only keywords pass.)
    if (this.seenBegin && type === 'Keyword' && ['TRANSACTION', 'WORK', 'TRAN', 'DISTRIBUTED', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE'].includes(unified)) {
      this.seenBegin = false;
      if (this.blockStack.length && this.blockStack[this.blockStack.length - 1] === 'BEGIN') {
        this.blockStack.pop();
        return -1;
      }
      return 0;
    }
    if (this.blockStack.includes('BEGIN')) {
      const r = this.nestedBlock(unified);
      if (r !== null) return r;
    }
    return this.closingKeyword(unified);
  }

  *process(stream: Iterable<SqlparseToken>): Generator<SqlparseToken[]> {
    for (const t of stream) {
      if (this.consumeWs && t.type !== 'Whitespace' && t.type !== 'Comment.Single') {
        yield this.tokens;
        this.reset();
      }
      this.level += this.changeSplitLevel(t.type, t.value);
      this.tokens.push(t);
      if (t.type === 'Punctuation' && t.value === ';') {
        this.seenBegin = false;
        if (this.level <= 0 && !this.blockStack.includes('BEGIN')) this.consumeWs = true;
      } else if (t.type === 'Keyword' && pySplit(t.value)[0] === 'GO') {
        this.consumeWs = true;
      } else if (t.type !== 'Whitespace' && t.type !== 'Newline' && t.type !== 'Comment.Single' && t.type !== 'Comment.Multiline' && !(t.type === 'Keyword' && t.value.toUpperCase() === 'BEGIN')) {
        this.seenBegin = false;
      }
    }
    if (this.tokens.length && !this.tokens.every((t) => isWhitespaceType(t.type))) yield this.tokens;
  }
}

/** The statements sqlparse splits `tokens` into (a whitespace-only rest is no statement). */
export function splitStatements(tokens: Iterable<SqlparseToken>): SqlparseToken[][] {
  return [...new StatementSplitter().process(tokens)];
}

/** grouping.MAX_GROUPING_TOKENS: a statement with more tokens makes sqlparse.parse raise. */
const MAX_GROUPING_TOKENS = 10_000;

/**
 * `sqlparse.parse(text)[0].flatten()`: the leaf tokens of the first statement, or null
 * where sqlparse finds no statement (Python raises IndexError there). Throws
 * SqlparseError where grouping gives up on a statement (parse groups every statement).
 */
export function firstStatementTokens(text: string): SqlparseToken[] | null {
  const statements = splitStatements(sqlparseTokens(text));
  for (const s of statements) if (s.length > MAX_GROUPING_TOKENS) throw new SqlparseError(`Maximum number of tokens exceeded (${MAX_GROUPING_TOKENS}).`);
  return statements.length ? statements[0] : null;
}

// ---- sqlparse.format(text, keyword_case='upper')

/** utils.SPLIT_REGEX: newlines, runs without quotes or newlines, quoted strings (backslash escapes). */
const SPLIT_REGEX = /(\r\n|\r|\n|[^\r\n'"]+|"(?:[^"\\]|\\[^\n])*"|'(?:[^'\\]|\\[^\n])*')/u;
const LINE_MATCH = /^(?:\r\n|\r|\n)/;

/** utils.split_unquoted_newlines. */
function splitUnquotedNewlines(text: string): string[] {
  const out = [''];
  for (const part of pyReSplit(SPLIT_REGEX, text)) {
    if (!part) continue;
    if (LINE_MATCH.test(part)) out.push('');
    else out[out.length - 1] += part;
  }
  return out;
}

/**
 * Python's re.split with one capturing group: the text between matches and each match,
 * alternately (empty pieces kept). The pattern never matches empty text.
 */
function pyReSplit(re: RegExp, text: string): string[] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  const out: string[] = [];
  let at = 0;
  for (const m of text.matchAll(g)) {
    out.push(text.slice(at, m.index), m[1]);
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return out;
}

/**
 * `sqlparse.format(text, reindent=False, keyword_case='upper')`: keywords upper-cased
 * (Python's str.upper), statements split, each serialized by SerializerUnicode (lines
 * split at unquoted newlines, each right-stripped, joined by \n) and concatenated.
 */
export function formatKeywordUpper(text: string): string {
  const upper = sqlparseTokens(text).map((t) => (isKeywordType(t.type) ? { type: t.type, value: t.value.toUpperCase() } : t));
  let out = '';
  for (const stmt of splitStatements(upper)) {
    out += splitUnquotedNewlines(stmt.map((t) => t.value).join(''))
      .map((line) => pyRstrip(line))
      .join('\n');
  }
  return out;
}

// ---- Python str methods on whitespace (str.isspace)

const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`, 'u');
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`, 'u');
const SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'u');

export const pyRstrip = (s: string): string => s.replace(TRAILING_SPACE, '');
export const pyStrip = (s: string): string => s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
/** str.split() with no argument: runs of whitespace separate, no empty pieces. */
export const pySplit = (s: string): string[] => {
  const t = pyStrip(s);
  return t === '' ? [] : t.split(SPACE_RUN);
};
