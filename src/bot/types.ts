import type { Deployment, RepoPin, RequestChannel } from '../domain/deployment.ts';
import type { IntentKind, Lang, UnknownReason } from '../domain/intent.ts';
import type { AuditReport, RepoLock } from '../domain/records.ts';
import type { RepoRef } from '../domain/repo-ref.ts';
import type { CandidateList, DeployPlan, DiagnoseReport, RollbackPlan } from '../domain/reports.ts';

/** Who sent a message and where the answer and later notices go. */
export interface Actor {
  readonly via: RequestChannel;
  readonly user: string | null;
  readonly channel: string | null;
  readonly threadTs: string | null;
  /**
   * The conversation the message belongs to, for follow-ups ("한 단계 더", "undo that"). The console passes
   * its session; for Slack it defaults to the channel and thread.
   */
  readonly conversation?: string | null;
}

/** A confirmation, named: what a cancel canceled or a new request dropped. */
export interface PendingSummary {
  readonly kind: 'rollback' | 'deploy';
  readonly owner: string;
  readonly repo: string;
  readonly targetSha: string;
}

export interface ChatMessage {
  readonly text: string;
  /** The verb a slash command implies (`/rollback ...`), used when the text names none. */
  readonly hint?: IntentKind;
  readonly actor: Actor;
}

/** What the dispatcher answers; each front end renders it (Block Kit, console lines). */
export type BotReply = ReplyBody & {
  /** A confirmation that was waiting in this conversation and was dropped by this request. */
  readonly dropped?: PendingSummary | null;
};

type ReplyBody =
  | {
      readonly kind: 'help';
      readonly lang: Lang;
      /** A commit of the connected repo for the "go back to a commit" example (null: none known). */
      readonly commit?: string | null;
    }
  | {
      readonly kind: 'unknown';
      readonly lang: Lang;
      readonly reason: UnknownReason;
      readonly suggestions: readonly string[];
    }
  | {
      readonly kind: 'error';
      readonly lang: Lang;
      readonly code: string;
      readonly message: string;
      readonly hint: string | null;
    }
  | {
      readonly kind: 'choose_repo';
      readonly lang: Lang;
      readonly pendingId: string;
      readonly options: readonly RepoRef[];
    }
  | {
      readonly kind: 'confirm_rollback';
      readonly lang: Lang;
      readonly pendingId: string;
      readonly plan: RollbackPlan;
      readonly requestedBy: string | null;
      readonly expiresAt: Date;
      /** The lock this request overrides with "force" (recorded); null when the repo is not locked. */
      readonly overridesLock?: RepoLock | null;
    }
  | {
      readonly kind: 'confirm_deploy';
      readonly lang: Lang;
      readonly pendingId: string;
      readonly plan: DeployPlan;
      readonly requestedBy: string | null;
      readonly expiresAt: Date;
      readonly overridesLock?: RepoLock | null;
    }
  | {
      readonly kind: 'started';
      readonly lang: Lang;
      readonly deployment: Deployment;
      readonly decidedBy: string | null;
    }
  | {
      readonly kind: 'canceled';
      readonly lang: Lang;
      readonly by: string | null;
      /** Which confirmation was canceled, when the cancel was asked in words. */
      readonly what?: PendingSummary | null;
    }
  | {
      /** A cancel of a running deploy or rollback: handed to the NCP cancel entry point. */
      readonly kind: 'cancel_running';
      readonly lang: Lang;
      readonly deployment: Deployment;
      readonly accepted: boolean;
      /** `canceled` on NCP, or `released` (NCP had no run of it); absent when not accepted. */
      readonly how?: 'canceled' | 'released';
    }
  | { readonly kind: 'audit'; readonly lang: Lang; readonly report: AuditReport }
  | {
      readonly kind: 'locked';
      readonly lang: Lang;
      readonly lock: RepoLock;
      readonly replaced: RepoLock | null;
    }
  | {
      readonly kind: 'unlocked';
      readonly lang: Lang;
      readonly owner: string;
      readonly repo: string;
      /** The lock released; null when the repo was not locked. */
      readonly lock: RepoLock | null;
    }
  | { readonly kind: 'diagnose'; readonly lang: Lang; readonly report: DiagnoseReport }
  | { readonly kind: 'candidates'; readonly lang: Lang; readonly list: CandidateList }
  | {
      readonly kind: 'history';
      readonly lang: Lang;
      readonly owner: string;
      readonly repo: string;
      readonly items: readonly Deployment[];
    }
  | {
      readonly kind: 'status';
      readonly lang: Lang;
      readonly owner: string;
      readonly repo: string;
      readonly deployment: Deployment | null;
      /** What runs now (the newest success): since when and by whom. */
      readonly running?: Deployment | null;
      readonly lock?: RepoLock | null;
      /** The pin after a rollback, shown with the lock. */
      readonly pin?: RepoPin | null;
    };

/** The one entry point every front end (Slack, console) calls. */
export interface Dispatcher {
  handleMessage(msg: ChatMessage): Promise<BotReply>;
  /** A press on a confirmation's go/cancel button, or a typed yes/no in the console. */
  decide(pendingId: string, decision: 'go' | 'cancel', actor: Actor): Promise<BotReply>;
  /** The choice among several integrations matching a bare repo name. */
  chooseRepo(pendingId: string, repo: RepoRef, actor: Actor): Promise<BotReply>;
}
