/** Output for people (aligned tables) or scripts (--json, one JSON document on stdout). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable<T>(
  rows: readonly T[],
  columns: [header: string, cell: (row: T) => unknown][],
): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cells = rows.map((r) => columns.map(([, f]) => format(f(r))));
  const widths = columns.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map(([h]) => h.toUpperCase()))}\n${cells.map(line).join('\n')}\n`);
}

function format(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (Array.isArray(v)) return v.length ? v.join(',') : '-';
  return String(v);
}

export function printOut(json: boolean, value: unknown, human: () => void): void {
  if (json) printJson(value);
  else human();
}
