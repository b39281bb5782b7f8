import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Runs `fn` holding a lock file shared by every process on this machine (made with O_EXCL, holding the
 * holder's pid). A holder that died (kill -9 while seeding) is noticed by its pid and its lock removed,
 * so the next start goes on instead of waiting for ever.
 */
export async function withLockFile<T>(
  file: string,
  fn: () => Promise<T>,
  opts: { readonly waitMs?: number; readonly retryMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.waitMs ?? 60_000);
  for (;;) {
    if (tryCreate(file)) break;
    if (holderGone(file)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for the lock ${file} (held by another process)`);
    await delay(opts.retryMs ?? 25);
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

function tryCreate(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

function holderGone(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const pid = Number(text);
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    // Created but not written yet, or written by a process that died in between: give it a moment.
    try {
      return Date.now() - statSync(file).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
