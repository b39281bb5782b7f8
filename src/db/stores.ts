import {
  type AuditStore,
  type Clock,
  type ConfirmationReader,
  type ConversationStore,
  type DeploymentStore,
  type EventLog,
  type IntegrationStore,
  type LockStore,
  type PendingActionStore,
  type PinStore,
  systemClock,
} from '../services/ports.ts';
import { createAuditStore } from './audit.repo.ts';
import { createConfirmationReader, createConversationStore } from './conversations.repo.ts';
import { createDeploymentStore } from './deployments.repo.ts';
import { createEventLog } from './events.repo.ts';
import { createIntegrationStore } from './integrations.repo.ts';
import { createLockStore } from './locks.repo.ts';
import type { Db } from './open.ts';
import { createPendingActionStore } from './pending-actions.repo.ts';
import { createPinStore } from './pins.repo.ts';

export interface Stores {
  readonly deployments: DeploymentStore;
  readonly integrations: IntegrationStore;
  readonly audit: AuditStore;
  readonly pendingActions: PendingActionStore;
  readonly events: EventLog;
  readonly locks: LockStore;
  readonly pins: PinStore;
  readonly conversations: ConversationStore;
  readonly confirmations: ConfirmationReader;
}

/** Every SQLite-backed store over one connection. The clock stamps created/updated/requested times. */
export function createStores(db: Db, clock: Clock = systemClock): Stores {
  return {
    deployments: createDeploymentStore(db, clock),
    integrations: createIntegrationStore(db, clock),
    audit: createAuditStore(db, clock),
    pendingActions: createPendingActionStore(db),
    events: createEventLog(db),
    locks: createLockStore(db),
    pins: createPinStore(db),
    conversations: createConversationStore(db),
    confirmations: createConfirmationReader(db),
  };
}
