import type { Logger } from '../log/logger.ts';
import type {
  AuditStore,
  Clock,
  ConfirmationReader,
  DeploymentStore,
  DeploymentTracker,
  IntegrationStore,
  LockStore,
  NcpPort,
  PinStore,
} from './ports.ts';

/** What every use case may need; `createServices` binds them once. */
export interface ServiceDeps {
  readonly integrations: IntegrationStore;
  readonly deployments: DeploymentStore;
  readonly ncp: NcpPort;
  readonly clock: Clock;
  readonly tracker: DeploymentTracker;
  readonly logger: Logger;
  readonly audit?: AuditStore;
  /** Deploy locks; without them no repo is ever locked. */
  readonly locks?: LockStore;
  /** Pins after rollbacks; without them no repo is ever pinned. */
  readonly pins?: PinStore;
  /** How long a rollback's pin lasts (default 24 h). */
  readonly pinTtlMs?: number;
  /** Who confirmed which deployment, for the audit answer. */
  readonly confirmations?: ConfirmationReader;
  /** Manifest path in the SourceCommit repository when the integration names none (config MANIFEST_PATH). */
  readonly manifestPath: string;
  /**
   * Fault testing (HALT_AT): called at named points of a start (`deploy_start:before`, `…:after`); the
   * configured point never returns, so a test can SIGKILL the process exactly there. Absent: no-op.
   */
  readonly halt?: (point: string) => Promise<void>;
}

export type RollbackSelector =
  | { readonly stepsBack: number }
  /** `faultyOk`: the target may be a rolled-away-from version, chosen on purpose ("undo that"). */
  | { readonly commitSha: string; readonly faultyOk?: boolean };
/** A ref (branch, tag; null means the default branch) or an exact commit. */
export type DeploySelector = ({ readonly ref: string | null } | { readonly commitSha: string }) & {
  /** Deploy past a pin (the record keeps it). */
  readonly force?: boolean;
};
