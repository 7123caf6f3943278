import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/domain/bounded-memo.js';

describe('BoundedMemo', () => {
  it('hands out one value per key, made once', () => {
    const memo = new BoundedMemo<{ key: string }>();
    let made = 0;
    const make = (key: string) => () => (made++, { key });
    const a = memo.get('org\nacme', make('org\nacme'));
    expect(memo.get('org\nacme', make('org\nacme'))).toBe(a);
    expect(memo.get('org\nother', make('org\nother'))).toEqual({ key: 'org\nother' });
    expect(made).toBe(2);
  });

  it('past its bound starts again: values stay right, only the sharing is lost', () => {
    const memo = new BoundedMemo<string>(3);
    const first = memo.get('a', () => 'value of a');
    for (const key of ['b', 'c', 'd']) expect(memo.get(key, () => `value of ${key}`)).toBe(`value of ${key}`);
    let remade = false;
    const again = memo.get('a', () => ((remade = true), 'value of a'));
    expect(again).toBe(first);
    expect(remade).toBe(true);
  });
});
