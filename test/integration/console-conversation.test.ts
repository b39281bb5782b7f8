import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { runConsoleChat } from '../../src/console/chat.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { noticeKindOf } from '../../src/notify/fan-out.ts';
import { renderNotice } from '../../src/notify/render.ts';
import { type Runtime, startRuntime } from '../../src/runtime/app.ts';
import { systemClock } from '../../src/services/ports.ts';

// The console session over the real runtime, typed line by line: each line is sent once the previous
// answer (or the rollback's completion) is on the screen, as a person would.
let dir: string;
let rt: Runtime;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'klepaas-console-convo-'));
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'bot.db'),
    SIM_PHASE_MS: '60',
    POLL_INTERVAL_MS: '60',
  });
  rt = await startRuntime(config, { logger: silentLogger() });
});
afterEach(async () => {
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console session: follow-ups', () => {
  it('rolls back test01, then 한 단계 더 proposes what ran before the rolled-back-to commit, 원래대로 the fled one marked, and 누가 롤백했어 names the requester', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let out = '';
    output.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const done = runConsoleChat({
      dispatcher: rt.dispatcher,
      events: rt.events,
      renderNotice: (event) => renderNotice(noticeKindOf(event.kind), event).text,
      input,
      output,
      interactive: false,
      user: 'mina',
      timeZone: 'Asia/Seoul',
      clock: systemClock,
      banner: 'console',
    });
    const typeAndWait = async (line: string, seen: RegExp) => {
      const from = out.length;
      input.write(`${line}\n`);
      const end = Date.now() + 20_000;
      while (!seen.test(out.slice(from))) {
        if (Date.now() > end) throw new Error(`no ${seen} after "${line}":\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return out.slice(from);
    };
    const runs = rt.stores.deployments
      .history('K-Le-PaaS', 'test01', 10)
      .map((d) => d.commitSha?.slice(0, 7));
    const [newest, second, third] = runs;

    const asked = await typeAndWait('K-Le-PaaS/test01 롤백 해줘', /롤백할까요\? \(y\/n\)/);
    expect(asked).toContain(`${newest} -> ${second}, 1단계 전`);
    await typeAndWait('y', /✅ K-Le-PaaS\/test01 롤백 \([0-9a-f]{7}\) 완료/);

    const more = await typeAndWait('한 단계 더', /롤백할까요\? \(y\/n\)/);
    // What ran before the one rolled back to; never the version just fled.
    expect(more).toContain(`${second} -> ${third}, 1단계 전`);

    const undo = await typeAndWait('원래대로', /롤백할까요\? \(y\/n\)/);
    expect(undo).toContain(`${second} -> ${newest}, 롤백 전 버전으로 되돌림`);
    expect(undo).toMatch(new RegExp(`⚠ ${newest}.* 롤백 #\\d+로 벗어난 버전`));
    expect(undo).toContain(`기다리던 K-Le-PaaS/test01 ${third} 롤백 확인은 취소했습니다`);

    const who = await typeAndWait('누가 test01 롤백했어?', /누가 무엇을 했나[\s\S]*\n.*롤백 성공/);
    expect(who).toMatch(new RegExp(`롤백 성공 ${second} ← ${newest} · 요청 mina · 확인 mina`));
    expect(who).toContain('기다리던 K-Le-PaaS/test01');

    input.end();
    expect(await done).toBe(0);
  });
});

describe('console help', () => {
  it('names a commit that exists in the demo for the "go back to a commit" example', async () => {
    const reply = await rt.dispatcher.handleMessage({
      text: 'help',
      actor: { via: 'console', user: 'mina', channel: null, threadTs: null },
    });
    if (reply.kind !== 'help') throw new Error(JSON.stringify(reply));
    const candidate1 = rt.stores.deployments.history('K-Le-PaaS', 'test01', 10)[1]?.commitSha;
    expect(reply.commit).toBe(candidate1);
    const copied = await rt.dispatcher.handleMessage({
      text: `rollback test01 to ${candidate1?.slice(0, 7)}`,
      actor: { via: 'console', user: 'mina', channel: null, threadTs: null },
    });
    expect(copied.kind).toBe('confirm_rollback');
  });
});
