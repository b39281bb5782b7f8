import {
  type AuditStore,
  type Clock,
  type DeploymentStore,
  type EventLog,
  type IntegrationStore,
  type PendingActionStore,
  systemClock,
} from '../services/ports.ts';
import { createAuditStore } from './audit.repo.ts';
import { createDeploymentStore } from './deployments.repo.ts';
import { createEventLog } from './events.repo.ts';
import { createIntegrationStore } from './integrations.repo.ts';
import type { Db } from './open.ts';
import { createPendingActionStore } from './pending-actions.repo.ts';

export interface Stores {
  readonly deployments: DeploymentStore;
  readonly integrations: IntegrationStore;
  readonly audit: AuditStore;
  readonly pendingActions: PendingActionStore;
  readonly events: EventLog;
}

/** Every SQLite-backed store over one connection. The clock stamps created/updated/requested times. */
export function createStores(db: Db, clock: Clock = systemClock): Stores {
  return {
    deployments: createDeploymentStore(db, clock),
    integrations: createIntegrationStore(db, clock),
    audit: createAuditStore(db, clock),
    pendingActions: createPendingActionStore(db),
    events: createEventLog(db),
  };
}
