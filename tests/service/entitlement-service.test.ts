/**
 * Purchases, rentals and license tokens on EntitlementService itself: a fake ExpressPlay client that records each
 * token request and refuses on demand, a PGlite copied from the migrated template, and a clock the test moves (a
 * rental's window ends without waiting for it). Moved here from HTTP: "sells nothing twice", the rental terms kept
 * when the catalog changes, a lapsed rental (tests/integration/flow.test.ts), and the code each ExpressPlay refusal
 * of a recorded rental leaves (tests/integration/expressplay-rules.test.ts); those files keep one HTTP flow each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExpressPlayRejectedError } from '../../src/datasources/expressplay/errors.js';
import type { DrmSystem } from '../../src/domain/enums.js';
import type { RequestContext } from '../../src/graphql/common/context.js';
import { createServiceHarness, type ServiceHarness } from '../helpers/service-harness.js';

const TOKEN_TTL = 3600;
let h: ServiceHarness;

beforeAll(async () => {
  h = await createServiceHarness({ TOKEN_TTL: String(TOKEN_TTL) });
  const admin = h.viewer('admin', true);
  const title = (id: string, periodSeconds: number, playSeconds: number) => ({
    id,
    title: id,
    keyId: 'a1'.repeat(16),
    contentKey: 'c3'.repeat(16),
    iv: 'e5'.repeat(16),
    rental: { periodSeconds, playSeconds },
  });
  await h.catalog.upsert(admin, title('film', 3600, 1800));
  await h.catalog.upsert(admin, title('brief', 30, 10));
  await h.catalog.upsert(admin, title('long-rental', 60 * 86_400, 2 * 86_400));
});

afterAll(async () => {
  await h?.close();
});

/** A fresh request for `userId`, with a binding for `drm` that a device played: its id. */
async function boundUser(
  userId: string,
  drm: DrmSystem = 'wv',
): Promise<{ request: () => Promise<RequestContext>; bindingId: string }> {
  const viewer = h.viewer(userId);
  const { binding } = await (await h.context(userId)).bindings.bind(viewer, { drm });
  h.expressplay.play(binding.cookie, '9'.repeat(32), { drm });
  expect((await (await h.context(userId)).bindings.get(viewer, binding.id)).status).toBe('BOUND');
  return { request: () => h.context(userId), bindingId: binding.id };
}

/** The error a promise rejects with (the test fails if it resolves). */
async function refusal(promise: Promise<unknown>): Promise<Error & { extensions?: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, 'expected a refusal').toBeInstanceOf(Error);
  return error!;
}

describe('EntitlementService: nothing is sold twice', () => {
  it('buying owned content or renting a running rental again returns what the user has, under a new key', async () => {
    const { request, bindingId } = await boundUser('bert');
    const viewer = h.viewer('bert');
    const input = (key: string) => ({ contentId: 'film', bindingId, drm: 'wv' as const, idempotencyKey: key });
    const bought = (await (await request()).entitlements.purchase(viewer, input('bert-buy-0001'))).entitlement;
    expect((await (await request()).entitlements.purchase(viewer, input('bert-buy-0002'))).entitlement).toEqual(bought);
    const rented = (await (await request()).entitlements.rent(viewer, input('bert-rent-0001'))).entitlement;
    expect(rented.kind).toBe('RENTAL');
    expect((await (await request()).entitlements.rent(viewer, input('bert-rent-0002'))).entitlement).toEqual(rented);
    const listed = await (await request()).entitlements.page(viewer, 100, null);
    expect(listed.map((e) => e.id).sort()).toEqual([bought.id, rented.id].sort());
  });

  it('refuses an idempotency key reused for another title or kind, naming the field', async () => {
    const { request, bindingId } = await boundUser('reuser');
    const viewer = h.viewer('reuser');
    const input = { contentId: 'film', bindingId, drm: 'wv' as const, idempotencyKey: 'reuser-key-0001' };
    await (await request()).entitlements.purchase(viewer, input);
    const error = await refusal((await request()).entitlements.rent(viewer, input));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
  });
});

describe('EntitlementService: revoking', () => {
  it('refuses a reason that is not plain text (a lone surrogate, a control character) before it reaches the store', async () => {
    const { request, bindingId } = await boundUser('refunded');
    const viewer = h.viewer('refunded');
    const input = { contentId: 'film', bindingId, drm: 'wv' as const, idempotencyKey: 'refunded-buy-0001' };
    const { entitlement } = await (await request()).entitlements.purchase(viewer, input);
    const admin = h.viewer('support', true);
    // PGlite cannot encode a lone surrogate as UTF-8: it used to fail the statement, an INTERNAL_SERVER_ERROR.
    for (const reason of ['refund \ud800 \u{1F600}', 'refund\u0007', ' ', 'x'.repeat(501)]) {
      const error = await refusal((await request()).entitlements.revoke(admin, { id: entitlement.id, reason }));
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    }
    const revoked = await (
      await request()
    ).entitlements.revoke(admin, { id: entitlement.id, reason: 'refund \u{1F600}' });
    expect(revoked.revokedAt).not.toBeNull();
  });
});

describe('EntitlementService: rentals', () => {
  it('keep the terms the user rented when the catalog changes afterwards', async () => {
    const { request, bindingId } = await boundUser('terms-user');
    const viewer = h.viewer('terms-user');
    const admin = h.viewer('admin', true);
    const terms = (playSeconds: number) => ({
      id: 'terms-film',
      title: 'Terms',
      keyId: 'f6'.repeat(16),
      contentKey: '17'.repeat(16),
      iv: 'e5'.repeat(16),
      rental: { periodSeconds: 7200, playSeconds },
    });
    await h.catalog.upsert(admin, terms(3600));
    const input = { contentId: 'terms-film', bindingId, drm: 'wv' as const, idempotencyKey: 'terms-user-0001' };
    expect((await (await request()).entitlements.rent(viewer, input)).entitlement.playSeconds).toBe(3600);

    await h.catalog.upsert(admin, terms(60));
    const before = h.expressplay.tokenRequests.length;
    await (await request()).entitlements.licenseToken(viewer, { contentId: 'terms-film', bindingId, drm: 'wv' });
    const [sent] = h.expressplay.tokenRequests.slice(before);
    expect(sent.rights).toMatchObject({ type: 'Rental', playDurationSeconds: 3600 });
  });

  it('ask for a token that lives TOKEN_TTL, or until the window ends when that is sooner; the rights carry the window', async () => {
    const { request, bindingId } = await boundUser('ttl-user', 'pr');
    const viewer = h.viewer('ttl-user');
    const at = h.now().getTime();
    const before = h.expressplay.tokenRequests.length;
    const long = { contentId: 'long-rental', bindingId, drm: 'pr' as const, idempotencyKey: 'ttl-user-long-0001' };
    const rented = await (await request()).entitlements.rent(viewer, long);
    expect(rented.entitlement.expiresAt!.getTime()).toBe(at + 60 * 86_400_000);
    const brief = { contentId: 'brief', bindingId, drm: 'pr' as const, idempotencyKey: 'ttl-user-brief-0001' };
    await (await request()).entitlements.rent(viewer, brief);
    const [longToken, briefToken] = h.expressplay.tokenRequests.slice(before);
    expect(longToken.expirationTime!.getTime()).toBe(at + TOKEN_TTL * 1000);
    expect(longToken.rights).toEqual({
      type: 'Rental',
      periodEndTime: new Date(at + 60 * 86_400_000),
      playDurationSeconds: 2 * 86_400,
    });
    expect(briefToken.expirationTime!.getTime()).toBe(at + 30_000);
    expect(briefToken.deviceId).toBe('9'.repeat(32));
  });

  it('after its window, licenseToken says RENTAL_EXPIRED, and renting again is a new rental with its own window', async () => {
    const { request, bindingId } = await boundUser('carol');
    const viewer = h.viewer('carol');
    const input = { contentId: 'brief', bindingId, drm: 'wv' as const, idempotencyKey: 'carol-brief-0001' };
    const first = (await (await request()).entitlements.rent(viewer, input)).entitlement;

    h.advance(31);
    const error = await refusal(
      (await request()).entitlements.licenseToken(viewer, { contentId: 'brief', bindingId, drm: 'wv' }),
    );
    expect(error.extensions?.code).toBe('RENTAL_EXPIRED');
    // The lapsed rental's own key still names it: a retry of that request is not a new rental.
    expect((await refusal((await request()).entitlements.rent(viewer, input))).extensions?.code).toBe('RENTAL_EXPIRED');

    const again = (await (await request()).entitlements.rent(viewer, { ...input, idempotencyKey: 'carol-brief-0002' }))
      .entitlement;
    expect(again.id).not.toBe(first.id);
    expect(again.expiresAt!.getTime()).toBe(h.now().getTime() + 30_000);
  });

  it('licenseToken without a purchase or rental: NOT_ENTITLED', async () => {
    const { request, bindingId } = await boundUser('window-shopper');
    const error = await refusal(
      (await request()).entitlements.licenseToken(h.viewer('window-shopper'), {
        contentId: 'film',
        bindingId,
        drm: 'wv',
      }),
    );
    expect(error.extensions?.code).toBe('NOT_ENTITLED');
  });
});

describe("EntitlementService: a binding holds one DRM's device id", () => {
  it('refuses a token for another DRM with DRM_NOT_BOUND, asks ExpressPlay nothing, and keeps the purchase', async () => {
    const { request, bindingId } = await boundUser('pr-only', 'pr');
    const viewer = h.viewer('pr-only');
    const before = h.expressplay.tokenRequests.length;
    const input = { contentId: 'film', bindingId, idempotencyKey: 'pr-only-film-0001' };
    const error = await refusal((await request()).entitlements.purchase(viewer, { ...input, drm: 'wv' }));
    expect(error.extensions).toEqual({ code: 'DRM_NOT_BOUND', field: 'drm' });
    expect(h.expressplay.tokenRequests.slice(before)).toEqual([]);
    const kept = await (await request()).entitlements.purchase(viewer, { ...input, drm: 'pr' });
    expect(await (await request()).entitlements.page(viewer, 100, null)).toEqual([kept.entitlement]);
  });
});

describe('EntitlementService: every ExpressPlay refusal of a recorded rental leaves a code to act on', () => {
  const rejected = (code: number) =>
    new ExpressPlayRejectedError(`ExpressPlay token request rejected: HTTP 400, code ${code}`, 'token', 400, code);

  it.each([
    // -2019 "Insufficient tokens available": the account's credits, nothing the client can fix; retry later.
    ['film', -2019, { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 300 }],
    // The window ends as the token is asked for: its end is no longer in the future on ExpressPlay's clock.
    ['brief', -2002, { code: 'RENTAL_EXPIRED' }],
    // An expiry refused with a window far from its end is ours (a clock far off): retry later.
    ['film', -2002, { code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 300 }],
    // ExpressPlay refuses the binding's device id: bind again.
    ['film', -5005, { code: 'DEVICE_NOT_BOUND' }],
  ] as const)('%s, %i -> %o, and the rental is kept for the retry', async (contentId, upstreamCode, extensions) => {
    const userId = `refused-${contentId}${upstreamCode}`;
    const { request, bindingId } = await boundUser(userId, 'pr');
    const viewer = h.viewer(userId);
    const input = { contentId, bindingId, drm: 'pr' as const, idempotencyKey: `${userId}-0001` };
    h.expressplay.failTokens(rejected(upstreamCode));
    try {
      const error = await refusal((await request()).entitlements.rent(viewer, input));
      expect(error.extensions).toEqual(extensions);
    } finally {
      h.expressplay.failTokens(undefined);
    }
    const kept = await (await request()).entitlements.page(viewer, 100, null);
    expect(kept.map((e) => e.kind)).toEqual(['RENTAL']);
    if (extensions.code === 'UPSTREAM_UNAVAILABLE') {
      const retried = await (await request()).entitlements.rent(viewer, input);
      expect(retried.entitlement.id).toBe(kept[0].id);
    }
  });
});
