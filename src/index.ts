export { createSandbox, type Sandbox, type SandboxOptions } from './sandbox.ts';
export { OptionError } from './options.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { randomIds, seededIds, type IdGenerator } from './ids.ts';
export { signWebhook, verifyWebhookSignature } from './webhooks/signature.ts';
export type { WebhookSender, WebhookEndpoint, WebhookDelivery } from './webhooks/webhook-service.ts';
export type { WebhookEvent, WebhookEventType } from './webhooks/events.ts';
export { DEMO_API_KEY, FixtureError, loadFixtures, parseFixtures, type FixtureProblem, type Fixtures } from './fixtures/fixtures.ts';
export { MemoryStore } from './store/memory-store.ts';
export type {
  Store, ListFilter, OrderFilter, RefillFilter, Page, OrderPage, RefillPage, IdempotencyClaim, StoredAnswer, TenantSeed, TenantSettings,
} from './store/store.ts';
export type { OrderRecord, RefillRecord, StatusChange } from './domain/records.ts';
export type { components, paths, operations } from './generated/openapi.ts';
export type * from './api-types.ts';
export type { LogEntry, LogSetting, LogSink, RequestFacts, RequestLogEntry, WebhookLogEntry } from './log/entry.ts';
export type { CorsSetting } from './http/cors.ts';
