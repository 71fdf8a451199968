import { type Tx, webhookEndpoints } from "@pinglass/db";
import { eq } from "drizzle-orm";

/**
 * The webhooks' part of a user's data (a UserDataOwner of @pinglass/accounts): the endpoints, whose
 * deliveries go with them. Deleting the user deletes both (ON DELETE CASCADE); a merge moves the
 * endpoints to the surviving account, so a developer's integration keeps its events.
 */
export const webhooksUserData = {
  userColumns: ["webhook_endpoints.user_id"],
  avatarColumns: [],

  async reassignUserData(tx: Tx, fromUserId: number, toUserId: number): Promise<void> {
    await tx.update(webhookEndpoints).set({ userId: toUserId }).where(eq(webhookEndpoints.userId, fromUserId));
  },
};
