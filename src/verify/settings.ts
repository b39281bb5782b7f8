import type { Integration } from '../domain/deployment.ts';
import type { AppEndpoints } from './probe.ts';
import { defaultVerifySettings, type VerifySettings } from './thresholds.ts';

/** The integration's overrides on top of the defaults (the process config, else the source document's). */
export function settingsFor(
  i: Pick<Integration, 'verifyWindowMs' | 'verifyMaxErrorShare' | 'verifyMaxP95Ms'>,
  defaults: VerifySettings = defaultVerifySettings,
): VerifySettings {
  const windowMs = i.verifyWindowMs ?? defaults.windowMs;
  return {
    ...defaults,
    windowMs,
    // At least ten looks per window, so a short window (a demo, a test) is still watched, not sampled twice.
    intervalMs: Math.min(defaults.intervalMs, Math.max(100, Math.floor(windowMs / 10))),
    ...(i.verifyMaxErrorShare !== null ? { maxErrorShare: i.verifyMaxErrorShare } : {}),
    ...(i.verifyMaxP95Ms !== null ? { maxP95Ms: i.verifyMaxP95Ms } : {}),
  };
}

/** Where to look; null when the integration asks for no verification (no health URL). */
export function endpointsOf(i: Pick<Integration, 'healthUrl' | 'metricsUrl'>): AppEndpoints | null {
  return i.healthUrl ? { healthUrl: i.healthUrl, metricsUrl: i.metricsUrl } : null;
}
