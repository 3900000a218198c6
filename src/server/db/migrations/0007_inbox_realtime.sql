CREATE TABLE "user_presence" (
	"workspace_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"process_id" text NOT NULL,
	"connections" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_presence_workspace_id_user_id_process_id_pk" PRIMARY KEY("workspace_id","user_id","process_id")
);
--> statement-breakpoint
DROP INDEX "contacts_blocked";--> statement-breakpoint
ALTER TABLE "user_presence" ADD CONSTRAINT "user_presence_workspace_id_user_id_workspace_members_workspace_id_user_id_fk" FOREIGN KEY ("workspace_id","user_id") REFERENCES "public"."workspace_members"("workspace_id","user_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_presence_heartbeat" ON "user_presence" USING btree ("heartbeat_at");--> statement-breakpoint
CREATE INDEX "contacts_inbox_unread" ON "contacts" USING btree ("workspace_id","assignee_team_id","assignee_user_id") WHERE unread AND inbox_status = 'open' AND blocked_at IS NULL;--> statement-breakpoint
CREATE INDEX "comments_mentions" ON "comments" USING gin ("workspace_id",mentions jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "contacts_blocked" ON "contacts" USING btree ("workspace_id","blocked_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE blocked_at IS NOT NULL;