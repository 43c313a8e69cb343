import type { components } from './generated/openapi.ts';

type Schemas = components['schemas'];
export type Order = Schemas['Order'];
export type OrderStatus = Schemas['OrderStatus'];
export type CreateOrderRequest = Schemas['CreateOrderRequest'];
export type ShippingAddress = Schemas['ShippingAddress'];
export type OrderList = Schemas['OrderList'];
export type ErrorCode = Schemas['ErrorCode'];
export type ErrorDetails = Schemas['ErrorDetails'];
export type ErrorBody = Schemas['Error'];
export type Refill = Schemas['Refill'];
export type RefillStatus = Schemas['RefillStatus'];
export type CreateRefillRequest = Schemas['CreateRefillRequest'];
export type WebhookEventType = Schemas['WebhookEventType'];
export type WebhookEvent = Schemas['WebhookEvent'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
