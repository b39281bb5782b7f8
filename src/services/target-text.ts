import { formatTime } from '../domain/format.ts';
import type { ServiceDeps } from './deps.ts';
import { type KnownIntegration, requireIntegration } from './guards.ts';
import { alreadyRunning } from './rules/messages.ts';
import { faultyTarget, targetIsRef, targetNotUnderstood } from './rules/refusals.ts';
import {
  beforeChange,
  describeRun,
  readTargetWords,
  runningAt,
  type WordsResolution,
} from './rules/target-words.ts';
import { candidateList } from './targets.ts';

/** Records read to resolve a target in words; older history is out of reach of "yesterday" anyway. */
const WINDOW = 500;

/**
 * A rollback target the grammar kept as words: a branch or tag is refused with a pointer to deploy; a
 * time or "before X" is resolved against what ran, with the reasoning shown in the confirmation; anything
 * else is refused with the candidates. The answer is a commit, planned like any other.
 */
export function resolveTargetWords(
  deps: ServiceDeps,
  owner: string,
  repo: string,
  text: string,
  timeZone: string,
  known?: KnownIntegration,
): WordsResolution {
  const i = requireIntegration(deps, owner, repo, known);
  const list = candidateList(deps, i.owner, i.repo, 10);
  const words = readTargetWords(text, deps.clock.now(), timeZone);
  const when = (at: Date) => formatTime(at, timeZone);
  const notUnderstood = (why?: { en: string; ko: string }) =>
    targetNotUnderstood(i.owner, i.repo, text, list.candidates, why);
  switch (words.kind) {
    case 'ref':
      throw targetIsRef(i.owner, i.repo, words.ref);
    case 'short_sha':
      throw notUnderstood({
        en: `"${words.prefix}" is too short to name a commit; use 7 or more characters`,
        ko: `"${words.prefix}"은(는) 커밋을 가리키기에 너무 짧습니다. 7자 이상 쓰세요`,
      });
    case 'unknown':
      throw notUnderstood();
    default:
      break;
  }
  const records = deps.deployments.history(i.owner, i.repo, WINDOW);
  let commitSha: string;
  let reasoning: { en: string; ko: string };
  if (words.kind === 'at') {
    const d = runningAt(records, words.at);
    if (!d?.commitSha)
      throw notUnderstood({
        en: `nothing had run by ${when(words.at)}`,
        ko: `${when(words.at)} 이전에 실행된 것이 없습니다`,
      });
    commitSha = d.commitSha;
    reasoning = {
      en: `"${text}" = ${words.label.en} (${when(words.at)}): ${describeRun(d, when)}.`,
      ko: `"${text}" = ${words.label.ko} (${when(words.at)}): ${describeRun(d, when)}.`,
    };
  } else {
    const found = beforeChange(records, words.keyword);
    if (!found)
      throw notUnderstood({
        en: `no deployed commit message mentions "${words.keyword}"`,
        ko: `"${words.keyword}"이(가) 들어간 배포된 커밋 메시지가 없습니다`,
      });
    if (!found.before?.commitSha)
      throw notUnderstood({ en: 'nothing ran before that change', ko: '그 변경 전에 실행된 것이 없습니다' });
    commitSha = found.before.commitSha;
    reasoning = {
      en: `"${words.keyword}" is ${describeRun(found.change, when)}; before it ran ${describeRun(found.before, when)}.`,
      ko: `"${words.keyword}" 변경은 ${describeRun(found.change, when)}, 그 전에는 ${describeRun(found.before, when)}이(가) 실행 중이었습니다.`,
    };
  }
  if (list.current?.commitSha === commitSha) throw alreadyRunning(i.owner, i.repo, commitSha);
  const bad = list.faulty.find((f) => f.commitSha === commitSha);
  if (bad) throw faultyTarget(i.owner, i.repo, bad);
  return { commitSha, reasoning };
}
