// Webhooks end to end on PostgreSQL: the suite is in webhooks.suite.ts.
import { webhookSuite } from './webhooks.suite';

webhookSuite('postgres');
