/** One line saying what went wrong, with the error's class and code when it has them. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return `threw ${String(error)}`;
  const code = (error as { code?: unknown }).code;
  const name = code === undefined ? error.name : `${error.name} ${String(code)}`;
  return `${name}: ${error.message}`.replace(/\s+/g, ' ');
}
