import type { App } from '../app.js';

export interface SeedSummary {
  members: number;
}

/**
 * Loads the demo story: deterministic, Chinese-first. Returns what it made, or null when the
 * database already has members and `onlyIfEmpty` is set.
 */
export async function seedDemo(app: App, options: { onlyIfEmpty: boolean }): Promise<SeedSummary | null> {
  const accounts = app.modules.accounts.service;
  if (options.onlyIfEmpty && (await accounts.hasMembers())) return null;
  await accounts.createOperator('operator@covalue.demo', 'covalue-demo-operator', '运营小薇');
  return { members: 1 };
}
