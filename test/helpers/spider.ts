// The Spider databases copied into the repository (data/spider, CC BY-SA 4.0;
// see data/ATTRIBUTION.md), for tests that must run without ../shared.
import { join } from 'node:path';
import { REPO_ROOT } from './data.ts';
import { schemaFromSqlite } from '../../src/core/plan/schema-load.ts';
import type { Schema } from '../../src/core/plan/schema.ts';

export const SPIDER_DIR = join(REPO_ROOT, 'data', 'spider');

export function spiderDb(dbId: string): string {
  return join(SPIDER_DIR, dbId, `${dbId}.sqlite`);
}

const schemas = new Map<string, Schema>();
export function spiderSchema(dbId: string): Schema {
  let s = schemas.get(dbId);
  if (!s) {
    s = schemaFromSqlite(spiderDb(dbId));
    schemas.set(dbId, s);
  }
  return s;
}
