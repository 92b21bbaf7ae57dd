/**
 * `text` with the password of every URL in it replaced by `***`: an endpoint such as
 * `https://user:secret@host` is named in error messages and locations, its secret never.
 * Works on malformed URLs too (they are quoted in the error that refuses them).
 */
export function redactUrlPasswords(text: string): string {
  return text.replace(/(\/\/[^/?#@\s:]*):[^/?#@\s]*@/g, '$1:***@');
}
