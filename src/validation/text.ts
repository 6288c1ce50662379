/**
 * Whether a client-supplied label can be stored and shown as is: well-formed Unicode (a lone surrogate cannot be
 * encoded as UTF-8, and PostgreSQL rejects it) with no control characters (PostgreSQL text cannot hold NUL, and
 * no label needs a line break or an escape sequence).
 */
export function isPlainText(value: string): boolean {
  return value.isWellFormed() && !/\p{Cc}/u.test(value);
}
