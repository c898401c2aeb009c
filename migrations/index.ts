import type { Migration } from 'kysely';
import * as platform from './2026112301_platform.js';
import * as accounts from './2026112302_accounts.js';
import * as cocreation from './2026112303_cocreation.js';
import * as markers from './2026112304_markers.js';
import * as organisations from './2026112305_organisations.js';
import * as polls from './2026112306_polls.js';
import * as chainGroups from './2026112307_chain_groups.js';
import * as bids from './2026112308_bids.js';
import * as products from './2026112309_products.js';
import * as campaigns from './2026120101_campaigns.js';
import * as payments from './2026120102_payments.js';
import * as notifications from './2026120103_notifications.js';
import * as log from './2026120201_log.js';
import * as lots from './2026120202_lots.js';
import * as ledger from './2026120301_ledger.js';
import * as logProofReads from './2026120401_log_proof_reads.js';
import * as webhookClaims from './2026120402_webhook_claims.js';

/** Every migration, by name; names sort in the order they apply. Add new ones at the end. */
export const migrations: Record<string, Migration> = {
  '2026112301_platform': platform,
  '2026112302_accounts': accounts,
  '2026112303_cocreation': cocreation,
  '2026112304_markers': markers,
  '2026112305_organisations': organisations,
  '2026112306_polls': polls,
  '2026112307_chain_groups': chainGroups,
  '2026112308_bids': bids,
  '2026112309_products': products,
  '2026120101_campaigns': campaigns,
  '2026120102_payments': payments,
  '2026120103_notifications': notifications,
  '2026120201_log': log,
  '2026120202_lots': lots,
  '2026120301_ledger': ledger,
  '2026120401_log_proof_reads': logProofReads,
  '2026120402_webhook_claims': webhookClaims,
};
