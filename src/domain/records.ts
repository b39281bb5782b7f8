import type { Deployment, RequestChannel } from './deployment.ts';

/** A deploy lock on one repo. Active while `releasedAt` is null and `expiresAt` is in the future. */
export interface RepoLock {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly lockedBy: string | null;
  readonly via: RequestChannel;
  readonly reason: string | null;
  readonly lockedAt: Date;
  readonly expiresAt: Date;
  readonly releasedAt: Date | null;
  readonly releasedBy: string | null;
}

export interface AuditItem {
  readonly deployment: Deployment;
  /** Who said yes to the confirmation that started it (null: started without one, e.g. the CLI). */
  readonly confirmedBy: string | null;
  /** For a rollback: the commit it rolled away from. */
  readonly fromSha: string | null;
}

export interface AuditReport {
  readonly owner: string;
  readonly repo: string;
  readonly items: readonly AuditItem[];
  readonly locks: readonly RepoLock[];
  /** What runs now, as recorded: since when and by whom. */
  readonly running: Deployment | null;
}
