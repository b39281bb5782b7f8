import { describe, expect, it } from 'vitest';
import { parseGithubUrl } from '../../../src/intent/repo.ts';

describe('a ref taken from a GitHub /tree/<ref> URL', () => {
  it('is validated like a typed ref: markup or spaces in it are not a ref', () => {
    expect(parseGithubUrl('https://github.com/o/r/tree/feat&lt;!here&gt')?.ref).toBeNull();
    expect(parseGithubUrl('https://github.com/o/r/tree/a..b')?.ref).toBeNull();
    expect(parseGithubUrl('https://github.com/o/r/tree/-x')?.ref).toBeNull();
    expect(parseGithubUrl('https://github.com/o/r/tree/feature/login')?.ref).toBe('feature/login');
    expect(parseGithubUrl('https://github.com/o/r/tree/v1.2.3')?.ref).toBe('v1.2.3');
  });
});
