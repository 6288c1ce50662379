/**
 * An in-process ExpressPlay for the service tier: it implements `ExpressPlayClient` itself (no HTTP, no sandbox),
 * records every token request, and lets a test play a license on a device (which record retrieval then reports) or
 * make the next calls fail. For what reaches the wire, see fake-upstream.ts; for the real protocol, the sandbox.
 */
import type {
  ExpressPlayClient,
  LicenseRecord,
  TokenRequest,
  TokenResult,
} from '../../src/datasources/expressplay/types.js';
import type { DrmSystem } from '../../src/domain/enums.js';

export interface FakeExpressPlayClient extends ExpressPlayClient {
  readonly tokenRequests: TokenRequest[];
  readonly recordRequests: string[];
  /** A device redeems a token carrying `cookie`: record retrieval reports it from now on. */
  play(
    cookie: string,
    deviceId: string,
    options?: { drm?: DrmSystem; at?: Date; outcome?: 'granted' | 'denied' },
  ): void;
  /** The next token requests fail with this error (thrown as is), until `failTokens(undefined)`. */
  failTokens(error: Error | undefined): void;
  /** The next record retrievals fail with this error, until `failRecords(undefined)`. */
  failRecords(error: Error | undefined): void;
}

export function createFakeExpressPlayClient(now: () => Date = () => new Date()): FakeExpressPlayClient {
  const tokenRequests: TokenRequest[] = [];
  const recordRequests: string[] = [];
  const records: LicenseRecord[] = [];
  let tokenError: Error | undefined;
  let recordError: Error | undefined;
  return {
    tokenRequests,
    recordRequests,
    requestToken(request: TokenRequest): Promise<TokenResult> {
      tokenRequests.push(request);
      if (tokenError) return Promise.reject(tokenError);
      const token = `token-${tokenRequests.length}`;
      return Promise.resolve({ licenseUrl: `https://${request.drm}.license.test/?ExpressPlayToken=${token}` });
    },
    recordsByCookie(cookie: string): Promise<readonly LicenseRecord[]> {
      recordRequests.push(cookie);
      if (recordError) return Promise.reject(recordError);
      return Promise.resolve(records.filter((r) => r.cookie === cookie).sort((a, b) => b.eventId - a.eventId));
    },
    play(cookie, deviceId, options = {}) {
      const outcome = options.outcome ?? 'granted';
      records.push({
        eventId: records.length + 1,
        time: options.at ?? now(),
        cookie,
        deviceId,
        drm: options.drm ?? 'wv',
        outcome,
        errorCode: outcome === 'granted' ? null : -1,
      });
    },
    failTokens(error) {
      tokenError = error;
    },
    failRecords(error) {
      recordError = error;
    },
  };
}
