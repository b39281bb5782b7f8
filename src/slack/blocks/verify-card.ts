import type { Deployment, RepoPin } from '../../domain/deployment.ts';
import { pinReminderLine, verifyLine } from '../../domain/verify-wording.ts';
import { t } from '../../domain/wording.ts';
import { actionIds } from './action-ids.ts';
import { actions, button, context, esc, mention, message, type SlackMessage, section } from './kit.ts';

/**
 * The verification card: one message in the deployment's thread, updated after each look, ending as the
 * verdict. A deploy that failed without an automatic rollback carries the button back to what ran before.
 */
export function renderVerifyCard(d: Deployment): SlackMessage {
  const lang = d.lang;
  const v = d.verification;
  const line = verifyLine(d, lang);
  const blocks = [section(esc(line.text, 2800))];
  if (v) {
    const started = t(lang, `검증 시작 ${v.startedAt}`, `checks since ${v.startedAt}`);
    blocks.push(context(esc(`${started} · ${v.checks} ${t(lang, '회 확인', 'looks')}`)));
  }
  const offerRollback =
    v?.status === 'verification_failed' &&
    d.operation === 'deploy' &&
    v.autoRollbackId === null &&
    v.rollbackTargetSha !== null;
  if (offerRollback && v.rollbackTargetSha) {
    blocks.push(
      actions(`verify_${d.id}`, [
        button({
          text: t(lang, '이전 버전으로 롤백', 'Roll back to the previous version'),
          actionId: `${actionIds.rollbackTo}:${d.id}`,
          value: JSON.stringify({ o: d.owner, r: d.repo, sha: v.rollbackTargetSha }),
          style: 'danger',
        }),
      ]),
    );
  }
  return message(blocks, line.text);
}

/** A pin's reminder before it ends, in the rollback's thread. */
export function renderPinReminder(d: Deployment, pin: RepoPin): SlackMessage {
  const text = pinReminderLine(pin, d.lang);
  const who = d.requestedVia === 'slack' ? mention(d.requestedBy) : '';
  return message([section(`${who ? `${who} ` : ''}${esc(text, 2800)}`)], text);
}

/** The short reply under a failed card, so people are notified (the card edit alone notifies nobody). */
export function renderVerifyAlert(d: Deployment): SlackMessage {
  const line = verifyLine(d, d.lang);
  const who = d.requestedVia === 'slack' ? mention(d.requestedBy) : '';
  // The mention first, so a long line cut to the limit never loses it.
  return message([section(`${who ? `${who} ` : ''}${esc(line.text, 2800)}`)], line.text);
}
