import { createHmac } from 'node:crypto';

/** Headers Slack sends with every HTTP request: `v0=` HMAC-SHA256 of `v0:{ts}:{raw body}` with the signing secret. */
export interface SignedRequest {
  readonly body: string;
  readonly headers: Record<string, string>;
}

export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

function signed(secret: string, body: string, contentType: string, nowMs: number): SignedRequest {
  const ts = Math.floor(nowMs / 1000);
  return {
    body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': slackSignature(secret, ts, body),
    },
  };
}

/** An Events API delivery (JSON), as Slack posts it to the request URL. */
export function signEvent(secret: string, envelope: object, nowMs = Date.now()): SignedRequest {
  return signed(secret, JSON.stringify(envelope), 'application/json', nowMs);
}

/** A slash command (form-encoded fields). */
export function signCommand(
  secret: string,
  fields: Record<string, string>,
  nowMs = Date.now(),
): SignedRequest {
  return signed(secret, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded', nowMs);
}

/** An interactivity payload (form with one `payload` field holding JSON). */
export function signInteraction(secret: string, payload: object, nowMs = Date.now()): SignedRequest {
  return signed(
    secret,
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
    'application/x-www-form-urlencoded',
    nowMs,
  );
}
