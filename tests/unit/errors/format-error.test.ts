import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/errors/app-error.js';
import { createFormatError } from '../../../src/errors/format-error.js';
import { createLogger } from '../../../src/observability/logger.js';

function setup() {
  const lines: string[] = [];
  const log = createLogger('info', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
  return { format: createFormatError(log), lines };
}

/** What Apollo hands formatError for an error thrown in a resolver. */
const resolverError = (original: Error) =>
  new GraphQLError(original.message, { path: ['field'], originalError: original, extensions: { code: 'INTERNAL_SERVER_ERROR' } });

describe('formatError', () => {
  it('passes our errors with their code and nothing else', () => {
    const { format } = setup();
    const error = new NotFoundError('content', 'x');
    const out = format({ message: error.message, path: ['content'], extensions: { code: 'NOT_FOUND', stacktrace: ['at x'] } }, resolverError(error));
    expect(out).toEqual({ message: 'No content with id "x" exists for you.', path: ['content'], extensions: { code: 'NOT_FOUND' } });
  });

  it('masks anything else and logs it scrubbed', () => {
    const { format, lines } = setup();
    const leak = new Error('GET /hms/fp/token?customerAuthenticator=1000,abcdefabcdefabcdefabcdefabcdefab&contentKey=00112233445566778899aabbccddeeff failed');
    const out = format({ message: leak.message, path: ['purchase'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, resolverError(leak));
    expect(out).toEqual({ message: expect.stringMatching(/^Internal server error/), path: ['purchase'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const logged = lines.join('');
    expect(logged).toMatch(/masked/);
    expect(logged).not.toContain('abcdefabcdefabcdefabcdefabcdefab');
    expect(logged).not.toContain('00112233445566778899aabbccddeeff');
  });

  it('passes GraphQL request errors (validation, coercion) with their own code', () => {
    const { format } = setup();
    const validation = new GraphQLError('Cannot query field "x" on type "Query".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(format({ message: validation.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, validation)).toEqual({
      message: validation.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});
