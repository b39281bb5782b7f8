import { z } from 'zod';

/**
 * The action ids the renderers put on buttons and the listeners match. Ids that repeat within one message
 * carry an index suffix (Slack requires unique action ids per block), so listeners match them by prefix.
 */
export const actionIds = {
  confirmGo: 'confirm_go',
  confirmCancel: 'confirm_cancel',
  chooseRepo: 'choose_repo',
  rollbackTo: 'rollback_to',
} as const;

export const actionIdPattern = {
  chooseRepo: /^choose_repo(:\d+)?$/,
  rollbackTo: /^rollback_to(:\d+)?$/,
} as const;

/** Button value of a choose-repo button: the pending request and the integration picked. */
export const chooseRepoValueSchema = z.object({
  p: z.string().min(1),
  o: z.string().min(1),
  r: z.string().min(1),
});

/** Button value of a "roll back to this" button: the commit, not the N, so a list that aged still means the same commit. */
export const rollbackToValueSchema = z.object({
  o: z.string().min(1),
  r: z.string().min(1),
  sha: z.string().regex(/^[0-9a-f]{7,40}$/),
});

/** Parses a JSON button value; null when it is not ours (an old message, a hand-made payload). */
export function parseButtonValue<T>(schema: z.ZodType<T>, value: string | undefined): T | null {
  if (!value) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
