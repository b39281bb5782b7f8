import type { SQL } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { KlepaasError } from '../domain/errors.ts';

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

/**
 * The one row a single-row `INSERT/UPDATE … RETURNING` gave back, read with `.all()`. better-sqlite3's
 * `.get()` returns the first row and resets the statement without reporting how the statement ended, so
 * a write the disk never committed (SQLITE_FULL at commit) came back as a row: `.all()` steps to the end
 * and throws. Never read a RETURNING write with `.get()`.
 */
export function onlyRow<T>(rows: readonly T[]): T | undefined {
  return rows[0];
}

// Codes that mean the database file cannot take (or give) data, as opposed to a constraint or a bug.
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|LOCKED|PERM|PROTOCOL)/;

/** The error a store throws when SQLite could not write: said in both languages, nothing pretended. */
export function storageFailure(err: unknown): KlepaasError | null {
  if (err instanceof KlepaasError) return null;
  const e = sqliteError(err);
  if (!e || !STORAGE_CODES.test(e.code)) return null;
  const full = e.code.startsWith('SQLITE_FULL');
  const busy = /^SQLITE_(BUSY|LOCKED)/.test(e.code);
  const reason = full
    ? { en: 'the disk is full', ko: '디스크가 가득 찼습니다' }
    : busy
      ? {
          en: 'the database is locked by another process',
          ko: '다른 프로세스가 데이터베이스를 잠그고 있습니다',
        }
      : {
          en: `the database file cannot be used (${e.code})`,
          ko: `데이터베이스 파일을 쓸 수 없습니다 (${e.code})`,
        };
  return new KlepaasError({
    code: 'STORAGE_FAILED',
    status: 503,
    message: {
      en: `The bot could not save to its database: ${reason.en}. This change was not recorded.`,
      ko: `데이터베이스에 저장하지 못했습니다: ${reason.ko}. 이 변경은 기록되지 않았습니다.`,
    },
    hint: full
      ? {
          en: 'Free space where DATABASE_PATH points, then check the status before trying again.',
          ko: 'DATABASE_PATH가 가리키는 디스크의 공간을 확보한 뒤, 상태를 확인하고 다시 시도하세요.',
        }
      : {
          en: 'Check the file DATABASE_PATH points to, then check the status before trying again.',
          ko: 'DATABASE_PATH가 가리키는 파일을 확인한 뒤, 상태를 확인하고 다시 시도하세요.',
        },
    details: { sqliteCode: e.code },
    cause: err,
  });
}

/**
 * The store with every method's storage failures turned into `storageFailure`: one place, so no store
 * method can forget it and a caller always gets the same refusal in the user's language.
 */
export function guardStorage<S extends object>(store: S): S {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    guarded[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            try {
              return (value as (...a: unknown[]) => unknown).apply(store, args);
            } catch (err) {
              throw storageFailure(err) ?? err;
            }
          }
        : value;
  }
  return guarded as S;
}
