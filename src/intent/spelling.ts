/**
 * Folds spellings people type for the same word into one, so keyword tables list each phrase once.
 * Only keywords are rewritten; names keep their case. Each rule is one line.
 */
const rules: ReadonlyArray<readonly [RegExp, string]> = [
  [/[\u2018\u2019\u02bc]/g, "'"],
  // "roll test01 back", "roll it back": the verb split around its object.
  [/(?<![a-z0-9])roll\s+([^\s]{1,100})\s+back(?![a-z0-9])/gi, 'rollback $1'],
  [/(?<![a-z0-9])roll[\s-]+back(?![a-z0-9])/gi, 'rollback'],
  [/(?<![a-z0-9])(?:rollbak|rolback|rolbak|rollbck|rollbac|rollabck|rollbakc)(?![a-z0-9])/gi, 'rollback'],
  [/(?<![a-z0-9])(?:depoly|deply|delpoy|deplyo|dploy|deplpoy|deplot)(?![a-z0-9])/gi, 'deploy'],
  [/롤벡|롤빽|롤뺵|롤벸/g, '롤백'],
  [/베포/g, '배포'],
];

export function foldSpelling(text: string): string {
  let out = text;
  for (const [pattern, replacement] of rules) out = out.replace(pattern, replacement);
  return out;
}

/** Lower-cases ASCII only, so offsets in the result match offsets in the input one to one. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}
