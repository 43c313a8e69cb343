// Generated from spec/openapi.yaml by `npm run generate`. Do not edit.
export interface paths {
    "/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create an order
         * @description Creates an order in status `pending`. Send an `Idempotency-Key` so that a retry returns
         *     the original answer instead of creating a second order.
         */
        post: operations["createOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/orders/{orderId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        /** Retrieve an order */
        get: operations["getOrder"];
        put?: never;
        post?: never;
        /**
         * Cancel an order (planned)
         * @description Planned by Nimbus; offered early by the sandbox. An order can be cancelled while it is
         *     `pending` or `processing`. Once `shipped` or `delivered` it cannot be cancelled (409
         *     `order_not_cancellable`). Cancelling an order that is already cancelled answers 200 with
         *     the order unchanged.
         */
        delete: operations["cancelOrder"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the tenant's orders (sandbox only)
         * @description Newest first, in the order the key's orders were placed (fixture orders by their placing time;
         *     the published test order is placed when the key is first used), with cursor pagination.
         *     Production has no list operation.
         */
        get: operations["sandboxListOrders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/orders/{orderId}/history": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        /** Every status change of an order, with its time and reason (sandbox only) */
        get: operations["sandboxOrderHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/orders/{orderId}/advance": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move an order along its lifecycle now (sandbox only)
         * @description Moves the order to the next status on pending → processing → shipped → delivered, or on to
         *     `to`, applying each step in between (a shipped order gets its tracking number). A body is
         *     optional. 409 `invalid_state_transition` when the target is not ahead of the order's status.
         */
        post: operations["sandboxAdvanceOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/clock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling tenant's sandbox clock (sandbox only) */
        get: operations["sandboxGetClock"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/clock/advance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Move the calling tenant's clock forward (sandbox only)
         * @description Every status change that falls due in the interval is applied, in due order, before the
         *     answer. Other tenants' clocks do not move.
         */
        post: operations["sandboxAdvanceClock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/refills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request a refill
         * @description Checks eligibility (prescription valid, refill window, quantity limits, insurance) and
         *     creates the refill as `pending`; some refills wait for manual review before approval.
         *     Flow: `pending` → `approved` → `processing` → `shipped`, or `pending` → `cancelled`.
         *     A refusal is 422 `refill_not_eligible` with `details.reason` and `details.nextEligibleDate`.
         *
         *     Sandbox magic values are listed in `CreateRefillRequest`'s `x-nimbus-magic-values`.
         */
        post: operations["createRefill"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/refills/{refillId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                refillId: components["parameters"]["RefillId"];
            };
            cookie?: never;
        };
        /**
         * Retrieve a refill (planned)
         * @description Planned by Nimbus; offered early by the sandbox.
         */
        get: operations["getRefill"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/refills": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the tenant's refills (sandbox only)
         * @description Newest first, with cursor pagination, as `GET /sandbox/orders`. Production has no list operation.
         */
        get: operations["sandboxListRefills"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/refills/{refillId}/history": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                refillId: components["parameters"]["RefillId"];
            };
            cookie?: never;
        };
        /** Every status change of a refill, with its time and reason (sandbox only) */
        get: operations["sandboxRefillHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webhooks/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test webhook
         * @description Sends one signed test event of `eventType` to `webhookUrl`, or, without a URL, to every
         *     endpoint the API key has. A URL that no endpoint has is signed with the key's default
         *     secret (see `GET /sandbox/webhook-endpoints`). The event is sent once, after the answer.
         */
        post: operations["sendTestWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The API key's webhook endpoints and default secret (sandbox only) */
        get: operations["sandboxListWebhookEndpoints"];
        put?: never;
        /**
         * Register a webhook endpoint (sandbox only; production registers them in the developer portal)
         * @description Plain http and loopback addresses are allowed here, unlike production (HTTPS, public),
         *     unless the sandbox runs with `--webhook-deny-private`; see `WebhookUrl` for the URLs that
         *     are refused. Without `events` the endpoint receives the published events.
         */
        post: operations["sandboxCreateWebhookEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/webhook-endpoints/{endpointId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: components["parameters"]["EndpointId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a webhook endpoint; nothing more is sent to it (sandbox only) */
        delete: operations["sandboxDeleteWebhookEndpoint"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/webhook-endpoints/{endpointId}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: components["parameters"]["EndpointId"];
            };
            cookie?: never;
        };
        /** Every delivery attempt to an endpoint, oldest first (sandbox only) */
        get: operations["sandboxListWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset the tenant to its initial test data (sandbox only)
         * @description Deletes everything the calling API key created and restores the published test data. A body
         *     is optional; if sent, it must be an empty JSON object.
         */
        post: operations["sandboxReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether the sandbox is up, for a container's health check (sandbox only; no key needed)
         * @description Needs no `X-API-Key`, is not rate limited and creates no tenant, so a health check can
         *     call it as often as it likes.
         */
        get: operations["sandboxHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/openapi.yaml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document, as YAML (sandbox only; no key needed) */
        get: operations["sandboxOpenApiYaml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document, as JSON (sandbox only; no key needed) */
        get: operations["sandboxOpenApiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The API key's last requests, newest first (sandbox only)
         * @description The request journal: the last 200 requests made with this API key, newest first, kept in
         *     memory whatever the log setting. A request that carries `Nimbus-Sandbox-Dashboard: poll`
         *     (the dashboard's own polling) is not journaled; requests without a key belong to no key.
         *     The key itself is never shown. `POST /sandbox/reset` leaves the journal as it is (the
         *     reset is journaled too); the journal goes when the sandbox forgets the key.
         */
        get: operations["sandboxListRequests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/coverage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What the API key's traffic has met of the contract, and what it has not (sandbox only)
         * @description Every answer, status, webhook event, magic value and fault this document describes that an
         *     integrator's code can meet, each with how often this API key met it (`count: 0` for never),
         *     so a test suite can see which behaviours it never exercised. The possibilities come from
         *     this document alone:
         *     - `responses`: each documented response of each operation outside `/sandbox` that needs a
         *       key, by status and, for an error, by code (`x-nimbus-codes` where one status carries
         *       several codes, else the one code `ErrorCode`'s `x-nimbus-statuses` gives the status).
         *       401 is left out: a request without an accepted key has no key to count it under.
         *       Answers lost to a `drop` or `lost-response` fault reach no client and count only as faults;
         *       answers a status the operation does not document are not counted.
         *     - `statuses`: each `OrderStatus` and `RefillStatus` a record of the key reached (its creation
         *       counts for its first status).
         *     - `events`: each `WebhookEventType` sent to the key's receivers (test events included):
         *       first attempts, those acknowledged with a 2xx, those that needed a retry.
         *     - `magicValues`: each `x-nimbus-magic-values` entry of a create request that passed its
         *       schema.
         *     - `faults`: each `FaultKind` injected, by header or by `--fault-rate`.
         *
         *     `/sandbox` operations are not counted (production has none, so an integrator's code does
         *     not call them). The counts are bounded by this list, whatever the traffic. `POST /sandbox/reset`
         *     clears them; they go when the sandbox forgets the key.
         */
        get: operations["sandboxCoverage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/dashboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The dashboard, a page to see and steer one key's sandbox (sandbox only; no key needed)
         * @description Needs no `X-API-Key` to load: the key is typed into the page, or given in the fragment
         *     (`/sandbox/dashboard#key=sk_test_demo`). Every asset is served by the sandbox itself.
         *     From a source checkout, `npm run build` makes the page; until then this is a 404.
         */
        get: operations["sandboxDashboard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document as an API reference page (sandbox only; no key needed)
         * @description Rendered in the browser from `/sandbox/openapi.json` by a renderer the sandbox serves
         *     itself: no request leaves the machine. From a source checkout, `npm run build` makes
         *     the page; until then this is a 404.
         */
        get: operations["sandboxDocs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/sandbox/assets/{asset}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A file name of the sandbox's built assets, such as `dashboard.js`. */
                asset: string;
            };
            cookie?: never;
        };
        /** A script, style sheet, font or image of the dashboard or docs page (sandbox only; no key needed) */
        get: operations["sandboxAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "order.created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An order was created */
        post: operations["orderCreatedWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "order.fulfilled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** An order shipped */
        post: operations["orderFulfilledWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "refill.ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A refill was approved */
        post: operations["refillReadyWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "refill.status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A refill became processing, shipped or cancelled (sandbox extension, opt-in) */
        post: operations["refillStatusWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "order.status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * An order became processing, delivered or cancelled (sandbox extension, opt-in)
         * @description Not published by Nimbus: sent only to endpoints that list `order.processing`,
         *     `order.delivered` or `order.cancelled` in their events.
         */
        post: operations["orderStatusWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        /** @example pat_1234567890 */
        PatientId: string;
        /** @example rx_9876543210 */
        PrescriptionId: string;
        /** @example ord_1234567890 */
        OrderId: string;
        /**
         * @description `pending` → `processing` → `shipped` → `delivered`; `pending` or `processing` → `cancelled`.
         *     Once shipped or delivered an order cannot be cancelled.
         * @enum {string}
         */
        OrderStatus: "pending" | "processing" | "shipped" | "delivered" | "cancelled";
        ShippingAddress: {
            /** @description At most 200 characters (a sandbox limit; the published contract gives none). */
            street1: string;
            /** @description At most 200 characters (a sandbox limit; the published contract gives none). */
            street2?: string | null;
            /** @description At most 100 characters (a sandbox limit; the published contract gives none). */
            city: string;
            state: string;
            zip: string;
            /** @default US */
            country?: string;
        };
        /**
         * @description Sandbox magic values (production treats these as ordinary data) are listed in
         *     `x-nimbus-magic-values` and in the README's Magic values table.
         */
        CreateOrderRequest: {
            patientId: components["schemas"]["PatientId"];
            prescriptionId: components["schemas"]["PrescriptionId"];
            shippingAddress: components["schemas"]["ShippingAddress"];
            /** @description Accepted on create; not returned on the Order. */
            notes?: string;
        };
        Order: {
            id: components["schemas"]["OrderId"];
            patientId: components["schemas"]["PatientId"];
            prescriptionId: components["schemas"]["PrescriptionId"];
            status: components["schemas"]["OrderStatus"];
            shippingAddress: WithRequired<components["schemas"]["ShippingAddress"], "street1" | "city" | "state" | "zip" | "country">;
            /**
             * @description The carrier's tracking number; present once the order has shipped.
             * @example 1Z999AA10123456784
             */
            trackingNumber?: string | null;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /**
             * Format: date
             * @description Present once the order has shipped.
             */
            estimatedDeliveryDate?: string | null;
        };
        OrderList: {
            data: components["schemas"]["Order"][];
            hasMore: boolean;
            nextCursor: string | null;
        };
        OrderHistory: {
            orderId: components["schemas"]["OrderId"];
            history: {
                status: components["schemas"]["OrderStatus"];
                /** Format: date-time */
                at: string;
                reason: string;
            }[];
        };
        OrderAdvanceRequest: {
            /** @enum {string} */
            to?: "processing" | "shipped" | "delivered";
        };
        SandboxClock: {
            /** Format: date-time */
            now: string;
            /**
             * @description `real` follows the wall clock (times `timeScale`); `virtual` moves only when advanced.
             * @enum {string}
             */
            mode: "real" | "virtual";
            timeScale: number;
        };
        ClockAdvanceRequest: {
            /** @description Seconds to move the clock (a millisecond at least, ten years at most). */
            seconds: number;
        };
        /**
         * @description Published: `order.created`, `order.fulfilled` (the order shipped), `refill.ready` (the
         *     refill was approved). Sandbox extensions, opt-in per endpoint: `order.processing`,
         *     `order.delivered`, `order.cancelled`, `refill.processing`, `refill.shipped`, `refill.cancelled`.
         * @enum {string}
         */
        WebhookEventType: "order.created" | "order.fulfilled" | "refill.ready" | "order.processing" | "order.delivered" | "order.cancelled" | "refill.processing" | "refill.shipped" | "refill.cancelled";
        EventId: string;
        OrderCreatedEvent: {
            id: components["schemas"]["EventId"];
            /** @constant */
            type: "order.created";
            /** Format: date-time */
            createdAt: string;
            data: {
                orderId: components["schemas"]["OrderId"];
                patientId: components["schemas"]["PatientId"];
                prescriptionId: components["schemas"]["PrescriptionId"];
                status: components["schemas"]["OrderStatus"];
            };
        };
        OrderFulfilledEvent: {
            id: components["schemas"]["EventId"];
            /** @constant */
            type: "order.fulfilled";
            /** Format: date-time */
            createdAt: string;
            data: {
                orderId: components["schemas"]["OrderId"];
                trackingNumber: string;
                /** Format: date */
                estimatedDeliveryDate: string;
                status: components["schemas"]["OrderStatus"];
            };
        };
        OrderStatusEvent: {
            id: components["schemas"]["EventId"];
            /** @enum {string} */
            type: "order.processing" | "order.delivered" | "order.cancelled";
            /** Format: date-time */
            createdAt: string;
            data: {
                orderId: components["schemas"]["OrderId"];
                status: components["schemas"]["OrderStatus"];
            };
        };
        WebhookEvent: components["schemas"]["OrderCreatedEvent"] | components["schemas"]["OrderFulfilledEvent"] | components["schemas"]["OrderStatusEvent"] | components["schemas"]["RefillReadyEvent"] | components["schemas"]["RefillStatusEvent"];
        /**
         * @description An http or https URL without credentials. Never accepted (422 naming the field), besides
         *     what the pattern refuses: a host that is link-local (169.254.0.0/16, fe80::/10, in any
         *     form such as `0xA9FEA9FE` or `[::ffff:169.254.169.254]`). A sandbox run with
         *     `--webhook-deny-private` also refuses loopback (`localhost`, 127.0.0.0/8, ::1) and private
         *     hosts (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), and refuses to connect to a name
         *     that resolves to one of these ranges (the attempt's error is `Refused by policy`).
         */
        WebhookUrl: string;
        WebhookTestRequest: {
            eventType?: components["schemas"]["WebhookEventType"];
            webhookUrl?: components["schemas"]["WebhookUrl"];
        };
        WebhookTestResult: {
            success: boolean;
            message: string;
            webhookId: string;
        };
        WebhookEndpointCreateRequest: {
            url: components["schemas"]["WebhookUrl"];
            events?: components["schemas"]["WebhookEventType"][];
        };
        WebhookEndpoint: {
            id: string;
            url: string;
            events: components["schemas"]["WebhookEventType"][];
            /**
             * @description Signs this endpoint's deliveries. The `--webhook-url` subscription's secret, when the
             *     operator gave it (`--webhook-secret`), is shared by every API key and is never shown:
             *     the list gives `whsec_redacted` instead, which signs nothing. A secret the sandbox
             *     generated is the key's own and is shown.
             */
            secret: string;
            /** Format: date-time */
            createdAt: string;
        };
        WebhookEndpointList: {
            data: components["schemas"]["WebhookEndpoint"][];
            /** @description Signs test webhooks sent to a URL that no endpoint has. */
            defaultSecret: string;
        };
        DeletedWebhookEndpoint: {
            id: string;
            /** @constant */
            deleted: true;
        };
        WebhookDelivery: {
            eventId: string;
            eventType: components["schemas"]["WebhookEventType"];
            /**
             * @description The event's JSON body exactly as posted, byte for byte: the `X-Webhook-Signature` is
             *     computed over this string, so check a signature against it, not against re-serialised
             *     JSON. Every attempt of one event posts the same body. For an event dead-lettered
             *     unsent, the body it would have had.
             */
            body: string;
            /**
             * @description The `X-Webhook-Signature` header sent with `body`: hex HMAC-SHA256 of `body` keyed
             *     with the endpoint's secret. The same on every attempt of one event.
             */
            signature: string;
            attempt: number;
            /**
             * Format: date-time
             * @description Sandbox time of the attempt.
             */
            attemptedAt: string;
            succeeded: boolean;
            responseStatus: number | null;
            /**
             * @description Why the attempt failed (a non-2xx status, a timeout, a refused connection). With
             *     `--webhook-deny-private` a connection that failed says only `Could not connect`, or
             *     `Refused by policy` for a destination the sandbox will not reach.
             */
            error: string | null;
            /** Format: date-time */
            nextRetryAt: string | null;
            /** @description True on the last attempt of an event that was never acknowledged. */
            deadLettered: boolean;
        };
        WebhookDeliveryList: {
            data: components["schemas"]["WebhookDelivery"][];
        };
        /**
         * @description `pending` → `approved` → `processing` → `shipped`; `pending` → `cancelled`.
         * @enum {string}
         */
        RefillStatus: "pending" | "approved" | "processing" | "shipped" | "cancelled";
        /**
         * @description Sandbox magic values (production treats these as ordinary data) are listed in
         *     `x-nimbus-magic-values` and in the README's Refills section.
         */
        CreateRefillRequest: {
            prescriptionId: components["schemas"]["PrescriptionId"];
            patientId: components["schemas"]["PatientId"];
            /** @description Defaults to the prescription's quantity. */
            requestedQuantity?: number;
        };
        Refill: {
            id: string;
            prescriptionId: components["schemas"]["PrescriptionId"];
            patientId: components["schemas"]["PatientId"];
            status: components["schemas"]["RefillStatus"];
            requestedQuantity: number;
            /** @description Set when the refill is approved. */
            approvedQuantity: number | null;
            /** Format: date-time */
            createdAt: string;
            /**
             * Format: date
             * @description Set when the refill is approved.
             */
            estimatedShipDate: string | null;
        };
        RefillHistory: {
            refillId: string;
            history: {
                status: components["schemas"]["RefillStatus"];
                /** Format: date-time */
                at: string;
                reason: string;
            }[];
        };
        RefillList: {
            data: components["schemas"]["Refill"][];
            hasMore: boolean;
            nextCursor: string | null;
        };
        RefillReadyEvent: {
            id: components["schemas"]["EventId"];
            /** @constant */
            type: "refill.ready";
            /** Format: date-time */
            createdAt: string;
            data: {
                refillId: string;
                prescriptionId: components["schemas"]["PrescriptionId"];
                status: components["schemas"]["RefillStatus"];
            };
        };
        RefillStatusEvent: {
            id: components["schemas"]["EventId"];
            /** @enum {string} */
            type: "refill.processing" | "refill.shipped" | "refill.cancelled";
            /** Format: date-time */
            createdAt: string;
            data: {
                refillId: string;
                prescriptionId: components["schemas"]["PrescriptionId"];
                status: components["schemas"]["RefillStatus"];
            };
        };
        /** @description Nothing to send; the body may be left out. */
        ResetRequest: Record<string, never>;
        ResetResult: {
            /** @constant */
            reset: true;
        };
        Health: {
            /** @constant */
            status: "ok";
            /**
             * @description The version of nimbus-sandbox serving (its package version), not of the API.
             * @example 0.1.0
             */
            version: string;
            /** @description Real seconds since the sandbox started. */
            uptimeSeconds: number;
            /** @description API keys (tenants) held now, each with its own data. */
            keys: number;
        };
        JournalEntry: {
            /**
             * Format: date-time
             * @description When the request arrived (real time).
             */
            time: string;
            method: string;
            /** @description The path as routed, without the query string; over 300 characters it is cut and ends in `...`. */
            path: string;
            /** @description The operation served; absent for an unknown route. */
            operationId?: string;
            /** @description The status answered; null when an injected fault dropped the connection or lost the answer. */
            status: number | null;
            /** @description Real milliseconds from arrival to the answer. */
            durationMs: number;
            requestId?: string;
            /** @description The answer was an idempotent replay. */
            replayed: boolean;
            /** @description The fault injected, if any (see the README's fault injection). */
            fault?: components["schemas"]["FaultKind"];
            errorCode?: components["schemas"]["ErrorCode"];
        };
        RequestJournal: {
            data: components["schemas"]["JournalEntry"][];
        };
        /**
         * @description The faults the sandbox injects into operations outside `/sandbox`: asked for with the
         *     `x-nimbus-header` request header (`latency=MS` for a chosen delay), or drawn at
         *     `--fault-rate`. `latency` waits, then answers; `429`, `500` and `503` answer the code in
         *     `x-nimbus-codes`; `drop` closes the connection unanswered; `lost-response` does the work
         *     and then closes the connection unanswered.
         * @enum {string}
         */
        FaultKind: "latency" | "429" | "500" | "503" | "drop" | "lost-response";
        /** @description Every possibility, `count` 0 when never met. See `GET /sandbox/coverage`. */
        SandboxCoverage: {
            summary: {
                /** @description Entries, over all five lists, with a count of at least 1. */
                seen: number;
                /** @description Entries over all five lists. */
                total: number;
            };
            responses: components["schemas"]["CoverageResponse"][];
            statuses: components["schemas"]["CoverageStatus"][];
            events: components["schemas"]["CoverageEvent"][];
            magicValues: components["schemas"]["CoverageMagicValue"][];
            faults: components["schemas"]["CoverageFault"][];
        };
        CoverageResponse: {
            operationId: string;
            status: number;
            /** @description On error answers only. */
            code?: components["schemas"]["ErrorCode"];
            count: number;
            /** @description How many of `count` were idempotent replays. */
            replayed: number;
            /** @description How to meet it, from this document (a magic value, the fault header, or the code's `x-nimbus-when`). */
            hint: string;
        };
        CoverageStatus: {
            /** @enum {string} */
            kind: "order" | "refill";
            /** @description An `OrderStatus` or a `RefillStatus`. */
            status: string;
            /** @description Records of the key that reached it. */
            count: number;
        };
        CoverageEvent: {
            type: components["schemas"]["WebhookEventType"];
            /** @description How to meet it, from the spec's webhooks. */
            hint: string;
            /** @description Events of this type sent (first attempts). */
            count: number;
            /** @description Those a receiver acknowledged with a 2xx, at any attempt. */
            acknowledged: number;
            /** @description Those that needed more than one attempt. */
            retried: number;
        };
        CoverageMagicValue: {
            /** @description The create operation whose request takes it (the same value can mean different things to orders and refills). */
            operationId: string;
            field: string;
            value: string;
            count: number;
            /** @description What it makes the sandbox do (the magic value's description). */
            hint: string;
        };
        CoverageFault: {
            kind: components["schemas"]["FaultKind"];
            /** @description How to inject it. */
            hint: string;
            count: number;
        };
        /**
         * @description `x-nimbus-statuses` gives every code's HTTP status and `x-nimbus-when` when it is answered;
         *     the codes in `x-nimbus-sandbox-codes` are the sandbox's additions to those Nimbus publishes.
         * @enum {string}
         */
        ErrorCode: "invalid_request" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "idempotency_key_conflict" | "idempotency_key_in_use" | "order_not_cancellable" | "invalid_state_transition" | "limit_reached" | "payload_too_large" | "unsupported_media_type" | "validation_error" | "refill_not_eligible" | "rate_limit_exceeded" | "internal_error" | "service_unavailable";
        /** @description Machine-readable detail; which members appear depends on the code. */
        ErrorDetails: {
            /** @description Dotted path of the failing field, header or parameter. */
            field?: string;
            reason?: string;
            /** @description With `rate_limit_exceeded`, seconds until the window resets. */
            retryAfter?: number;
            /**
             * Format: date
             * @description With `refill_not_eligible`, the first day a refill could be approved, or null if never.
             */
            nextEligibleDate?: string | null;
            /** @description With `limit_reached`, how many the key may hold. */
            limit?: number;
        };
        Error: {
            error: {
                code: components["schemas"]["ErrorCode"];
                message: string;
                requestId: string;
                details?: components["schemas"]["ErrorDetails"];
            };
        };
    };
    responses: {
        /** @description The request is malformed: not JSON, not an object, or a bad header or query parameter (`invalid_request`). */
        BadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "invalid_request",
                 *         "message": "The request body is not valid JSON",
                 *         "requestId": "req_abc123"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The `X-API-Key` header is missing or not accepted (`unauthorized`). */
        Unauthorized: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "unauthorized",
                 *         "message": "Invalid or missing API key",
                 *         "requestId": "req_abc123"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such resource for this API key (`not_found`). */
        NotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "not_found",
                 *         "message": "No order with id ord_abc123xyz",
                 *         "requestId": "req_abc123"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `idempotency_key_conflict`: the idempotency key was already used for a different request.
         *     `idempotency_key_in_use`: a request with this key is still being processed (see `Retry-After`).
         *     `order_not_cancellable`: the order has shipped or been delivered.
         *     `limit_reached` (sandbox only): the API key holds as many orders or refills as the sandbox
         *     lets one key hold (`details.limit`); `POST /sandbox/reset` empties it. Decided before any
         *     work: the idempotency key is not consumed.
         */
        Conflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "idempotency_key_conflict",
                 *         "message": "An order with this idempotency key already exists",
                 *         "requestId": "req_abc123"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is over 1 MiB (`payload_too_large`). */
        PayloadTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is not sent as `application/json` (`unsupported_media_type`). */
        UnsupportedMediaType: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A field breaks its rule (`validation_error`); `details.field` is the dotted path of the first failing field. */
        ValidationError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "validation_error",
                 *         "message": "The request body is invalid",
                 *         "requestId": "req_abc123",
                 *         "details": {
                 *           "field": "shippingAddress.zip",
                 *           "reason": "Invalid ZIP code format"
                 *         }
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Too many requests in the current window (`rate_limit_exceeded`). */
        RateLimited: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "rate_limit_exceeded",
                 *         "message": "Too many requests; retry after 12 seconds",
                 *         "requestId": "req_abc123",
                 *         "details": {
                 *           "retryAfter": 12
                 *         }
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description An unexpected failure (`internal_error`). Retrying with the same idempotency key is safe. */
        InternalError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description The service is briefly unavailable (`service_unavailable`). The sandbox answers this only
         *     when a fault was asked for (see the README's fault injection), or to a new API key while
         *     it already holds as many keys as it may (`--max-tenants`) and none has been idle for 10
         *     minutes.
         */
        ServiceUnavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /**
         * @description `limit_reached`: the API key holds as many webhook endpoints as the sandbox lets one key
         *     hold (`details.limit`, 20 unless `--max-endpoints` says otherwise, counting a
         *     `--webhook-url` subscription); delete one, or `POST /sandbox/reset`.
         */
        LimitReached: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "limit_reached",
                 *         "message": "This API key holds 20 webhook endpoints, as many as it may",
                 *         "requestId": "req_abc123",
                 *         "details": {
                 *           "limit": 20,
                 *           "reason": "DELETE an endpoint, or POST /sandbox/reset"
                 *         }
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The order is not in a status the helper can move it from (`invalid_state_transition`). */
        SandboxConflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        ListLimit: number;
        /** @description The `nextCursor` of the previous page. */
        ListCursor: string;
        /**
         * @description Sent by the dashboard on its own polling: the request is not written to the key's
         *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
         *     Any request may carry it; it changes nothing else.
         */
        DashboardPoll: "poll";
        /**
         * @description A unique key for this operation. A retry with the same key and the same request
         *     returns the original answer; the same key with a different request is a 409.
         * @example order-2025-01-15-001
         */
        IdempotencyKey: string;
        /** @description Hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
        WebhookSignature: string;
        RefillId: string;
        EndpointId: string;
        OrderId: components["schemas"]["OrderId"];
    };
    requestBodies: never;
    headers: {
        /** @description Identifies this request; equal to `error.requestId` in an error body. */
        "X-Request-Id": string;
        /** @description Present, with the value `true`, when the body is the stored answer of an earlier request with the same idempotency key. */
        "Idempotent-Replayed": "true";
        /** @description On a replayed answer, the request id of the request that produced it. */
        "Original-Request-Id": string;
        /** @description Requests allowed in the current window. */
        "X-RateLimit-Limit": number;
        /** @description Requests left in the current window. */
        "X-RateLimit-Remaining": number;
        /** @description When the current window ends, in unix seconds. */
        "X-RateLimit-Reset": number;
        /** @description Seconds to wait before retrying. */
        "Retry-After": number;
        /** @description The page loads scripts, styles, fonts and data from the sandbox only. */
        "Content-Security-Policy": string;
        /** @description Always `nosniff`. */
        "X-Content-Type-Options": "nosniff";
        /** @description Always `no-referrer`. */
        "Referrer-Policy": "no-referrer";
        /** @description How long a browser may keep the file. */
        "Cache-Control": string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    createOrder: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description A unique key for this operation. A retry with the same key and the same request
                 *     returns the original answer; the same key with a different request is a 409.
                 * @example order-2025-01-15-001
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateOrderRequest"];
            };
        };
        responses: {
            /** @description The order was created (or, for a replayed idempotency key, the original answer). */
            201: {
                headers: {
                    /** @description Path of the new order. */
                    Location: string;
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    "Original-Request-Id": components["headers"]["Original-Request-Id"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order, in the status it has now. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    cancelOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled order. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    sandboxListOrders: {
        parameters: {
            query?: {
                limit?: components["parameters"]["ListLimit"];
                /** @description The `nextCursor` of the previous page. */
                cursor?: components["parameters"]["ListCursor"];
                status?: components["schemas"]["OrderStatus"];
                patientId?: components["schemas"]["PatientId"];
            };
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of orders. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxOrderHistory: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order's history, oldest first. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderHistory"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxAdvanceOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: components["parameters"]["OrderId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["OrderAdvanceRequest"];
            };
        };
        responses: {
            /** @description The order after the move. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["SandboxConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxGetClock: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The clock. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxClock"];
                };
            };
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxAdvanceClock: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "seconds": 86400
                 *     }
                 */
                "application/json": components["schemas"]["ClockAdvanceRequest"];
            };
        };
        responses: {
            /** @description The clock after the advance. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxClock"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            500: components["responses"]["InternalError"];
        };
    };
    createRefill: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description A unique key for this operation. A retry with the same key and the same request
                 *     returns the original answer; the same key with a different request is a 409.
                 * @example order-2025-01-15-001
                 */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "prescriptionId": "rx_9876543210",
                 *       "patientId": "pat_1234567890",
                 *       "requestedQuantity": 30
                 *     }
                 */
                "application/json": components["schemas"]["CreateRefillRequest"];
            };
        };
        responses: {
            /** @description The refill was created (or, for a replayed idempotency key, the original answer). */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    "Original-Request-Id": components["headers"]["Original-Request-Id"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Refill"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getRefill: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                refillId: components["parameters"]["RefillId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The refill, in the status it has now. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Refill"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    sandboxListRefills: {
        parameters: {
            query?: {
                limit?: components["parameters"]["ListLimit"];
                /** @description The `nextCursor` of the previous page. */
                cursor?: components["parameters"]["ListCursor"];
                status?: components["schemas"]["RefillStatus"];
                patientId?: components["schemas"]["PatientId"];
            };
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of refills. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RefillList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxRefillHistory: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path: {
                refillId: components["parameters"]["RefillId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The refill's history, oldest first. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RefillHistory"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    sendTestWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["WebhookTestRequest"];
            };
        };
        responses: {
            /** @description The test event was queued for sending. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookTestResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["InternalError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    sandboxListWebhookEndpoints: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every endpoint, oldest first. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpointList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxCreateWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookEndpointCreateRequest"];
            };
        };
        responses: {
            /** @description The endpoint, with the secret its deliveries are signed with. */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookEndpoint"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            409: components["responses"]["LimitReached"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxDeleteWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: components["parameters"]["EndpointId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The endpoint was deleted. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletedWebhookEndpoint"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxListWebhookDeliveries: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path: {
                endpointId: components["parameters"]["EndpointId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The attempts. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDeliveryList"];
                };
            };
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxReset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["ResetRequest"];
            };
        };
        responses: {
            /** @description The tenant was reset. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ResetResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sandbox is serving. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            500: components["responses"]["InternalError"];
        };
    };
    sandboxOpenApiYaml: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description spec/openapi.yaml, byte for byte. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/yaml": string;
                };
            };
            500: components["responses"]["InternalError"];
        };
    };
    sandboxOpenApiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The same document as `/sandbox/openapi.yaml`, written as JSON. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            500: components["responses"]["InternalError"];
        };
    };
    sandboxListRequests: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description Sent by the dashboard on its own polling: the request is not written to the key's
                 *     request journal (`GET /sandbox/requests`), which would otherwise fill with the polls.
                 *     Any request may carry it; it changes nothing else.
                 */
                "Nimbus-Sandbox-Dashboard"?: components["parameters"]["DashboardPoll"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The journal, newest first. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJournal"];
                };
            };
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxCoverage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The key's coverage. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SandboxCoverage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxDashboard: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The dashboard page. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "Cache-Control": components["headers"]["Cache-Control"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxDocs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API reference page. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "Cache-Control": components["headers"]["Cache-Control"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    sandboxAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A file name of the sandbox's built assets, such as `dashboard.js`. */
                asset: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, with the content type its extension names. */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Cache-Control": components["headers"]["Cache-Control"];
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                    "text/css": string;
                    "text/html": string;
                    "application/json": Record<string, never>;
                    "image/svg+xml": string;
                    "image/png": string;
                    "font/woff2": string;
                    "font/woff": string;
                };
            };
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalError"];
        };
    };
    orderCreatedWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
                "X-Webhook-Signature": components["parameters"]["WebhookSignature"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderCreatedEvent"];
            };
        };
        responses: {
            /** @description Any 2xx within 10 seconds acknowledges the event; anything else is retried after 1, 2, 4 and 8 seconds, five attempts in all. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    orderFulfilledWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
                "X-Webhook-Signature": components["parameters"]["WebhookSignature"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderFulfilledEvent"];
            };
        };
        responses: {
            /** @description Any 2xx within 10 seconds acknowledges the event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    refillReadyWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
                "X-Webhook-Signature": components["parameters"]["WebhookSignature"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefillReadyEvent"];
            };
        };
        responses: {
            /** @description Any 2xx within 10 seconds acknowledges the event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    refillStatusWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
                "X-Webhook-Signature": components["parameters"]["WebhookSignature"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefillStatusEvent"];
            };
        };
        responses: {
            /** @description Any 2xx within 10 seconds acknowledges the event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    orderStatusWebhook: {
        parameters: {
            query?: never;
            header: {
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the endpoint's secret. */
                "X-Webhook-Signature": components["parameters"]["WebhookSignature"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OrderStatusEvent"];
            };
        };
        responses: {
            /** @description Any 2xx within 10 seconds acknowledges the event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
type WithRequired<T, K extends keyof T> = T & {
    [P in K]-?: T[P];
};
