import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, startCli } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'klepaas-cli-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => startCli(dir, args, { SIM_VERIFY_WINDOW_MS: '0' }).done;

describe('status, deploy and unpin on a pinned repo (simulator, real SQLite file)', {
  timeout: 240_000,
}, () => {
  it('a rollback pins; status shows the pin; deploy is refused naming the commit; unpin ends it', async () => {
    const rb = await cli('rollback', 'K-Le-PaaS/test01', '--steps', '1', '--yes', '--wait', '--json');
    expect(rb.code).toBe(0);
    const status = json(await cli('status', 'K-Le-PaaS/test01', '--json'));
    const pin = status.pin as { fromSha: string; reason: string } | null;
    expect(pin?.reason).toMatch(/^rolled back from [0-9a-f]{7}$/);

    const refused = await cli('deploy', 'K-Le-PaaS/test01', '--ref', 'main', '--yes', '--json');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain('REPO_PINNED');
    expect(refused.stdout).toContain(`still contains ${pin?.fromSha.slice(0, 7)}`);

    const unpinned = json(await cli('unpin', 'K-Le-PaaS/test01', '--json'));
    expect(unpinned.unpinned).toHaveLength(1);
    expect(json(await cli('status', 'K-Le-PaaS/test01', '--json')).pin).toBeNull();
  });
});
