import type { IntentKind, Lang } from '../domain/intent.ts';
import type { RepoRef } from '../domain/repo-ref.ts';
import { englishFillers, englishPhrases } from './keywords-en.ts';
import type { Hit } from './matcher.ts';
import { isRefShaped, isValidRef, refCuesEn, refCuesKo } from './ref.ts';
import {
  isBareRepoName,
  isNameShaped,
  parseGithubUrl,
  parseOwnerRepo,
  repoCuesEn,
  repoCuesKo,
} from './repo.ts';
import { isShaToken, normalizeSha } from './sha.ts';
import type { Piece } from './tokens.ts';

export interface Slots {
  readonly owner: string | null;
  readonly repo: string | null;
  readonly commitSha: string | null;
  readonly ref: string | null;
  /** Two repos joined by "and"/"이랑" under one verb: two commands in one message. */
  readonly multipleRepos: boolean;
  /** Candidate words taken as neither the repo nor a commit (a rollback's unreadable target, if any). */
  readonly freeWords: readonly string[];
}

const fillers: ReadonlySet<string> = new Set(englishFillers);
const stopwords: ReadonlySet<string> = new Set([
  ...englishFillers,
  ...Object.values(englishPhrases).flatMap((list) => list.flatMap((p) => p.split(/\s+/))),
]);

interface Candidate {
  readonly index: number;
  readonly piece: Piece;
  readonly sha: boolean;
  readonly ownerRepo: RepoRef | null;
  readonly refShaped: boolean;
  readonly nameShaped: boolean;
  repoCued: boolean;
  refCued: boolean;
  slotAdjacent: boolean;
}

const insideHit = (piece: Piece, hits: readonly Hit[]): boolean =>
  hits.some((h) => piece.start < h.end && piece.end > h.start);

function isCandidateWord(piece: Piece, hits: readonly Hit[]): boolean {
  if (piece.kind !== 'word' || piece.text.length < 2) return false;
  if (stopwords.has(piece.lower) || insideHit(piece, hits)) return false;
  // Counts and `HEAD~2` are steps, not names; 7+ digit numbers may be SHAs.
  if (/[~^]/.test(piece.text) || /^-?\d{1,6}$/.test(piece.text)) return false;
  return isShaToken(piece.text) || piece.text.includes('/') || isBareRepoName(piece.text);
}

/** The nearest piece in a direction, skipping filler words ("rollback the payments"). */
function neighbour(pieces: readonly Piece[], from: number, step: 1 | -1): Piece | undefined {
  for (let i = from + step; i >= 0 && i < pieces.length; i += step) {
    const p = pieces[i];
    if (p && !(p.kind === 'word' && fillers.has(p.lower))) return p;
  }
  return undefined;
}

function markCues(pieces: readonly Piece[], byIndex: ReadonlyMap<number, Candidate>): void {
  const mark = (i: number, key: 'repoCued' | 'refCued'): boolean => {
    const c = byIndex.get(i);
    if (!c) return false;
    c[key] = true;
    return true;
  };
  pieces.forEach((p, j) => {
    if (p.kind === 'word' && repoCuesEn.has(p.lower)) {
      // "payments service" names the word before; "repo test01" the word after.
      if (!mark(j - 1, 'repoCued')) mark(j + 1, 'repoCued');
    } else if (p.kind === 'word' && refCuesEn.has(p.lower)) {
      if (!mark(j + 1, 'refCued')) mark(j - 1, 'refCued');
    } else if (p.kind === 'hangul') {
      if (repoCuesKo.some((cue) => p.text.startsWith(cue))) {
        if (!mark(j - 1, 'repoCued')) mark(j + 1, 'repoCued');
      } else if (refCuesKo.some((cue) => p.text.startsWith(cue))) {
        if (!mark(j - 1, 'refCued')) mark(j + 1, 'refCued');
      }
    }
  });
}

function repoScore(c: Candidate, kind: IntentKind): number {
  if (c.refCued && !c.repoCued) return 0;
  if (c.ownerRepo) return 50;
  if (c.repoCued) return 40;
  if (c.sha) return 0;
  if (c.refShaped && kind === 'deploy') return 0;
  if (c.nameShaped) return 20;
  return c.slotAdjacent ? 10 : 0;
}

const REPO_JOINER = /^\s*(?:,|&|and|및|그리고|이랑|랑|하고|과|와)\s*$/i;

export interface SlotContext {
  readonly text: string;
  readonly pieces: readonly Piece[];
  readonly hits: readonly Hit[];
  readonly kind: IntentKind;
  readonly lang: Lang;
  readonly hinted: boolean;
}

/**
 * Picks repo, SHA and ref out of the pieces. Order of trust: a GitHub URL, then `owner/repo`, then a name
 * next to a cue word (서비스, repo, app...), then a name-shaped word (test01, api-server), then a plain
 * word in the slot a repo takes. In `deploy`, the repo slot comes first and a ref follows it.
 */
export function resolveSlots(ctx: SlotContext): Slots {
  const { pieces, hits, kind } = ctx;
  const url = pieces.map((p) => (p.kind === 'url' ? parseGithubUrl(p.text) : null)).find((u) => u !== null);

  const candidates: Candidate[] = [];
  pieces.forEach((piece, index) => {
    if (!isCandidateWord(piece, hits)) return;
    const prev = neighbour(pieces, index, -1);
    const next = neighbour(pieces, index, 1);
    candidates.push({
      index,
      piece,
      sha: isShaToken(piece.text),
      ownerRepo: parseOwnerRepo(piece.text),
      refShaped: isRefShaped(piece.text),
      nameShaped: isNameShaped(piece.text),
      repoCued: false,
      refCued: false,
      slotAdjacent:
        ctx.hinted ||
        ctx.lang === 'ko' ||
        (prev !== undefined && insideHit(prev, hits)) ||
        (next !== undefined && insideHit(next, hits)),
    });
  });
  markCues(pieces, new Map(candidates.map((c) => [c.index, c])));

  let repoCandidate: Candidate | undefined;
  let best = 0;
  for (const c of candidates) {
    const score = repoScore(c, kind);
    if (score > best) {
      best = score;
      repoCandidate = c;
    }
  }
  // "rollback cafe123 to c39eb54": with two SHA-looking words and no other name, the first is the repo.
  const shaLike = candidates.filter((c) => c.sha && !c.refCued);
  if (!url && !repoCandidate && shaLike.length >= 2) repoCandidate = shaLike[0];

  let owner: string | null = null;
  let repo: string | null = null;
  if (url) {
    owner = url.owner;
    repo = url.repo;
  } else if (repoCandidate) {
    owner = repoCandidate.ownerRepo?.owner ?? null;
    repo = repoCandidate.ownerRepo?.repo ?? repoCandidate.piece.text;
  }

  const shaCandidate = shaLike.find((c) => c !== repoCandidate);
  const commitSha = url?.commitSha ?? (shaCandidate ? normalizeSha(shaCandidate.piece.text) : null);

  let ref: string | null = url?.ref ?? null;
  if (ref === null && kind === 'rollback') {
    // A rollback names a ref only with a cue or a ref shape ("to main", "develop 브랜치로"); the services
    // refuse it and point to deploy rather than guess.
    const rest = candidates.filter((c) => c !== repoCandidate && !c.sha);
    const pick = rest.find((c) => c.refCued) ?? rest.find((c) => c.refShaped);
    if (pick && isValidRef(pick.piece.text)) ref = pick.piece.text;
  }
  if (ref === null && kind === 'deploy') {
    const rest = candidates.filter((c) => c !== repoCandidate && !c.sha);
    const after = repoCandidate ? rest.find((c) => c.index === repoCandidate.index + 1) : undefined;
    const positional =
      after && (after.nameShaped || after.ownerRepo || after.refShaped || ctx.hinted || ctx.lang === 'ko')
        ? after
        : undefined;
    const pick = rest.find((c) => c.refCued) ?? rest.find((c) => c.refShaped) ?? positional;
    if (pick && isValidRef(pick.piece.text)) ref = pick.piece.text;
  }

  const freeWords = candidates
    .filter((c) => c !== repoCandidate && c !== shaCandidate)
    .map((c) => c.piece.text);
  return { owner, repo, commitSha, ref, multipleRepos: joinsTwoRepos(ctx, candidates, kind), freeWords };
}

function joinsTwoRepos(ctx: SlotContext, candidates: readonly Candidate[], kind: IntentKind): boolean {
  if (kind !== 'rollback' && kind !== 'deploy') return false;
  const repos = candidates.filter((c) => repoScore(c, kind) >= 20);
  for (let i = 1; i < repos.length; i++) {
    const a = repos[i - 1];
    const b = repos[i];
    if (a && b && REPO_JOINER.test(ctx.text.slice(a.piece.end, b.piece.start))) return true;
  }
  return false;
}
