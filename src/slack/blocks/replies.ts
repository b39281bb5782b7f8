import { unknownReasonText, withCommit } from '../../bot/examples.ts';
import type { BotReply } from '../../bot/types.ts';
import type { Lang } from '../../domain/intent.ts';
import { formatRepo, shortSha } from '../../domain/repo-ref.ts';
import { operationWord } from '../../domain/wording.ts';
import { actionIds } from './action-ids.ts';
import { truncate } from './limits.ts';

const errorTextMax = 1000;

import { type RenderContext, t } from './format.ts';
import {
  actions,
  button,
  code,
  context,
  esc,
  escWithRefs,
  header,
  mention,
  message,
  outside,
  type SlackMessage,
  section,
} from './kit.ts';

type Reply<K extends BotReply['kind']> = Extract<BotReply, { kind: K }>;

interface HelpLine {
  readonly text: Record<Lang, string>;
  readonly what: Record<Lang, string>;
}

// Commands people can copy as they are; each one is understood by the parser.
export const helpLines: readonly HelpLine[] = [
  {
    text: { ko: '@klepaas K-Le-PaaS/test01 롤백 해줘', en: '@klepaas rollback K-Le-PaaS/test01' },
    what: { ko: '직전 배포로 되돌립니다', en: 'go back to the previous deployment' },
  },
  {
    text: { ko: '/rollback test01 2', en: '/rollback test01 2' },
    what: { ko: '두 단계 전 배포로 되돌립니다', en: 'go back two deployments' },
  },
  {
    text: { ko: '/rollback test01 c39eb54', en: '/rollback test01 c39eb54' },
    what: { ko: '특정 커밋으로 되돌립니다', en: 'go back to a commit' },
  },
  {
    text: { ko: '/rollback candidates test01', en: '/rollback candidates test01' },
    what: {
      ko: '되돌릴 수 있는 버전 (번호 = 몇 단계 전)',
      en: 'versions you can go back to (number = steps back)',
    },
  },
  {
    text: { ko: '/rollback diagnose test01', en: '/rollback diagnose test01' },
    what: { ko: '롤백 준비 상태 점검', en: 'check rollback readiness' },
  },
  {
    text: { ko: '/rollback history test01', en: '/rollback history test01' },
    what: { ko: '최근 배포 기록', en: 'recent deployments' },
  },
  {
    text: { ko: '/rollback status test01', en: '/rollback status test01' },
    what: { ko: '지금 진행 중이거나 마지막 배포', en: 'the deployment in progress or the last one' },
  },
  {
    text: { ko: '/deploy test01 main', en: '/deploy test01 main' },
    what: { ko: '브랜치나 커밋을 빌드해서 배포', en: 'build and deploy a branch or commit' },
  },
];

const helpList = (lang: Lang, max = helpLines.length, commit: string | null = null): string =>
  helpLines
    .slice(0, max)
    .map((l) => `• \`${withCommit(l.text[lang], commit)}\` — ${l.what[lang]}`)
    .join('\n');

export function renderHelp(r: Reply<'help'>): SlackMessage {
  const { lang } = r;
  const title = t(lang, '이렇게 말해 주세요', 'Things you can ask');
  return message(
    [
      header(title),
      section(helpList(lang, helpLines.length, r.commit ?? null)),
      context(
        t(
          lang,
          '배포와 롤백은 실행 전에 확인 버튼을 보여 드립니다. 한국어와 영어 모두 됩니다.',
          'Deploys and rollbacks ask for a confirmation first. Korean and English both work.',
        ),
      ),
    ],
    `${title}\n${helpLines.map((l) => `${withCommit(l.text[lang], r.commit)} — ${l.what[lang]}`).join('\n')}`,
  );
}

export function renderUnknown(r: Reply<'unknown'>): SlackMessage {
  const { lang } = r;
  const why = unknownReasonText[r.reason][lang];
  const suggestions =
    r.suggestions.length > 0 ? r.suggestions.map((s) => `• ${code(s)}`).join('\n') : helpList(lang, 3);
  const lead =
    r.suggestions.length > 0 ? t(lang, '혹시 이것인가요?', 'Did you mean:') : t(lang, '예:', 'For example:');
  return message(
    [
      section(`:thinking_face: ${why}`),
      section(`${lead}\n${suggestions}`),
      context(
        t(lang, '`/rollback help` 로 전체 명령을 볼 수 있어요.', '`/rollback help` lists every command.'),
      ),
    ],
    `${why} ${lead} ${r.suggestions.map((s) => outside(s)).join(', ')}`,
  );
}

export function renderError(r: Reply<'error'>): SlackMessage {
  // Refusals name people with personRef (made live after escaping); NCP and git messages may be long.
  const text = `:warning: ${escWithRefs(r.message, errorTextMax)}`;
  const blocks = [section(text)];
  if (r.hint) blocks.push(section(`:bulb: ${escWithRefs(r.hint, errorTextMax)}`));
  blocks.push(context(code(r.code)));
  const fallback = `${truncate(r.message, errorTextMax)}${r.hint ? ` ${truncate(r.hint, errorTextMax)}` : ''}`;
  return message(blocks, fallback);
}

export function renderChooseRepo(r: Reply<'choose_repo'>): SlackMessage {
  const { lang } = r;
  const lead = t(
    lang,
    '같은 이름의 저장소가 여러 개예요. 어느 것인가요?',
    'Several repositories match. Which one?',
  );
  const buttons = r.options.map((o, i) =>
    button({
      text: formatRepo(o),
      actionId: `${actionIds.chooseRepo}:${i}`,
      value: JSON.stringify({ p: r.pendingId, o: o.owner, r: o.repo }),
    }),
  );
  return message(
    [section(lead), actions(`choose_repo:${r.pendingId}`.slice(0, 255), buttons)],
    `${lead} ${r.options.map((o) => outside(formatRepo(o))).join(', ')}`,
  );
}

export function renderStarted(r: Reply<'started'>, _ctx: RenderContext): SlackMessage {
  const { lang, deployment: d } = r;
  const repo = `${d.owner}/${d.repo}`;
  const commit = d.commitSha ? ` \`${shortSha(d.commitSha)}\`` : '';
  const by = r.decidedBy
    ? t(lang, ` (${mention(r.decidedBy)} 확인)`, ` (confirmed by ${mention(r.decidedBy)})`)
    : '';
  const text = t(
    lang,
    `:rocket: ${operationWord(d.operation, lang)} 시작: *${esc(repo)}*${commit}${by}. 진행 상황을 알려 드릴게요.`,
    `:rocket: ${operationWord(d.operation, lang, true)} started: *${esc(repo)}*${commit}${by}. I'll post progress here.`,
  );
  const sha = d.commitSha ? ` ${shortSha(d.commitSha)}` : '';
  const fallback = t(
    lang,
    `${operationWord(d.operation, lang)} 시작: ${outside(repo)}${sha}`,
    `${operationWord(d.operation, lang, true)} started: ${outside(repo)}${sha}`,
  );
  return message([section(text), context(`#${d.id}`)], fallback);
}

export function renderCanceled(r: Reply<'canceled'>): SlackMessage {
  const by = r.by ? ` ${mention(r.by)}` : '';
  const text = t(r.lang, `:no_entry_sign: 취소했습니다.${by}`, `:no_entry_sign: Canceled.${by}`);
  return message([section(text)], t(r.lang, '취소했습니다.', 'Canceled.'));
}
