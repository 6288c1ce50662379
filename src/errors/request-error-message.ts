/**
 * graphql-js writes the offending value into several of its request error messages: variable coercion prints the
 * whole variable ("Variable "$input" got invalid value { …, contentKey: "…" }; …"), literal validation prints the
 * literal, scalars print what they could not parse, and the parser prints the token it did not expect. A client
 * sending a content key must never get it back (nor see it in a log or a proxy's), so these messages are rewritten
 * to say which variable, field and type are at fault, and nothing of what was sent. Unknown forms of a reason are
 * replaced by a generic one rather than passed through.
 */

/** Input field names the client sent are echoed only when they look like names (they are keys, not values). */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

type Rewrite = readonly [RegExp, (m: RegExpExecArray) => string];

/** What scalars and enums say when they cannot parse a value, both in variables and in literals. */
const PARSE_REASONS: readonly Rewrite[] = [
  [
    /^Value "[^]*" does not exist in "(\w+)" enum\.([^]*)$/,
    (m) => `The value is not one of enum "${m[1]}".${suggestions(m[2])}`,
  ],
  [
    /^Enum "(\w+)" cannot represent non-(string|enum) value: [^]*$/,
    (m) => `Enum "${m[1]}" cannot represent a non-${m[2]} value.`,
  ],
  // Built-in scalars: "Int cannot represent non-integer value: "abc"", "String cannot represent a non string value: 5".
  [
    /^(Int|Float|String|Boolean|ID) cannot represent ([a-z0-9 -]+ )?value: [^]*$/,
    (m) => `${m[1]} cannot represent ${m[2] ?? ''}value.`,
  ],
];

/** Reasons graphql-js gives for a bad variable value, rewritten without the value. */
const REASONS: readonly Rewrite[] = [
  [
    /^Field "([^"]*)" is not defined by type "(\w+)"\.([^]*)$/,
    (m) => `Field ${NAME.test(m[1]) ? `"${m[1]}"` : 'given'} is not defined by type "${m[2]}".${suggestions(m[3])}`,
  ],
  [/^Field "[\w.]+" of (?:required|non-null) type "[\w[\]!]+" was not provided\.$/, (m) => m[0]],
  [/^Field "\w+" must be non-null\.$/, (m) => m[0]],
  [/^Exactly one key must be specified for OneOf type "\w+"\.$/, (m) => m[0]],
  [/^Expected type "\w+" to be an object\.$/, (m) => m[0]],
  [/^Expected non-nullable type "[\w[\]!]+" not to be null\.$/, (m) => m[0]],
  ...PARSE_REASONS,
  // A scalar that threw a plain Error or returned nothing: "Expected type "T". <its message>".
  [/^Expected type "(\w+)"\.[^]*$/, (m) => `Expected type "${m[1]}".`],
];

/** Only graphql-js's own suggestion lists of schema names pass (they say nothing of the value). */
function suggestions(tail: string): string {
  return /^ Did you mean (?:the [a-z ]+ )?(?:"\w+"(?:, | or |, or )?)+\?$/.test(tail) ? tail : '';
}

function rewrite(reason: string, rules: readonly Rewrite[]): string | null {
  for (const [pattern, rewrite] of rules) {
    const m = pattern.exec(reason);
    if (m) return rewrite(m);
  }
  return null;
}

/**
 * The message of a GraphQL request error (parse, validation, variable coercion) without any input value.
 * `original` is the error Apollo reports (its `originalError` is graphql-js's reason for a coercion failure).
 */
export function withoutInputValues(message: string, original?: unknown): string {
  const variable = /^Variable "\$(\w+)" (?:got|has) invalid value /.exec(message);
  if (variable) return variableMessage(variable[1], message, original);

  // Literal validation: "Expected value of type "T", found <the literal>." (or "…; <scalar's reason>").
  const literal = /^Expected value of type "([\w[\]!]+)", found [^]*$/.exec(message);
  if (literal && !message.endsWith(', found null.')) {
    return `Expected value of type "${literal[1]}"; the value given here is not one.`;
  }

  // Execution without validation: "Argument "x" has invalid value <the literal>."
  const argument = /^Argument "(\w+)" has invalid value [^]*$/.exec(message);
  if (argument) return `Argument "${argument[1]}" has an invalid value.`;

  // The parser names the token it did not expect, value included: "Expected ":", found String "<key>"." The
  // location is in the error's `locations`.
  if (message.startsWith('Syntax Error: ')) {
    return message.replace(/ (Name|String|BlockString|Int|Float) "[^]*"\.$/, ' $1.');
  }

  // Scalar and enum literals that fail to parse report their own reason, value included.
  return rewrite(message, PARSE_REASONS) ?? message;
}

function variableMessage(name: string, message: string, original: unknown): string {
  const reason = (original as { originalError?: { message?: unknown } } | null)?.originalError?.message;
  let at = '';
  let why: string | null = null;
  if (typeof reason === 'string' && message.endsWith(`; ${reason}`)) {
    const head = message.slice(0, message.length - reason.length - 2);
    // The path graphql-js appends after the value: "… at "input.rental.periodSeconds"".
    const path = new RegExp(` at "(${name}(?:\\.\\w+|\\[\\d+\\])*)"$`).exec(head)?.[1];
    if (path !== undefined) at = ` at "${path}"`;
    why = rewrite(reason, REASONS);
  }
  return `Variable "$${name}" got an invalid value${at}${why ? `: ${why}` : '.'}`;
}
