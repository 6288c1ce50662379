import { ObjectType } from 'type-graphql';
import type { TimeKeyset } from '../../store/types.js';
import { Connection } from '../common/connection.js';
import { timeCursor } from '../common/cursor.js';
import { WebhookDelivery } from './webhook-delivery.type.js';
import { WebhookEndpoint } from './webhook-endpoint.type.js';

@ObjectType('WebhookEndpointConnection', { description: 'A page of webhook endpoints, newest first.' })
export class WebhookEndpointConnection extends Connection(WebhookEndpoint, 'WebhookEndpoint') {}

@ObjectType('WebhookDeliveryConnection', { description: "A page of an endpoint's deliveries, newest first." })
export class WebhookDeliveryConnection extends Connection(WebhookDelivery, 'WebhookDelivery') {}

export const webhookEndpointCursor = timeCursor('webhook-endpoint');
export const webhookDeliveryCursor = timeCursor('webhook-delivery');

export const byCreation = (row: { createdAt: Date; id: string }): TimeKeyset => ({
  createdAt: row.createdAt,
  id: row.id,
});
