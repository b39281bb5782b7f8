import type { BotReply } from '../../bot/types.ts';
import { renderConfirmDeploy, renderConfirmRollback } from './confirm.ts';
import {
  renderAudit,
  renderCancelRunning,
  renderLocked,
  renderUnlocked,
  withDropped,
} from './conversation.ts';
import type { RenderContext } from './format.ts';
import type { SlackMessage } from './kit.ts';
import {
  renderCanceled,
  renderChooseRepo,
  renderError,
  renderHelp,
  renderStarted,
  renderUnknown,
} from './replies.ts';
import { renderCandidates, renderDiagnose, renderHistory, renderStatus } from './reports.ts';

export { actionIdPattern, actionIds } from './action-ids.ts';
export { type Decision, renderDecided, withDecision } from './confirm.ts';
export { formatTime, type RenderContext } from './format.ts';
export type { Block, SlackMessage } from './kit.ts';
export { slackLimits } from './limits.ts';
export {
  type NoticeTone,
  noticeBroadcasts,
  renderNotice,
  renderOutcomeReply,
  type SlackNotice,
} from './notices.ts';
export {
  renderCanceled,
  renderCandidates,
  renderChooseRepo,
  renderConfirmDeploy,
  renderConfirmRollback,
  renderDiagnose,
  renderError,
  renderHelp,
  renderHistory,
  renderStarted,
  renderStatus,
  renderUnknown,
};

/** One renderer per reply kind; the switch is exhaustive so a new kind fails the type check here. */
export function renderReply(reply: BotReply, ctx: RenderContext): SlackMessage {
  return withDropped(renderBody(reply, ctx), reply);
}

function renderBody(reply: BotReply, ctx: RenderContext): SlackMessage {
  switch (reply.kind) {
    case 'audit':
      return renderAudit(reply, ctx);
    case 'locked':
      return renderLocked(reply, ctx);
    case 'unlocked':
      return renderUnlocked(reply);
    case 'cancel_running':
      return renderCancelRunning(reply);
    case 'help':
      return renderHelp(reply);
    case 'unknown':
      return renderUnknown(reply);
    case 'error':
      return renderError(reply);
    case 'choose_repo':
      return renderChooseRepo(reply);
    case 'confirm_rollback':
      return renderConfirmRollback(reply, ctx);
    case 'confirm_deploy':
      return renderConfirmDeploy(reply, ctx);
    case 'started':
      return renderStarted(reply, ctx);
    case 'canceled':
      return renderCanceled(reply);
    case 'diagnose':
      return renderDiagnose(reply, ctx);
    case 'candidates':
      return renderCandidates(reply, ctx);
    case 'history':
      return renderHistory(reply, ctx);
    case 'status':
      return renderStatus(reply, ctx);
  }
}
