/** Numbers as the report shows them. */

/** 3 significant digits below 1,000, grouped digits above. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs === 0) return '0';
  return String(Number(value.toPrecision(3)));
}

export function ms(value: number): string {
  return value >= 10_000 ? `${num(value / 1000)} s` : `${num(value)} ms`;
}

export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit += 1;
  }
  return `${num(v)} ${units[unit]}`;
}

export function pct(ratio: number): string {
  return `${num(ratio * 100)}%`;
}

/** "4 KiB" for a page size. */
export function kib(pageSize: number): string {
  return `${pageSize / 1024} KiB`;
}
