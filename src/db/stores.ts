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
import { guardStorage } from './sqlite-errors.ts';

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

/**
 * Every SQLite-backed store over one connection. The clock stamps created/updated/requested times. A write
 * the disk refused throws STORAGE_FAILED (see guardStorage).
 */
export function createStores(db: Db, clock: Clock = systemClock): Stores {
  return {
    deployments: guardStorage(createDeploymentStore(db, clock)),
    integrations: guardStorage(createIntegrationStore(db, clock)),
    audit: guardStorage(createAuditStore(db, clock)),
    pendingActions: guardStorage(createPendingActionStore(db)),
    events: guardStorage(createEventLog(db)),
    locks: guardStorage(createLockStore(db)),
    pins: guardStorage(createPinStore(db)),
    conversations: guardStorage(createConversationStore(db)),
    confirmations: guardStorage(createConfirmationReader(db)),
  };
}
