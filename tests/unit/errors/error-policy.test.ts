import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  DrmWithoutDeviceBindingError,
  NotFoundError,
  UpstreamUnavailableError,
} from '../../../src/errors/app-error.js';
import { decideError } from '../../../src/errors/error-policy.js';
import { formatError } from '../../../src/errors/format-error.js';
import { ExpressPlayRefusedUsError } from '../../../src/errors/from-upstream.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createErrorLogPlugin } from '../../../src/plugins/error-log-plugin.js';

const cases: [string, unknown, 'app' | 'request' | 'masked', 'error' | 'warn' | null][] = [
  ['our error the client can act on', new NotFoundError('content', 'x'), 'app', null],
  [
    'ExpressPlay refusing our request',
    new ExpressPlayRefusedUsError('t', 'token', 401, -2018, 'HTTP 401'),
    'app',
    'error',
  ],
  ['a DRM without device binding', new DrmWithoutDeviceBindingError('FAIRPLAY', -6008, ['PLAYREADY']), 'app', 'warn'],
  [
    'ExpressPlay down',
    new UpstreamUnavailableError({ what: 't', operation: 'token', status: 503, reason: 'x' }),
    'app',
    'warn',
  ],
  ['a refusal that was not ExpressPlay', new UpstreamUnavailableError(), 'app', null],
  [
    'a validation error',
    new GraphQLError('bad', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    'request',
    null,
  ],
  ['a stray Error', new Error('customerAuthenticator=1000,secret'), 'masked', 'error'],
  ['a thrown string', 'boom', 'masked', 'error'],
  [
    'an error that claims to be internal',
    new GraphQLError('x', { extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    'masked',
    'error',
  ],
];

describe('one decision for what the client sees and what is logged', () => {
  it.each(cases)('%s', async (_name, original, client, level) => {
    const decision = decideError(original);
    expect(decision.client).toBe(client);
    expect(decision.log?.level ?? null).toBe(level);

    // formatError masks exactly what the decision masks...
    const wrapped = new GraphQLError('m', { path: ['f'], originalError: original as Error, extensions: { code: 'X' } });
    const told = formatError({ message: 'm', path: ['f'], extensions: { code: 'X' } }, wrapped);
    expect(told.extensions?.code === 'INTERNAL_SERVER_ERROR').toBe(client === 'masked');

    // ...and the plugin logs exactly the decided line, at the decided level.
    const calls: { level: string; fields: unknown; message: string }[] = [];
    const log = createLogger('silent');
    for (const lvl of ['error', 'warn', 'info'] as const) {
      log[lvl] = ((fields: unknown, message: string) => calls.push({ level: lvl, fields, message })) as never;
    }
    const hooks = await createErrorLogPlugin<{ log: typeof log }>(log).requestDidStart!({} as never);
    await hooks!.didEncounterErrors!({ contextValue: { log }, errors: [wrapped] } as never);
    expect(calls.map((c) => c.level)).toEqual(level ? [level] : []);
    if (decision.log)
      expect(calls[0]).toMatchObject({
        fields: { path: ['f'], ...decision.log.fields },
        message: decision.log.message,
      });
    expect(JSON.stringify(calls)).not.toContain('1000,secret');
  });
});
