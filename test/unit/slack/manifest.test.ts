import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const manifestSchema = z.object({
  display_information: z.object({ name: z.string().min(1).max(35), description: z.string().max(140) }),
  features: z.object({
    bot_user: z.object({ display_name: z.string().min(1) }),
    slash_commands: z.array(
      z.object({
        command: z.string().startsWith('/'),
        description: z.string().min(1).max(100),
        usage_hint: z.string().min(1).max(1000),
        should_escape: z.boolean(),
      }),
    ),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean() }),
    socket_mode_enabled: z.boolean(),
  }),
});

const manifest = manifestSchema.parse(
  parse(readFileSync(new URL('../../../manifest.yml', import.meta.url), 'utf8')),
);

describe('manifest.yml', () => {
  it('declares /rollback and /deploy with usage hints and escaped text', () => {
    const cmds = manifest.features.slash_commands;
    expect(cmds.map((c) => c.command).sort()).toEqual(['/deploy', '/rollback']);
    for (const c of cmds) expect(c.should_escape).toBe(true);
    expect(cmds.find((c) => c.command === '/rollback')?.usage_hint).toMatch(
      /diagnose\|candidates\|history\|status\|help/,
    );
  });

  it('asks for the scopes the listeners need and nothing that writes outside chat', () => {
    const scopes = manifest.oauth_config.scopes.bot;
    // Exactly these: deployers are user ids checked by the dispatcher, so no user-group scope either.
    // im:read lets conversations.info tell the bot's own DM from a DM between two people.
    expect([...scopes].sort()).toEqual([
      'app_mentions:read',
      'chat:write',
      'commands',
      'im:history',
      'im:read',
    ]);
    // The bot never reads channel history or administers anything.
    expect(scopes.filter((s) => /^(channels|groups|mpim):history$|admin|:write\.public$/.test(s))).toEqual(
      [],
    );
  });

  it('subscribes to mentions and DMs, with interactivity and Socket Mode on', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_mention', 'message.im']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
