import type { Installation, InstallationQuery, InstallationStore } from "@slack/bolt";
import type { Store } from "../core/ports/store.ts";

/**
 * The key an installation is stored under: org-wide (Enterprise Grid) installs by enterprise id,
 * everything else by team id — the same lookup Bolt's own stores use.
 * @see https://docs.slack.dev/tools/bolt-js/concepts/authenticating-oauth
 */
export function installationKey(query: {
  isEnterpriseInstall?: boolean;
  enterpriseId?: string | undefined;
  teamId?: string | undefined;
}): string {
  if (query.isEnterpriseInstall && query.enterpriseId) return `enterprise:${query.enterpriseId}`;
  if (query.teamId) return `team:${query.teamId}`;
  throw new Error("Slack installation query has neither a team id nor an org-wide enterprise id");
}

function keyOf(installation: Installation): string {
  return installationKey({
    isEnterpriseInstall: installation.isEnterpriseInstall,
    enterpriseId: installation.enterprise?.id,
    teamId: installation.team?.id,
  });
}

/** Bolt's `InstallationStore` over our `Store` (one JSON row per workspace or org, in our database). */
export function createSlackInstallationStore(store: Store): InstallationStore {
  return {
    async storeInstallation(installation) {
      await store.saveInstallation(keyOf(installation as Installation), installation);
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const found = await store.getInstallation(installationKey(query));
      if (!found) throw new Error(`No Slack installation for ${installationKey(query)}`);
      return found as Installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await store.deleteInstallation(installationKey(query));
    },
  };
}
