export { createSandbox, type Sandbox, type SandboxOptions } from './http/app.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { randomIds, seededIds, type IdGenerator } from './ids.ts';
export { MemoryStore } from './store/memory-store.ts';
export type { Store, OrderFilter, OrderPage, IdempotencyClaim } from './store/store.ts';
export type { components, paths, operations } from './generated/openapi.ts';
export type * from './api-types.ts';
