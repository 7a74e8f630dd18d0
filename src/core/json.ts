// JSON output shared by the CLI and scoring runs: query results may hold
// integers beyond 2^53 as bigint, which JSON.stringify rejects by default.

/** BigInt cells (integers beyond 2^53) are written as JSON numbers with all their digits. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  // JSON.rawJSON (Node >= 21) emits the digits verbatim; a replacer's result is not passed through toJSON.
  return typeof value === 'bigint' ? (JSON as unknown as { rawJSON(s: string): unknown }).rawJSON(value.toString()) : value;
}
