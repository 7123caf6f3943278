/**
 * Values many holders share, kept once by key. Bounded: past `max` keys it starts again, and only the sharing
 * is lost (what was handed out stays valid). The verify cache uses it so that a million cached tokens do not
 * each hold their own copy of what they have in common.
 */
export class BoundedMemo<T> {
  private readonly known = new Map<string, T>();
  constructor(private readonly max = 10_000) {}

  get(key: string, make: () => T): T {
    let value = this.known.get(key);
    if (value === undefined) {
      if (this.known.size >= this.max) this.known.clear();
      this.known.set(key, (value = make()));
    }
    return value;
  }
}
