/**
 * Whether this replica should take traffic: every dependency it cannot work without answered, each within
 * a short limit. Cached briefly, since a load balancer and Prometheus may ask many times a second.
 */
export type ReadinessCheck = () => unknown | Promise<unknown>;

export interface ReadinessReport {
  readonly ready: boolean;
  /** `ok`, or what went wrong, per dependency. */
  readonly checks: Readonly<Record<string, string>>;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export function createReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  opts: { readonly timeoutMs?: number; readonly cacheMs?: number; readonly now?: () => number } = {},
): Readiness {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const cacheMs = opts.cacheMs ?? 1000;
  const now = opts.now ?? Date.now;
  let cached: { at: number; report: Promise<ReadinessReport> } | null = null;

  const one = async (fn: ReadinessCheck): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return 'ok';
    } catch (err) {
      return err instanceof Error ? err.message.slice(0, 200) : String(err).slice(0, 200);
    } finally {
      clearTimeout(timer);
    }
  };

  const run = async (): Promise<ReadinessReport> => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((n) => one(checks[n] as ReadinessCheck)));
    const out: Record<string, string> = {};
    names.forEach((n, i) => {
      out[n] = results[i] as string;
    });
    return { ready: results.every((r) => r === 'ok'), checks: out };
  };

  return {
    check() {
      const t = now();
      if (!cached || t - cached.at >= cacheMs) cached = { at: t, report: run() };
      return cached.report;
    },
  };
}
