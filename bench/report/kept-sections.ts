/**
 * Sections of bench/RESULTS.md that other benchmark scripts write between markers (the
 * concurrency benchmark: `npx tsx bench/concurrency.ts`): the full run rewrites the rest of
 * the file and keeps these as they are.
 */
export const CONCURRENCY_SECTION = {
  begin: '<!-- concurrency: written by bench/concurrency.ts -->',
  end: '<!-- /concurrency -->',
};

const KEPT = [CONCURRENCY_SECTION];

/** The kept sections found in `previous` (the file about to be rewritten), in order. */
export function keptSections(previous: string): string {
  return KEPT.map(({ begin, end }) => {
    const start = previous.indexOf(begin);
    const stop = previous.indexOf(end, start);
    return start >= 0 && stop > start ? `\n${previous.slice(start, stop + end.length)}\n` : '';
  }).join('');
}
