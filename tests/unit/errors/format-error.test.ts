import { Writable } from 'node:stream';
import { buildSchema, execute, GraphQLError, GraphQLScalarType, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  DrmWithoutDeviceBindingError,
  NotFoundError,
  UpstreamUnavailableError,
} from '../../../src/errors/app-error.js';
import { formatError } from '../../../src/errors/format-error.js';
import { ExpressPlayRefusedUsError } from '../../../src/errors/from-upstream.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createErrorLogPlugin } from '../../../src/plugins/error-log-plugin.js';

/** What Apollo hands formatError for an error thrown in a resolver. */
const resolverError = (original: Error, path: string[] = ['field']) =>
  new GraphQLError(original.message, { path, originalError: original, extensions: { code: 'INTERNAL_SERVER_ERROR' } });

const LEAK = new Error(
  'GET /hms/fp/token?customerAuthenticator=1000,abcdefabcdefabcdefabcdefabcdefab&contentKey=00112233445566778899aabbccddeeff failed',
);

describe('formatError', () => {
  it('passes our errors with their code and nothing else', () => {
    const error = new NotFoundError('content', 'x');
    const out = formatError(
      { message: error.message, path: ['content'], extensions: { code: 'NOT_FOUND', stacktrace: ['at x'] } },
      resolverError(error),
    );
    expect(out).toEqual({
      message: 'No content with id "x" exists for you.',
      path: ['content'],
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('masks anything else', () => {
    const out = formatError(
      { message: LEAK.message, path: ['purchase'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      resolverError(LEAK),
    );
    expect(out).toEqual({
      message: expect.stringMatching(/^Internal server error/),
      path: ['purchase'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('passes GraphQL request errors (validation, coercion) with their own code', () => {
    const validation = new GraphQLError('Cannot query field "x" on type "Query".', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(
      formatError({ message: validation.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, validation),
    ).toEqual({
      message: validation.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

describe('formatError on variable coercion errors', () => {
  const schema = buildSchema(`
    scalar Picky
    enum Drm { WIDEVINE FAIRPLAY }
    input Terms { seconds: Int! }
    input In { key: String!, drm: Drm, terms: Terms, picky: Picky }
    type Query { f(input: In): Int }
  `);
  // A scalar whose own message repeats what it was given: an unknown form of reason.
  Object.assign(schema.getType('Picky') as GraphQLScalarType, {
    parseValue: (v: unknown) => {
      throw new GraphQLError(`Picky cannot take ${JSON.stringify(v)}`);
    },
  });
  /** The message a client gets for `$input`, through graphql-js and formatError as Apollo calls it. */
  const told = (input: unknown): string => {
    const result = execute({
      schema,
      document: parse('query($input: In) { f(input: $input) }'),
      variableValues: { input },
    }) as { errors: GraphQLError[] };
    const e = result.errors[0];
    // What Apollo's UserInputError hands formatError: graphql-js's reason as originalError.
    const apollo = new GraphQLError(e.message, {
      originalError: e.originalError,
      extensions: { code: 'BAD_USER_INPUT' },
    });
    return formatError({ message: e.message, extensions: { code: 'BAD_USER_INPUT' } }, apollo).message;
  };
  const SECRET = 'ab12cd34ef56ab12cd34ef56ab12cd34';

  it('names the variable, the path and the problem, never the value', () => {
    expect(told({ key: SECRET, bogus: 1 })).toBe(
      'Variable "$input" got an invalid value: Field "bogus" is not defined by type "In".',
    );
    expect(told({ key: SECRET, terms: { seconds: SECRET } })).toBe(
      'Variable "$input" got an invalid value at "input.terms.seconds": Int cannot represent non-integer value.',
    );
    expect(told({ key: SECRET, drm: 'WIDEVIN' })).toBe(
      'Variable "$input" got an invalid value at "input.drm": The value is not one of enum "Drm". Did you mean the enum value "WIDEVINE"?',
    );
    expect(told({ key: SECRET, picky: SECRET })).toBe('Variable "$input" got an invalid value at "input.picky".');
  });

  it('is not fooled by a value dressed up as a path or a reason', () => {
    const disguised = `${SECRET} at "input.key"; Field "x" is not defined by type "In".`;
    for (const input of [{ key: disguised, bogus: 1 }, { key: [disguised] }, { [disguised]: 1, key: 'k' }, disguised]) {
      const message = told(input);
      expect(message).toMatch(/^Variable "\$input" got an invalid value/);
      expect(message).not.toContain(SECRET);
    }
  });
});

describe('the request error log', () => {
  async function logged(errors: GraphQLError[]): Promise<Record<string, unknown>[]> {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
    const plugin = createErrorLogPlugin<{ log: typeof log }>(createLogger('silent'));
    const hooks = await plugin.requestDidStart!({} as never);
    await hooks!.didEncounterErrors!({ contextValue: { log: log.child({ requestId: 'req-1' }) }, errors } as never);
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('logs a masked error once, scrubbed, on the request logger', async () => {
    const [line, ...rest] = await logged([resolverError(LEAK, ['purchase'])]);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      level: 50,
      requestId: 'req-1',
      path: ['purchase'],
      msg: expect.stringMatching(/masked/),
    });
    const text = JSON.stringify(line);
    expect(text).not.toContain('abcdefabcdefabcdefabcdefabcdefab');
    expect(text).not.toContain('00112233445566778899aabbccddeeff');
  });

  it("logs an ExpressPlay rejection with ExpressPlay's code, and one failure shared by many fields once", async () => {
    const refused = new ExpressPlayRefusedUsError('record retrieval', 'getrecord', 401, -2018, 'HTTP 401, code -2018');
    const lines = await logged(Array.from({ length: 50 }, (_, i) => resolverError(refused, [`b${i}`])));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId: 'req-1',
        operation: 'getrecord',
        upstreamCode: -2018,
        msg: expect.stringMatching(/^record retrieval: ExpressPlay rejected/),
      }),
    ]);
  });

  it('logs ExpressPlay being unavailable as a warning, and nothing for errors the client was told about', async () => {
    const down = new UpstreamUnavailableError({
      what: 'license token request',
      operation: 'token',
      status: 503,
      reason: 'HTTP 503',
    });
    const lines = await logged([resolverError(down), resolverError(new NotFoundError('content', 'x'))]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, requestId: 'req-1', operation: 'token', status: 503 }),
    ]);
  });

  it('warns the operator when ExpressPlay will not bind a DRM to devices', async () => {
    const lines = await logged([resolverError(new DrmWithoutDeviceBindingError('FAIRPLAY', -6008, ['PLAYREADY']))]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, requestId: 'req-1', drm: 'FAIRPLAY', upstreamCode: -6008 }),
    ]);
  });
});
