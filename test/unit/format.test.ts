import { describe, expect, it } from 'vitest';
import { commitTitle, formatAge, formatDuration, formatTime } from '../../src/domain/format.ts';

describe('format', () => {
  it('says durations the way people do', () => {
    expect(formatDuration(45_000, 'en')).toBe('45s');
    expect(formatDuration(45_000, 'ko')).toBe('45초');
    expect(formatDuration(125_000, 'en')).toBe('2m 05s');
    expect(formatDuration(120_000, 'ko')).toBe('2분 0초');
    expect(formatDuration(3_900_000, 'en')).toBe('1h 05m');
    expect(formatDuration(3_900_000, 'ko')).toBe('1시간 5분');
  });

  it('says ages coarsely', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    expect(formatAge(new Date('2026-11-27T11:59:30Z'), now, 'en')).toBe('just now');
    expect(formatAge(new Date('2026-11-27T10:00:00Z'), now, 'en')).toBe('2 hours ago');
    expect(formatAge(new Date('2026-11-26T12:00:00Z'), now, 'ko')).toBe('1일 전');
  });

  it('shows stored UTC times in the configured zone', () => {
    expect(formatTime(new Date('2026-11-27T04:05:00Z'), 'Asia/Seoul')).toBe('2026-11-27 13:05 KST');
    expect(formatTime(new Date('2026-11-27T04:05:00Z'), 'UTC')).toBe('2026-11-27 04:05 UTC');
  });

  it('keeps the first line of a commit message, cut to fit', () => {
    expect(commitTitle('fix: login\n\nlong body')).toBe('fix: login');
    expect(commitTitle('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(commitTitle(null)).toBe('');
  });
});
