import type { Executor } from '../../platform/db/database.js';
import { campaignsRepository as campaigns } from './campaigns.repository.js';
import type { CampaignsTable } from './campaigns.tables.js';

export type LaunchFacts = Pick<CampaignsTable, 'id' | 'title' | 'mode' | 'need_id' | 'chain_group_id' | 'agreement_version'>;

/**
 * What events and messages name of a campaign — its title, mode, need, chain group and agreement
 * version — none of which changes once it is launched (only drafts are edited). Kept per process for
 * launched campaigns, so the hot paths (payments, notifications) do not read the campaign row again.
 */
export class CampaignFacts {
  private readonly known = new Map<string, LaunchFacts>();

  /** The facts of a campaign (read through `ex`, inside the caller's transaction), or undefined. */
  async of(ex: Executor, campaignId: string): Promise<LaunchFacts | undefined> {
    const hit = this.known.get(campaignId);
    if (hit) return hit;
    const c = await campaigns.find(ex, campaignId);
    if (!c) return undefined;
    const facts: LaunchFacts = {
      id: c.id,
      title: c.title,
      mode: c.mode,
      need_id: c.need_id,
      chain_group_id: c.chain_group_id,
      agreement_version: c.agreement_version,
    };
    if (c.launched_at !== null) {
      if (this.known.size >= 10_000) this.known.clear();
      this.known.set(campaignId, facts);
    }
    return facts;
  }
}
