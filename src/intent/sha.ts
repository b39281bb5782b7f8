/** 7 to 40 hex digits: what `git log --oneline` prints up to a full SHA-1. */
const HEX_TOKEN = /^[0-9a-fA-F]{7,40}$/;

/**
 * A token is read as a commit SHA when it is 7-40 hex digits and holds at least one digit. English has
 * hex-only words ("defaced", "facade", "added", "deadbeef"); a real 7-digit abbreviated SHA is all
 * letters about once in a thousand ((6/16)^7), and then the user can type a longer prefix.
 */
export function isShaToken(token: string): boolean {
  return HEX_TOKEN.test(token) && /[0-9]/.test(token);
}

export function normalizeSha(token: string): string {
  return token.toLowerCase();
}
