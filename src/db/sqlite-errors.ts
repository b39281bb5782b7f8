import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

interface SqliteErrorLike {
  readonly code: string;
  readonly message: string;
}

// drizzle wraps driver errors (DrizzleQueryError) with the better-sqlite3 error as `cause`.
function sqliteError(err: unknown): SqliteErrorLike | null {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return { code, message: e.message };
    e = e.cause;
  }
  return null;
}

/**
 * Which unique constraint an error broke, as SQLite names it: `table.column` for a column constraint,
 * the index name for an index on expressions. null when the error is something else.
 */
export function uniqueViolation(err: unknown): string | null {
  const e = sqliteError(err);
  if (e?.code !== 'SQLITE_CONSTRAINT_UNIQUE') return null;
  const m = /UNIQUE constraint failed: (?:index '([^']+)'|(.+))$/.exec(e.message);
  return m ? (m[1] ?? m[2] ?? '') : '';
}

/** `lower(col) = value`, written to match the lower() expression indexes. */
export const lowerEq = (col: SQLiteColumn, value: string): SQL => sql`lower(${col}) = ${value.toLowerCase()}`;
