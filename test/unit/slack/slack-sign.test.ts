import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { signCommand, signEvent, signInteraction, slackSignature } from '../../support/slack-sign.ts';

const secret = '8f742231b10e8888abcd99yyyzzz85a5';

describe('slack-sign', () => {
  it("matches Slack's documented example signature", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature(secret, 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it.each([
    ['event', () => signEvent(secret, { type: 'event_callback', event_id: 'Ev1' }, 1_700_000_000_000)],
    ['command', () => signCommand(secret, { command: '/rollback', text: 'test01' }, 1_700_000_000_000)],
    ['interaction', () => signInteraction(secret, { type: 'block_actions' }, 1_700_000_000_000)],
  ])('a signed %s passes Bolt verification, and fails once older than 5 minutes', (_name, make) => {
    const req = make();
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body: req.body,
        headers: {
          'x-slack-signature': req.headers['x-slack-signature'] ?? '',
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
        nowMilliseconds: 1_700_000_010_000,
      }),
    ).not.toThrow();
    expect(() =>
      verifySlackRequest({
        signingSecret: secret,
        body: req.body,
        headers: {
          'x-slack-signature': req.headers['x-slack-signature'] ?? '',
          'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
        },
        nowMilliseconds: 1_700_000_000_000 + 6 * 60_000,
      }),
    ).toThrow();
  });
});
