// Webhooks end to end on the embedded database, the default of `npm start`: the queue's
// FOR UPDATE SKIP LOCKED and leases on PGlite's one connection, the kill mid-retry and restart
// on a data folder the killed process held. The suite is in webhooks.suite.ts.
import { webhookSuite } from './webhooks.suite';

webhookSuite('embedded');
