/** Exit statuses of the `s3lite` command, as documented in its README section. */
export const EXIT = {
  ok: 0,
  /** Any failure: storage, SQL, corruption, … (the message names it and its code). */
  failure: 1,
  /** Bad command line, URL or option. */
  usage: 2,
  /** A write kept losing commit races to other writers and was given up. */
  conflict: 3,
} as const;
