import type Database from 'better-sqlite3';

/**
 * The highest NCP run number the records hold (SourceDeploy history ids, and the numeric tail of
 * SourceBuild ids). A simulator started on a database from before its state was kept numbers its runs
 * above it, so they never collide with the unique history id of an older record.
 */
export function highestNcpRunNumber(sqlite: Database.Database): number {
  const row = sqlite
    .prepare(
      `SELECT max(coalesce(CAST(deploy_history_id AS INTEGER), 0)) AS d,
              max(coalesce(CAST(substr(build_id, instr(build_id, '-') + 1) AS INTEGER), 0)) AS b
       FROM deployments`,
    )
    .get() as { d: number | null; b: number | null } | undefined;
  return Math.max(row?.d ?? 0, row?.b ?? 0);
}
