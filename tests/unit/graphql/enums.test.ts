import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BINDING_STATUSES, DRM_SYSTEMS, ENTITLEMENT_KINDS, EVENT_TYPES } from '../../../src/domain/enums.js';
import type { DeviceBinding } from '../../../src/graphql/device/device-binding.type.js';
import type { Entitlement } from '../../../src/graphql/entitlement/entitlement.type.js';
import { BindingStatus, Drm, EntitlementKind, EventType } from '../../../src/graphql/common/enums.js';
import type { BindingRecord, EntitlementRecord } from '../../../src/store/types.js';

// Checked by `npm run typecheck`: a stored record is a GraphQL object's status, kind and DRM as it is, no cast.
export const storedIsServed = (b: BindingRecord, e: EntitlementRecord) =>
  ({ status: b.status, drm: b.drm, kind: e.kind }) satisfies Pick<DeviceBinding, 'status' | 'drm'> &
    Pick<Entitlement, 'kind'>;

describe('status and kind values: one source for the store and the GraphQL enums', () => {
  it('registers the domain objects themselves as the GraphQL enums', () => {
    expect(Drm).toBe(DRM_SYSTEMS);
    expect(BindingStatus).toBe(BINDING_STATUSES);
    expect(EntitlementKind).toBe(ENTITLEMENT_KINDS);
    expect(EventType).toBe(EVENT_TYPES);
  });

  it('publishes in the schema exactly the names the domain has', () => {
    const schema = buildSchema(readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8'));
    const names = (type: string) =>
      (schema.getType(type) as GraphQLEnumType)
        .getValues()
        .map((v) => v.name)
        .sort();
    expect(names('Drm')).toEqual(Object.keys(DRM_SYSTEMS).sort());
    expect(names('BindingStatus')).toEqual(Object.keys(BINDING_STATUSES).sort());
    expect(names('EntitlementKind')).toEqual(Object.keys(ENTITLEMENT_KINDS).sort());
    expect(names('EventType')).toEqual(Object.keys(EVENT_TYPES).sort());
  });
});
